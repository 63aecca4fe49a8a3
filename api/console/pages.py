"""Server-rendered console pages (Jinja2); their buttons call the staff JSON API with plain JS."""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, FastAPI, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.console.agent import service as agent_service
from api.console.agent.schemas import RESOLUTIONS
from api.console.knowledge import service as knowledge_service
from api.console.knowledge.routes import knowledge_base
from api.console.ops import service as ops_service
from api.console.ops.dashboard import STATES
from api.console.ops.schemas import RunFilter
from api.deps import ChatEngine, DbSession
from api.errors import error_body
from api.ratelimit import RateLimited
from api.staff import repository as staff_repository
from api.staff.deps import (
    AdminStaff,
    AgentStaff,
    CsrfProtected,
    CurrentStaff,
    OpsStaff,
    SignInRequired,
    StaffView,
)
from api.staff.errors import CsrfFailed, InvalidCredentials, RoleForbidden
from api.staff.models import StaffUser
from api.staff.routes import ensure_session, sign_in_staff
from api.staff.service import audit
from api.staff.sessions import clear_session, csrf_token, read_session
from rpa.jobs import PAYLOADS
from tandem.config import Settings
from tandem.errors import TandemError

TEMPLATES_DIR = Path(__file__).parent / "templates"
CONSOLE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HOME_BY_ROLE = {"agent": "/console/agent", "ops": "/console/ops", "admin": "/console/ops"}

router = APIRouter(
    prefix="/console", tags=["console pages"], include_in_schema=False, dependencies=[CsrfProtected]
)


@cache
def _templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pretty_json"] = lambda value: json.dumps(value, ensure_ascii=False, indent=2, default=str)
    env.filters["duration"] = _duration
    return env


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def render(
    request: Request, template: str, staff: StaffUser | StaffView | None, *, status: int = 200, **context: Any
) -> HTMLResponse:
    """A console page with the session's CSRF token, strict CSP and no caching."""
    response = HTMLResponse("", status_code=status)
    session = ensure_session(request, response)
    settings: Settings = request.app.state.settings
    html = (
        _templates()
        .get_template(template)
        .render(staff=staff, csrf_token=csrf_token(settings, session), path=request.url.path, **context)
    )
    response.body = response.render(html)
    response.headers["content-length"] = str(len(response.body))
    response.headers["Content-Security-Policy"] = CONSOLE_CSP
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def _safe_next(target: str | None) -> str:
    """Only console paths on this site (no open redirects)."""
    if target and target.startswith("/console") and "//" not in target and "\\" not in target:
        return target
    return "/console"


def install_page_errors(app: FastAPI) -> None:
    """Pages answer a missing session with the sign-in form, a wrong role or CSRF with an HTML 403."""

    @app.exception_handler(SignInRequired)
    async def sign_in_required(request: Request, _exc: SignInRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/console/sign-in?next={quote(target)}", status_code=303)

    async def forbidden(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, TandemError)
        if request.url.path.startswith("/console"):
            return render(
                request,
                "forbidden.html",
                getattr(request.state, "staff_view", None),
                status=403,
                message=exc.message,
            )
        return JSONResponse(error_body(exc.code, exc.message), status_code=exc.status)

    app.add_exception_handler(RoleForbidden, forbidden)
    app.add_exception_handler(CsrfFailed, forbidden)


@router.get("")
def console_home(staff: CurrentStaff) -> RedirectResponse:
    return RedirectResponse(HOME_BY_ROLE.get(staff.role, "/console/agent"), status_code=303)


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request, db: DbSession, next: str | None = None) -> HTMLResponse:
    session = read_session(request)
    staff = staff_repository.staff_by_id(db, session.staff_id) if session and session.staff_id else None
    return render(request, "sign_in.html", None, next=_safe_next(next), signed_in_as=staff)


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in_form(
    request: Request,
    db: DbSession,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=500)],
    next: Annotated[str, Form(max_length=500)] = "/console",
) -> Response:
    """The sign-in form: a fresh session and a redirect, or the form again with the reason."""
    redirect = RedirectResponse(_safe_next(next), status_code=303)
    try:
        staff, _session = sign_in_staff(request, redirect, db, email, password)
    except RateLimited as exc:
        page = render(
            request, "sign_in.html", None, status=429, next=_safe_next(next), email=email, error=exc.message
        )
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    except InvalidCredentials as exc:
        return render(
            request, "sign_in.html", None, status=401, next=_safe_next(next), email=email, error=exc.message
        )
    if _safe_next(next) == "/console":
        redirect.headers["location"] = HOME_BY_ROLE.get(staff.role, "/console")
    return redirect


@router.post("/sign-out")
def sign_out(request: Request, db: DbSession, staff: CurrentStaff) -> RedirectResponse:
    audit(db, staff, "staff.sign_out", "staff", str(staff.id))
    response = RedirectResponse("/console/sign-in", status_code=303)
    clear_session(request, response)
    return response


@router.get("/agent", response_class=HTMLResponse)
def agent_queue(request: Request, db: DbSession, staff: AgentStaff) -> HTMLResponse:
    return render(request, "agent_queue.html", staff, queue=agent_service.waiting_queue(db))


@router.get("/agent/conversations/{conversation_id}", response_class=HTMLResponse)
def agent_conversation(
    conversation_id: str, request: Request, db: DbSession, engine: ChatEngine, staff: AgentStaff
) -> HTMLResponse:
    detail = agent_service.detail(db, conversation_id, engine.tools.office)
    return render(
        request,
        "agent_conversation.html",
        staff,
        c=detail,
        canned=agent_service.canned_replies(detail.language, staff.name),
        resolutions=RESOLUTIONS,
    )


@router.get("/ops", response_class=HTMLResponse)
def ops_runs(
    request: Request,
    db: DbSession,
    staff: OpsStaff,
    status: Annotated[str | None, Query(max_length=16)] = None,
    kind: Annotated[str | None, Query(max_length=32)] = None,
    target: Annotated[str | None, Query(max_length=32)] = None,
    error_class: Annotated[str | None, Query(max_length=16)] = None,
    date_from: Annotated[str | None, Query(max_length=10)] = None,
    date_to: Annotated[str | None, Query(max_length=10)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> HTMLResponse:
    filters = RunFilter(
        status=status or None,
        kind=kind or None,
        target=target or None,
        error_class=error_class or None,
        date_from=_date(date_from),
        date_to=_date(date_to),
        q=q or None,
    )
    return render(
        request,
        "ops_runs.html",
        staff,
        runs=ops_service.list_runs(db, filters),
        f=filters,
        states=STATES,
        kinds=sorted(PAYLOADS),
        error_classes=("business", "system", "review"),
    )


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@router.get("/ops/runs/{job_id}", response_class=HTMLResponse)
def ops_run(job_id: str, request: Request, db: DbSession, staff: OpsStaff) -> HTMLResponse:
    return render(request, "ops_run.html", staff, run=ops_service.run_detail(db, job_id))


@router.get("/ops/dashboard", response_class=HTMLResponse)
def ops_dashboard(request: Request, staff: OpsStaff) -> HTMLResponse:
    return render(request, "ops_dashboard.html", staff)


@router.get("/knowledge", response_class=HTMLResponse)
def knowledge_page(
    request: Request,
    db: DbSession,
    staff: OpsStaff,
    ingested: Annotated[str | None, Query(max_length=200)] = None,
    chunks: Annotated[int | None, Query(ge=0)] = None,
) -> HTMLResponse:
    return render(
        request,
        "knowledge.html",
        staff,
        sources=knowledge_service.list_sources(knowledge_base(request)),
        unanswered=knowledge_service.unanswered(db),
        ingested=ingested,
        chunks=chunks,
    )


@router.post("/knowledge/uploads")
def knowledge_upload(
    request: Request,
    db: DbSession,
    staff: OpsStaff,
    document: Annotated[UploadFile, File()],
) -> Response:
    """Store an uploaded document under data_dir/knowledge/uploads and ingest it."""
    data = document.file.read(knowledge_service.MAX_UPLOAD_BYTES + 1)
    settings: Settings = request.app.state.settings
    path = knowledge_service.store_upload(settings, document.filename or "", data)
    report = knowledge_service.ingest_upload(knowledge_base(request), path)
    audit(
        db,
        staff,
        "knowledge.upload",
        "knowledge",
        path.name[-64:],
        chunks=report.chunks_added + report.chunks_updated,
    )
    query = urlencode({"ingested": path.name, "chunks": report.chunks_added + report.chunks_updated})
    return RedirectResponse(f"/console/knowledge?{query}", status_code=303)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, db: DbSession, staff: AdminStaff) -> HTMLResponse:
    entries = staff_repository.list_audit(db, limit=300)
    names = staff_repository.staff_names(db, {e.staff_id for e in entries if e.staff_id is not None})
    return render(request, "audit.html", staff, entries=entries, names=names)
