"""Figures of the ops dashboard (and the Prometheus gauges), computed from the database."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from api.console.ops import repository
from api.console.ops.schemas import Dashboard, Series
from rpa.models import JobAttempt
from rpa.queue import FAILED, SUCCEEDED
from tandem.clock import utcnow

STATES = ("queued", "running", "succeeded", "failed", "needs_review", "cancelled")


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def attempt_seconds(attempt: JobAttempt) -> float | None:
    if attempt.finished_at is None:
        return None
    return max(0.0, (aware(attempt.finished_at) - aware(attempt.started_at)).total_seconds())


def durations_by_kind(session: Session, attempts: Sequence[JobAttempt]) -> dict[str, list[float]]:
    kinds = repository.kinds_of_jobs(session, {a.job_id for a in attempts})
    durations: dict[str, list[float]] = defaultdict(list)
    for attempt in attempts:
        seconds = attempt_seconds(attempt)
        if seconds is not None and attempt.job_id in kinds:
            durations[kinds[attempt.job_id]].append(seconds)
    return dict(durations)


def retries_by_error_class(attempts: Sequence[JobAttempt]) -> dict[str, int]:
    """Attempts after the first, counted by the error class of the attempt before them."""
    by_job: dict[str, dict[int, JobAttempt]] = defaultdict(dict)
    for attempt in attempts:
        by_job[attempt.job_id][attempt.number] = attempt
    counts: Counter[str] = Counter()
    for numbered in by_job.values():
        for number in numbered:
            previous = numbered.get(number - 1)
            if number > 1:
                counts[(previous.error_class if previous else None) or "unknown"] += 1
    return dict(counts)


def build(session: Session, hours: int = 24) -> Dashboard:
    now = utcnow()
    start = (now - timedelta(hours=hours - 1)).replace(minute=0, second=0, microsecond=0)
    jobs = repository.jobs_since(session, start)
    attempts = repository.attempts_since(session, start)
    slots = [start + timedelta(hours=i) for i in range(hours)]
    per_hour: dict[str, list[float]] = {state: [0.0] * hours for state in STATES}
    for job in jobs:
        index = int((aware(job.created_at) - start).total_seconds() // 3600)
        if 0 <= index < hours and job.status in per_hour:
            per_hour[job.status][index] += 1
    rates: list[float | None] = []
    for index in range(hours):
        done = per_hour[SUCCEEDED][index] + per_hour[FAILED][index]
        rates.append(round(per_hour[SUCCEEDED][index] / done, 3) if done else None)
    succeeded = sum(1 for j in jobs if j.status == SUCCEEDED)
    failed = sum(1 for j in jobs if j.status == FAILED)
    durations = durations_by_kind(session, attempts)
    kinds = sorted(durations)
    depth, oldest = repository.queue_depth_and_oldest(session)
    return Dashboard(
        hours=hours,
        hour_labels=[slot.strftime("%H:00") for slot in slots],
        jobs_per_hour=[Series(label=state, data=per_hour[state]) for state in STATES],
        success_rate=round(succeeded / (succeeded + failed), 3) if succeeded + failed else None,
        success_rate_per_hour=rates,
        duration_kinds=kinds,
        duration_p50=[round(percentile(durations[k], 0.5), 2) for k in kinds],
        duration_p95=[round(percentile(durations[k], 0.95), 2) for k in kinds],
        retries_by_error_class=retries_by_error_class(attempts),
        queue_depth=depth,
        queue_oldest_age_seconds=(now - aware(oldest)).total_seconds() if oldest else 0.0,
        jobs_by_status=repository.jobs_by_status(session),
    )
