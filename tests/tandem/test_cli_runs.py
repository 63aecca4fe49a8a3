"""``tandem runs`` lists, shows, retries, approves and rejects runs, audited as an ops account, and
cleans up old run evidence."""

from __future__ import annotations

import os
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from api.staff.models import AuditEntry
from rpa import queue
from rpa.models import Job, JobAttempt, RunStep
from tandem.cli import app
from tandem.clock import utcnow
from tandem.config import get_settings
from tandem.db import get_engine, transaction
from tandem.errors import ConfigurationError, Forbidden
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


@pytest.fixture
def artifacts(use_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The run evidence directory of these tests (TANDEM_ARTIFACTS_DIR)."""
    monkeypatch.setenv("TANDEM_ARTIFACTS_DIR", str(tmp_path / "artifacts"))
    get_settings.cache_clear()
    return get_settings().resolved_artifacts_dir


def test_cleanup_deletes_old_evidence_and_keeps_the_history(artifacts: Path) -> None:
    old = attempt_with_evidence(job_in(queue.FAILED, "old"), artifacts, days_ago=31)
    recent = attempt_with_evidence(job_in(queue.FAILED, "recent"), artifacts, days_ago=29)

    cleaned = runner.invoke(app, ["runs", "cleanup"])  # the default retention: 30 days
    assert cleaned.exit_code == 0, cleaned.output
    assert "evidence of 1 attempt(s) that ended 30 or more days ago: 3 file(s), 1.2 MB" in cleaned.output
    assert not old.exists()
    assert not old.parent.exists()  # the job's folder too, once empty
    assert recent.is_dir()
    with transaction(get_engine()) as session:
        attempt = session.scalars(select(JobAttempt).where(JobAttempt.trace_path.is_(None))).one()
        assert (attempt.outcome, attempt.error_message) == ("failed", "ERP said no")  # the history stays
        [step] = session.scalars(select(RunStep).where(RunStep.attempt_id == attempt.id)).all()
        assert (step.name, step.screenshot_path, step.page_source_path) == ("open the order", None, None)

    assert "evidence of 0 attempt(s)" in runner.invoke(app, ["runs", "cleanup"]).output
    too_old = runner.invoke(app, ["runs", "cleanup", "--older-than-days", "100000000"])
    assert too_old.exit_code == 2  # refused by the option, not a traceback
    assert (
        "evidence of 1 attempt(s)" in runner.invoke(app, ["runs", "cleanup", "--older-than-days", "1"]).output
    )
    assert not recent.exists()
    assert runner.invoke(app, ["runs", "cleanup", "--older-than-days", "0"]).exit_code == 2


def test_cleanup_keeps_the_evidence_of_jobs_still_waiting_and_counts_a_dead_workers_attempt_from_its_start(
    artifacts: Path,
) -> None:
    waiting = attempt_with_evidence(job_in(queue.NEEDS_REVIEW, "waiting"), artifacts, days_ago=40)
    crashed = attempt_with_evidence(job_in(queue.FAILED, "crashed"), artifacts, days_ago=40, ended=False)
    cleaned = runner.invoke(app, ["runs", "cleanup"])
    assert "evidence of 1 attempt(s)" in cleaned.output, cleaned.output
    assert waiting.is_dir()  # a person has yet to look at it
    assert not crashed.exists()


def test_cleanup_orphans_sweeps_old_folders_of_jobs_the_database_no_longer_has(artifacts: Path) -> None:
    kept_job = job_in(queue.FAILED, "kept")
    with_row = attempt_with_evidence(kept_job, artifacts, days_ago=1)
    orphan_old = folder_aged(artifacts / uuid.uuid4().hex / "attempt-1", days_ago=31)
    orphan_recent = folder_aged(artifacts / uuid.uuid4().hex / "attempt-2", days_ago=2)
    orphan_new_attempt = folder_aged(artifacts / uuid.uuid4().hex / "attempt-1", days_ago=40)
    (orphan_new_attempt.parent / "attempt-2").mkdir()  # an empty folder made just now counts as a change
    old_job_row = folder_aged(artifacts / kept_job / "attempt-9", days_ago=40)  # its job is known
    invoices = folder_aged(artifacts / "invoices", days_ago=400)  # not run evidence

    plain = runner.invoke(app, ["runs", "cleanup"])
    assert "folder(s) of jobs" not in plain.output  # only when asked for
    assert orphan_old.is_dir()

    cleaned = runner.invoke(app, ["runs", "cleanup", "--orphans"])
    assert cleaned.exit_code == 0, cleaned.output
    assert "evidence of 0 attempt(s) that ended 30 or more days ago: 0 file(s)" in cleaned.output
    assert "removed 1 of 3 folder(s) of jobs no longer in the database" in cleaned.output
    assert "2 file(s), 0.8 MB" in cleaned.output
    assert not orphan_old.parent.exists()
    for kept in (orphan_recent, orphan_new_attempt, with_row, old_job_row, invoices):
        assert kept.is_dir(), kept


def test_cleanup_orphans_refuses_a_database_without_jobs(artifacts: Path) -> None:
    orphan = folder_aged(artifacts / uuid.uuid4().hex / "attempt-1", days_ago=90)
    refused = runner.invoke(app, ["runs", "cleanup", "--orphans"])
    assert isinstance(refused.exception, ConfigurationError)
    assert "the database has no jobs at all" in refused.exception.message
    assert orphan.is_dir()


def folder_aged(directory: Path, days_ago: int) -> Path:
    """``directory`` (and its parent) with two 400 KB files, all last changed ``days_ago`` days ago."""
    directory.mkdir(parents=True)
    stamp = (utcnow() - timedelta(days=days_ago)).timestamp()
    for name in ("step-01.png", "trace.zip"):
        (directory / name).write_bytes(b"x" * 400 * 2**10)
        os.utime(directory / name, (stamp, stamp))
    os.utime(directory, (stamp, stamp))
    os.utime(directory.parent, (stamp, stamp))
    return directory


def attempt_with_evidence(job_id: str, artifacts: Path, days_ago: int, *, ended: bool = True) -> Path:
    """A failed attempt of ``job_id`` that started ``days_ago`` days ago and ended (or whose worker
    died during it), with a screenshot, a page source and a trace on disk."""
    directory = artifacts / job_id / "attempt-1"
    directory.mkdir(parents=True)
    for name in ("step-01.png", "step-01.html", "trace.zip"):
        (directory / name).write_bytes(b"x" * 400 * 2**10)
    started = utcnow() - timedelta(days=days_ago)
    with transaction(get_engine()) as session:
        attempt = JobAttempt(
            job_id=job_id,
            number=1,
            worker="w",
            outcome="failed" if ended else "running",
            error_class="business",
            error_message="ERP said no",
            trace_path=str(directory / "trace.zip"),
            trace_snapshots=False,
            started_at=started,
            finished_at=started + timedelta(seconds=5) if ended else None,
        )
        session.add(attempt)
        session.flush()
        session.add(
            RunStep(
                attempt_id=attempt.id,
                seq=1,
                name="open the order",
                outcome="failed",
                screenshot_path=str(directory / "step-01.png"),
                page_source_path=str(directory / "step-01.html"),
            )
        )
    return directory
