"""Staff accounts: creation, password checks (argon2), sign-in, and the audit trail."""

from __future__ import annotations

from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.staff import repository
from api.staff.errors import InvalidCredentials
from api.staff.models import ROLES, AuditEntry, StaffUser
from tandem.clock import utcnow
from tandem.errors import Conflict, TandemError
from tandem.logging import get_logger

log = get_logger(__name__)

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


_DUMMY_HASH = _hasher.hash("not-a-real-password")


def authenticate(session: Session, email: str, password: str) -> StaffUser:
    """The active staff user with this e-mail and password, or :class:`InvalidCredentials`."""
    user = repository.staff_by_email(session, email)
    # Verify against a dummy hash for unknown e-mails, so timing does not tell which exist.
    valid = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not valid or not user.active:
        log.info("staff_sign_in_failed", email_domain=email.rpartition("@")[2][:100])
        raise InvalidCredentials("wrong e-mail or password")
    user.last_login_at = utcnow()
    return user


def audit(
    session: Session, staff: StaffUser | None, action: str, subject_type: str, subject_id: str, **detail: Any
) -> AuditEntry:
    """Record who did what to which record (and log it with the record's id)."""
    entry = repository.add_audit(
        session,
        staff_id=staff.id if staff else None,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        detail=detail,
    )
    ids = {f"{subject_type}_id": subject_id} if subject_type in {"conversation", "job"} else {}
    log.info("staff_action", action=action, staff_id=entry.staff_id, subject=subject_type, **ids)
    return entry
