"""Ops console API: runs with filters, a run's evidence, retry, cancel, review, dashboard figures."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse

from api.console.ops import dashboard, service
from api.console.ops.schemas import Dashboard, ReviewIn, RunDetail, RunFilter, RunRow
from api.deps import DbSession
from api.staff.deps import CsrfProtected, OpsStaff
from api.staff.errors import ERRORS
from tandem.config import Settings

router = APIRouter(
    prefix="/api/v1/staff",
    tags=["ops console"],
    dependencies=[CsrfProtected],
    responses={**ERRORS, 404: {"description": "No such job or file"}, 409: {"description": "Wrong state"}},
)
EVIDENCE_HEADERS = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}


def _artifacts(request: Request) -> Path:
    settings: Settings = request.app.state.settings
    return settings.resolved_artifacts_dir


@router.get("/jobs", response_model=list[RunRow])
def list_runs(
    db: DbSession,
    _staff: OpsStaff,
    status: Annotated[str | None, Query(max_length=16)] = None,
    kind: Annotated[str | None, Query(max_length=32)] = None,
    target: Annotated[str | None, Query(max_length=32)] = None,
    error_class: Annotated[str | None, Query(max_length=16)] = None,
    date_from: date | None = None,
    date_to: date | None = None,
    q: Annotated[str | None, Query(max_length=100, description="Job id, order id or reference")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[RunRow]:
    """Runs, newest first, filtered by state, kind, target, error class and creation date."""
    filters = RunFilter(
        status=status,
        kind=kind,
        target=target,
        error_class=error_class,
        date_from=date_from,
        date_to=date_to,
        q=q,
        limit=limit,
    )
    return service.list_runs(db, filters)


@router.get("/jobs/{job_id}", response_model=RunDetail)
def run_detail(job_id: str, db: DbSession, _staff: OpsStaff) -> RunDetail:
    """A run with redacted inputs and outputs, its attempts and their step timelines."""
    return service.run_detail(db, job_id)


@router.post("/jobs/{job_id}/retry", response_model=RunDetail)
def retry(job_id: str, db: DbSession, staff: OpsStaff) -> RunDetail:
    """Queue a failed job again."""
    return service.retry(db, job_id, staff)


@router.post("/jobs/{job_id}/cancel", response_model=RunDetail)
def cancel(job_id: str, db: DbSession, staff: OpsStaff) -> RunDetail:
    """Cancel a job that has not finished (a running one stops at its next step)."""
    return service.cancel(db, job_id, staff)


@router.post(
    "/jobs/{job_id}/review", response_model=RunDetail, responses={422: {"description": "Bad payload"}}
)
def review(job_id: str, body: ReviewIn, db: DbSession, staff: OpsStaff) -> RunDetail:
    """Approve (optionally with an edited payload) or reject a job in needs_review."""
    return service.review(db, job_id, staff, approve=body.approve, payload=body.payload)


@router.get("/steps/{step_id}/screenshot", response_class=FileResponse)
def step_screenshot(step_id: int, request: Request, db: DbSession, _staff: OpsStaff) -> FileResponse:
    """The screenshot a step took (PNG); ops and admins only."""
    path = service.screenshot_file(db, step_id, _artifacts(request))
    return FileResponse(path, media_type="image/png", headers=EVIDENCE_HEADERS)


@router.get("/steps/{step_id}/page", response_class=FileResponse)
def step_page_source(step_id: int, request: Request, db: DbSession, _staff: OpsStaff) -> FileResponse:
    """The HTML of the page a step failed on, as a download (never rendered here); ops and admins only."""
    path = service.page_source_file(db, step_id, _artifacts(request))
    return FileResponse(
        path,
        media_type="text/plain; charset=utf-8",
        filename=f"page-step-{step_id}.txt",  # source to read, not a page to open with its scripts
        headers=EVIDENCE_HEADERS,
    )


@router.get("/attempts/{attempt_id}/trace", response_class=FileResponse)
def attempt_trace(attempt_id: int, request: Request, db: DbSession, _staff: OpsStaff) -> FileResponse:
    """The attempt's Playwright trace (open it with ``playwright show-trace``)."""
    path = service.trace_file(db, attempt_id, _artifacts(request))
    return FileResponse(
        path,
        media_type="application/zip",
        filename=f"trace-attempt-{attempt_id}.zip",
        headers=EVIDENCE_HEADERS,
    )


@router.get("/dashboard", response_model=Dashboard)
def ops_dashboard(
    db: DbSession, _staff: OpsStaff, hours: Annotated[int, Query(ge=1, le=168)] = 24
) -> Dashboard:
    """Jobs per hour by state, success rate, p50/p95 durations, retries, queue depth and age."""
    return dashboard.build(db, hours)
