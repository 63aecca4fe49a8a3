"""Wrong back-office credentials are a configuration problem for a person, not a system error to retry."""

from __future__ import annotations

import uuid

import pytest
from pydantic import SecretStr
from sqlalchemy.engine import Engine

from rpa import queue
from rpa.bots import sandbox_targets
from rpa.browser_pool import BrowserPool
from rpa.runner import BotRunner
from rpa.worker import Worker
from tests.rpa.bots.support import Sandbox
from tests.rpa.bots.test_runner import FAST_RETRY, attempts_of, enqueue, run_job

pytestmark = [
    pytest.mark.browser,
    pytest.mark.db,
    pytest.mark.parametrize("migrated_database_url", ["sqlite"], indirect=True),
]


def test_rejected_sign_in_sends_the_job_to_review_without_retrying(
    sandbox: Sandbox, committing_engine: Engine
) -> None:
    settings = sandbox.settings.model_copy(update={"sandbox_password": SecretStr("not-the-password")})
    key = uuid.uuid4().hex
    job_id = enqueue(
        committing_engine, "place_order", {"customer_id": "C-003", "sku": "BH-1005", "quantity": 1}, key
    )
    with BrowserPool(sandbox_targets(settings), contexts_per_target=1) as pool:
        runner = BotRunner(pool, settings, committing_engine)
        worker = Worker(handlers=runner.handlers(), engine=committing_engine, retry=FAST_RETRY)
        job = run_job(worker)
        assert (job.status, job.error_class, job.attempts) == (queue.NEEDS_REVIEW, "review", 1)
        assert job.review_reason is not None
        assert "sandbox_erp rejected the bot's sign-in as 'robot'" in job.review_reason
        assert "Invalid user name or password." in job.review_reason
        assert "user name or password in the settings is wrong" in job.review_reason
        assert "not-the-password" not in job.review_reason
        assert worker.run_once() is None  # not retried as a system error
        assert (pool.stats.sign_ins, pool.stats.contexts_created, pool.stats.contexts_recycled) == (0, 1, 1)
    [attempt] = attempts_of(committing_engine, job_id)
    assert (attempt.outcome, attempt.error_class) == ("failed", "review")
    assert sandbox.count_by_reference("order", key) == 0
