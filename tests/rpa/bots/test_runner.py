"""Bots through the Worker and the job queue: evidence, retries, idempotency, faults."""

from __future__ import annotations

import time
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from rpa import queue
from rpa.backoffice import SandboxBackOffice
from rpa.bots import SandboxErpBot, sandbox_targets
from rpa.bots.base import MODALS_DISMISSED
from rpa.browser_pool import BrowserPool, Lease
from rpa.jobs import PlaceOrder
from rpa.models import Job, JobAttempt, RunStep
from rpa.runner import BotRunner
from rpa.worker import Worker
from tandem.db import transaction
from tests.rpa.bots.support import Sandbox, running_sandbox

# The queue itself is tested on both databases in tests/rpa/test_queue.py; one is enough here.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.db,
    pytest.mark.parametrize("migrated_database_url", ["sqlite"], indirect=True),
]
FAST_RETRY = queue.RetryPolicy(base_seconds=0.01, cap_seconds=0.01)


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """Sessions that expire after 3 s and a maintenance modal on every page."""
    with running_sandbox(tmp_path_factory.mktemp("faulty"), session_ttl_s="3", modal_rate="1") as running:
        yield running


@pytest.fixture(scope="module")
def failing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """Every screen but sign-in answers 500."""
    with running_sandbox(tmp_path_factory.mktemp("failing"), error_rate="1") as running:
        yield running


def worker_for(sandbox: Sandbox, engine: Engine, trace_sample_rate: float = 0.0) -> Worker:
    runner = BotRunner(
        sandbox.pool, sandbox.settings, engine, trace_sample_rate=trace_sample_rate, trace_snapshots="sampled"
    )
    return Worker(handlers=runner.handlers(), engine=engine, retry=FAST_RETRY, poll_seconds=0.05)


def enqueue(engine: Engine, kind: str, payload: dict[str, Any], key: str | None = None) -> str:
    with transaction(engine) as session:
        return queue.enqueue(session, kind=kind, payload=payload, idempotency_key=key or uuid.uuid4().hex).id


def attempts_of(engine: Engine, job_id: str) -> list[JobAttempt]:
    with transaction(engine) as session:
        return list(
            session.scalars(select(JobAttempt).where(JobAttempt.job_id == job_id).order_by(JobAttempt.number))
        )


def steps_of(engine: Engine, attempt_id: int) -> list[RunStep]:
    with transaction(engine) as session:
        return list(
            session.scalars(select(RunStep).where(RunStep.attempt_id == attempt_id).order_by(RunStep.seq))
        )


def trace_text(path: str) -> str:
    """Every file of a Playwright trace, as text."""
    with zipfile.ZipFile(path) as trace:
        return "".join(trace.read(name).decode("utf-8", "replace") for name in trace.namelist())


def trace_has_snapshots(path: str) -> bool:
    """Whether the trace holds DOM snapshots (what the trace viewer replays)."""
    return '"type":"frame-snapshot"' in trace_text(path)


def run_job(worker: Worker) -> Job:
    settled = worker.run_once()
    assert settled is not None
    return settled


PLACE = {"customer_id": "C-003", "sku": "BH-1005", "quantity": 1}


class TestThroughTheWorker:
    def test_success_records_steps_screenshots_and_a_sampled_trace(
        self, sandbox: Sandbox, committing_engine: Engine
    ) -> None:
        job_id = enqueue(committing_engine, "place_order", PLACE)
        job = run_job(worker_for(sandbox, committing_engine, trace_sample_rate=1.0))
        assert job.status == queue.SUCCEEDED
        assert job.result is not None
        assert job.result["reference"] == job.idempotency_key
        assert sandbox.count_by_reference("order", job.idempotency_key) == 1
        [attempt] = attempts_of(committing_engine, job_id)
        directory = sandbox.settings.resolved_artifacts_dir / job_id / "attempt-1"
        assert attempt.trace_path == str(directory / "trace.zip")
        assert attempt.trace_snapshots is True
        assert trace_has_snapshots(attempt.trace_path)
        steps = steps_of(committing_engine, attempt.id)
        assert [step.seq for step in steps] == [1, 2, 3]
        assert all(step.outcome == "ok" and Path(str(step.screenshot_path)).is_file() for step in steps)
        assert all(step.page_source_path is None for step in steps)

    def test_each_kept_trace_holds_its_own_attempt_only(
        self, sandbox: Sandbox, committing_engine: Engine
    ) -> None:
        """Three jobs one after another on one context, each trace kept."""
        pool = BrowserPool(sandbox_targets(sandbox.settings), contexts_per_target=1).start()
        try:
            runner = BotRunner(pool, sandbox.settings, committing_engine, trace_sample_rate=1.0)
            worker = Worker(handlers=runner.handlers(), engine=committing_engine, retry=FAST_RETRY)
            keys = [uuid.uuid4().hex for _ in range(3)]
            job_ids = [enqueue(committing_engine, "place_order", PLACE, key) for key in keys]
            for _ in keys:
                assert run_job(worker).status == queue.SUCCEEDED
            assert pool.stats.contexts_created == 1
        finally:
            pool.stop()
        for job_id, key in zip(job_ids, keys, strict=True):
            [attempt] = attempts_of(committing_engine, job_id)
            with zipfile.ZipFile(str(attempt.trace_path)) as trace:
                content = b"".join(trace.read(name) for name in trace.namelist())
            assert key.encode() in content
            assert not [other for other in keys if other != key and other.encode() in content]

    def test_business_refusal_fails_at_once_and_keeps_the_trace(
        self, sandbox: Sandbox, committing_engine: Engine
    ) -> None:
        job_id = enqueue(committing_engine, "cancel_order", {"order_id": "SO-10036"})
        worker = worker_for(sandbox, committing_engine)
        job = run_job(worker)
        assert (job.status, job.error_class, job.attempts) == (queue.FAILED, "business", 1)
        assert job.error_message == "Order already shipped — cannot cancel"
        assert worker.run_once() is None
        [attempt] = attempts_of(committing_engine, job_id)
        assert attempt.trace_path is not None  # a first attempt, unsampled: its actions only
        assert attempt.trace_snapshots is False
        assert not trace_has_snapshots(attempt.trace_path)
        assert "/erp/orders/SO-10036" in trace_text(attempt.trace_path)  # the pages it opened
        *done, failed = steps_of(committing_engine, attempt.id)
        assert failed.outcome == "failed"
        # ... and the failed step keeps the page it stopped on, with the refusal it read
        assert failed.page_source_path is not None
        page = Path(failed.page_source_path).read_text(encoding="utf-8")
        assert page.startswith("<!doctype html>")
        assert "Order already shipped" in page
        assert all(step.page_source_path is None for step in done)

    def test_always_records_snapshots_on_a_first_attempt(
        self, sandbox: Sandbox, committing_engine: Engine
    ) -> None:
        job_id = enqueue(committing_engine, "cancel_order", {"order_id": "SO-10036"})
        runner = BotRunner(sandbox.pool, sandbox.settings, committing_engine, trace_snapshots="always")
        job = run_job(Worker(handlers=runner.handlers(), engine=committing_engine, retry=FAST_RETRY))
        assert (job.status, job.attempts) == (queue.FAILED, 1)
        [attempt] = attempts_of(committing_engine, job_id)
        assert attempt.trace_snapshots is True
        assert trace_has_snapshots(str(attempt.trace_path))

    def test_invalid_payload_is_a_business_error(self, sandbox: Sandbox, committing_engine: Engine) -> None:
        enqueue(committing_engine, "place_order", {**PLACE, "quantity": 0})
        job = run_job(worker_for(sandbox, committing_engine))
        assert (job.status, job.error_class) == (queue.FAILED, "business")
        assert "invalid place_order payload" in str(job.error_message)

    def test_a_retry_after_a_lost_result_finds_the_order_instead_of_placing_another(
        self, sandbox: Sandbox, committing_engine: Engine
    ) -> None:
        key = uuid.uuid4().hex
        placed = sandbox.run(
            SandboxErpBot, PlaceOrder.model_validate(PLACE), key
        )  # as if the worker died here
        enqueue(committing_engine, "place_order", PLACE, key)
        job = run_job(worker_for(sandbox, committing_engine))
        assert job.status == queue.SUCCEEDED
        assert job.result == {**placed, "existing": True}
        assert sandbox.count_by_reference("order", key) == 1


class TestFaults:
    def test_expired_session_signs_in_again_and_the_modal_is_dismissed(
        self, faulty: Sandbox, committing_engine: Engine
    ) -> None:
        worker = worker_for(faulty, committing_engine)
        assert SandboxBackOffice(faulty.pool).get_order("SO-10001") is not None  # signed in now
        sign_ins = faulty.pool.stats.sign_ins
        time.sleep(3.2)  # let the sandbox's 3-second session run out
        enqueue(committing_engine, "place_order", PLACE)
        job = run_job(worker)
        for _ in range(2):  # on a loaded machine a 3-second session can run out again mid-job
            if job.status != queue.QUEUED:
                break
            time.sleep(0.05)
            job = run_job(worker)
        assert job.status == queue.SUCCEEDED, job.error_message
        assert faulty.pool.stats.sign_ins > sign_ins
        assert faulty.count_by_reference("order", job.idempotency_key) == 1

        async def dismissed(lease: Lease) -> int:
            return int(lease.cache.get(MODALS_DISMISSED, 0))

        assert faulty.pool.run("sandbox_erp", dismissed) > 0

    def test_server_error_is_transient_and_retried(self, failing: Sandbox, committing_engine: Engine) -> None:
        job_id = enqueue(committing_engine, "place_order", PLACE)
        worker = worker_for(failing, committing_engine)
        first = run_job(worker)
        assert (first.status, first.error_class) == (queue.QUEUED, "system")
        assert "server error 500" in str(first.error_message)
        time.sleep(0.05)
        second = run_job(worker)
        assert second.attempts == 2
        attempts = attempts_of(committing_engine, job_id)
        assert [a.outcome for a in attempts] == ["failed", "failed"]
        assert all(a.trace_path for a in attempts)
        # The retry replays: DOM snapshots and network, where the first attempt has its actions.
        assert [a.trace_snapshots for a in attempts] == [False, True]
        assert [trace_has_snapshots(str(a.trace_path)) for a in attempts] == [False, True]
