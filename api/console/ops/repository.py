"""All SQL of the ops console."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import String, cast, func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from api.console.ops.schemas import RunFilter
from rpa.models import Job, JobAttempt, RunStep
from rpa.queue import FAILED, QUEUED
from tandem.clock import utcnow


def list_runs(session: Session, filters: RunFilter) -> Sequence[Job]:
    query = select(Job).order_by(Job.created_at.desc()).limit(filters.limit)
    for column, value in (
        (Job.status, filters.status),
        (Job.kind, filters.kind),
        (Job.target, filters.target),
        (Job.error_class, filters.error_class),
    ):
        if value:
            query = query.where(column == value)
    if filters.date_from:
        query = query.where(Job.created_at >= datetime.combine(filters.date_from, time.min, tzinfo=UTC))
    if filters.date_to:
        query = query.where(
            Job.created_at < datetime.combine(filters.date_to + timedelta(days=1), time.min, tzinfo=UTC)
        )
    if filters.q:
        needle = f"%{filters.q.strip()}%"
        query = query.where(
            or_(
                Job.id == filters.q.strip(),
                Job.idempotency_key.ilike(needle),
                cast(Job.payload, String).ilike(needle),
                cast(Job.result, String).ilike(needle),
            )
        )
    return session.scalars(query).all()


def run(session: Session, job_id: str) -> Job | None:
    return session.scalar(
        select(Job)
        .where(Job.id == job_id)
        .options(selectinload(Job.attempt_log).selectinload(JobAttempt.steps))
    )


def step(session: Session, step_id: int) -> RunStep | None:
    return session.get(RunStep, step_id)


def attempt(session: Session, attempt_id: int) -> JobAttempt | None:
    return session.get(JobAttempt, attempt_id)


def requeue_failed(session: Session, job_id: str) -> bool:
    """Compare-and-set: a failed job goes back to the queue with one more attempt allowed."""
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == FAILED)
        .values(
            status=QUEUED,
            not_before=utcnow(),
            finished_at=None,
            cancel_requested=False,
            max_attempts=Job.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def claim_for_review(session: Session, job_id: str, status: str) -> bool:
    """Take the row's write lock while it is still in ``status`` (a second reviewer then sees 409)."""
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == status)
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def jobs_since(session: Session, since: datetime) -> Sequence[Job]:
    return session.scalars(select(Job).where(Job.created_at >= since)).all()


def attempts_since(session: Session, since: datetime) -> Sequence[JobAttempt]:
    return session.scalars(
        select(JobAttempt)
        .where(JobAttempt.started_at >= since)
        .order_by(JobAttempt.job_id, JobAttempt.number)
    ).all()


def kinds_of_jobs(session: Session, job_ids: set[str]) -> dict[str, str]:
    if not job_ids:
        return {}
    return dict(session.execute(select(Job.id, Job.kind).where(Job.id.in_(job_ids))).all())


def jobs_by_status(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Job.status, func.count()).group_by(Job.status)).all())


def jobs_by_status_and_kind(session: Session) -> list[tuple[str, str, int]]:
    rows = session.execute(select(Job.status, Job.kind, func.count()).group_by(Job.status, Job.kind))
    return [(status, kind, count) for status, kind, count in rows]


def queue_depth_and_oldest(session: Session) -> tuple[int, datetime | None]:
    depth, oldest = session.execute(
        select(func.count(), func.min(Job.created_at)).where(Job.status == QUEUED)
    ).one()
    return int(depth), oldest
