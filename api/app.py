"""The FastAPI application factory."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from api import channels, health
from api import help as help_centre
from api.chat import attachments as chat_attachments
from api.chat import live as chat_live
from api.chat import routes as chat_routes
from api.console import mount_consoles
from api.errors import install_error_handlers
from api.limits import install_guards
from api.web import mount_web
from bot.engine import ConversationEngine
from tandem.config import Settings, get_settings
from tandem.db import get_engine, session_factory

EngineFactory = Callable[[], ConversationEngine]


def _once(factory: EngineFactory) -> EngineFactory:
    """Build the engine on first use (loading models takes a moment), then reuse it."""
    lock = threading.Lock()
    built: list[ConversationEngine] = []

    def get() -> ConversationEngine:
        with lock:
            if not built:
                built.append(factory())
            return built[0]

    return get


def _lifespan(settings: Settings, run_worker: bool) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        from tandem import runtime

        stoppers: list[Callable[[], None]] = []
        if settings.queue_backend == "celery":
            stoppers.append(runtime.start_job_relay(settings))
        elif run_worker:
            stoppers.append(await run_in_threadpool(runtime.start_worker_threads, settings))
        try:
            yield
        finally:
            for stop in stoppers:
                await run_in_threadpool(stop)
            await run_in_threadpool(runtime.stop_shared_pool)

    return lifespan


def create_app(
    settings: Settings | None = None,
    *,
    engine_factory: EngineFactory | None = None,
    run_worker: bool = False,
) -> FastAPI:
    """Build the API with every router mounted.

    ``engine_factory`` supplies the conversation engine (default: bots reading the sandbox);
    ``run_worker`` also runs job worker threads in this process (``tandem up``).
    """
    settings = settings or get_settings()
    app = FastAPI(
        title="Tandem",
        version="0.1.0",
        description="Conversational front office with an RPA back office.",
        lifespan=_lifespan(settings, run_worker),
    )
    app.state.settings = settings
    app.state.session_factory = session_factory(get_engine())
    app.state.chat_engine = _once(engine_factory or _default_engine_factory(settings))
    install_error_handlers(app)
    install_guards(app, settings)
    app.include_router(health.router)
    app.include_router(help_centre.router)
    app.include_router(chat_routes.router)
    app.include_router(chat_live.router)
    app.include_router(chat_attachments.router)
    app.include_router(channels.router)  # its lifespan runs the outbox dispatcher
    mount_web(app)
    mount_consoles(app)  # staff APIs, console pages and static files, /metrics
    return app


def _default_engine_factory(settings: Settings) -> EngineFactory:
    def build() -> ConversationEngine:
        from tandem.runtime import build_chat_engine, sandbox_backoffice

        return build_chat_engine(settings, sandbox_backoffice(settings))

    return build
