"""Fixtures shared by every suite: temp data dirs, settings, real Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tandem.config import get_settings
from tests.support.browser import ARTIFACTS_DIR, CHROMIUM_ARGS, CHROMIUM_PATH


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test gets its own data dir and no real remote model."""
    monkeypatch.setenv("TANDEM_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("TANDEM_LOG_JSON", "false")
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "TANDEM_OPENAI_API_KEY", "TANDEM_OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Debian Chromium for the whole session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: object, request: pytest.FixtureRequest) -> Iterator[object]:
    """A fresh browser context and page; a screenshot is kept when the test fails."""
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)[-150:]
        page.screenshot(path=str(ARTIFACTS_DIR / f"FAILED-{name}.png"), full_page=True)
    context.close()


def save_screenshot(page: object, name: str) -> Path:
    """Keep a step's screenshot under .ci/artifacts/ for people to look at."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


DATABASE_KINDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session", params=DATABASE_KINDS)
def migrated_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A fresh database of each kind, migrated to head once per test session."""
    from tandem import migrate
    from tests.support.database import fresh_database

    with fresh_database(request.param, tmp_path_factory.mktemp("db")) as url:
        migrate.upgrade(url)
        yield url


@pytest.fixture(scope="session")
def engine(migrated_database_url: str) -> Iterator[object]:
    from tandem.db import build_engine

    engine = build_engine(migrated_database_url, pool_size=5, max_overflow=5)
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine: object) -> Iterator[object]:
    """A session whose work is rolled back after the test (services may commit savepoints)."""
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

    assert isinstance(engine, Engine)
    with engine.connect() as connection:
        outer = connection.begin()
        session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
        yield session
        session.close()
        outer.rollback()


@pytest.fixture
def committing_engine(engine: object) -> Iterator[object]:
    """The shared engine for tests that need real commits (several sessions, threads); emptied after."""
    from sqlalchemy.engine import Engine

    assert isinstance(engine, Engine)
    yield engine
    _empty_tables(engine)


def _empty_tables(engine: object) -> None:
    from sqlalchemy.engine import Engine

    from tandem.models import Base

    assert isinstance(engine, Engine)
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def use_database(migrated_database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point the product's settings (and its cached engine) at the test database."""
    from tandem.db import get_engine

    monkeypatch.setenv("TANDEM_DATABASE_URL", migrated_database_url)
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield migrated_database_url
    engine = get_engine()
    _empty_tables(engine)  # what the app committed must not leak into the next test
    engine.dispose()
    get_engine.cache_clear()


@pytest.fixture(scope="session")
def nlu_cache_dir() -> Path:
    """One intent-index cache shared by test runs (keyed by the intents file's digest)."""
    path = Path(__file__).resolve().parents[1] / "var" / "cache" / "nlu"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def demo_chat_engine(nlu_cache_dir: Path) -> object:
    """A conversation engine over the demo back office read model, without a knowledge base."""
    from datetime import date

    from agents import ToolRegistry
    from agents.demo import DemoBackOffice
    from bot.engine import ConversationEngine
    from bot.nlu import IntentRouter, ProductMatcher
    from bot.understanding import Understanding

    products = ProductMatcher.from_catalog()
    router = IntentRouter(products=products, cache_dir=nlu_cache_dir)
    return ConversationEngine(
        understanding=Understanding(router, products),
        tools=ToolRegistry(DemoBackOffice(date.today())),
        knowledge=None,
    )
