"""Shared plumbing of the screens: app state, DB session, templates, CSRF, flash messages."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import FormData
from starlette.templating import Jinja2Templates

from rpa.sandbox.errors import SandboxError
from rpa.sandbox.faults import FaultConfig
from tandem.config import Settings

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
MAX_FORM_PART = 1024 * 1024


@dataclass(frozen=True)
class StaffUser:
    """A back-office account."""

    username: str
    display_name: str
    password: str


@dataclass
class SandboxState:
    """Everything one sandbox app instance owns."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    files_dir: Path
    users: dict[str, StaffUser]
    faults: FaultConfig


class CsrfRejected(SandboxError):
    """A form came back without the token this session issued."""

    status = 403


def state_of(request: Request) -> SandboxState:
    """The sandbox state of the app serving ``request``."""
    state = request.app.state.sandbox
    assert isinstance(state, SandboxState)
    return state


async def get_db(request: Request) -> AsyncIterator[Session]:
    """One session per request; handlers commit what they change."""
    with state_of(request).session_factory() as session:
        yield session


DbSession = Annotated[Session, Depends(get_db)]


def csrf_token(request: Request) -> str:
    """This session's CSRF token, issued on first use."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def read_form(request: Request) -> FormData:
    """The posted form, once its CSRF token matches the session's."""
    form = await request.form(max_part_size=MAX_FORM_PART)
    sent = form.get("csrf_token")
    expected = request.session.get("csrf")
    if not isinstance(sent, str) or not isinstance(expected, str):
        await form.close()
        raise CsrfRejected("The form has expired or is missing its security token. Reload the page.")
    if not hmac.compare_digest(sent, expected):
        await form.close()
        raise CsrfRejected("The form's security token does not match. Reload the page.")
    return form


def text(form: FormData, name: str) -> str:
    """A text field, stripped; files and missing fields read as empty."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def texts(form: FormData, name: str) -> list[str]:
    """Every value of a repeated text field."""
    return [value if isinstance(value, str) else "" for value in form.getlist(name)]


def flash(request: Request, message: str) -> None:
    """Show ``message`` on the next page rendered for this session."""
    request.session.setdefault("flash", []).append(message)


def money(cents: int | None) -> str:
    """$1,234.50 from cents."""
    if cents is None:
        return ""
    return f"${cents / 100:,.2f}"


def when(value: date | datetime | None) -> str:
    """Dates as the legacy screens show them."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


LABELS = {"mpesa": "M-Pesa", "blik": "BLIK", "cod": "Cash on delivery"}


def label(value: str | None) -> str:
    """bank_transfer → Bank transfer."""
    value = value or ""
    return LABELS.get(value) or value.replace("_", " ").capitalize()


def _page_context(request: Request) -> dict[str, Any]:
    messages = request.session.pop("flash", []) if "session" in request.scope else []
    user = request.session.get("user") if "session" in request.scope else None
    return {
        "flash_messages": messages,
        "signed_in_user": user,
        "csrf_token": csrf_token(request) if "session" in request.scope else "",
        "surprise_modal": bool(request.scope.get("state", {}).get("surprise_modal")) and bool(user),
        "nav": request.url.path.split("/")[1:3],
    }


def _build_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=TEMPLATES_DIR, context_processors=[_page_context])
    templates.env.filters.update(money=money, when=when, label=label)
    templates.env.filters["zip"] = lambda first, second: list(zip(first, second, strict=False))
    templates.env.globals["qs"] = lambda **params: urlencode(
        {key: value for key, value in params.items() if value not in ("", None)}
    )
    return templates


templates = _build_templates()


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    """Render a page template."""
    response = templates.TemplateResponse(request, name, context or {}, status_code=status_code)
    assert isinstance(response, HTMLResponse)
    return response


def redirect(url: str) -> RedirectResponse:
    """Post/redirect/get."""
    return RedirectResponse(url, status_code=303)
