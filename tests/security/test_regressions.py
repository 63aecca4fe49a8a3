"""Answers that used to be 500s (or a stream that died), found by the hostile-input fuzz."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api import create_app
from bot.engine import ConversationEngine
from bot.models import Message
from tandem.db import get_engine
from tests.security.targets import InProcess

pytestmark = pytest.mark.db


@pytest.fixture
def client(use_database: str, demo_chat_engine: ConversationEngine) -> Iterator[TestClient]:
    app = create_app(engine_factory=lambda: demo_chat_engine)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_nul_characters_are_refused_not_a_server_error(client: TestClient) -> None:
    """PostgreSQL cannot store NUL in text: it used to surface as a 500 (and SQLite stored it)."""
    conversation = client.post("/api/v1/conversations", json={}).json()["id"]
    for text in ("\x00", "where is\x00 my order"):
        reply = client.post(f"/api/v1/conversations/{conversation}/messages", json={"text": text})
        assert reply.status_code == 422, reply.text
        assert "NUL" in reply.json()["error"]["message"]
    upload = client.post(
        f"/api/v1/conversations/{conversation}/attachments",
        files={"file": ("a.png", b"\x89PNG\r\n\x1a\n", "image/png")},
        data={"text": "my \x00 photo"},
    )
    assert upload.status_code == 422, upload.text
    for path in ("", "/messages", "/events", "/attachments"):
        method = "GET" if path in ("", "/events") else "POST"
        reply = client.request(method, f"/api/v1/conversations/a%00b{path}", json={"text": "hi"})
        assert reply.status_code == 404, (path, reply.text)
        assert reply.json()["error"]["code"] == "not_found"
    with get_engine().connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Message)) == 0


def test_odd_resume_points_neither_fail_nor_break_the_stream(client: TestClient) -> None:
    """'²' passed isdigit() but not int() (500); an id beyond the column's range broke the stream."""
    conversation = client.post("/api/v1/conversations", json={}).json()["id"]
    client.post(f"/api/v1/conversations/{conversation}/messages", json={"text": "hello"})
    target = InProcess(client)
    path = f"/api/v1/conversations/{conversation}/events"
    for value in ("²", "¹³", "9" * 20, str(2**63), str(2**31)):
        reply = target.sse(path, headers={"Last-Event-ID": value})
        assert reply.status == 200, (value, reply)
        assert reply.body.startswith("retry:")
    assert target.sse(path, query=f"after={2**31}").status == 422
    assert target.sse(path, query=f"after={2**31 - 1}").status == 200
    assert target.ws(f"/api/v1/conversations/{conversation}/ws", query=f"after={2**31}").status == 403
    first = target.ws(f"/api/v1/conversations/{conversation}/ws", query="after=0")
    assert first.status == 101
    assert json.loads(first.body)["data"]["text"] == "hello"
