"""The durable job queue on the product database: enqueue, claim with a lease, settle.

Claims are compare-and-set updates, so two workers never hold one job; on PostgreSQL the
candidate scan also uses ``FOR UPDATE SKIP LOCKED`` so workers do not queue behind each other.
A target (back-office system) may have a limit on its jobs running at once across all workers;
claims of a limited target's jobs take turns, so its last free slot is never taken twice.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import false, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rpa.models import Job
from tandem.clock import utcnow
from tandem.errors import Conflict, NotFound

QUEUED, RUNNING, SUCCEEDED, FAILED, NEEDS_REVIEW, CANCELLED = (
    "queued",
    "running",
    "succeeded",
    "failed",
    "needs_review",
    "cancelled",
)
FINAL_STATES = frozenset({SUCCEEDED, FAILED, CANCELLED})


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff, capped, with jitter: a delay between half and all of the doubled one."""

    base_seconds: float = 2.0
    cap_seconds: float = 300.0

    def delay(self, attempt: int) -> timedelta:
        ceiling = min(self.cap_seconds, self.base_seconds * 2 ** max(attempt - 1, 0))
        return timedelta(seconds=random.uniform(ceiling / 2, ceiling))


def enqueue(
    session: Session,
    *,
    kind: str,
    payload: dict[str, Any],
    idempotency_key: str,
    target: str = "sandbox_erp",
    conversation_id: str | None = None,
    priority: int = 0,
    not_before: datetime | None = None,
    max_attempts: int = 5,
) -> Job:
    """Add a job, or return the one already queued under ``idempotency_key``."""
    existing = session.scalar(select(Job).where(Job.idempotency_key == idempotency_key))
    if existing is not None:
        return existing
    job = Job(
        kind=kind,
        target=target,
        payload=payload,
        idempotency_key=idempotency_key,
        conversation_id=conversation_id,
        priority=priority,
        not_before=not_before or utcnow(),
        max_attempts=max_attempts,
        status=QUEUED,
    )
    try:
        with session.begin_nested():
            session.add(job)
    except IntegrityError:
        # Another transaction enqueued the same key between our check and insert.
        found = session.scalar(select(Job).where(Job.idempotency_key == idempotency_key))
        if found is None:
            raise
        return found
    return job


def claim(
    session: Session,
    *,
    worker_id: str,
    lease_seconds: float = 60.0,
    kinds: frozenset[str] | None = None,
    candidates: int = 8,
    target_limits: Mapping[str, int] | None = None,
) -> Job | None:
    """Take the most urgent runnable job (or one whose lease ran out) for ``worker_id``.

    ``target_limits``: the most jobs of a target that may run at once; a job of a target at its
    limit waits, and a less urgent job of another target goes first.
    """
    now = utcnow()
    limits = target_limits or {}
    runnable = or_(
        (Job.status == QUEUED) & (Job.not_before <= now),
        (Job.status == RUNNING) & (Job.lease_expires_at < now),
    )
    # A running job cancelled on request whose worker died is settled here, not run again.
    query = (
        select(Job.id, Job.status, Job.attempts, Job.cancel_requested, Job.target)
        .where(runnable, or_(Job.cancel_requested.is_(False), Job.status == RUNNING))
        .order_by(Job.priority.desc(), Job.not_before, Job.created_at)
        .limit(candidates)
    )
    if kinds is not None:
        query = query.where(Job.kind.in_(kinds))
    if full := _full_targets(session, limits, now):
        # (an abandoned job cancelled on request is settled whatever its target's load)
        query = query.where(or_(Job.target.not_in(full), Job.cancel_requested))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    no_room: set[str] = set()
    for job_id, status, attempts, cancel_requested, target in session.execute(query).all():
        if cancel_requested:
            _cancel_abandoned(session, job_id, attempts, now)
            continue
        if target in no_room or not _has_room(session, target, limits, now):
            no_room.add(target)
            continue
        taken = session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == status, Job.attempts == attempts)
            .values(
                status=RUNNING,
                attempts=attempts + 1,
                lease_owner=worker_id,
                lease_expires_at=now + timedelta(seconds=lease_seconds),
                started_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            job = session.get(Job, job_id, populate_existing=True)
            assert job is not None
            return job
    return None


def _cancel_abandoned(session: Session, job_id: str, attempts: int, now: datetime) -> None:
    session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == RUNNING, Job.attempts == attempts)
        .values(
            status=CANCELLED,
            finished_at=now,
            lease_owner=None,
            lease_expires_at=None,
            error_class="cancelled",
            error_message="cancelled on request; its worker stopped during the attempt",
        )
        .execution_options(synchronize_session=False)
    )


def claim_job(
    session: Session,
    job_id: str,
    *,
    worker_id: str,
    lease_seconds: float = 60.0,
    target_limits: Mapping[str, int] | None = None,
) -> Job | None:
    """Take one named job if it is runnable now (a Celery task names its job); None otherwise,
    also when its target is at its limit (the relay sends the job again later)."""
    now = utcnow()
    row = session.execute(select(Job.status, Job.attempts, Job.target).where(Job.id == job_id)).first()
    if row is None:
        return None
    status, attempts, target = row
    if not _has_room(session, target, target_limits or {}, now):
        return None
    taken = session.execute(
        update(Job)
        .where(
            Job.id == job_id,
            Job.status == status,
            Job.attempts == attempts,
            Job.cancel_requested.is_(False),
            or_(
                (Job.status == QUEUED) & (Job.not_before <= now),
                (Job.status == RUNNING) & (Job.lease_expires_at < now),
            ),
        )
        .values(
            status=RUNNING,
            attempts=attempts + 1,
            lease_owner=worker_id,
            lease_expires_at=now + timedelta(seconds=lease_seconds),
            started_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return session.get(Job, job_id, populate_existing=True)


def due_jobs(
    session: Session, *, limit: int = 100, target_limits: Mapping[str, int] | None = None
) -> list[tuple[str, int]]:
    """Ids and attempt counts of jobs a worker could take now (for the Celery relay); jobs of a
    target at its limit are left out until it has room."""
    now = utcnow()
    runnable = or_(
        (Job.status == QUEUED) & (Job.not_before <= now),
        (Job.status == RUNNING) & (Job.lease_expires_at < now),
    )
    limits = target_limits or {}
    query = (
        select(Job.id, Job.attempts, Job.target)
        .where(runnable, Job.cancel_requested.is_(False))
        .order_by(Job.priority.desc(), Job.not_before)
        .limit(limit)
    )
    # No more of a limited target's jobs than it has free slots: a task that finds no room waits
    # for the relay to send it again.
    room = dict(limits)
    for target, running in _running_counts(session, limits, now):
        room[target] -= running
    due = []
    for job_id, attempts, target in session.execute(query).all():
        if target in room:
            if room[target] <= 0:
                continue
            room[target] -= 1
        due.append((job_id, attempts))
    return due


def _running(target: Any, now: datetime) -> Any:
    """Jobs of ``target`` held by a live worker (an expired lease no longer counts)."""
    return (Job.target == target) & (Job.status == RUNNING) & (Job.lease_expires_at >= now)


def _running_counts(session: Session, limits: Mapping[str, int], now: datetime) -> list[tuple[str, int]]:
    """Running jobs of each limited target that has any."""
    if not limits:
        return []
    rows = session.execute(
        select(Job.target, func.count())
        .where(_running(Job.target, now), Job.target.in_(list(limits)))
        .group_by(Job.target)
    ).all()
    return [(target, int(running)) for target, running in rows]


def _full_targets(session: Session, limits: Mapping[str, int], now: datetime) -> list[str]:
    """The limited targets with no free slot right now (a hint: claims check again, in turn)."""
    return [target for target, running in _running_counts(session, limits, now) if running >= limits[target]]


def _has_room(session: Session, target: str, limits: Mapping[str, int], now: datetime) -> bool:
    """Whether a job of ``target`` may start now; claims of a limited target take turns from
    here to the end of the claiming transaction, so two never count the same free slot."""
    limit = limits.get(target)
    if limit is None:
        return True
    if session.get_bind().dialect.name == "postgresql":
        # Try, never wait: a claim waiting for one target's turn while holding another's (or
        # job rows another claim wants) could deadlock. Busy: this job waits for the next poll.
        turn = func.pg_try_advisory_xact_lock(func.hashtext(f"tandem.target:{target}"))
        if not session.scalar(select(turn)):
            return False
    else:
        # SQLite has one writer at a time: a write statement (here one that changes nothing)
        # takes that turn now, before the count, instead of at the claim's own update.
        session.execute(
            update(Job).where(false()).values(target=Job.target).execution_options(synchronize_session=False)
        )
    running = session.scalar(select(func.count()).select_from(Job).where(_running(target, now)))
    return int(running or 0) < limit


def heartbeat(session: Session, job_id: str, worker_id: str, lease_seconds: float = 60.0) -> bool:
    """Extend the lease; False when the job is no longer ours (expired and re-claimed)."""
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.lease_owner == worker_id, Job.status == RUNNING)
        .values(lease_expires_at=utcnow() + timedelta(seconds=lease_seconds))
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _owned(session: Session, job_id: str, worker_id: str) -> Job | None:
    job = session.get(Job, job_id, populate_existing=True, with_for_update=True)
    if job is None or job.status != RUNNING or job.lease_owner != worker_id:
        return None
    return job


def complete(session: Session, job_id: str, worker_id: str, result: dict[str, Any]) -> Job | None:
    """Mark the job succeeded; None if the lease was lost meanwhile."""
    job = _owned(session, job_id, worker_id)
    if job is None:
        return None
    job.status, job.result, job.finished_at = SUCCEEDED, result, utcnow()
    job.error_class = job.error_message = None
    job.lease_owner = job.lease_expires_at = None
    return job


def fail(
    session: Session,
    job_id: str,
    worker_id: str,
    *,
    error_class: str,
    message: str,
    retry: RetryPolicy | None = None,
) -> Job | None:
    """Settle a failed attempt: business errors fail, system errors retry until exhausted."""
    job = _owned(session, job_id, worker_id)
    if job is None:
        return None
    job.error_class, job.error_message = error_class, message
    job.lease_owner = job.lease_expires_at = None
    if error_class == "business":
        job.status, job.finished_at = FAILED, utcnow()
    elif error_class == "cancelled" or (job.cancel_requested and error_class == "system"):
        # A cancelled job is not tried again, whether it stopped at a step boundary or broke first.
        job.status, job.finished_at = CANCELLED, utcnow()
    elif error_class == "review" or job.attempts >= job.max_attempts:
        job.status = NEEDS_REVIEW
        job.review_reason = message if error_class == "review" else f"retries exhausted: {message}"
    else:
        job.status = QUEUED
        job.not_before = utcnow() + (retry or RetryPolicy()).delay(job.attempts)
    return job


def _get(session: Session, job_id: str) -> Job:
    job = session.get(Job, job_id, with_for_update=True)
    if job is None:
        raise NotFound(f"no job {job_id}")
    return job


def cancel(session: Session, job_id: str) -> Job:
    """Cancel a job that has not finished; a running one stops at its next step."""
    job = _get(session, job_id)
    if job.status in FINAL_STATES:
        raise Conflict(f"job {job_id} is already {job.status}")
    job.cancel_requested = True
    if job.status != RUNNING:
        job.status, job.finished_at = CANCELLED, utcnow()
    return job


def resolve_review(
    session: Session, job_id: str, *, approve: bool, payload: dict[str, Any] | None = None
) -> Job:
    """Approve (optionally with an edited payload) or reject a job in ``needs_review``."""
    job = _get(session, job_id)
    if job.status != NEEDS_REVIEW:
        raise Conflict(f"job {job_id} is {job.status}, not needs_review")
    if not approve:
        job.status, job.finished_at = FAILED, utcnow()
        job.error_class = job.error_class or "business"
        return job
    if payload is not None:
        job.payload = payload
    job.status, job.not_before = QUEUED, utcnow()
    job.max_attempts = job.attempts + 1
    return job
