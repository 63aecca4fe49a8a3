"""Sign-in screen, signed-cookie sessions, and the ``CurrentUser`` dependency (with expiry fault)."""

from __future__ import annotations

import hmac
import time
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from rpa.sandbox.web import StaffUser, read_form, redirect, render, state_of, text
from tandem.config import Settings

DEMO_CLERK = StaffUser("clerk", "Wanjiru (Sales clerk)", "clerk-pass")

router = APIRouter()


class SignInRequired(Exception):
    """The request needs a signed-in user; answered by a redirect to the sign-in page."""

    def __init__(self, next_path: str, *, expired: bool = False) -> None:
        super().__init__(next_path)
        self.next_path = next_path
        self.expired = expired


def staff_users(settings: Settings) -> dict[str, StaffUser]:
    """The bot's account from settings plus a demo clerk."""
    robot = StaffUser(settings.sandbox_user, "Robot operator", settings.sandbox_password.get_secret_value())
    return {DEMO_CLERK.username: DEMO_CLERK, robot.username: robot}


def sign_in_redirect(error: SignInRequired) -> RedirectResponse:
    """Where an anonymous or expired request is sent."""
    params = {"next": error.next_path}
    if error.expired:
        params["expired"] = "1"
    return redirect(f"/signin?{urlencode(params)}")


def require_user(request: Request) -> StaffUser:
    """The signed-in user; expired or anonymous sessions are sent to sign in."""
    next_path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    username = request.session.get("user")
    user = state_of(request).users.get(username) if isinstance(username, str) else None
    if user is None:
        raise SignInRequired(next_path)
    ttl = state_of(request).faults.session_ttl_s
    signed_in_at = request.session.get("signed_in_at", 0)
    if ttl and time.time() - float(signed_in_at) > ttl:
        request.session.pop("user", None)
        raise SignInRequired(next_path, expired=True)
    return user


CurrentUser = Annotated[StaffUser, Depends(require_user)]


def _safe_next(value: str) -> str:
    # Only same-site paths: an open redirect would let a link send staff anywhere.
    if value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/erp"


@router.get("/signin", response_class=HTMLResponse)
def sign_in_page(request: Request, next: str = "/erp", expired: str = "") -> HTMLResponse:
    """The sign-in form."""
    notice = "Your session has expired. Please sign in again." if expired else ""
    return render(request, "signin.html", {"next": _safe_next(next), "notice": notice})


@router.post("/signin", response_model=None)
async def sign_in(request: Request) -> HTMLResponse | RedirectResponse:
    """Check the credentials and start a session."""
    form = await read_form(request)
    username, password = text(form, "username"), form.get("password")
    next_path = _safe_next(text(form, "next"))
    user = state_of(request).users.get(username)
    password_ok = (
        isinstance(password, str)
        and user is not None
        and hmac.compare_digest(password.encode(), user.password.encode())
    )
    if user is None or not password_ok:
        context = {"next": next_path, "error": "Invalid user name or password.", "username": username[:100]}
        return render(request, "signin.html", context, status_code=401)
    request.session.clear()
    request.session.update(user=user.username, signed_in_at=time.time())
    return redirect(next_path)


@router.post("/signout")
async def sign_out(request: Request) -> RedirectResponse:
    """End the session."""
    await read_form(request)
    request.session.clear()
    return redirect("/signin")
