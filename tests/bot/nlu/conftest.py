"""Shared fixtures: one router and one product matcher per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.nlu import IntentRouter, ProductMatcher

# The example-embedding cache survives sessions (var/ is git-ignored), so only the first run is slow.
CACHE_DIR = Path(__file__).resolve().parents[3] / "var" / "nlu"


@pytest.fixture(scope="session")
def products() -> ProductMatcher:
    """The demo catalogue's matcher."""
    return ProductMatcher.from_catalog()


@pytest.fixture(scope="session")
def router(products: ProductMatcher) -> IntentRouter:
    """The demo router, embeddings cached under var/nlu."""
    return IntentRouter(products=products, cache_dir=CACHE_DIR)
