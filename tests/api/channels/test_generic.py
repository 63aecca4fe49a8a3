"""The generic signed webhook: HMAC-checked inbound messages, signed replies to the callback."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.models import Conversation
from tests.api.channels.conftest import GENERIC_SECRET, counts
from tests.api.channels.fake_platform import FakePlatform

pytestmark = pytest.mark.db

WEBHOOK = "/api/v1/channels/generic/webhook"


def sign(raw: bytes, timestamp: int, secret: str = GENERIC_SECRET) -> str:
    """The documented scheme, written out independently of the product's code."""
    return (
        "sha256="
        + hmac.new(secret.encode(), str(timestamp).encode() + b"." + raw, hashlib.sha256).hexdigest()
    )


def message(message_id: str = "m-1", text: str = "I want to buy a desk lamp", **extra: Any) -> bytes:
    return json.dumps({"message_id": message_id, "user_id": "user-77", "text": text, **extra}).encode()


def post(
    client: TestClient,
    raw: bytes,
    *,
    timestamp: int | None = None,
    signature: str | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    sent_at = int(time.time()) if timestamp is None else timestamp
    signed = {
        "Content-Type": "application/json",
        "X-Tandem-Timestamp": str(sent_at),
        "X-Tandem-Signature": signature if signature is not None else sign(raw, sent_at),
    }
    return client.post(WEBHOOK, content=raw, headers=headers if headers is not None else signed)


class TestSignedMessage:
    def test_valid_signature_runs_the_turn_and_the_reply_is_posted_signed(
        self, client: TestClient, channel_env: FakePlatform, committing_engine: Engine
    ) -> None:
        response = post(client, message(locale="en-GB"))
        assert response.status_code == 200
        assert response.json() == {"ok": True, "duplicate": False}

        channel_env.wait_for(lambda p: len(p.sent("/callback")) == 1)
        callback = channel_env.sent("/callback")[0]
        timestamp = int(callback.headers["X-Tandem-Timestamp"])
        assert abs(time.time() - timestamp) < 60
        assert hmac.compare_digest(callback.headers["X-Tandem-Signature"], sign(callback.raw, timestamp))
        body = callback.json
        assert body["user_id"] == "user-77"
        assert body["text"] == "Which one do you mean?"
        assert body["quick_replies"] == [
            "LED Desk Lamp (BH-1020)",
            "LED Desk Lamp with Wireless Charger (BH-1021)",
        ]
        assert body["message_id"].startswith("tandem-")
        assert body["role"] == "bot"
        with committing_engine.connect() as conn:
            row = conn.execute(
                select(Conversation.channel, Conversation.channel_ref, Conversation.locale)
            ).one()
        assert tuple(row) == ("generic", "user-77", "en")

    def test_polish_locale_gets_a_polish_reply(self, client: TestClient, channel_env: FakePlatform) -> None:
        post(client, message("m-pl", text="Dzień dobry", locale="pl"))
        channel_env.wait_for(lambda p: len(p.sent("/callback")) == 1)
        assert channel_env.sent("/callback")[0].json["language"] == "pl"

    def test_long_platform_message_ids_are_accepted(
        self, client: TestClient, committing_engine: Engine
    ) -> None:
        assert post(client, message("w" * 128)).status_code == 200
        assert post(client, message("w" * 128)).json()["duplicate"] is True
        assert counts(committing_engine).messages == 2


class TestRejected:
    def assert_nothing_stored(self, engine: Engine, platform: FakePlatform) -> None:
        assert counts(engine) == counts(engine).__class__(0, 0, 0, 0)
        assert platform.requests == []

    @pytest.mark.parametrize(
        "signature",
        [
            sign(message(), 0),
            sign(message(), int(time.time()), secret="another-secret"),
            "sha256=" + "0" * 64,
            "",
            "md5=abc",
            "sha256=zz",
        ],
    )
    def test_bad_signature_is_401(
        self, client: TestClient, committing_engine: Engine, channel_env: FakePlatform, signature: str
    ) -> None:
        response = post(client, message(), signature=signature or " ")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "invalid_signature"
        self.assert_nothing_stored(committing_engine, channel_env)

    def test_body_changed_after_signing_is_401(
        self, client: TestClient, committing_engine: Engine, channel_env: FakePlatform
    ) -> None:
        now = int(time.time())
        response = post(
            client, message(text="cancel everything"), timestamp=now, signature=sign(message(), now)
        )
        assert response.status_code == 401
        self.assert_nothing_stored(committing_engine, channel_env)

    @pytest.mark.parametrize("missing", ["X-Tandem-Timestamp", "X-Tandem-Signature"])
    def test_missing_header_is_401(
        self, client: TestClient, committing_engine: Engine, channel_env: FakePlatform, missing: str
    ) -> None:
        now = int(time.time())
        headers = {"X-Tandem-Timestamp": str(now), "X-Tandem-Signature": sign(message(), now)}
        del headers[missing]
        response = post(client, message(), headers=headers)
        assert response.status_code == 401
        self.assert_nothing_stored(committing_engine, channel_env)

    @pytest.mark.parametrize("offset", [-400, -3600, 400, 86_400])
    def test_stale_or_future_timestamp_is_401(
        self, client: TestClient, committing_engine: Engine, channel_env: FakePlatform, offset: int
    ) -> None:
        response = post(client, message(), timestamp=int(time.time()) + offset)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "stale_timestamp"
        self.assert_nothing_stored(committing_engine, channel_env)

    @pytest.mark.parametrize("timestamp", ["soon", "-5", "1.5e9", "١٧٦٤٠٠٠٠٠٠"])
    def test_timestamp_that_is_not_unix_seconds_is_401(
        self, client: TestClient, committing_engine: Engine, timestamp: str
    ) -> None:
        raw = message()
        response = client.post(
            WEBHOOK,
            content=raw,
            headers={b"X-Tandem-Timestamp": timestamp.encode(), b"X-Tandem-Signature": sign(raw, 0).encode()},
        )
        assert response.status_code == 401
        assert counts(committing_engine).messages == 0

    def test_replayed_message_id_is_a_duplicate_and_changes_nothing(
        self, client: TestClient, committing_engine: Engine, channel_env: FakePlatform
    ) -> None:
        assert post(client, message("m-9")).json()["duplicate"] is False
        channel_env.wait_for(lambda p: len(p.sent("/callback")) == 1)
        before = counts(committing_engine)
        replay = post(client, message("m-9", text="a different text, same id"))
        assert replay.status_code == 200
        assert replay.json()["duplicate"] is True
        time.sleep(0.3)
        assert counts(committing_engine) == before
        assert len(channel_env.attempts("/callback")) == 1

    @pytest.mark.parametrize(
        "raw",
        [
            b"not json",
            b"{}",
            json.dumps({"message_id": "m", "user_id": "u", "text": ""}).encode(),
            json.dumps({"message_id": "m", "user_id": "u", "text": "hi", "admin": True}).encode(),
        ],
    )
    def test_signed_but_invalid_body_is_422(
        self, client: TestClient, committing_engine: Engine, raw: bytes
    ) -> None:
        response = post(client, raw)
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "invalid_request"
        assert counts(committing_engine).messages == 0


class TestNotConfigured:
    def test_without_a_secret_the_webhook_is_404(
        self, use_database: str, monkeypatch: pytest.MonkeyPatch, chat_engine: object
    ) -> None:
        from api import create_app
        from tandem.config import get_settings

        monkeypatch.delenv("TANDEM_GENERIC_WEBHOOK_SECRET", raising=False)
        monkeypatch.delenv("TANDEM_TELEGRAM_WEBHOOK_SECRET", raising=False)
        get_settings.cache_clear()
        with TestClient(create_app()) as client:
            assert post(client, message()).status_code == 404
            telegram = client.post("/api/v1/channels/telegram/webhook", json={"update_id": 1})
            assert telegram.status_code == 404
            assert client.app.state.channel_dispatcher is None  # type: ignore[attr-defined]
