"""Telegram end to end: an Update in, the reply out through the fake Bot API's sendMessage."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy import update as update_table
from sqlalchemy.engine import Engine

from bot.models import Conversation
from tests.api.channels.conftest import TELEGRAM_SECRET, counts, outbound_statuses
from tests.api.channels.fake_platform import FakePlatform, telegram_error

pytestmark = pytest.mark.db

WEBHOOK = "/api/v1/channels/telegram/webhook"
CHAT_ID = 987654321012


def update(update_id: int, text: str | None, *, language: str | None = "en", chat_id: int = CHAT_ID) -> Any:
    """An ``Update`` with a private-chat message, as the Bot API sends it."""
    sender: dict[str, Any] = {"id": 5551234, "is_bot": False, "first_name": "Amina"}
    if language is not None:
        sender["language_code"] = language
    message: dict[str, Any] = {
        "message_id": update_id % 1000,
        "date": 1_764_000_000,
        "chat": {"id": chat_id, "type": "private", "first_name": "Amina"},
        "from": sender,
    }
    if text is not None:
        message["text"] = text
    return {"update_id": update_id, "message": message}


def post(client: TestClient, body: Any, secret: str | None = TELEGRAM_SECRET) -> Any:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    return client.post(WEBHOOK, json=body, headers=headers)


def wait_delivered(committing_engine: Engine, expected: int) -> None:
    """Wait until ``expected`` outbox rows are delivered (settling follows the platform's 200)."""
    import time

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if [s for s, _, _ in outbound_statuses(committing_engine)].count("delivered") >= expected:
            return
        time.sleep(0.05)
    raise AssertionError(f"outbox: {outbound_statuses(committing_engine)}")


class TestInboundUpdate:
    def test_reply_reaches_send_message_with_chat_id_and_keyboard(
        self, client: TestClient, channel_env: FakePlatform, committing_engine: Engine
    ) -> None:
        response = post(client, update(700001, "I want to buy a desk lamp"))
        assert response.status_code == 200
        assert response.json() == {"ok": True, "duplicate": False}

        channel_env.wait_for(lambda p: len(p.sent()) == 1)
        request = channel_env.sent()[0]
        assert request.path.endswith("/sendMessage")
        body = request.json
        assert body["chat_id"] == CHAT_ID
        assert body["text"] == "Which one do you mean?"
        keyboard = body["reply_markup"]
        assert keyboard["one_time_keyboard"] is True
        assert [row[0]["text"] for row in keyboard["keyboard"]] == [
            "LED Desk Lamp (BH-1020)",
            "LED Desk Lamp with Wireless Charger (BH-1021)",
        ]
        wait_delivered(committing_engine, 1)
        with committing_engine.connect() as conn:
            conversation = conn.execute(select(Conversation.channel, Conversation.channel_ref)).one()
        assert tuple(conversation) == ("telegram", str(CHAT_ID))

    def test_next_message_continues_the_same_conversation(
        self, client: TestClient, channel_env: FakePlatform, committing_engine: Engine
    ) -> None:
        post(client, update(700011, "I want to buy a desk lamp"))
        post(client, update(700012, "BH-1021"))
        channel_env.wait_for(lambda p: len(p.sent()) >= 2)
        assert counts(committing_engine).conversations == 1
        assert "reply_markup" in channel_env.sent()[0].json

    def test_after_an_agent_closed_the_conversation_a_new_one_opens(
        self, client: TestClient, committing_engine: Engine
    ) -> None:
        post(client, update(700013, "hello"))
        with committing_engine.begin() as conn:
            conn.execute(update_table(Conversation).values(status="closed", resolution="solved"))
        post(client, update(700014, "hello again"))
        with committing_engine.connect() as conn:
            statuses = conn.scalars(select(Conversation.status).order_by(Conversation.created_at)).all()
        assert statuses == ["closed", "bot"]

    def test_arabic_message_gets_an_arabic_reply(
        self, client: TestClient, channel_env: FakePlatform, committing_engine: Engine
    ) -> None:
        assert post(client, update(700021, "مرحبا", language="ar")).status_code == 200
        channel_env.wait_for(lambda p: len(p.sent()) == 1)
        text = channel_env.sent()[0].json["text"]
        assert sum("\u0600" <= ch <= "\u06ff" for ch in text) > len(text) // 2, text
        with committing_engine.connect() as conn:
            assert conn.execute(select(Conversation.locale, Conversation.language)).one() == ("ar", "ar")

    def test_unsupported_language_code_leaves_the_locale_open(
        self, client: TestClient, committing_engine: Engine
    ) -> None:
        post(client, update(700031, "hello", language="pt-br"))
        with committing_engine.connect() as conn:
            assert conn.scalar(select(Conversation.locale)) is None


class TestRefusedOrIgnored:
    @pytest.mark.parametrize("secret", [None, "", "wrong", TELEGRAM_SECRET + "x", TELEGRAM_SECRET.upper()])
    def test_wrong_secret_is_403_and_stores_nothing(
        self, client: TestClient, committing_engine: Engine, channel_env: FakePlatform, secret: str | None
    ) -> None:
        response = post(client, update(700101, "hello"), secret=secret)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"
        assert counts(committing_engine) == counts(committing_engine).__class__(0, 0, 0, 0)
        assert channel_env.requests == []

    def test_wrong_secret_is_refused_before_the_body_is_read(self, client: TestClient) -> None:
        assert post(client, {"not": "an update"}, secret="wrong").status_code == 403

    @pytest.mark.parametrize(
        "body",
        [
            {"update_id": 700201},
            update(700202, None),
            {"update_id": 700203, "edited_message": update(1, "edited")["message"]},
            {"update_id": 700204, "message": {**update(1, None)["message"], "sticker": {"file_id": "x"}}},
        ],
    )
    def test_updates_without_text_are_acknowledged_and_ignored(
        self, client: TestClient, committing_engine: Engine, body: Any
    ) -> None:
        response = post(client, body)
        assert response.status_code == 200
        assert response.json()["ok"] is True
        assert counts(committing_engine).messages == 0

    def test_malformed_update_is_422(self, client: TestClient, committing_engine: Engine) -> None:
        response = post(client, {"update_id": "x", "message": {"text": "hi"}})
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "invalid_request"
        assert counts(committing_engine).messages == 0


class TestRedeliveryAndRetries:
    def test_redelivered_update_is_processed_once(
        self, client: TestClient, channel_env: FakePlatform, committing_engine: Engine
    ) -> None:
        first = post(client, update(700301, "hello"))
        again = post(client, update(700301, "hello"))
        assert first.json() == {"ok": True, "duplicate": False}
        assert again.status_code == 200
        assert again.json() == {"ok": True, "duplicate": True}
        channel_env.wait_for(lambda p: len(p.sent()) == 1)
        wait_delivered(committing_engine, 1)
        found = counts(committing_engine)
        assert (found.conversations, found.messages, found.outbound, found.processed) == (1, 2, 1, 1)
        assert len(channel_env.attempts()) == 1

    def test_platform_500_then_200_delivers_once(
        self, client: TestClient, channel_env: FakePlatform, committing_engine: Engine
    ) -> None:
        channel_env.script.append(telegram_error(500, "Internal Server Error"))
        post(client, update(700401, "hello"))
        channel_env.wait_for(lambda p: len(p.sent()) == 1)
        wait_delivered(committing_engine, 1)
        assert [r.answered for r in channel_env.attempts()] == [500, 200]
        [(status, attempts, error)] = outbound_statuses(committing_engine)
        assert (status, attempts, error) == ("delivered", 2, None)

    def test_429_waits_for_retry_after(
        self, client: TestClient, channel_env: FakePlatform, committing_engine: Engine
    ) -> None:
        channel_env.script.append(telegram_error(429, "Too Many Requests: retry after 1", retry_after=1))
        post(client, update(700501, "hello"))
        channel_env.wait_for(lambda p: len(p.sent()) == 1)
        refused, accepted = channel_env.attempts()
        assert refused.answered == 429
        assert accepted.at - refused.at >= 0.9

    def test_refused_message_is_failed_without_retry_and_the_next_one_goes(
        self, client: TestClient, channel_env: FakePlatform, committing_engine: Engine
    ) -> None:
        channel_env.script.append(telegram_error(403, "Forbidden: bot was blocked by the user"))
        post(client, update(700601, "hello"))
        channel_env.wait_for(lambda p: len(p.attempts()) == 1)
        post(client, update(700602, "hello again"))
        channel_env.wait_for(lambda p: len(p.sent()) == 1)
        wait_delivered(committing_engine, 1)
        statuses = outbound_statuses(committing_engine)
        assert statuses[0][0] == "failed"
        assert "bot was blocked" in (statuses[0][2] or "")
        assert statuses[1][0] == "delivered"
