"""Staff sign-in and sign-out (JSON), and the audit log for admins."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from api.deps import DbSession
from api.limits import client_address
from api.ratelimit import SlidingWindow
from api.staff import repository, service
from api.staff.deps import AdminStaff, CsrfProtected
from api.staff.errors import ERRORS
from api.staff.models import StaffUser
from api.staff.schemas import AuditOut, SessionState, SignIn, StaffOut
from api.staff.sessions import StaffSession, clear_session, csrf_token, read_session, write_session
from tandem.config import Settings

router = APIRouter(prefix="/api/v1/staff", tags=["staff"], dependencies=[CsrfProtected], responses=ERRORS)


@dataclass
class SignInLimits:
    """Sign-in attempts allowed per client address and per e-mail address."""

    per_ip: SlidingWindow
    per_email: SlidingWindow

    @classmethod
    def default(cls) -> SignInLimits:
        return cls(per_ip=SlidingWindow(30, 300), per_email=SlidingWindow(5, 300))


def ensure_session(request: Request, response: Response) -> StaffSession:
    """The request's staff session, or a new anonymous one set on ``response`` (for sign-in CSRF)."""
    session = read_session(request)
    if session is None:
        session = StaffSession.anonymous()
        write_session(request, response, session)
    return session


def sign_in_staff(
    request: Request, response: Response, db: Session, email: str, password: str
) -> tuple[StaffUser, StaffSession]:
    """Check the rate limits and the password; on success start a fresh session on ``response``."""
    limits: SignInLimits = request.app.state.staff_sign_in_limits
    normalized = email.strip().lower()
    limits.per_ip.hit(client_address(request), "sign-in attempts from this address")
    limits.per_email.hit(normalized, "sign-in attempts for this account")
    staff = service.authenticate(db, normalized, password)
    limits.per_email.reset(normalized)
    session = StaffSession.signed_in(staff.id, staff.password_hash)
    write_session(request, response, session)
    service.audit(db, staff, "staff.sign_in", "staff", str(staff.id), ip=client_address(request))
    return staff, session


@router.get("/session", response_model=SessionState)
def session_state(request: Request, response: Response, db: DbSession) -> SessionState:
    """Who is signed in, and the CSRF token of this session (a session is started if none)."""
    settings: Settings = request.app.state.settings
    session = ensure_session(request, response)
    staff = repository.staff_by_id(db, session.staff_id) if session.staff_id else None
    return SessionState(
        signed_in=staff is not None,
        staff=StaffOut.model_validate(staff) if staff else None,
        csrf_token=csrf_token(settings, session),
    )


@router.post("/session", response_model=SessionState, responses={429: {"description": "Rate limited"}})
def sign_in(body: SignIn, request: Request, response: Response, db: DbSession) -> SessionState:
    """Sign in with e-mail and password; answers with the new session's CSRF token."""
    settings: Settings = request.app.state.settings
    staff, session = sign_in_staff(request, response, db, body.email, body.password)
    return SessionState(
        signed_in=True, staff=StaffOut.model_validate(staff), csrf_token=csrf_token(settings, session)
    )


@router.delete("/session", status_code=204)
def sign_out(request: Request, db: DbSession) -> Response:
    session = read_session(request)
    if session and session.staff_id:
        staff = repository.staff_by_id(db, session.staff_id)
        service.audit(db, staff, "staff.sign_out", "staff", str(session.staff_id))
    response = Response(status_code=204)
    clear_session(request, response)
    return response


@router.get("/audit", response_model=list[AuditOut])
def audit_log(
    db: DbSession,
    _staff: AdminStaff,
    subject_type: Annotated[str | None, Query(max_length=32)] = None,
    subject_id: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[AuditOut]:
    """Recent staff actions, newest first."""
    entries = repository.list_audit(
        db, subject_type=subject_type, subject_id=subject_id, action=action, limit=limit
    )
    names = repository.staff_names(db, {e.staff_id for e in entries if e.staff_id is not None})
    return [
        AuditOut.model_validate(e).model_copy(update={"staff_name": names.get(e.staff_id or 0)})
        for e in entries
    ]
