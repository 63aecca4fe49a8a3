"""Bodies of the ops console API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field


class RunFilter(BaseModel):
    """Filters of the runs list; ``q`` matches a job id, an order id or a reference."""

    status: str | None = Field(None, max_length=16)
    kind: str | None = Field(None, max_length=32)
    target: str | None = Field(None, max_length=32)
    error_class: str | None = Field(None, max_length=16)
    date_from: date | None = None
    date_to: date | None = None
    q: str | None = Field(None, max_length=100)
    limit: int = Field(100, ge=1, le=500)


class RunRow(BaseModel):
    id: str
    kind: str
    target: str
    status: str
    attempts: int
    order_id: str | None
    error_class: str | None
    error_message: str | None
    conversation_id: str | None
    created_at: datetime
    updated_at: datetime


class StepOut(BaseModel):
    id: int
    seq: int
    name: str
    outcome: str
    url: str | None
    detail: str | None
    started_at: datetime
    finished_at: datetime | None
    screenshot_url: str | None
    page_source_url: str | None  # a failed step's page HTML


class AttemptOut(BaseModel):
    id: int
    number: int
    worker: str
    outcome: str
    error_class: str | None
    error_message: str | None
    started_at: datetime
    finished_at: datetime | None
    trace_url: str | None
    trace_snapshots: bool | None  # the trace replays pages (DOM snapshots, network), not only actions
    steps: list[StepOut]


class RunDetail(RunRow):
    """A run with its redacted inputs and outputs and every attempt's steps."""

    payload: dict[str, Any]
    result: dict[str, Any] | None
    review_reason: str | None
    idempotency_key: str
    max_attempts: int
    cancel_requested: bool
    started_at: datetime | None
    finished_at: datetime | None
    attempt_log: list[AttemptOut]


class ReviewIn(BaseModel):
    """Approve (optionally with an edited payload) or reject a job in needs_review.

    Fields of the edited payload left as ``"[redacted]"`` keep their stored value.
    """

    approve: bool
    payload: dict[str, Any] | None = None


class Series(BaseModel):
    label: str
    data: list[float]


class Dashboard(BaseModel):
    """What the ops dashboard charts, over the last ``hours`` hours."""

    hours: int
    hour_labels: list[str]
    jobs_per_hour: list[Series]
    success_rate: float | None
    success_rate_per_hour: list[float | None]
    duration_kinds: list[str]
    duration_p50: list[float]
    duration_p95: list[float]
    retries_by_error_class: dict[str, int]
    queue_depth: int
    queue_oldest_age_seconds: float
    jobs_by_status: dict[str, int]
