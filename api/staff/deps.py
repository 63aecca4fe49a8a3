"""Staff dependencies, read as declarations: ``CurrentStaff``, ``RequireRole("ops")``, ``CsrfProtected``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from api.deps import DbSession
from api.staff import repository
from api.staff.errors import CsrfFailed, NotSignedIn, RoleForbidden
from api.staff.models import StaffUser
from api.staff.sessions import CSRF_FIELD, CSRF_HEADER, csrf_valid, fingerprint, read_session
from tandem.config import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Admins open everything; every other role opens its own console.
ROLE_GRANTS: dict[str, frozenset[str]] = {
    "agent": frozenset({"agent", "admin"}),
    "ops": frozenset({"ops", "admin"}),
    "admin": frozenset({"admin"}),
}


@dataclass(frozen=True)
class StaffView:
    id: int
    name: str
    role: str


class SignInRequired(NotSignedIn):
    """Raised for console pages: rendered as a redirect to the sign-in form."""


def _current_staff(request: Request, db: DbSession) -> StaffUser:
    session = read_session(request)
    staff = repository.staff_by_id(db, session.staff_id) if session and session.staff_id else None
    if (
        session is None
        or staff is None
        or not staff.active
        or fingerprint(staff.password_hash) != session.fingerprint
    ):
        if request.url.path.startswith("/console"):
            raise SignInRequired("sign in to open the console")
        raise NotSignedIn("sign in as staff first")
    # A detached copy for error pages, which render after the request's session has closed.
    request.state.staff_view = StaffView(id=staff.id, name=staff.name, role=staff.role)
    return staff


CurrentStaff = Annotated[StaffUser, Depends(_current_staff)]


class RequireRole:
    """Let through staff whose role is granted ``role`` (admins always are)."""

    def __init__(self, role: str) -> None:
        if role not in ROLE_GRANTS:
            raise ValueError(f"unknown role {role!r}")
        self.role = role

    def __call__(self, staff: CurrentStaff) -> StaffUser:
        if staff.role not in ROLE_GRANTS[self.role]:
            raise RoleForbidden(f"this needs the {self.role} role; you are signed in as {staff.role}")
        return staff


AgentStaff = Annotated[StaffUser, Depends(RequireRole("agent"))]
OpsStaff = Annotated[StaffUser, Depends(RequireRole("ops"))]
AdminStaff = Annotated[StaffUser, Depends(RequireRole("admin"))]


async def _check_csrf(request: Request) -> None:
    """State-changing requests carry the session's CSRF token (header, or form field)."""
    if request.method in SAFE_METHODS:
        return
    token = request.headers.get(CSRF_HEADER)
    content_type = request.headers.get("content-type", "")
    if not token and content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FIELD)
        token = value if isinstance(value, str) else None
    settings: Settings = request.app.state.settings
    if not csrf_valid(settings, read_session(request), token):
        raise CsrfFailed("missing or wrong CSRF token; reload the page and try again")


CsrfProtected = Depends(_check_csrf)
