"""The public chat API: contract shapes, idempotency, isolation, bad input, limits, live events."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api import create_app
from bot.engine import ConversationEngine
from tandem.config import get_settings
from tandem.db import get_engine, transaction
from tandem.security import customer_token
from tandem.seed import seed_front_office

pytestmark = pytest.mark.db


@pytest.fixture
def client(use_database: str, demo_chat_engine: ConversationEngine) -> Iterator[TestClient]:
    with transaction(get_engine()) as session:
        seed_front_office(session, get_settings())
    app = create_app(engine_factory=lambda: demo_chat_engine)
    with TestClient(app) as test_client:
        yield test_client


def open_conversation(client: TestClient, **body: object) -> str:
    response = client.post("/api/v1/conversations", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def say(client: TestClient, conversation: str, text: str, **extra: object) -> dict[str, object]:
    response = client.post(f"/api/v1/conversations/{conversation}/messages", json={"text": text, **extra})
    assert response.status_code == 200, response.text
    result: dict[str, object] = response.json()
    return result


class TestContract:
    def test_turn_result_shape(self, client: TestClient) -> None:
        conversation = open_conversation(client, channel="web", locale="en")
        result = say(client, conversation, "I want to cancel order SO-10049")
        assert set(result) == {"messages", "intent", "language", "awaiting", "handoff", "jobs"}
        assert result["awaiting"] == "verification"
        intent = result["intent"]
        assert isinstance(intent, dict)
        assert intent["name"] == "cancel_order"
        assert intent["slots"]["order_id"] == "SO-10049"
        messages = result["messages"]
        assert isinstance(messages, list)
        assert messages[0]["role"] == "bot"

    def test_cancellation_creates_a_job_visible_in_the_transcript(self, client: TestClient) -> None:
        conversation = open_conversation(client)
        say(client, conversation, "I want to cancel order SO-10049")
        say(client, conversation, "amina.wanjiku@example.com")
        result = say(client, conversation, "yes")
        jobs = result["jobs"]
        assert isinstance(jobs, list)
        assert [job["kind"] for job in jobs] == ["cancel_order"]
        transcript = client.get(f"/api/v1/conversations/{conversation}").json()
        assert transcript["verified"] is True
        assert [job["status"] for job in transcript["jobs"]] == ["queued"]
        assert [m["role"] for m in transcript["messages"]][:2] == ["customer", "bot"]

    def test_signed_in_customer_needs_no_verification(self, client: TestClient) -> None:
        token = customer_token(get_settings(), "C-001")
        response = client.post("/api/v1/conversations", json={"customer_token": token})
        conversation = response.json()["id"]
        result = client.post(
            f"/api/v1/conversations/{conversation}/messages",
            json={"text": "where is my order SO-10049"},
            headers={"X-Customer-Token": token},
        ).json()
        assert result["awaiting"] is None
        assert "SO-10049" in result["messages"][0]["text"]


class TestIdempotency:
    def test_repeated_client_message_id_is_processed_once(self, client: TestClient) -> None:
        conversation = open_conversation(client)
        first = say(client, conversation, "hello", client_message_id="m-1")
        again = say(client, conversation, "hello", client_message_id="m-1")
        assert first == again
        transcript = client.get(f"/api/v1/conversations/{conversation}").json()
        assert [m["role"] for m in transcript["messages"]] == ["customer", "bot"]

    def test_the_same_client_message_id_in_another_conversation_is_a_new_message(
        self, client: TestClient
    ) -> None:
        first, second = open_conversation(client), open_conversation(client)
        say(client, first, "hello", client_message_id="m-1")
        answer = say(client, second, "where is my order?", client_message_id="m-1")
        intent = answer["intent"]
        assert isinstance(intent, dict)
        assert intent["name"] == "order_status"
        for conversation in (first, second):
            messages = client.get(f"/api/v1/conversations/{conversation}").json()["messages"]
            assert sum(m["role"] == "customer" for m in messages) == 1

    def test_sends_without_a_client_message_id_are_each_processed(self, client: TestClient) -> None:
        conversation = open_conversation(client)
        say(client, conversation, "hello")
        say(client, conversation, "hello")
        messages = client.get(f"/api/v1/conversations/{conversation}").json()["messages"]
        assert [m["role"] for m in messages] == ["customer", "bot"] * 2


class TestIsolation:
    def test_another_customers_token_cannot_read_or_write(self, client: TestClient) -> None:
        owner = customer_token(get_settings(), "C-001")
        conversation = client.post("/api/v1/conversations", json={"customer_token": owner}).json()["id"]
        other = customer_token(get_settings(), "C-002")
        for headers in ({"X-Customer-Token": other}, {}):
            read = client.get(f"/api/v1/conversations/{conversation}", headers=headers)
            write = client.post(
                f"/api/v1/conversations/{conversation}/messages", json={"text": "hi"}, headers=headers
            )
            assert read.status_code == write.status_code == 404
            assert read.json()["error"]["code"] == "not_found"

    def test_unknown_customer_token_is_refused(self, client: TestClient) -> None:
        response = client.post("/api/v1/conversations", json={"customer_token": "ct_forged"})
        assert response.status_code == 401


class TestBadInput:
    @pytest.mark.parametrize(
        ("body", "status"),
        [
            ("{not json", 422),
            (json.dumps({"text": 12}), 422),
            (json.dumps({"text": ""}), 422),
            (json.dumps({"text": "x" * 4001}), 422),
            (json.dumps({"text": "hi", "admin": True}), 422),
            (json.dumps({"text": "hi", "client_message_id": "bad id with spaces"}), 422),
        ],
        ids=["invalid-json", "wrong-type", "empty", "too-long", "unknown-field", "bad-message-id"],
    )
    def test_rejected_with_a_clear_error_and_nothing_stored(
        self, client: TestClient, body: str, status: int
    ) -> None:
        conversation = open_conversation(client)
        response = client.post(
            f"/api/v1/conversations/{conversation}/messages",
            content=body,
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == status
        assert response.json()["error"]["message"]
        assert client.get(f"/api/v1/conversations/{conversation}").json()["messages"] == []

    def test_unknown_conversation(self, client: TestClient) -> None:
        response = client.post("/api/v1/conversations/nope/messages", json={"text": "hi"})
        assert response.status_code == 404

    def test_html_is_stored_as_text(self, client: TestClient) -> None:
        conversation = open_conversation(client)
        say(client, conversation, "<script>alert(1)</script>")
        transcript = client.get(f"/api/v1/conversations/{conversation}").json()
        assert transcript["messages"][0]["text"] == "<script>alert(1)</script>"

    def test_oversized_body_is_413(self, client: TestClient) -> None:
        conversation = open_conversation(client)
        response = client.post(
            f"/api/v1/conversations/{conversation}/messages",
            content=json.dumps({"text": "x" * 100_000}),
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "payload_too_large"


class TestRateLimits:
    def test_per_conversation_limit_answers_429_with_retry_after(self, client: TestClient) -> None:
        conversation = open_conversation(client)
        client.app.state.conversation_window.limit = 3  # type: ignore[attr-defined]
        codes = [
            client.post(f"/api/v1/conversations/{conversation}/messages", json={"text": "hi"}).status_code
            for _ in range(4)
        ]
        assert codes == [200, 200, 200, 429]
        limited = client.post(f"/api/v1/conversations/{conversation}/messages", json={"text": "hi"})
        assert int(limited.headers["Retry-After"]) >= 1


class TestLiveEvents:
    def test_websocket_replays_and_resumes_without_duplicates(self, client: TestClient, db: Session) -> None:
        conversation = open_conversation(client)
        say(client, conversation, "hello")
        with client.websocket_connect(f"/api/v1/conversations/{conversation}/ws") as socket:
            first, second = socket.receive_json(), socket.receive_json()
        assert [first["data"]["role"], second["data"]["role"]] == ["customer", "bot"]
        say(client, conversation, "thanks, bye")
        with client.websocket_connect(
            f"/api/v1/conversations/{conversation}/ws?after={second['id']}"
        ) as socket:
            third = socket.receive_json()
        assert third["id"] > second["id"]
        assert third["data"]["text"] == "thanks, bye"

    def test_stream_of_someone_elses_conversation_is_refused(self, client: TestClient) -> None:
        owner = customer_token(get_settings(), "C-001")
        conversation = client.post("/api/v1/conversations", json={"customer_token": owner}).json()["id"]
        response = client.get(f"/api/v1/conversations/{conversation}/events")
        assert response.status_code == 404


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class TestAttachments:
    def test_signed_in_customer_files_a_damage_photo(self, client: TestClient) -> None:
        token = customer_token(get_settings(), "C-001")
        conversation = client.post("/api/v1/conversations", json={"customer_token": token}).json()["id"]
        headers = {"X-Customer-Token": token}
        uploaded = client.post(
            f"/api/v1/conversations/{conversation}/attachments",
            files={"file": ("kettle dent.png", PNG, "image/png")},
            data={"text": "order SO-10049"},
            headers=headers,
        )
        assert uploaded.status_code == 200, uploaded.text
        assert uploaded.json()["awaiting"] == "slot:doc_type"
        choice = uploaded.json()["messages"][-1]["quick_replies"][0]
        result = client.post(
            f"/api/v1/conversations/{conversation}/messages", json={"text": choice}, headers=headers
        ).json()
        assert [job["kind"] for job in result["jobs"]] == ["file_document"]

    @pytest.mark.parametrize(
        ("name", "content", "content_type"),
        [("x.exe", b"MZ\x90\x00", "application/octet-stream"), ("fake.png", b"<html>", "image/png")],
        ids=["executable", "wrong-signature"],
    )
    def test_unsupported_files_are_refused(
        self, client: TestClient, name: str, content: bytes, content_type: str
    ) -> None:
        conversation = open_conversation(client)
        response = client.post(
            f"/api/v1/conversations/{conversation}/attachments", files={"file": (name, content, content_type)}
        )
        assert response.status_code == 415
        assert client.get(f"/api/v1/conversations/{conversation}").json()["messages"] == []
