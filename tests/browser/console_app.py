"""A test-only app for the consoles: the real API over the in-memory demo back office, no knowledge base.

``python -m uvicorn tests.browser.console_app:create --factory`` with ``TANDEM_DATABASE_URL`` pointing
at a migrated, seeded database.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from agents import ToolRegistry
from agents.demo import DemoBackOffice
from api import create_app
from bot.engine import ConversationEngine
from bot.nlu import IntentRouter, ProductMatcher
from bot.understanding import Understanding
from tandem.clock import today
from tandem.config import get_settings

NLU_CACHE = Path(__file__).resolve().parents[2] / "var" / "cache" / "nlu"


def create() -> FastAPI:
    def engine() -> ConversationEngine:
        products = ProductMatcher.from_catalog()
        router = IntentRouter(products=products, cache_dir=NLU_CACHE)
        return ConversationEngine(
            understanding=Understanding(router, products),
            tools=ToolRegistry(DemoBackOffice(today())),
            knowledge=None,
        )

    return create_app(get_settings(), engine_factory=engine)
