"""Run one job attempt with a bot: evidence directory, trace, recorded steps, settled result.

Each attempt gets ``artifacts_dir/<job_id>/attempt-<n>/`` with a screenshot per step and a
Playwright trace, kept for every failed attempt and a sample of the successful ones; the trace's
DOM snapshots and network log are recorded on retries and sampled attempts (see
:func:`rpa.evidence.plan_trace`).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.engine import Engine

from rpa.bots import SandboxDmsBot, SandboxErpBot
from rpa.bots.base import Bot, tracing
from rpa.browser_pool import BrowserPool, Lease
from rpa.errors import BusinessError, TransientError
from rpa.evidence import TRACE_SNAPSHOTS, RunRecorder, TracePlan, TraceSnapshots, plan_trace
from rpa.jobs import PAYLOADS, JobPayload
from rpa.models import Job, JobAttempt
from tandem.config import Settings
from tandem.db import transaction
from tandem.logging import get_logger

if TYPE_CHECKING:
    from rpa.worker import JobHandler

log = get_logger(__name__)

JOB_BOTS: dict[str, type[Bot]] = {
    "place_order": SandboxErpBot,
    "cancel_order": SandboxErpBot,
    "return_item": SandboxErpBot,
    "change_address": SandboxErpBot,
    "request_invoice": SandboxErpBot,
    "file_document": SandboxDmsBot,
}


def parse_payload(kind: str, payload: dict[str, Any]) -> JobPayload:
    """The validated payload of a job; an invalid one can never succeed, so it is a business error."""
    model = PAYLOADS.get(kind)
    if model is None:
        raise BusinessError(f"no bot for job kind {kind!r}")
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise BusinessError(f"invalid {kind} payload: {problems}") from exc


@dataclass
class BotRunner:
    """The Worker's handlers: each attempt runs its bot on a warm context of the pool."""

    pool: BrowserPool
    settings: Settings
    engine: Engine
    trace_sample_rate: float | None = None  # None: the settings' (as for trace_snapshots)
    trace_snapshots: TraceSnapshots | None = None
    screenshots: bool = True
    traces: bool = True
    timeout_s: float = 90.0
    _sample_rate: float = field(init=False)
    _snapshots: str = field(init=False)

    def __post_init__(self) -> None:
        rate = self.trace_sample_rate
        self._sample_rate = self.settings.trace_sample_rate if rate is None else rate
        self._snapshots = self.trace_snapshots or self.settings.trace_snapshots
        if not 0 <= self._sample_rate <= 1:
            raise ValueError(f"trace_sample_rate must be between 0 and 1, not {self._sample_rate}")
        if self._snapshots not in TRACE_SNAPSHOTS:
            raise ValueError(f"trace_snapshots must be one of {TRACE_SNAPSHOTS}, not {self._snapshots!r}")

    def handlers(self) -> dict[str, JobHandler]:
        """One handler per job kind with a bot."""
        return dict.fromkeys(JOB_BOTS, self.run)

    def run(self, job: Job, attempt: JobAttempt) -> dict[str, Any]:
        """Carry out one attempt of ``job`` and record its evidence on ``attempt``."""
        payload = parse_payload(job.kind, job.payload)
        bot_class = JOB_BOTS[job.kind]
        directory = self.settings.resolved_artifacts_dir / job.id / f"attempt-{attempt.number}"
        recorder = RunRecorder(directory, screenshots=self.screenshots)
        plan = plan_trace(attempt.number, self._sample_rate, self._snapshots) if self.traces else None
        kept: list[Path] = []
        work = partial(self._attempt, bot_class, payload, job.id, job.idempotency_key, recorder, plan, kept)
        try:
            # A timed-out attempt is saved only once the step it was in has recorded its end,
            # screenshot and page source (two captures of at most 5 s each).
            return self.pool.run(bot_class.target_name, work, timeout=self.timeout_s, grace_s=12.0)
        except concurrent.futures.TimeoutError as exc:
            raise TransientError(f"{job.kind} took longer than {self.timeout_s:.0f} s") from exc
        finally:
            self._save(attempt.id, recorder, plan, kept)

    async def _attempt(
        self,
        bot_class: type[Bot],
        payload: JobPayload,
        job_id: str,
        key: str,
        recorder: RunRecorder,
        plan: TracePlan | None,
        kept: list[Path],
        lease: Lease,
    ) -> dict[str, Any]:
        artifacts = self.settings.resolved_artifacts_dir
        bot = bot_class(
            self.pool,
            lease,
            recorder=recorder,
            artifacts_dir=artifacts,
            should_stop=partial(self._cancel_requested, job_id),
        )
        if plan is None:
            return await bot.run_job(payload, key)
        async with tracing(lease, recorder.directory / "trace.zip", plan, kept):
            return await bot.run_job(payload, key)

    async def _cancel_requested(self, job_id: str) -> bool:
        """Whether ops asked for ``job_id`` to stop (read between steps, off the browser loop)."""
        return await asyncio.to_thread(self._read_cancel_requested, job_id)

    def _read_cancel_requested(self, job_id: str) -> bool:
        # One column of one row, read at every step: a plain connection, no ORM session.
        with self.engine.connect() as connection:
            return bool(connection.scalar(select(Job.cancel_requested).where(Job.id == job_id)))

    def _save(self, attempt_id: int, recorder: RunRecorder, plan: TracePlan | None, kept: list[Path]) -> None:
        with transaction(self.engine) as session:
            recorder.save(session, attempt_id)
            row = session.get(JobAttempt, attempt_id)
            if row is not None and plan is not None and kept:
                row.trace_path, row.trace_snapshots = str(kept[0]), plan.snapshots
