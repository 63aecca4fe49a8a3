"""The agent console: queue, take over (one agent only), reply, notes, hand back, close."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.staff.models import AuditEntry
from bot.transcript import events_after
from tandem.config import get_settings
from tandem.db import get_engine, transaction
from tandem.i18n import LANGUAGES, t
from tandem.pubsub import LocalBroker, set_broker
from tandem.security import customer_token
from tests.api.console.conftest import Staff, open_conversation, say, waiting_conversation

pytestmark = pytest.mark.db

NOTE = "Customer sounds upset; refund approved by Ada — do not mention to customer yet"


def audit_actions(subject_id: str) -> list[tuple[str, int | None]]:
    with transaction(get_engine()) as session:
        rows = session.execute(
            select(AuditEntry.action, AuditEntry.staff_id)
            .where(AuditEntry.subject_id == subject_id)
            .order_by(AuditEntry.id)
        ).all()
    return [(action, staff_id) for action, staff_id in rows]


def public_texts(client: TestClient, conversation: str, **headers: str) -> list[tuple[str, str]]:
    transcript = client.get(f"/api/v1/conversations/{conversation}", headers=headers).json()
    return [(m["role"], m["text"]) for m in transcript["messages"]]


class TestQueue:
    def test_waiting_conversation_is_listed_with_why_and_language(
        self, client: TestClient, agent: Staff
    ) -> None:
        conversation = waiting_conversation(client)
        queue = agent.get("/api/v1/staff/conversations").json()
        item = next(i for i in queue if i["id"] == conversation)
        assert item["status"] == "waiting_agent"
        assert item["language"] == "sw"
        assert item["handoff_reason"]
        assert item["waiting_seconds"] >= 0
        assert item["customer_name"] is None

    def test_bot_conversations_are_not_listed(self, client: TestClient, agent: Staff) -> None:
        conversation = open_conversation(client)
        say(client, conversation, "hello")
        assert conversation not in {i["id"] for i in agent.get("/api/v1/staff/conversations").json()}

    def test_queue_page_renders(self, client: TestClient, agent: Staff) -> None:
        conversation = waiting_conversation(client)
        page = agent.get("/console/agent")
        assert page.status_code == 200
        assert f'data-conversation="{conversation}"' in page.text
        assert "default-src 'self'" in page.headers["content-security-policy"]


class TestTakeOver:
    def test_race_has_one_winner(
        self, client: TestClient, agent: Staff, second_agent: Staff, admin: Staff
    ) -> None:
        conversation = waiting_conversation(client)
        second = second_agent
        barrier = threading.Barrier(3)
        statuses: dict[str, int] = {}

        def take(name: str, staff: Staff) -> None:
            barrier.wait()
            statuses[name] = staff.post(f"/api/v1/staff/conversations/{conversation}/take-over").status_code

        threads = [
            threading.Thread(target=take, args=(name, staff))
            for name, staff in (("a", agent), ("b", second), ("c", admin))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert sorted(statuses.values()) == [200, 409, 409]
        assert [a for a, _ in audit_actions(conversation)].count("conversation.take_over") == 1

    def test_taken_conversation_stops_the_bot(self, client: TestClient, agent: Staff) -> None:
        conversation = waiting_conversation(client)
        response = agent.post(f"/api/v1/staff/conversations/{conversation}/take-over")
        assert response.json() == {
            "id": conversation,
            "status": "agent",
            "assigned_staff_id": agent.id,
            "resolution": None,
        }
        result = say(client, conversation, "Habari?")
        assert result["messages"] == []
        assert result["handoff"] is True

    def test_someone_elses_conversation_cannot_be_answered(
        self, client: TestClient, agent: Staff, second_agent: Staff
    ) -> None:
        conversation = waiting_conversation(client)
        agent.post(f"/api/v1/staff/conversations/{conversation}/take-over")
        other = second_agent
        response = other.post(f"/api/v1/staff/conversations/{conversation}/messages", json={"text": "hi"})
        assert response.status_code == 409
        assert other.post(f"/api/v1/staff/conversations/{conversation}/hand-back").status_code == 409


class TestReplyAndNotes:
    def test_reply_reaches_the_customers_transcript_and_stream(
        self, client: TestClient, agent: Staff
    ) -> None:
        conversation = waiting_conversation(client)
        agent.post(f"/api/v1/staff/conversations/{conversation}/take-over")
        response = agent.post(
            f"/api/v1/staff/conversations/{conversation}/messages", json={"text": "Habari, mimi ni Amani."}
        )
        assert response.status_code == 201
        assert ("agent", "Habari, mimi ni Amani.") in public_texts(client, conversation)
        with transaction(get_engine()) as session:
            events = [e.payload for e in events_after(session, conversation, 0) if e.kind == "message"]
        assert events[-1]["role"] == "agent"
        assert events[-1]["text"] == "Habari, mimi ni Amani."
        assert ("conversation.reply", agent.id) in audit_actions(conversation)

    def test_notes_never_reach_the_customer(self, client: TestClient, agent: Staff) -> None:
        token = customer_token(get_settings(), "C-002")
        created = client.post("/api/v1/conversations", json={"customer_token": token})
        conversation = created.json()["id"]
        client.post(
            f"/api/v1/conversations/{conversation}/messages",
            json={"text": "I want to talk to a person"},
            headers={"X-Customer-Token": token},
        )
        response = agent.post(f"/api/v1/staff/conversations/{conversation}/notes", json={"text": NOTE})
        assert response.status_code == 201
        detail = agent.get(f"/api/v1/staff/conversations/{conversation}").json()
        assert [n["text"] for n in detail["notes"]] == [NOTE]
        transcript = client.get(f"/api/v1/conversations/{conversation}", headers={"X-Customer-Token": token})
        assert NOTE not in transcript.text
        assert "refund approved" not in transcript.text
        with transaction(get_engine()) as session:
            streamed = [str(e.payload) for e in events_after(session, conversation, 0)]
        assert not any("refund approved" in payload for payload in streamed)

    def test_typing_is_pushed_live_and_never_stored(self, client: TestClient, agent: Staff) -> None:
        conversation = waiting_conversation(client)
        url = f"/api/v1/staff/conversations/{conversation}/typing"
        assert agent.post(url).status_code == 409  # not held yet: nothing to announce
        agent.post(f"/api/v1/staff/conversations/{conversation}/take-over")
        published: list[tuple[str, str]] = []

        class Recorder(LocalBroker):
            def publish(self, conversation_id: str, kind: str = "event") -> None:
                published.append((conversation_id, kind))

        set_broker(Recorder())
        try:
            assert agent.post(url).status_code == 204
        finally:
            set_broker(None)
        assert (conversation, "typing") in published
        with transaction(get_engine()) as session:
            assert not any(e.kind == "typing" for e in events_after(session, conversation, 0))

    def test_empty_reply_is_422(self, client: TestClient, agent: Staff) -> None:
        conversation = waiting_conversation(client)
        agent.post(f"/api/v1/staff/conversations/{conversation}/take-over")
        response = agent.post(f"/api/v1/staff/conversations/{conversation}/messages", json={"text": ""})
        assert response.status_code == 422
        # PostgreSQL cannot store NUL: refused at the edge on both databases, not a 500 on one.
        url = f"/api/v1/staff/conversations/{conversation}/messages"
        response = agent.post(url, json={"text": "a\u0000b"})
        assert response.status_code == 422
        assert "NUL" in response.text


class TestContext:
    def test_customer_360(self, client: TestClient, agent: Staff) -> None:
        token = customer_token(get_settings(), "C-003")
        conversation = client.post("/api/v1/conversations", json={"customer_token": token}).json()["id"]
        headers = {"X-Customer-Token": token}
        client.post(
            f"/api/v1/conversations/{conversation}/messages",
            json={"text": "I want to change the address of order SO-10056"},
            headers=headers,
        )
        detail = agent.get(f"/api/v1/staff/conversations/{conversation}").json()
        assert detail["customer"]["id"] == "C-003"
        assert detail["flow"]["intent"] == "change_address"
        assert detail["flow"]["slots"]["order_id"] == "SO-10056"
        order = next(o for o in detail["orders"] if o["order_id"] == "SO-10056")
        assert order["customer_id"] == "C-003"
        assert order["lines"]

    def test_conversation_page_renders_bubbles_with_dir_auto(self, client: TestClient, agent: Staff) -> None:
        conversation = waiting_conversation(client, "أريد التحدث إلى شخص")
        page = agent.get(f"/console/agent/conversations/{conversation}")
        assert page.status_code == 200
        assert 'class="bubble" dir="auto"' in page.text

    def test_canned_replies_in_five_languages(self, agent: Staff) -> None:
        seen = {}
        for language in LANGUAGES:
            replies = agent.get(f"/api/v1/staff/conversations/canned-replies?language={language}").json()
            assert len(replies) >= 5
            assert all(r["key"].startswith("canned.") for r in replies)
            seen[language] = {r["key"]: r["text"] for r in replies}
            greeting = seen[language]["canned.greeting"]
            assert "Amani" in greeting
            assert "{agent}" not in greeting
        assert seen["sw"]["canned.goodbye"] == t("canned.goodbye", "sw")
        assert len({texts["canned.goodbye"] for texts in seen.values()}) == 5


class TestHandBackAndClose:
    def test_hand_back_lets_the_bot_answer_again(self, client: TestClient, agent: Staff) -> None:
        conversation = waiting_conversation(client)
        agent.post(f"/api/v1/staff/conversations/{conversation}/take-over")
        response = agent.post(f"/api/v1/staff/conversations/{conversation}/hand-back")
        assert response.json()["status"] == "bot"
        assert public_texts(client, conversation)[-1] == ("bot", t("handoff.returned", "sw"))
        result = say(client, conversation, "Habari")
        assert result["handoff"] is False
        assert result["messages"]

    def test_close_with_resolution(self, client: TestClient, agent: Staff) -> None:
        conversation = waiting_conversation(client)
        agent.post(f"/api/v1/staff/conversations/{conversation}/take-over")
        response = agent.post(
            f"/api/v1/staff/conversations/{conversation}/close", json={"resolution": "resolved"}
        )
        assert response.json()["status"] == "closed"
        assert response.json()["resolution"] == "resolved"
        assert (
            agent.post(
                f"/api/v1/staff/conversations/{conversation}/close", json={"resolution": "resolved"}
            ).status_code
            == 409
        )
        bad = agent.post(f"/api/v1/staff/conversations/{conversation}/close", json={"resolution": "whatever"})
        assert bad.status_code == 422
        assert [a for a, _ in audit_actions(conversation)][-1] == "conversation.close"
