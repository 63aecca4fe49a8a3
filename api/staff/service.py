"""Staff accounts: creation and password checks (argon2)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.staff.models import ROLES, StaffUser
from tandem.errors import Conflict, TandemError

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_staff(
    session: Session, *, email: str, name: str, role: str, password: str, exist_ok: bool = False
) -> StaffUser:
    """Add a staff user; with ``exist_ok`` an existing e-mail is returned unchanged."""
    if role not in ROLES:
        raise TandemError(f"role must be one of {', '.join(ROLES)}, not {role!r}", code="invalid_role")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise TandemError(
            f"password must have at least {MIN_PASSWORD_LENGTH} characters", code="weak_password"
        )
    email = email.strip().lower()
    existing = session.scalar(select(StaffUser).where(StaffUser.email == email))
    if existing is not None:
        if exist_ok:
            return existing
        raise Conflict(f"a staff user with e-mail {email} already exists")
    user = StaffUser(email=email, name=name, role=role, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    return user
