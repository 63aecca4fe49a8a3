"""Jobs for the back office, their attempts, and the steps each attempt recorded."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tandem.clock import utcnow
from tandem.db import Base


class Job(Base):
    """One structured intent to carry out in one back-office system."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: uuid.uuid4().hex)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    target: Mapped[str] = mapped_column(String(32), default="sandbox_erp")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    priority: Mapped[int] = mapped_column(default=0)
    not_before: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=5)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None]
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    # Plain correlation id: rpa/ does not know conversations.
    conversation_id: Mapped[str | None] = mapped_column(String(32), index=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error_class: Mapped[str | None] = mapped_column(String(16))
    error_message: Mapped[str | None] = mapped_column(Text)
    review_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    attempt_log: Mapped[list[JobAttempt]] = relationship(
        back_populates="job", lazy="raise", order_by="JobAttempt.number"
    )

    __table_args__ = (Index("ix_jobs_claim", "status", "not_before", "priority"),)


class JobAttempt(Base):
    """One try at a job by one worker, with its evidence."""

    __tablename__ = "job_attempts"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    worker: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16), default="running")
    error_class: Mapped[str | None] = mapped_column(String(16))
    error_message: Mapped[str | None] = mapped_column(Text)
    trace_path: Mapped[str | None] = mapped_column(String(500))
    # Whether the kept trace holds DOM snapshots and the network log, not only the actions.
    trace_snapshots: Mapped[bool | None]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    job: Mapped[Job] = relationship(back_populates="attempt_log", lazy="raise")
    steps: Mapped[list[RunStep]] = relationship(
        back_populates="attempt", lazy="raise", order_by="RunStep.seq"
    )

    __table_args__ = (UniqueConstraint("job_id", "number"),)


class RunStep(Base):
    """One named step of an attempt: what the bot did, where, and what it saw."""

    __tablename__ = "run_steps"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("job_attempts.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int]
    name: Mapped[str] = mapped_column(String(120))
    outcome: Mapped[str] = mapped_column(String(16), default="ok")
    url: Mapped[str | None] = mapped_column(String(1000))
    screenshot_path: Mapped[str | None] = mapped_column(String(500))
    page_source_path: Mapped[str | None] = mapped_column(String(500))  # a failed step's page HTML
    detail: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    attempt: Mapped[JobAttempt] = relationship(back_populates="steps", lazy="raise")
