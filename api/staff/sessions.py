"""Staff sessions in a signed, HTTP-only cookie, and CSRF tokens bound to them.

The cookie holds a random session id, the staff id (none before sign-in) and a fingerprint
of the password hash, so a password change ends every session. The CSRF token is an HMAC
of the session id; a new session id is issued at sign-in (no session fixation).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from tandem.config import Settings

SESSION_COOKIE = "tandem_staff"
SESSION_MAX_AGE = 12 * 3600
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
_SALT = "tandem.staff.session"


@dataclass(frozen=True)
class StaffSession:
    sid: str
    staff_id: int | None = None
    fingerprint: str = ""

    @classmethod
    def anonymous(cls) -> StaffSession:
        return cls(sid=secrets.token_urlsafe(24))

    @classmethod
    def signed_in(cls, staff_id: int, password_hash: str) -> StaffSession:
        return cls(sid=secrets.token_urlsafe(24), staff_id=staff_id, fingerprint=fingerprint(password_hash))


def fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key.get_secret_value(), salt=_SALT)


def read_session(request: Request) -> StaffSession | None:
    """The session in the request's cookie, if it is ours, unexpired and well formed."""
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw or len(raw) > 1024:
        return None
    settings: Settings = request.app.state.settings
    try:
        data = _serializer(settings).loads(raw, max_age=SESSION_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("sid"), str):
        return None
    staff_id = data.get("uid")
    return StaffSession(
        sid=data["sid"],
        staff_id=staff_id if isinstance(staff_id, int) else None,
        fingerprint=str(data.get("fp", "")),
    )


def write_session(request: Request, response: Response, session: StaffSession) -> None:
    """Set the cookie: HTTP-only, SameSite=Lax, Secure when the request came over https."""
    settings: Settings = request.app.state.settings
    value = _serializer(settings).dumps(
        {"sid": session.sid, "uid": session.staff_id, "fp": session.fingerprint}
    )
    response.set_cookie(
        SESSION_COOKIE,
        str(value),
        max_age=SESSION_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def clear_session(request: Request, response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=request.url.scheme == "https"
    )


def csrf_token(settings: Settings, session: StaffSession) -> str:
    secret = settings.secret_key.get_secret_value().encode()
    return hmac.new(secret, f"csrf:{session.sid}".encode(), hashlib.sha256).hexdigest()


def csrf_valid(settings: Settings, session: StaffSession | None, token: str | None) -> bool:
    if session is None or not token:
        return False
    return hmac.compare_digest(csrf_token(settings, session), token)
