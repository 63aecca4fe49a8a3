"""The FastAPI application factory."""

from __future__ import annotations

from fastapi import FastAPI

from api import health
from api.errors import install_error_handlers
from tandem.config import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the API with every router mounted."""
    settings = settings or get_settings()
    app = FastAPI(
        title="Tandem",
        version="0.1.0",
        description="Conversational front office with an RPA back office.",
    )
    install_error_handlers(app)
    app.include_router(health.router)
    return app
