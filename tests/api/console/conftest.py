"""Fixtures of the console tests: an app over the demo engine, staff clients, job factories."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import create_app
from bot.engine import ConversationEngine
from rpa.models import Job, JobAttempt, RunStep
from tandem.clock import utcnow
from tandem.config import get_settings
from tandem.db import get_engine, transaction
from tandem.seed import DEMO_STAFF, seed_front_office

PASSWORDS = {role: (email, password) for email, _name, role, password in DEMO_STAFF}
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)

PAGE_HTML = '<!doctype html>\n<html><body><h1>SO-10012</h1><p class="error">Already shipped</p></body></html>'


@pytest.fixture
def app(use_database: str, demo_chat_engine: ConversationEngine) -> Iterator[FastAPI]:
    """The real API over the demo engine, with seeded customers and staff; emptied afterwards."""
    from knowledge import KnowledgeBase
    from tandem.models import Base
    from tests.knowledge.conftest import HashingEmbedder

    with transaction(get_engine()) as session:
        seed_front_office(session, get_settings())
    application = create_app(engine_factory=lambda: demo_chat_engine)
    application.state.knowledge_base = KnowledgeBase(get_settings(), embedder=HashingEmbedder())
    yield application
    with get_engine().begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An anonymous client (it runs the app's lifespan)."""
    with TestClient(app) as test_client:
        yield test_client


class Staff:
    """A signed-in staff client and its CSRF token."""

    def __init__(self, app: FastAPI, role: str, *, account: tuple[str, str] | None = None) -> None:
        self.client = TestClient(app)
        self.role = role
        self.csrf = csrf_of(self.client)
        email, password = account or PASSWORDS[role]
        response = self.client.post(
            "/api/v1/staff/session",
            json={"email": email, "password": password},
            headers={"X-CSRF-Token": self.csrf},
        )
        assert response.status_code == 200, response.text
        self.csrf = response.json()["csrf_token"]
        self.id = int(response.json()["staff"]["id"])

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.client.get(url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> Any:
        headers = {"X-CSRF-Token": self.csrf, **kwargs.pop("headers", {})}
        return self.client.post(url, headers=headers, **kwargs)


def csrf_of(client: TestClient) -> str:
    """Start an (anonymous) staff session and return its CSRF token."""
    response = client.get("/api/v1/staff/session")
    assert response.status_code == 200, response.text
    return str(response.json()["csrf_token"])


@pytest.fixture
def agent(app: FastAPI, client: TestClient) -> Staff:
    return Staff(app, "agent")


@pytest.fixture
def second_agent(app: FastAPI, client: TestClient) -> Staff:
    """Another agent account (the demo has one)."""
    from api.staff.service import create_staff

    account = ("zawadi@baobab.example.com", "zawadi-demo-pass")
    with transaction(get_engine()) as session:
        create_staff(session, email=account[0], name="Zawadi Agent", role="agent", password=account[1])
    return Staff(app, "agent", account=account)


@pytest.fixture
def ops(app: FastAPI, client: TestClient) -> Staff:
    return Staff(app, "ops")


@pytest.fixture
def admin(app: FastAPI, client: TestClient) -> Staff:
    return Staff(app, "admin")


def open_conversation(client: TestClient, **body: object) -> str:
    response = client.post("/api/v1/conversations", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def say(client: TestClient, conversation: str, text: str) -> dict[str, Any]:
    response = client.post(f"/api/v1/conversations/{conversation}/messages", json={"text": text})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def waiting_conversation(client: TestClient, text: str = "Nataka kuzungumza na mtu") -> str:
    """A conversation the bot handed to a person."""
    conversation = open_conversation(client)
    result = say(client, conversation, text)
    assert result["handoff"] is True, result
    return conversation


def create_failed_run(
    artifacts_dir: Path,
    *,
    kind: str = "change_address",
    status: str = "failed",
    payload: dict[str, Any] | None = None,
    error_class: str = "business",
) -> str:
    """A job with one attempt, two steps (the second with a screenshot) and a trace, committed."""
    payload = payload or {"order_id": "SO-10012", "address": "Moi Avenue 12, Nairobi, 00100, Kenya"}
    with transaction(get_engine()) as session:
        job = Job(
            kind=kind,
            payload=payload,
            idempotency_key=f"key-{utcnow().timestamp()}-{kind}-{status}",
            status=status,
            attempts=1,
            max_attempts=1,
            error_class=error_class,
            error_message="the order has already shipped",
            review_reason="check the address" if status == "needs_review" else None,
            started_at=utcnow() - timedelta(seconds=9),
            finished_at=utcnow(),
        )
        session.add(job)
        session.flush()
        directory = artifacts_dir / job.id / "attempt-1"
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "step-02.png").write_bytes(PNG)
        (directory / "step-02.html").write_text(PAGE_HTML, encoding="utf-8")
        (directory / "trace.zip").write_bytes(b"PK\x05\x06" + b"\x00" * 18)
        attempt = JobAttempt(
            job_id=job.id,
            number=1,
            worker="worker-1",
            outcome="failed",
            error_class=error_class,
            error_message="the order has already shipped",
            trace_path=str(directory / "trace.zip"),
            trace_snapshots=False,
            started_at=utcnow() - timedelta(seconds=9),
            finished_at=utcnow(),
        )
        session.add(attempt)
        session.flush()
        session.add_all(
            [
                RunStep(
                    attempt_id=attempt.id,
                    seq=1,
                    name="sign in",
                    outcome="ok",
                    url="http://erp/login",
                    started_at=utcnow() - timedelta(seconds=9),
                    finished_at=utcnow() - timedelta(seconds=5),
                ),
                RunStep(
                    attempt_id=attempt.id,
                    seq=2,
                    name="open order",
                    outcome="failed",
                    url="http://erp/orders/SO-10012",
                    screenshot_path=str(directory / "step-02.png"),
                    page_source_path=str(directory / "step-02.html"),
                    detail="BusinessError: already shipped",
                    started_at=utcnow() - timedelta(seconds=5),
                    finished_at=utcnow(),
                ),
            ]
        )
        return job.id
