"""Knowledge admin: sources from the manifest, upload and ingest, re-ingest, unanswered questions."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from bot.models import Message
from tandem.config import get_settings
from tandem.db import get_engine, transaction
from tests.api.console.conftest import Staff, open_conversation, say

pytestmark = pytest.mark.db

ARTICLE = b"""---
title: Gift wrapping
language: en
article: gift-wrapping
---
# Gift wrapping

## Can you wrap my order as a gift?

Yes. Gift wrapping costs 3 dollars per order and includes a card with your message.
"""


def upload(ops: Staff, name: str, data: bytes) -> object:
    page = ops.get("/console/knowledge")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    return ops.client.post(
        "/console/knowledge/uploads",
        files={"document": (name, data, "text/markdown")},
        data={"csrf_token": token.group(1)},
        follow_redirects=False,
    )


class TestKnowledge:
    def test_upload_is_stored_ingested_and_listed(self, ops: Staff) -> None:
        response = upload(ops, "../gift wrapping.md", ARTICLE)
        assert response.status_code == 303  # type: ignore[attr-defined]
        stored = get_settings().data_dir / "knowledge" / "uploads" / "gift-wrapping.md"
        assert stored.read_bytes() == ARTICLE
        sources = ops.get("/api/v1/staff/knowledge/sources").json()["sources"]
        [source] = [s for s in sources if s["key"].endswith("gift-wrapping.md")]
        assert source["title"] == "Gift wrapping"
        assert source["chunks"] >= 1
        again = ops.post("/api/v1/staff/knowledge/reingest", json={"source": source["key"]}).json()
        assert again["sources_unchanged"] == 1
        assert ops.post("/api/v1/staff/knowledge/reingest", json={}).json()["sources_seen"] == 1
        assert "Gift wrapping" in ops.get("/console/knowledge").text

    def test_unsupported_upload_is_refused(self, ops: Staff) -> None:
        response = upload(ops, "tool.exe", b"MZ\x90\x00")
        assert response.status_code == 422  # type: ignore[attr-defined]

    def test_unknown_source_is_404(self, ops: Staff) -> None:
        assert ops.post("/api/v1/staff/knowledge/reingest", json={"source": "/etc/passwd"}).status_code == 404

    def test_unanswered_questions(self, client: TestClient, ops: Staff) -> None:
        conversation = open_conversation(client)
        say(client, conversation, "hello")
        with transaction(get_engine()) as session:
            for text, payload in (
                ("Do you offer gift wrapping for birthdays?", {"unanswered": True, "faq_score": 0.41}),
                ("What are your payment methods?", {"unanswered": False}),
            ):
                session.add(
                    Message(conversation_id=conversation, role="customer", text=text, payload=payload)
                )
        questions = ops.get("/api/v1/staff/knowledge/unanswered").json()
        assert [(q["text"], q["faq_score"]) for q in questions] == [
            ("Do you offer gift wrapping for birthdays?", 0.41)
        ]
