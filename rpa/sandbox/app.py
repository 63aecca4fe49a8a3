"""Build the sandbox back-office app and serve it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from rpa.sandbox import auth, routes_dms, routes_erp, routes_orders
from rpa.sandbox.database import files_dir_for, make_engine, make_session_factory
from rpa.sandbox.errors import SandboxError
from rpa.sandbox.faults import FaultConfig, FaultInjection
from rpa.sandbox.seed import is_seeded, seed_sandbox
from rpa.sandbox.web import STATIC_DIR, SandboxState, render
from tandem.config import Settings

logger = logging.getLogger(__name__)

ERROR_TITLES = {
    400: "Bad request",
    403: "Access denied",
    404: "Not found",
    405: "Method not allowed",
    409: "Operation refused",
    422: "Invalid input",
    500: "System error",
}


def _error_page(request: Request, status: int, message: str) -> HTMLResponse:
    title = ERROR_TITLES.get(status, "Error")
    return render(request, "error.html", {"title": title, "message": message}, status)


def _install_error_pages(app: FastAPI) -> None:
    async def sandbox_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SandboxError)
        return _error_page(request, exc.status, exc.message)

    async def sign_in_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, auth.SignInRequired)
        return auth.sign_in_redirect(exc)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        return _error_page(request, exc.status_code, str(exc.detail))

    async def invalid_request(request: Request, exc: Exception) -> Response:
        return _error_page(request, 422, "The request has missing or malformed values.")

    async def unexpected(request: Request, exc: Exception) -> Response:
        logger.exception("unexpected error on %s", request.url.path, exc_info=exc)
        return _error_page(request, 500, "An unexpected error occurred. Please try again.")

    app.add_exception_handler(SandboxError, sandbox_error)
    app.add_exception_handler(auth.SignInRequired, sign_in_required)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(Exception, unexpected)


def create_app(settings: Settings) -> FastAPI:
    """The ERP/DMS web app; its faults come from ``settings`` so tests can switch them on."""
    db_path = settings.resolved_sandbox_db_path
    engine = make_engine(db_path)
    faults = FaultConfig.from_settings(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        state_of_app = app.state.sandbox
        assert isinstance(state_of_app, SandboxState)
        state_of_app.engine.dispose()

    app = FastAPI(
        title="Baobab Home ERP / DMS",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.sandbox = SandboxState(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine),
        files_dir=files_dir_for(db_path),
        users=auth.staff_users(settings),
        faults=faults,
    )
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key.get_secret_value(),
        session_cookie="bh_erp_session",
        same_site="lax",
    )
    app.add_middleware(FaultInjection, config=faults)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/healthz", response_class=PlainTextResponse)
    def healthz() -> str:
        """Liveness probe."""
        return "ok"

    app.include_router(auth.router)
    app.include_router(routes_erp.router)
    app.include_router(routes_orders.router)
    app.include_router(routes_dms.router)
    _install_error_pages(app)
    return app


def serve(settings: Settings) -> None:
    """Seed an empty sandbox database, then run the app with uvicorn."""
    from tandem.logging import configure_logging

    configure_logging(settings.log_level, json=settings.log_json)
    db_path = settings.resolved_sandbox_db_path
    if not is_seeded(db_path):
        summary = seed_sandbox(db_path)
        logger.info("sandbox seeded: %s", summary)
    uvicorn.run(
        create_app(settings),
        host=settings.sandbox_host,
        port=settings.sandbox_port,
        log_level=settings.log_level.lower(),
        log_config=None,
        access_log=False,
    )
