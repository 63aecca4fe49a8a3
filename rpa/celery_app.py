"""The Celery backend of the job queue: any number of ``tandem worker --celery`` processes.

The database stays the source of truth. A relay sends one task per runnable job; the task
claims that job with the same compare-and-set as the database queue (a duplicate or late
message finds nothing to claim and is acknowledged), and the bots' reference checks keep
back-office effects exactly once. Messages are acknowledged late and re-queued when a
worker dies; the broker's visibility timeout is longer than the longest job.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from celery import Celery
from sqlalchemy.engine import Engine

from rpa import queue
from tandem.config import Settings
from tandem.db import transaction
from tandem.logging import get_logger

log = get_logger(__name__)
TASK = "tandem.run_job"
QUEUE = "tandem.jobs"


def make_celery(settings: Settings) -> Celery:
    """A Celery app on the configured broker (Redis or RabbitMQ) with at-least-once delivery."""
    app = Celery("tandem", broker=settings.celery_broker_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=QUEUE,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        broker_transport_options={"visibility_timeout": settings.celery_visibility_timeout_s},
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
    )
    return app


class JobRelay:
    """Sends a task for every runnable job; re-sends one that stays runnable (a lost message)."""

    def __init__(
        self,
        app: Celery,
        engine: Engine,
        *,
        resend_after_s: float = 30.0,
        poll_s: float = 0.3,
        target_limits: dict[str, int] | None = None,
    ) -> None:
        self.app = app
        self.engine = engine
        self.target_limits = target_limits or {}
        self.resend_after_s = resend_after_s
        self.poll_s = poll_s
        self.sent: dict[tuple[str, int], float] = {}
        self.stop_event = threading.Event()

    def relay_once(self) -> int:
        """Dispatch what is due now; returns how many tasks were sent."""
        with transaction(self.engine) as session:
            due = queue.due_jobs(session, target_limits=self.target_limits)
        now = time.monotonic()
        count = 0
        for job_id, attempts in due:
            last = self.sent.get((job_id, attempts))
            if last is not None and now - last < self.resend_after_s:
                continue
            self.app.send_task(TASK, args=[job_id], queue=self.app.conf.task_default_queue)
            self.sent[(job_id, attempts)] = now
            count += 1
        if len(self.sent) > 10_000:
            self.sent = {k: v for k, v in self.sent.items() if now - v < self.resend_after_s}
        return count

    def run_forever(self) -> None:
        while not self.stop_event.is_set():
            try:
                self.relay_once()
            except Exception:  # the broker or database is restarting: try again shortly
                log.warning("relay_failed", exc_info=True)
                self.stop_event.wait(1.0)
            self.stop_event.wait(self.poll_s)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run_forever, name="celery-relay", daemon=True)
        thread.start()
        return thread


def register_job_task(app: Celery, run_job: Any) -> None:
    """Bind the task to this process's worker (``run_job(job_id)`` claims and runs one job)."""

    @app.task(name=TASK, acks_late=True, reject_on_worker_lost=True, shared=False)  # type: ignore[untyped-decorator]
    def run(job_id: str) -> None:
        run_job(job_id)
