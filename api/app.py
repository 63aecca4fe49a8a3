"""The FastAPI application factory."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI

from api import channels, health
from api.chat import live as chat_live
from api.chat import routes as chat_routes
from api.errors import install_error_handlers
from api.limits import install_guards
from api.web import mount_web
from bot.engine import ConversationEngine
from tandem.config import Settings, get_settings
from tandem.db import get_engine, session_factory

STATIC_DIR = Path(__file__).parent / "static"
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


def create_app(settings: Settings | None = None, *, engine_factory: EngineFactory | None = None) -> FastAPI:
    """Build the API with every router mounted; ``engine_factory`` supplies the conversation engine."""
    settings = settings or get_settings()
    app = FastAPI(
        title="Tandem",
        version="0.1.0",
        description="Conversational front office with an RPA back office.",
    )
    app.state.settings = settings
    app.state.session_factory = session_factory(get_engine())
    app.state.chat_engine = _once(engine_factory or _default_engine_factory(settings))
    install_error_handlers(app)
    install_guards(app, settings)
    app.include_router(health.router)
    app.include_router(chat_routes.router)
    app.include_router(chat_live.router)
    app.include_router(channels.router)  # its lifespan runs the outbox dispatcher
    mount_web(app)
    return app


def _default_engine_factory(settings: Settings) -> EngineFactory:
    def build() -> ConversationEngine:
        from rpa.backoffice import SandboxBackOffice
        from tandem.runtime import build_chat_engine

        return build_chat_engine(settings, SandboxBackOffice.from_settings(settings))

    return build
