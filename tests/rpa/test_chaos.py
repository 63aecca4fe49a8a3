"""Chaos acceptance: 50 consequential jobs against a faulty back office while the worker is SIGKILLed.

The sandbox answers 20 % of its screens with 500, adds up to 2 s of latency to every request,
expires sessions after a few seconds and shows a surprise modal; the worker process
(``tandem worker``, 8 job threads, one Chromium) is killed with SIGKILL three times and
started again each time. Every job must end ``succeeded`` or ``needs_review``, the ERP must
show each effect exactly once (at most once for a job left to review), and no Chromium of
any worker may outlive it.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from rpa import queue
from rpa.models import Job
from rpa.sandbox import seed_sandbox
from tandem import migrate
from tandem.db import build_engine, transaction
from tests.support.database import fresh_sqlite_database
from tests.support.servers import REPO_ROOT, free_port, run_server

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.e2e]

FAULTS = {
    "TANDEM_SANDBOX_FAULT_ERROR_RATE": "0.2",
    "TANDEM_SANDBOX_FAULT_LATENCY_MS": "2000",
    "TANDEM_SANDBOX_FAULT_SESSION_TTL_S": "20",
    "TANDEM_SANDBOX_FAULT_MODAL_RATE": "0.2",
}
KILL_AFTER_SETTLED = (8, 20, 32)  # SIGKILL the worker once this many jobs have ended
PENDING = ("SO-10049", "SO-10050", "SO-10051", "SO-10052", "SO-10054", "SO-10056", "SO-10059", "SO-10060")
PROCESSING = ("SO-10035", "SO-10039", "SO-10041", "SO-10042", "SO-10043", "SO-10044", "SO-10046", "SO-10058")
DELIVERED = (
    "SO-10001",
    "SO-10002",
    "SO-10003",
    "SO-10007",
    "SO-10008",
    "SO-10011",
    "SO-10013",
    "SO-10015",
    "SO-10017",
    "SO-10018",
)
SKUS = ("BH-1001", "BH-1003", "BH-1005", "BH-1007", "BH-1011", "BH-1016", "BH-1020")
FINAL = {queue.SUCCEEDED, queue.NEEDS_REVIEW, queue.FAILED, queue.CANCELLED}


@dataclass(frozen=True)
class Planned:
    kind: str
    payload: dict[str, Any]
    key: str


def plan_jobs(files: Path) -> list[Planned]:
    """14 orders, 8 cancellations, 8 address changes, 10 returns, 10 documents: 50 jobs, no conflicts."""
    files.mkdir(parents=True, exist_ok=True)
    jobs: list[tuple[str, dict[str, Any]]] = []
    for n in range(14):
        jobs.append(
            ("place_order", {"customer_id": f"C-{n + 1:03d}", "sku": SKUS[n % len(SKUS)], "quantity": 1})
        )
    jobs += [("cancel_order", {"order_id": order_id}) for order_id in PENDING]
    jobs += [
        ("change_address", {"order_id": order_id, "address": f"Chaos Road {n + 1}, 00100 Nairobi, Kenya"})
        for n, order_id in enumerate(PROCESSING)
    ]
    jobs += [("return_item", {"order_id": order_id, "reason": "defective"}) for order_id in DELIVERED]
    for n in range(10):
        path = files / f"photo-{n}.jpg"
        path.write_bytes(b"\xff\xd8\xff\xe0 chaos photo %d" % n)
        jobs.append(
            (
                "file_document",
                {
                    "customer_id": f"C-{n + 1:03d}",
                    "doc_type": "damage_photo",
                    "filename": path.name,
                    "file_path": str(path),
                    "notes": "chaos test",
                },
            )
        )
    # Interleave the kinds so every kill finds a mix of jobs in flight.
    order = sorted(range(len(jobs)), key=lambda i: (i * 7) % len(jobs))
    return [Planned(jobs[i][0], jobs[i][1], f"chaos-{uuid.uuid4().hex}") for i in order]


class ErpDatabase:
    """Counts of what the jobs did, read straight from the sandbox's SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def count(self, sql: str, *params: object) -> int:
        with closing(sqlite3.connect(self.path)) as db:
            return int(db.execute(sql, params).fetchone()[0])

    def effects(self, job: Planned) -> int:
        """How many times the ERP shows this job's effect."""
        if job.kind == "place_order":
            return self.count("SELECT count(*) FROM sales_orders WHERE reference = ?", job.key)
        if job.kind == "return_item":
            return self.count("SELECT count(*) FROM return_authorizations WHERE reference = ?", job.key)
        if job.kind == "file_document":
            return self.count("SELECT count(*) FROM documents WHERE reference = ?", job.key)
        order_id = job.payload["order_id"]
        if job.kind == "cancel_order":
            return self.count(
                "SELECT count(*) FROM order_events WHERE order_id = ? AND action = 'cancelled'", order_id
            )
        assert job.kind == "change_address"
        return self.count(
            "SELECT count(*) FROM order_events WHERE order_id = ? AND action = 'address_changed'", order_id
        )


@contextmanager
def faulty_sandbox(directory: Path) -> Iterator[tuple[str, ErpDatabase]]:
    """The sandbox with every fault on, stock deep enough for all the orders."""
    data_dir = directory / "sandbox"
    db_path = data_dir / "sandbox.db"
    seed_sandbox(db_path)
    with closing(sqlite3.connect(db_path)) as db:
        db.execute("UPDATE products SET stock = 10000")
        db.commit()
    port = free_port()
    env = {"TANDEM_SANDBOX_PORT": str(port), "TANDEM_DATA_DIR": str(data_dir), **FAULTS}
    with run_server(
        ["rpa.sandbox"], port=port, health_path="/healthz", env=env, log_dir=directory / "logs"
    ) as server:
        yield server.url, ErpDatabase(db_path)


class WorkerProcesses:
    """``tandem worker`` processes started one after another, each tagged so its Chromium can be found."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env, self.log_dir = env, log_dir
        self.marker = f"chaos-{uuid.uuid4().hex}"
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        log = (self.log_dir / f"worker-{len(self.started)}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "tandem.cli", "worker"],
            env={**os.environ, **self.env, "TANDEM_CHAOS_MARKER": self.marker},
            cwd=REPO_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.started.append(process)
        return process

    def tagged_processes(self) -> list[psutil.Process]:
        """Every live process these workers started (Python, driver, Chromium), by its environment."""
        found = []
        for process in psutil.process_iter():
            try:
                if process.environ().get("TANDEM_CHAOS_MARKER") == self.marker:
                    found.append(process)
            except psutil.Error:
                continue
        return found

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.kill()
                process.wait()


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 780.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.25)


def statuses(engine: Engine) -> dict[str, str]:
    with transaction(engine) as session:
        rows = session.execute(select(Job.idempotency_key, Job.status)).all()
    return {str(key): str(status) for key, status in rows}


def enqueue_all(engine: Engine, jobs: list[Planned]) -> None:
    with transaction(engine) as session:
        for job in jobs:
            queue.enqueue(
                session, kind=job.kind, payload=job.payload, idempotency_key=job.key, max_attempts=6
            )


@pytest.mark.timeout(900)
def test_fifty_jobs_survive_faults_and_three_sigkills_with_each_effect_once(tmp_path: Path) -> None:
    jobs = plan_jobs(tmp_path / "files")
    assert Counter(job.kind for job in jobs) == {
        "place_order": 14,
        "cancel_order": 8,
        "change_address": 8,
        "return_item": 10,
        "file_document": 10,
    }
    with faulty_sandbox(tmp_path) as (sandbox_url, erp), fresh_sqlite_database(tmp_path / "db") as url:
        migrate.upgrade(url)
        engine = build_engine(url)
        enqueue_all(engine, jobs)
        workers = WorkerProcesses(
            {
                "TANDEM_DATABASE_URL": url,
                "TANDEM_DATA_DIR": str(tmp_path / "var"),
                "TANDEM_SANDBOX_URL": sandbox_url,
                "TANDEM_WORKER_CONCURRENCY": "8",
                "TANDEM_WORKER_LEASE_SECONDS": "6",
                "TANDEM_WORKER_RETRY_BASE_SECONDS": "0.2",
                "TANDEM_WORKER_RETRY_CAP_SECONDS": "2",
                "TANDEM_LOG_LEVEL": "WARNING",
            },
            tmp_path,
        )
        kills: list[tuple[int, list[int]]] = []  # (jobs ended at the kill, Chromium pids then)
        try:
            worker = workers.start()
            for threshold in KILL_AFTER_SETTLED:

                def settled(n: int = threshold) -> bool:
                    return sum(s in FINAL for s in statuses(engine).values()) >= n

                wait_for(settled, f"{threshold} jobs to end")
                chromium = [p.pid for p in workers.tagged_processes() if "chrom" in p.name()]
                in_flight = list(statuses(engine).values()).count(queue.RUNNING)
                worker.send_signal(signal.SIGKILL)
                assert worker.wait(timeout=30) == -signal.SIGKILL
                kills.append((in_flight, chromium))
                worker = workers.start()

            def all_ended() -> bool:
                return all(s in FINAL for s in statuses(engine).values())

            wait_for(all_ended, "every job to end")
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=60) == 0
        finally:
            workers.stop_all()
            ended = statuses(engine)
            engine.dispose()

        logs = "\n".join(path.read_text(errors="replace")[-3000:] for path in tmp_path.glob("worker-*.log"))
        assert len(kills) == 3
        assert all(chromium for _, chromium in kills), "each killed worker had its Chromium running"
        assert sum(in_flight for in_flight, _ in kills) > 0, "the kills landed while jobs were running"

        outcome = Counter(ended.values())
        assert set(outcome) <= {queue.SUCCEEDED, queue.NEEDS_REVIEW}, (outcome, logs)
        effects = {job.key: erp.effects(job) for job in jobs}
        for job in jobs:
            if ended[job.key] == queue.SUCCEEDED:
                assert effects[job.key] == 1, (job, effects[job.key])
            else:
                assert effects[job.key] <= 1, (job, effects[job.key])
        assert outcome[queue.SUCCEEDED] >= 45, outcome  # review is the exception, not the rule

        # Nothing any of the four workers started is left: no Chromium, no driver.
        def none_left() -> bool:
            return not workers.tagged_processes()

        wait_for(none_left, "the workers' processes to go away", timeout=30)
