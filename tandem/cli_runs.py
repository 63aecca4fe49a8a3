"""``tandem runs``: the ops console's run review on a terminal (list, show, retry, approve, reject),
and the clean-up of old run evidence."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

runs_app = typer.Typer(help="Review bot runs (jobs) as ops staff.", no_args_is_help=True)
console = Console()
AsStaff = Annotated[
    str, typer.Option("--as", help="E-mail of the ops or admin account the action is audited as.")
]


def _session() -> Any:
    from tandem.db import transaction

    return transaction()


def _staff(session: Any, email: str) -> Any:
    from sqlalchemy import select

    from api.staff.models import StaffUser
    from tandem.errors import Forbidden

    user = session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))
    if user is None or not user.active or user.role not in {"ops", "admin"}:
        raise Forbidden(f"{email} is not an active ops or admin account")
    return user


@runs_app.command("list")
def list_runs(
    status: Annotated[
        str | None, typer.Option(help="queued, running, succeeded, failed, needs_review, cancelled")
    ] = None,
    kind: Annotated[str | None, typer.Option(help="Job kind, e.g. cancel_order.")] = None,
    search: Annotated[
        str | None, typer.Option("--search", "-q", help="Job id, order id or reference.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
) -> None:
    """The most recent runs, newest first."""
    from api.console.ops import service
    from api.console.ops.schemas import RunFilter

    with _session() as session:
        rows = service.list_runs(session, RunFilter(status=status, kind=kind, q=search, limit=limit))
    table = Table("job", "kind", "status", "attempts", "order", "error", "updated")
    for row in rows:
        table.add_row(
            row.id,
            row.kind,
            row.status,
            str(row.attempts),
            row.order_id or "",
            row.error_class or "",
            row.updated_at.strftime("%Y-%m-%d %H:%M:%S"),
        )
    console.print(table)


@runs_app.command("show")
def show(job_id: Annotated[str, typer.Argument(help="The job id.")]) -> None:
    """One run: redacted input and output, attempts, steps with screenshots, traces."""
    from api.console.ops import service

    with _session() as session:
        detail = service.run_detail(session, job_id)
    # Run data is printed without Rich markup: "[redacted]" and page texts must show as they are.
    lines = [
        f"{detail.kind} {detail.id} — {detail.status} ({detail.attempts}/{detail.max_attempts})",
        "input:  " + json.dumps(detail.payload, ensure_ascii=False),
        "output: " + json.dumps(detail.result, ensure_ascii=False),
    ]
    if detail.review_reason:
        lines.append(f"review: {detail.review_reason}")
    for attempt in detail.attempt_log:
        lines.append(f"attempt {attempt.number}: {attempt.outcome} {attempt.error_message or ''}")
        lines += [f"  {step.seq}. {step.name} [{step.outcome}] {step.url or ''}" for step in attempt.steps]
    for line in lines:
        console.print(line, markup=False, highlight=False)


@runs_app.command("retry")
def retry(job_id: Annotated[str, typer.Argument(help="A failed job.")], staff: AsStaff) -> None:
    """Put a failed job back in the queue (audited)."""
    from api.console.ops import service

    with _session() as session:
        detail = service.retry(session, job_id, _staff(session, staff))
    console.print(f"{detail.id} is {detail.status}")


@runs_app.command("approve")
def approve(
    job_id: Annotated[str, typer.Argument(help="A job waiting for review.")],
    staff: AsStaff,
    payload: Annotated[
        str | None, typer.Option(help="Edited payload as JSON (fields may be omitted).")
    ] = None,
) -> None:
    """Approve a job in needs_review, optionally with an edited payload; it runs once more."""
    from api.console.ops import service
    from tandem.errors import TandemError

    edited: dict[str, Any] | None = None
    if payload is not None:
        try:
            edited = json.loads(payload)
        except json.JSONDecodeError as exc:
            raise TandemError(f"--payload is not JSON: {exc.msg}") from None
    with _session() as session:
        current = service.run_detail(session, job_id).payload
        merged = {**current, **edited} if edited is not None else None
        detail = service.review(session, job_id, _staff(session, staff), approve=True, payload=merged)
    console.print(f"{detail.id} is {detail.status}")


@runs_app.command("reject")
def reject(job_id: Annotated[str, typer.Argument(help="A job waiting for review.")], staff: AsStaff) -> None:
    """Reject a job in needs_review: it fails and the customer is told."""
    from api.console.ops import service

    with _session() as session:
        detail = service.review(session, job_id, _staff(session, staff), approve=False, payload=None)
    console.print(f"{detail.id} is {detail.status}")


@runs_app.command("cleanup")
def cleanup(
    older_than_days: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=36_500,
            help="Age in days of the evidence to delete (default: TANDEM_ARTIFACTS_RETENTION_DAYS).",
        ),
    ] = None,
    orphans: Annotated[
        bool,
        typer.Option(
            "--orphans",
            help=(
                "Also delete the folders of jobs this database no longer has (rows deleted by hand, a "
                "database started afresh) in which nothing changed for as long."
            ),
        ),
    ] = False,
) -> None:
    """Delete old run evidence (screenshots, page sources, traces); the runs' history stays."""
    from datetime import timedelta

    from rpa.evidence import cleanup_artifacts, orphaned_job_folders, remove_untouched
    from tandem.config import get_settings

    settings = get_settings()
    days = older_than_days or settings.artifacts_retention_days
    artifacts = settings.resolved_artifacts_dir
    with _session() as session:
        removed = cleanup_artifacts(session, artifacts, timedelta(days=days))
    console.print(
        f"removed the evidence of {removed.attempts} attempt(s) that ended {days} or more days ago: "
        f"{removed.files} file(s), {removed.bytes / 2**20:.1f} MB",
        soft_wrap=True,  # one line, for cron logs
    )
    if not orphans:
        return
    with _session() as session:
        folders = orphaned_job_folders(session, artifacts)
    swept = remove_untouched(folders, timedelta(days=days))  # outside any transaction: may walk long
    console.print(
        f"removed {swept.attempts} of {len(folders)} folder(s) of jobs no longer in the database "
        f"(one changed in the last {days} days or not readable throughout is kept): "
        f"{swept.files} file(s), {swept.bytes / 2**20:.1f} MB",
        soft_wrap=True,
    )
