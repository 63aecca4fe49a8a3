"""``tandem runs`` lists, shows, retries, approves and rejects runs, audited as an ops account."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from api.staff.models import AuditEntry
from rpa import queue
from rpa.models import Job
from tandem.cli import app
from tandem.config import get_settings
from tandem.db import get_engine, transaction
from tandem.errors import Forbidden
from tandem.seed import seed_front_office

pytestmark = pytest.mark.db
runner = CliRunner()
OPS = "ops@baobab.example.com"


def job_in(status: str, key: str) -> str:
    with transaction(get_engine()) as session:
        seed_front_office(session, get_settings())
        job = queue.enqueue(
            session,
            kind="change_address",
            idempotency_key=key,
            payload={"order_id": "SO-10049", "address": "1 Old Road, Nairobi"},
            max_attempts=1,
        )
        queue.claim(session, worker_id="w")
        error_class = "business" if status == queue.FAILED else "system"
        queue.fail(session, job.id, "w", error_class=error_class, message="ERP said no")
        return job.id


def status_of(job_id: str) -> tuple[str, dict[str, object]]:
    with transaction(get_engine()) as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job.status, job.payload


def test_list_and_show(use_database: str) -> None:
    job_id = job_in(queue.NEEDS_REVIEW, "k1")
    listed = runner.invoke(app, ["runs", "list", "--status", "needs_review"])
    assert listed.exit_code == 0, listed.output
    assert job_id[:8] in listed.output
    shown = runner.invoke(app, ["runs", "show", job_id])
    assert "needs_review" in shown.output
    assert "[redacted]" in shown.output  # addresses are personal data


def test_approve_with_an_edited_payload_is_audited(use_database: str) -> None:
    job_id = job_in(queue.NEEDS_REVIEW, "k2")
    result = runner.invoke(
        app, ["runs", "approve", job_id, "--as", OPS, "--payload", '{"address": "2 New Road, Nairobi"}']
    )
    assert result.exit_code == 0, result.output
    status, payload = status_of(job_id)
    assert status == queue.QUEUED
    assert payload["address"] == "2 New Road, Nairobi"
    with transaction(get_engine()) as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.subject_id == job_id)).all()
    assert actions == ["job.approve"]


def test_reject_and_retry(use_database: str) -> None:
    review = job_in(queue.NEEDS_REVIEW, "k3")
    assert runner.invoke(app, ["runs", "reject", review, "--as", OPS]).exit_code == 0
    assert status_of(review)[0] == queue.FAILED
    assert runner.invoke(app, ["runs", "retry", review, "--as", OPS]).exit_code == 0
    assert status_of(review)[0] == queue.QUEUED


def test_only_ops_accounts_may_act(use_database: str) -> None:
    job_id = job_in(queue.NEEDS_REVIEW, "k4")
    result = runner.invoke(app, ["runs", "approve", job_id, "--as", "agent@baobab.example.com"])
    assert isinstance(result.exception, Forbidden)
    assert status_of(job_id)[0] == queue.NEEDS_REVIEW
