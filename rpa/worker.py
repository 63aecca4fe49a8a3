"""The worker loop: claim a job, run the bot for its kind, record the attempt, settle.

A background thread renews the lease while a bot works, so a job held by a dead
worker becomes claimable again once its lease runs out.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from rpa import queue
from rpa.bots import sandbox_targets
from rpa.browser_pool import BrowserPool
from rpa.errors import BotError
from rpa.models import Job, JobAttempt
from rpa.runner import BotRunner
from tandem.clock import utcnow
from tandem.config import Settings
from tandem.db import get_engine, transaction
from tandem.logging import get_logger

log = get_logger(__name__)

JobHandler = Callable[[Job, JobAttempt], dict[str, Any]]
JobListener = Callable[[Job], None]


@dataclass
class Worker:
    """Runs jobs of the kinds it has handlers for, one at a time per thread."""

    handlers: dict[str, JobHandler]
    engine: Engine = field(default_factory=get_engine)
    worker_id: str = field(
        default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    )
    lease_seconds: float = 60.0
    poll_seconds: float = 0.5
    retry: queue.RetryPolicy = field(default_factory=queue.RetryPolicy)
    on_claimed: list[JobListener] = field(default_factory=list)
    on_settled: list[JobListener] = field(default_factory=list)
    stop_event: threading.Event = field(default_factory=threading.Event)
    # The most jobs of a target running at once across all workers (settings.target_concurrency).
    target_limits: dict[str, int] = field(default_factory=dict)

    def run_once(self) -> Job | None:
        """Claim and run the most urgent runnable job; None when nothing was runnable."""
        return self._claim_and_run(
            lambda session: queue.claim(
                session,
                worker_id=self.worker_id,
                lease_seconds=self.lease_seconds,
                kinds=frozenset(self.handlers),
                target_limits=self.target_limits,
            )
        )

    def run_job(self, job_id: str) -> Job | None:
        """Claim and run one named job (a Celery task); None when it is not runnable now."""
        return self._claim_and_run(
            lambda session: queue.claim_job(
                session,
                job_id,
                worker_id=self.worker_id,
                lease_seconds=self.lease_seconds,
                target_limits=self.target_limits,
            )
        )

    def _claim_and_run(self, claim: Callable[[Session], Job | None]) -> Job | None:
        with transaction(self.engine) as session:
            job = claim(session)
            if job is None:
                return None
            if job.kind not in self.handlers:
                queue.fail(
                    session,
                    job.id,
                    self.worker_id,
                    error_class="review",
                    message=f"no bot is installed for job kind {job.kind!r}",
                )
                return None
            attempt = JobAttempt(job_id=job.id, number=job.attempts, worker=self.worker_id)
            session.add(attempt)
        log.info("job_claimed", job_id=job.id, kind=job.kind, attempt=attempt.number)
        _notify(self.on_claimed, job)
        return self._run(job, attempt)

    def _run(self, job: Job, attempt: JobAttempt) -> Job | None:
        beat = threading.Event()
        pulse = threading.Thread(target=self._heartbeat, args=(job.id, beat), daemon=True)
        pulse.start()
        outcome: tuple[str, Any]
        try:
            outcome = ("ok", self.handlers[job.kind](job, attempt))
        except BotError as exc:
            outcome = (exc.error_class, exc.message)
        except Exception as exc:  # a crash in a bot is a system error, retried
            log.exception("bot_crashed", job_id=job.id, kind=job.kind)
            outcome = ("system", f"{type(exc).__name__}: {exc}")
        finally:
            beat.set()
            pulse.join()
        return self._settle(job.id, attempt.id, outcome)

    def _settle(self, job_id: str, attempt_id: int, outcome: tuple[str, Any]) -> Job | None:
        status, value = outcome
        with transaction(self.engine) as session:
            attempt = session.get(JobAttempt, attempt_id)
            assert attempt is not None
            attempt.finished_at = utcnow()
            if status == "ok":
                settled = queue.complete(session, job_id, self.worker_id, value)
                attempt.outcome = "succeeded"
            else:
                settled = queue.fail(
                    session, job_id, self.worker_id, error_class=status, message=str(value), retry=self.retry
                )
                outcome_name = "cancelled" if status == "cancelled" else "failed"
                attempt.outcome, attempt.error_class, attempt.error_message = outcome_name, status, str(value)
        if settled is None:
            log.warning("lease_lost", job_id=job_id, worker=self.worker_id)
            return None
        log.info("job_settled", job_id=job_id, status=settled.status, error_class=settled.error_class)
        _notify(self.on_settled, settled)
        return settled

    def _heartbeat(self, job_id: str, done: threading.Event) -> None:
        while not done.wait(self.lease_seconds / 3):
            with transaction(self.engine) as session:
                if not queue.heartbeat(session, job_id, self.worker_id, self.lease_seconds):
                    return

    def run_forever(self) -> None:
        """Poll until ``stop_event`` is set, finishing the job in hand first."""
        log.info("worker_started", worker=self.worker_id, kinds=sorted(self.handlers))
        while not self.stop_event.is_set():
            try:
                ran = self.run_once()
            except Exception:  # the database restarting, say: the thread keeps polling
                log.exception("worker_poll_failed", worker=self.worker_id)
                ran = None
            if ran is None:
                self.stop_event.wait(self.poll_seconds)
        log.info("worker_stopped", worker=self.worker_id)


def _notify(listeners: list[JobListener], job: Job) -> None:
    for listener in listeners:
        try:
            listener(job)
        except Exception:  # a listener must never lose the job's outcome
            log.exception("job_listener_failed", job_id=job.id)


def default_handlers(
    pool: BrowserPool, settings: Settings, engine: Engine | None = None
) -> dict[str, JobHandler]:
    """The bots installed in this build, by job kind, working through ``pool``."""
    return BotRunner(pool, settings, engine or get_engine()).handlers()


def retry_policy(settings: Settings) -> queue.RetryPolicy:
    """The backoff between retries of a job's system errors, from settings."""
    return queue.RetryPolicy(
        base_seconds=settings.worker_retry_base_seconds, cap_seconds=settings.worker_retry_cap_seconds
    )


def run_worker(
    settings: Settings,
    *,
    on_claimed: Sequence[JobListener] = (),
    on_settled: Sequence[JobListener] = (),
) -> None:
    """Run ``worker_concurrency`` job threads over one browser pool until SIGINT or SIGTERM."""
    concurrency = settings.worker_concurrency
    pool = BrowserPool(
        sandbox_targets(settings),
        executable_path=settings.resolved_chromium_path,
        contexts_per_target=concurrency,
    ).start()
    try:
        worker = Worker(
            handlers=default_handlers(pool, settings),
            lease_seconds=settings.worker_lease_seconds,
            retry=retry_policy(settings),
            on_claimed=list(on_claimed),
            on_settled=list(on_settled),
            target_limits=dict(settings.target_concurrency),
        )
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: worker.stop_event.set())
        threads = [
            threading.Thread(target=worker.run_forever, name=f"worker-{n}", daemon=True)
            for n in range(concurrency)
        ]
        for thread in threads:
            thread.start()
        while any(thread.is_alive() for thread in threads):
            for thread in threads:
                thread.join(timeout=0.5)  # short joins keep the main thread free for signals
    finally:
        pool.stop()
