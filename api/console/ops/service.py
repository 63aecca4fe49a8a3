"""Rules of the ops console: run views with redacted data, evidence files, retry, cancel, review."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from api.console.ops import repository
from api.console.ops.schemas import AttemptOut, RunDetail, RunFilter, RunRow, StepOut
from api.staff.models import StaffUser
from api.staff.service import audit
from rpa import queue
from rpa.evidence import redact
from rpa.jobs import PAYLOADS
from rpa.models import Job
from tandem.errors import Conflict, NotFound, TandemError

REDACTED = "[redacted]"


class InvalidPayload(TandemError):
    code = "invalid_payload"
    status = 422


def _row(job: Job) -> dict[str, Any]:
    order_id = job.payload.get("order_id")
    return {
        "id": job.id,
        "kind": job.kind,
        "target": job.target,
        "status": job.status,
        "attempts": job.attempts,
        "order_id": order_id if isinstance(order_id, str) else None,
        "error_class": job.error_class,
        "error_message": job.error_message,
        "conversation_id": job.conversation_id,
        "created_at": job.created_at,
        "updated_at": job.updated_at,
    }


def list_runs(session: Session, filters: RunFilter) -> list[RunRow]:
    return [RunRow(**_row(job)) for job in repository.list_runs(session, filters)]


def run_detail(session: Session, job_id: str) -> RunDetail:
    job = repository.run(session, job_id[:64])
    if job is None:
        raise NotFound(f"no job {job_id[:64]}")
    attempts = [
        AttemptOut(
            id=a.id,
            number=a.number,
            worker=a.worker,
            outcome=a.outcome,
            error_class=a.error_class,
            error_message=a.error_message,
            started_at=a.started_at,
            finished_at=a.finished_at,
            trace_url=f"/api/v1/staff/attempts/{a.id}/trace" if a.trace_path else None,
            trace_snapshots=(a.trace_snapshots is not False) if a.trace_path else None,
            steps=[
                StepOut(
                    id=s.id,
                    seq=s.seq,
                    name=s.name,
                    outcome=s.outcome,
                    url=s.url,
                    detail=s.detail,
                    started_at=s.started_at,
                    finished_at=s.finished_at,
                    screenshot_url=f"/api/v1/staff/steps/{s.id}/screenshot" if s.screenshot_path else None,
                    page_source_url=f"/api/v1/staff/steps/{s.id}/page" if s.page_source_path else None,
                )
                for s in a.steps
            ],
        )
        for a in job.attempt_log
    ]
    return RunDetail(
        **_row(job),
        payload=redact(job.payload),
        result=redact(job.result) if job.result is not None else None,
        review_reason=job.review_reason,
        idempotency_key=job.idempotency_key,
        max_attempts=job.max_attempts,
        cancel_requested=job.cancel_requested,
        started_at=job.started_at,
        finished_at=job.finished_at,
        attempt_log=attempts,
    )


def evidence_file(stored: str | None, artifacts_dir: Path) -> Path:
    """The evidence file if it exists inside the artifacts directory (never elsewhere)."""
    if not stored:
        raise NotFound("no such evidence file")
    root = artifacts_dir.resolve()
    path = Path(stored).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise NotFound("no such evidence file")
    return path


def screenshot_file(session: Session, step_id: int, artifacts_dir: Path) -> Path:
    step = repository.step(session, step_id)
    return evidence_file(step.screenshot_path if step else None, artifacts_dir)


def page_source_file(session: Session, step_id: int, artifacts_dir: Path) -> Path:
    step = repository.step(session, step_id)
    return evidence_file(step.page_source_path if step else None, artifacts_dir)


def trace_file(session: Session, attempt_id: int, artifacts_dir: Path) -> Path:
    attempt = repository.attempt(session, attempt_id)
    return evidence_file(attempt.trace_path if attempt else None, artifacts_dir)


def retry(session: Session, job_id: str, staff: StaffUser) -> RunDetail:
    """Put a failed job back in the queue (once, however often the button is pressed)."""
    if not repository.requeue_failed(session, job_id):
        job = session.get(Job, job_id)
        if job is None:
            raise NotFound(f"no job {job_id}")
        raise Conflict(f"job {job_id} is {job.status}; only failed jobs can be retried")
    session.expire_all()
    audit(session, staff, "job.retry", "job", job_id)
    return run_detail(session, job_id)


def cancel(session: Session, job_id: str, staff: StaffUser) -> RunDetail:
    job = queue.cancel(session, job_id)
    audit(session, staff, "job.cancel", "job", job_id, status=job.status)
    session.flush()
    return run_detail(session, job_id)


def merge_edit(stored: dict[str, Any], edited: dict[str, Any]) -> dict[str, Any]:
    """The edited payload, with fields still shown as ``[redacted]`` taken from the stored one."""
    return {k: (stored[k] if v == REDACTED and k in stored else v) for k, v in edited.items()}


def review(
    session: Session, job_id: str, staff: StaffUser, *, approve: bool, payload: dict[str, Any] | None
) -> RunDetail:
    """Approve (maybe with an edited, validated payload) or reject a job waiting for review."""
    if not repository.claim_for_review(session, job_id, queue.NEEDS_REVIEW):
        job = session.get(Job, job_id)
        if job is None:
            raise NotFound(f"no job {job_id}")
        raise Conflict(f"job {job_id} is {job.status}, not needs_review")
    job = session.get(Job, job_id, populate_existing=True)
    assert job is not None
    new_payload = None
    changed: list[str] = []
    if approve and payload is not None:
        merged = merge_edit(job.payload, payload)
        model = PAYLOADS.get(job.kind)
        try:
            new_payload = model.model_validate(merged).model_dump(mode="json") if model else merged
        except ValidationError as exc:
            fields = ", ".join(".".join(str(p) for p in e["loc"]) or "payload" for e in exc.errors())
            raise InvalidPayload(f"the edited payload is not a valid {job.kind}: {fields}") from None
        changed = sorted(
            k for k in new_payload.keys() | job.payload.keys() if new_payload.get(k) != job.payload.get(k)
        )
        before = {k: job.payload.get(k) for k in changed}
    queue.resolve_review(session, job_id, approve=approve, payload=new_payload)
    action = "job.approve" if approve else "job.reject"
    detail: dict[str, Any] = {"changed_fields": changed}
    if changed:
        detail["before"] = redact(before)
        detail["after"] = redact({k: (new_payload or {}).get(k) for k in changed})
    audit(session, staff, action, "job", job_id, **detail)
    session.flush()
    return run_detail(session, job_id)
