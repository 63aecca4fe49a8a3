"""An ops approval with an edited payload makes the job run once more, and succeed exactly once."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.engine import Engine

from api.console.ops import service as ops
from api.staff.service import create_staff
from rpa import queue
from rpa.models import Job
from tandem.db import transaction
from tandem.errors import Conflict
from tests.rpa.bots.support import Sandbox
from tests.rpa.bots.test_runner import run_job, worker_for

pytestmark = [
    pytest.mark.browser,
    pytest.mark.db,
    pytest.mark.parametrize("migrated_database_url", ["sqlite"], indirect=True),
]


def test_approved_edit_runs_once_and_changes_the_erp_once(
    sandbox: Sandbox, committing_engine: Engine
) -> None:
    key = uuid.uuid4().hex
    with transaction(committing_engine) as session:
        reviewer = create_staff(
            session, email="ops@example.org", name="Ops", role="ops", password="long-password"
        )
        reviewer_id = reviewer.id
        job = queue.enqueue(
            session,
            kind="place_order",
            idempotency_key=key,
            max_attempts=1,
            payload={"customer_id": "C-003", "sku": "BH-1005", "quantity": 40},
        )
        queue.claim(session, worker_id="bot")
        queue.fail(session, job.id, "bot", error_class="review", message="quantity looks wrong")
        job_id = job.id

    with transaction(committing_engine) as session:
        staff = session.get(type(reviewer), reviewer_id)
        edited = ops.review(
            session,
            job_id,
            staff,
            approve=True,
            payload={"customer_id": "C-003", "sku": "BH-1005", "quantity": 1},
        )
        assert (edited.status, edited.payload["quantity"]) == (queue.QUEUED, 1)
    with transaction(committing_engine) as session, pytest.raises(Conflict):
        ops.review(session, job_id, session.get(type(reviewer), reviewer_id), approve=True, payload=None)

    worker = worker_for(sandbox, committing_engine)
    settled = run_job(worker)
    assert (settled.id, settled.status) == (job_id, queue.SUCCEEDED)
    assert worker.run_once() is None
    assert sandbox.count_by_reference("order", key) == 1
    with transaction(committing_engine) as session:
        stored = session.get(Job, job_id)
        assert stored is not None
        assert stored.attempts == 2
