"""Errors of staff sign-in, sessions, roles and CSRF."""

from __future__ import annotations

from tandem.errors import Forbidden, TandemError


class NotSignedIn(TandemError):
    """No valid staff session; pages answer with a redirect to the sign-in form."""

    code = "not_signed_in"
    status = 401


class InvalidCredentials(TandemError):
    code = "invalid_credentials"
    status = 401


class RoleForbidden(Forbidden):
    """Signed in, but the role does not open this page or API."""

    code = "forbidden_role"


class CsrfFailed(Forbidden):
    """A state-changing request without the session's CSRF token."""

    code = "csrf_failed"


ERRORS: dict[int | str, dict[str, str]] = {
    401: {"description": "Not signed in as staff"},
    403: {"description": "Role not allowed, or CSRF token missing or wrong"},
}
