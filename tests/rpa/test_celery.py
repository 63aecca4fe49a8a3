"""The Celery backend against the real brokers on 127.0.0.1 (Redis and RabbitMQ).

The relay sends a task per runnable job, even several per job (as after a lost message or a
relay restart); the worker claims jobs by id with the database's compare-and-set, so each
job runs once and the database stays the source of truth.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter

import pytest
from celery.contrib.testing.worker import start_worker
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from rpa import queue
from rpa.celery_app import JobRelay, make_celery, register_job_task
from rpa.models import Job, JobAttempt
from rpa.worker import Worker
from tandem.config import Settings
from tandem.db import transaction

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.db,
    pytest.mark.parametrize("migrated_database_url", ["sqlite", "postgresql"], indirect=True),
]
BROKERS = {
    "redis": "redis://127.0.0.1:6379/14",
    "rabbitmq": "amqp://guest:guest@127.0.0.1:5672//",
}


@pytest.mark.parametrize("broker", sorted(BROKERS))
def test_each_job_runs_once_even_when_relayed_twice(committing_engine: Engine, broker: str) -> None:
    settings = Settings(celery_broker_url=BROKERS[broker])
    app = make_celery(settings)
    app.conf.task_default_queue = f"tandem.test.{uuid.uuid4().hex[:8]}"  # no leftovers from other runs
    runs: Counter[str] = Counter()
    lock = threading.Lock()

    def record(job: Job, attempt: JobAttempt) -> dict[str, object]:
        with lock:
            runs[job.id] += 1
        return {"ok": True}

    worker = Worker(handlers={"record": record}, engine=committing_engine)
    register_job_task(app, worker.run_job)
    with transaction(committing_engine) as session:
        ids = [
            queue.enqueue(session, kind="record", payload={"n": n}, idempotency_key=f"{broker}-{n}").id
            for n in range(12)
        ]
    relay = JobRelay(app, committing_engine, resend_after_s=0)
    with start_worker(app, pool="threads", concurrency=4, perform_ping_check=False):
        assert relay.relay_once() == 12
        relay.relay_once()  # duplicates of whatever is still queued
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with transaction(committing_engine) as session:
                done = session.scalar(
                    select(func.count()).select_from(Job).where(Job.status == queue.SUCCEEDED)
                )
            if done == 12:
                break
            time.sleep(0.2)
    assert done == 12
    assert sorted(runs) == sorted(ids)
    assert set(runs.values()) == {1}
