"""The whole loop across processes: a real API server, the fake platform, real HTTP both ways."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.models import Conversation
from tests.api.channels.conftest import (
    BOT_TOKEN,
    GENERIC_SECRET,
    TELEGRAM_SECRET,
    outbound_statuses,
)
from tests.api.channels.fake_platform import FakePlatform, telegram_error
from tests.api.channels.test_telegram import update
from tests.support.servers import RunningServer, free_port, run_server

pytestmark = [pytest.mark.db, pytest.mark.e2e]
CHAT_ID = 424242


@pytest.fixture
def api_server(
    migrated_database_url: str,
    committing_engine: Engine,
    nlu_data_dir: Path,
    platform: FakePlatform,
    tmp_path: Path,
) -> Iterator[RunningServer]:
    port = free_port()
    env = {
        "TANDEM_DATABASE_URL": migrated_database_url,
        "TANDEM_DATA_DIR": str(nlu_data_dir),
        "TANDEM_LOG_JSON": "false",
        "TANDEM_TELEGRAM_BOT_TOKEN": BOT_TOKEN,
        "TANDEM_TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
        "TANDEM_TELEGRAM_API_BASE": platform.url,
        "TANDEM_GENERIC_WEBHOOK_SECRET": GENERIC_SECRET,
        "TANDEM_GENERIC_CALLBACK_URL": f"{platform.url}/callback",
        "TANDEM_CHANNEL_RETRY_BASE_SECONDS": "0.1",
    }
    args = [
        "uvicorn",
        "tests.api.channels.app_factory:create",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    with run_server(args, port=port, health_path="/healthz", env=env, log_dir=tmp_path / "logs") as server:
        _warm_up(server.url)
        yield server
    assert "outbox_dispatcher_stopped" in server.log()
    assert BOT_TOKEN not in server.log()


def _warm_up(url: str) -> None:
    """Build the conversation engine (the encoder loads on first use) through the web chat API."""
    conversation = httpx.post(f"{url}/api/v1/conversations", json={}, timeout=180).json()
    httpx.post(f"{url}/api/v1/conversations/{conversation['id']}/messages", json={"text": "hi"}, timeout=180)


def telegram(server: RunningServer, body: Any) -> httpx.Response:
    return httpx.post(
        f"{server.url}/api/v1/channels/telegram/webhook",
        json=body,
        headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
        timeout=120,
    )


def test_telegram_conversation_round_trip(
    api_server: RunningServer, platform: FakePlatform, committing_engine: Engine
) -> None:
    platform.script.append(telegram_error(502, "Bad Gateway"))
    assert telegram(api_server, update(900001, "I want to buy a desk lamp", chat_id=CHAT_ID)).json() == {
        "ok": True,
        "duplicate": False,
    }
    platform.wait_for(lambda p: len(p.sent()) == 1, timeout=30)
    first = platform.sent()[0].json
    assert first["chat_id"] == CHAT_ID
    choice = first["reply_markup"]["keyboard"][0][0]["text"]
    assert "BH-1020" in choice

    # Telegram redelivers when it missed our 200; the customer then taps the keyboard button.
    assert telegram(api_server, update(900001, "I want to buy a desk lamp", chat_id=CHAT_ID)).json()[
        "duplicate"
    ]
    assert telegram(api_server, update(900002, choice, chat_id=CHAT_ID)).status_code == 200
    platform.wait_for(lambda p: len(p.sent()) == 2, timeout=30)
    second = platform.sent()[1].json
    assert second["chat_id"] == CHAT_ID
    assert second["text"] != first["text"]

    assert [r.answered for r in platform.attempts()] == [502, 200, 200]
    with committing_engine.connect() as conn:
        chats = conn.scalars(select(Conversation.channel_ref).where(Conversation.channel == "telegram")).all()
    assert chats == [str(CHAT_ID)]
    deadline = time.monotonic() + 10
    while {s for s, _, _ in outbound_statuses(committing_engine)} != {"delivered"}:
        assert time.monotonic() < deadline, outbound_statuses(committing_engine)
        time.sleep(0.05)


def test_generic_round_trip(api_server: RunningServer, platform: FakePlatform) -> None:
    raw = json.dumps(
        {"message_id": "wa-1", "user_id": "+255700000001", "text": "Habari", "locale": "sw"}
    ).encode()
    now = int(time.time())
    signature = (
        "sha256=" + hmac.new(GENERIC_SECRET.encode(), f"{now}.".encode() + raw, hashlib.sha256).hexdigest()
    )
    response = httpx.post(
        f"{api_server.url}/api/v1/channels/generic/webhook",
        content=raw,
        headers={
            "Content-Type": "application/json",
            "X-Tandem-Timestamp": str(now),
            "X-Tandem-Signature": signature,
        },
        timeout=120,
    )
    assert response.json() == {"ok": True, "duplicate": False}
    platform.wait_for(lambda p: len(p.sent("/callback")) == 1, timeout=30)
    callback = platform.sent("/callback")[0]
    sent_at = callback.headers["X-Tandem-Timestamp"]
    expected = hmac.new(GENERIC_SECRET.encode(), f"{sent_at}.".encode() + callback.raw, hashlib.sha256)
    assert callback.headers["X-Tandem-Signature"] == "sha256=" + expected.hexdigest()
    assert callback.json["user_id"] == "+255700000001"
    assert callback.json["language"] == "sw"
