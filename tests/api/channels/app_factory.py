"""A test-only app: the real API, offline engine over the demo back office, no knowledge base.

``python -m uvicorn tests.api.channels.app_factory:create --factory`` with ``TANDEM_DATABASE_URL``
at a migrated database and ``TANDEM_DATA_DIR`` holding the intent index under ``nlu/``.
"""

from __future__ import annotations

from fastapi import FastAPI

from agents import ToolRegistry
from agents.demo import DemoBackOffice
from api import create_app
from bot.engine import ConversationEngine
from bot.nlu import IntentRouter, ProductMatcher
from bot.understanding import Understanding
from tandem.clock import today
from tandem.config import get_settings


def create() -> FastAPI:
    def engine() -> ConversationEngine:
        products = ProductMatcher.from_catalog()
        understanding = Understanding(IntentRouter(products=products), products)
        return ConversationEngine(understanding=understanding, tools=ToolRegistry(DemoBackOffice(today())))

    return create_app(get_settings(), engine_factory=engine)
