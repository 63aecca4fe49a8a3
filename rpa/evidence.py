"""Run evidence: ordered steps with a screenshot each, and a Playwright trace per attempt."""

from __future__ import annotations

import asyncio
import os
import random
import re
import shutil
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from playwright.async_api import Page
from sqlalchemy import exists, or_, select, update
from sqlalchemy.orm import Session

from rpa import devtools
from rpa.models import Job, JobAttempt, RunStep
from rpa.queue import FINAL_STATES
from tandem.clock import utcnow
from tandem.errors import ConfigurationError
from tandem.logging import get_logger

log = get_logger(__name__)

PAGE_SOURCE_MAX_CHARS = 2_000_000
# The page's HTML with what the bot typed or chose written into it (outerHTML alone shows the
# values the server sent), hidden fields and passwords blanked (a form token is no evidence).
_PAGE_SOURCE_JS = r"""(limit) => {
  const live = [...document.querySelectorAll('input, textarea, select')];
  const root = document.documentElement.cloneNode(true);
  const copies = [...root.querySelectorAll('input, textarea, select')];
  live.forEach((el, i) => {
    const copy = copies[i];
    if (el.tagName === 'TEXTAREA') copy.textContent = el.value;
    else if (el.tagName === 'SELECT') {
      [...copy.options].forEach((option, j) => option.toggleAttribute('selected', el.options[j].selected));
    }
    else if (el.type === 'hidden' || el.type === 'password') copy.setAttribute('value', '');
    else if (el.type === 'checkbox' || el.type === 'radio') copy.toggleAttribute('checked', el.checked);
    else copy.setAttribute('value', el.value);
  });
  const html = '<!doctype html>\n' + root.outerHTML;
  return html.length > limit ? html.slice(0, limit) + '\n<!-- cut at ' + limit + ' characters -->' : html;
}"""
_SECRET_FIELDS = re.compile(r"pass(word)?|secret|token|email|phone|tax_id|address", re.I)


def redact(data: Any) -> Any:
    """A copy of ``data`` with personal data and secrets masked, for logs and the ops console."""
    if isinstance(data, dict):
        return {k: ("[redacted]" if _SECRET_FIELDS.search(str(k)) else redact(v)) for k, v in data.items()}
    if isinstance(data, list):
        return [redact(v) for v in data]
    return data


@dataclass
class StepRecord:
    seq: int
    name: str
    started_at: datetime
    finished_at: datetime | None = None
    outcome: str = "ok"
    url: str | None = None
    screenshot: str | None = None
    page_source: str | None = None
    detail: str | None = None


@dataclass
class RunRecorder:
    """Collects the steps of one attempt; screenshots land under ``directory``."""

    directory: Path
    screenshots: bool = True
    steps: list[StepRecord] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)

    @asynccontextmanager
    async def step(self, name: str, page: Page) -> AsyncIterator[StepRecord]:
        """Record a named step; a screenshot is taken when it ends, whether it worked or not, and a
        failed step also keeps the page's HTML."""
        record = StepRecord(seq=len(self.steps) + 1, name=name, started_at=utcnow())
        self.steps.append(record)
        try:
            yield record
        except BaseException as exc:
            record.outcome, record.detail = "failed", f"{type(exc).__name__}: {exc}"[:2000]
            raise
        finally:
            record.finished_at = utcnow()
            record.url = page.url
            if self.screenshots:
                await self._screenshot(record, page)
            if record.outcome == "failed":
                await self._page_source(record, page)

    async def _screenshot(self, record: StepRecord, page: Page) -> None:
        path = self.directory / f"step-{record.seq:02d}.png"
        try:
            path.write_bytes(await asyncio.wait_for(devtools.capture_png(page), timeout=5.0))
            record.screenshot = str(path)
        except Exception:  # a crashed page has no picture; the step still counts
            record.screenshot = None

    async def _page_source(self, record: StepRecord, page: Page) -> None:
        """The page's HTML as the failed step left it (what a trace without DOM snapshots lacks)."""
        path = self.directory / f"step-{record.seq:02d}.html"
        try:
            html = await asyncio.wait_for(devtools.call(page, _PAGE_SOURCE_JS, PAGE_SOURCE_MAX_CHARS), 5.0)
            path.write_text(str(html), encoding="utf-8", errors="replace")
            record.page_source = str(path)
        except Exception:  # a crashed or closed page has no source; the step still counts
            record.page_source = None

    def save(self, session: Session, attempt_id: int) -> None:
        """Write the steps as rows of the attempt."""
        for record in self.steps:
            session.add(
                RunStep(
                    attempt_id=attempt_id,
                    seq=record.seq,
                    name=record.name,
                    outcome=record.outcome,
                    url=record.url,
                    screenshot_path=record.screenshot,
                    page_source_path=record.page_source,
                    detail=record.detail,
                    started_at=record.started_at,
                    finished_at=record.finished_at,
                )
            )


TraceSnapshots = Literal["sampled", "always"]
TRACE_SNAPSHOTS: tuple[TraceSnapshots, ...] = ("sampled", "always")


@dataclass(frozen=True)
class TracePlan:
    """What one attempt's trace records, decided before the attempt starts.

    Every attempt is traced: each action with its selector, call log, timing and outcome, and
    the page's console and errors. ``snapshots`` adds a DOM snapshot before and after each action
    and the network log with the pages' bodies, which is what the trace viewer replays; it is
    ~75 % of a trace's cost (~16 % of a job's CPU, interleaved A/B).
    """

    sampled: bool  # kept even if the attempt succeeds
    snapshots: bool

    def keep(self, failed: bool) -> bool:
        """Traces are kept for every failed attempt and for the sampled successful ones."""
        return failed or self.sampled


def plan_trace(attempt_number: int, sample_rate: float, snapshots: str = "sampled") -> TracePlan:
    """The trace of attempt ``attempt_number`` (1 for a job's first try).

    With ``snapshots="sampled"`` the replay is recorded where it is wanted and known to be wanted
    up front: on the attempts sampled for keeping, and on every retry, since a retry follows a
    failure (Playwright's own ``on-first-retry``). A first attempt that fails unsampled keeps
    its trace of actions and call logs, and its steps keep their screenshots. ``"always"``
    records the replay on every attempt.
    """
    if snapshots not in TRACE_SNAPSHOTS:
        raise ValueError(f"trace snapshots must be one of {TRACE_SNAPSHOTS}, not {snapshots!r}")
    sampled = random.random() < sample_rate
    return TracePlan(sampled=sampled, snapshots=snapshots == "always" or sampled or attempt_number > 1)


@dataclass(frozen=True)
class Cleanup:
    """What a clean-up of run evidence removed."""

    attempts: int
    files: int
    bytes: int


# A job's evidence folder is named after its id (uuid4 hex); anything else under the artifacts
# directory (fetched invoices, say) is not run evidence and is never swept.
_JOB_FOLDER = re.compile(r"[0-9a-f]{32}")


def cleanup_artifacts(session: Session, artifacts_dir: Path, older_than: timedelta) -> Cleanup:
    """Delete the evidence of attempts that ended more than ``older_than`` ago.

    Their screenshots, page sources and traces go from disk, and their rows stop pointing at
    them (the steps, outcomes and errors stay: they are the run's history, not its evidence).
    Jobs still waiting for a person (queued, running, needs review) keep theirs; an attempt
    whose worker died (it never ended) counts from its start. Attempts already cleaned are not
    looked at again.
    """
    cutoff = utcnow() - older_than
    has_files = or_(
        JobAttempt.trace_path.is_not(None),
        exists().where(
            RunStep.attempt_id == JobAttempt.id,
            or_(RunStep.screenshot_path.is_not(None), RunStep.page_source_path.is_not(None)),
        ),
    )
    ended = or_(
        JobAttempt.finished_at < cutoff,
        JobAttempt.finished_at.is_(None) & (JobAttempt.started_at < cutoff),
    )
    rows = session.execute(
        select(JobAttempt.id, JobAttempt.job_id, JobAttempt.number)
        .join(Job, Job.id == JobAttempt.job_id)
        .where(ended, Job.status.in_(FINAL_STATES), has_files)
    ).all()
    root = artifacts_dir.resolve()
    cleaned, files, size = [], 0, 0
    for attempt_id, job_id, number in rows:
        directory = (artifacts_dir / job_id / f"attempt-{number}").resolve()
        if not directory.is_relative_to(root):
            continue
        found = [path.stat().st_size for path in directory.rglob("*") if path.is_file()]
        shutil.rmtree(directory, ignore_errors=True)
        if directory.exists():  # not removed (permissions, say): its rows keep pointing at it
            log.warning("evidence_not_removed", attempt_id=attempt_id, directory=str(directory))
            continue
        cleaned.append(attempt_id)
        files, size = files + len(found), size + sum(found)
        with suppress(OSError):
            directory.parent.rmdir()  # the job's folder, once its last attempt is gone
    for chunk in (cleaned[i : i + 500] for i in range(0, len(cleaned), 500)):
        session.execute(
            update(JobAttempt)
            .where(JobAttempt.id.in_(chunk))
            .values(trace_path=None, trace_snapshots=None)
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(RunStep)
            .where(RunStep.attempt_id.in_(chunk))
            .values(screenshot_path=None, page_source_path=None)
            .execution_options(synchronize_session=False)
        )
    return Cleanup(attempts=len(cleaned), files=files, bytes=size)


def orphaned_job_folders(session: Session, artifacts_dir: Path) -> list[Path]:
    """The evidence folders of jobs the database no longer has (rows deleted by hand, a database
    started afresh): no row points at them, so :func:`cleanup_artifacts` never reaches them.

    Only folders named like a job id are looked at. It refuses to answer for a database with no
    jobs at all, which is more likely the wrong database than one whose every job was deleted.
    """
    if session.scalar(select(Job.id).limit(1)) is None:
        raise ConfigurationError(
            "the database has no jobs at all: is TANDEM_DATABASE_URL the database these artifacts "
            "belong to? No folder was deleted."
        )
    root = artifacts_dir.resolve()
    if not root.is_dir():
        return []
    candidates = {entry.name: entry for entry in root.iterdir() if _JOB_FOLDER.fullmatch(entry.name)}
    names = list(candidates)
    for chunk in (names[i : i + 500] for i in range(0, len(names), 500)):
        for known in session.scalars(select(Job.id).where(Job.id.in_(chunk))):
            del candidates[known]
    return sorted(candidates.values())


def remove_untouched(folders: list[Path], older_than: timedelta) -> Cleanup:
    """Delete those of ``folders`` in which nothing changed for ``older_than`` (``attempts``
    counts folders). Run it outside any database transaction: it may walk many files."""
    limit = (utcnow() - older_than).timestamp()
    removed, files, size = 0, 0, 0
    for folder in folders:
        found = _untouched_since(folder, limit)
        if found is None:
            continue
        shutil.rmtree(folder, ignore_errors=True)
        if folder.exists():
            log.warning("evidence_not_removed", directory=str(folder))
            continue
        removed, files, size = removed + 1, files + len(found), size + sum(found)
    if removed:
        log.info("orphaned_evidence_removed", folders=removed, files=files, bytes=size)
    return Cleanup(attempts=removed, files=files, bytes=size)


def _untouched_since(folder: Path, limit: float) -> list[int] | None:
    """The sizes of the files under ``folder`` if it is a real folder, readable throughout, and
    neither it nor anything in it changed after ``limit`` (a timestamp); None otherwise."""
    if folder.is_symlink() or not folder.is_dir():
        return None
    errors: list[OSError] = []
    sizes: list[int] = []
    try:
        newest = folder.stat().st_mtime
        for directory, subfolders, names in os.walk(folder, onerror=errors.append):
            for name in subfolders:
                newest = max(newest, os.lstat(os.path.join(directory, name)).st_mtime)
            for name in names:
                stat = os.lstat(os.path.join(directory, name))
                newest = max(newest, stat.st_mtime)
                sizes.append(stat.st_size)
    except OSError as exc:  # gone or changed while walked: leave it for the next run
        errors.append(exc)
    if errors:
        log.warning("evidence_folder_skipped", directory=str(folder), error=str(errors[0]))
        return None
    return sizes if newest < limit else None


def now_ms() -> float:
    return time.perf_counter() * 1000
