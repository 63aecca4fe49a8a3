"""A test-only app: the real API and conversation engine over the in-memory demo back office.

``python -m uvicorn tests.browser.app_factory:create --factory`` with ``TANDEM_DATABASE_URL``
pointing at a migrated database and ``TANDEM_DATA_DIR`` at the knowledge base's data dir.
"""

from __future__ import annotations

from fastapi import FastAPI

from agents.demo import DemoBackOffice
from api import create_app
from bot.engine import ConversationEngine
from tandem.clock import today
from tandem.config import get_settings
from tandem.runtime import build_chat_engine


def create() -> FastAPI:
    settings = get_settings()

    def engine() -> ConversationEngine:
        return build_chat_engine(settings, DemoBackOffice(today()))

    return create_app(settings, engine_factory=engine)
