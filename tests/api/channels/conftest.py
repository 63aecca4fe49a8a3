"""Fixtures of the channel tests: one conversation engine per session, a fake platform, the app."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from agents import ToolRegistry
from agents.demo import DemoBackOffice
from api import create_app
from bot.engine import ConversationEngine
from bot.models import Conversation, Message, OutboundMessage, ProcessedWebhook
from bot.nlu import IntentRouter, ProductMatcher
from bot.understanding import Understanding
from tandem.config import get_settings
from tests.api.channels.fake_platform import FakePlatform, fake_platform_server

# Index files a previous run left in the repository's var/nlu (git-ignored) spare a cold build.
REPO_NLU_CACHE = Path(__file__).resolve().parents[3] / "var" / "nlu"
BOT_TOKEN = "123456789:AAE-test-token-never-logged"
TELEGRAM_SECRET = "telegram-webhook-secret_42"
GENERIC_SECRET = "generic-signing-secret"


@pytest.fixture(scope="session")
def nlu_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir whose ``nlu/`` holds the intent index (built once, or copied from var/nlu)."""
    data_dir = tmp_path_factory.mktemp("channels") / "var"
    cache = data_dir / "nlu"
    cache.mkdir(parents=True)
    for cached in REPO_NLU_CACHE.glob("intent-index-*.npz"):
        shutil.copy2(cached, cache / cached.name)
    return data_dir


@pytest.fixture(scope="session")
def chat_engine(nlu_data_dir: Path) -> ConversationEngine:
    """The offline engine over the demo back office, without a knowledge base."""
    products = ProductMatcher.from_catalog()
    router = IntentRouter(products=products, cache_dir=nlu_data_dir / "nlu")
    return ConversationEngine(
        understanding=Understanding(router, products), tools=ToolRegistry(DemoBackOffice(date.today()))
    )


@pytest.fixture
def platform() -> Iterator[FakePlatform]:
    with fake_platform_server() as platform:
        yield platform


@pytest.fixture
def channel_env(platform: FakePlatform, monkeypatch: pytest.MonkeyPatch) -> FakePlatform:
    """Both channels configured against the fake platform, with quick retries."""
    for name, value in {
        "TANDEM_TELEGRAM_BOT_TOKEN": BOT_TOKEN,
        "TANDEM_TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
        "TANDEM_TELEGRAM_API_BASE": platform.url,
        "TANDEM_GENERIC_WEBHOOK_SECRET": GENERIC_SECRET,
        "TANDEM_GENERIC_CALLBACK_URL": f"{platform.url}/callback",
        "TANDEM_CHANNEL_POLL_SECONDS": "0.1",
        "TANDEM_CHANNEL_RETRY_BASE_SECONDS": "0.05",
        "TANDEM_CHANNEL_RETRY_CAP_SECONDS": "0.2",
        "TANDEM_CHANNEL_SEND_TIMEOUT_SECONDS": "5",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    return platform


@pytest.fixture
def client(
    use_database: str, committing_engine: Engine, channel_env: FakePlatform, chat_engine: ConversationEngine
) -> Iterator[TestClient]:
    """The real app (its lifespan runs the dispatcher) over the test database."""
    with TestClient(create_app(engine_factory=lambda: chat_engine)) as client:
        yield client


@dataclass(frozen=True)
class Counts:
    conversations: int
    messages: int
    outbound: int
    processed: int


def counts(engine: Engine) -> Counts:
    """How many rows the channel flow can write, per table."""
    with engine.connect() as conn:
        return Counts(
            *(
                conn.scalar(select(func.count()).select_from(model)) or 0
                for model in (Conversation, Message, OutboundMessage, ProcessedWebhook)
            )
        )


def outbound_statuses(engine: Engine) -> list[tuple[str, int, str | None]]:
    """(status, attempts, last_error) of every outbox row, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(OutboundMessage.status, OutboundMessage.attempts, OutboundMessage.last_error).order_by(
                OutboundMessage.id
            )
        ).all()
    return [(status, attempts, error) for status, attempts, error in rows]
