"""Ops cancel a job while its bot works: it stops at the next step and the ERP is left as it was."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from playwright.async_api import Page
from sqlalchemy.engine import Engine

from rpa import queue
from rpa.evidence import RunRecorder, StepRecord
from tandem.db import transaction
from tests.rpa.bots.support import Sandbox
from tests.rpa.bots.test_runner import attempts_of, enqueue, run_job, steps_of, worker_for

pytestmark = [
    pytest.mark.browser,
    pytest.mark.db,
    pytest.mark.parametrize("migrated_database_url", ["sqlite"], indirect=True),
]


def cancel_after_step(monkeypatch: pytest.MonkeyPatch, step_name: str, cancel: Callable[[], None]) -> None:
    """Ops press "cancel" the moment the bot finishes ``step_name`` (the request lands in the database)."""
    original = RunRecorder.step

    @asynccontextmanager
    async def step(self: RunRecorder, name: str, page: Page) -> AsyncIterator[StepRecord]:
        async with original(self, name, page) as record:
            yield record
        if name == step_name:
            cancel()

    monkeypatch.setattr(RunRecorder, "step", step)


def request_cancel(engine: Engine, job_id: str) -> Callable[[], None]:
    def cancel() -> None:
        with transaction(engine) as session:
            queue.cancel(session, job_id)

    return cancel


def run_cancelled(
    sandbox: Sandbox,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    payload: dict[str, Any],
    step: str,
) -> tuple[str, list[str]]:
    key = uuid.uuid4().hex
    job_id = enqueue(engine, kind, payload, key)
    cancel_after_step(monkeypatch, step, request_cancel(engine, job_id))
    worker = worker_for(sandbox, engine)
    job = run_job(worker)
    assert (job.id, job.status, job.error_class) == (job_id, queue.CANCELLED, "cancelled")
    assert "cancelled on request" in str(job.error_message)
    assert worker.run_once() is None  # not queued again
    [attempt] = attempts_of(engine, job_id)
    assert attempt.outcome == "cancelled"
    return key, [s.name for s in steps_of(engine, attempt.id)]


def test_a_new_order_cancelled_after_the_form_is_filled_is_never_confirmed(
    sandbox: Sandbox, committing_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = {"customer_id": "C-006", "sku": "BH-1003", "quantity": 1}
    key, steps = run_cancelled(
        sandbox, committing_engine, monkeypatch, "place_order", payload, "fill the new order"
    )
    assert steps == ["fill the new order"]
    assert sandbox.count_by_reference("order", key) == 0


def test_a_cancellation_job_stopped_after_opening_the_order_leaves_it_open(
    sandbox: Sandbox, committing_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = sandbox.order_status("SO-10049")
    assert before == "pending"
    _, steps = run_cancelled(
        sandbox, committing_engine, monkeypatch, "cancel_order", {"order_id": "SO-10049"}, "open the order"
    )
    assert steps == ["open the order"]
    assert sandbox.order_status("SO-10049") == "pending"
    events = sandbox.query(
        "SELECT count(*) FROM order_events WHERE order_id = ? AND action = 'cancelled'", "SO-10049"
    )
    assert events == [(0,)]
