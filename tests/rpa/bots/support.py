"""A real sandbox server with a browser pool on it, and ways to look into its database."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from rpa.bots import Bot, sandbox_targets
from rpa.browser_pool import BrowserPool, Lease
from rpa.evidence import RunRecorder
from rpa.jobs import JobPayload
from tandem.config import Settings
from tests.support.servers import RunningServer, free_port, run_server

REFERENCE_TABLES = {"order": "sales_orders", "rma": "return_authorizations", "document": "documents"}


@dataclass
class Sandbox:
    """A running sandbox back office and a warm pool of bots signed in to it."""

    server: RunningServer
    settings: Settings
    pool: BrowserPool

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Rows from the sandbox's own database file."""
        with closing(sqlite3.connect(self.settings.resolved_sandbox_db_path)) as connection:
            return connection.execute(sql, params).fetchall()

    def count_by_reference(self, kind: str, reference: str) -> int:
        """How many orders, RMAs or documents carry ``reference``."""
        table = REFERENCE_TABLES[kind]
        return int(self.query(f"SELECT count(*) FROM {table} WHERE reference = ?", reference)[0][0])

    def order_status(self, order_id: str) -> str:
        return str(self.query("SELECT status FROM sales_orders WHERE id = ?", order_id)[0][0])

    def run(
        self, bot_class: type[Bot], payload: JobPayload, key: str, recorder: RunRecorder | None = None
    ) -> dict[str, Any]:
        """Run one job with a bot on a warm context, outside the job queue."""

        async def work(lease: Lease) -> dict[str, Any]:
            bot = bot_class(
                self.pool, lease, recorder=recorder, artifacts_dir=self.settings.resolved_artifacts_dir
            )
            return await bot.run_job(payload, key)

        return self.pool.run(bot_class.target_name, work, timeout=60)


@contextmanager
def running_sandbox(directory: Path, contexts: int = 2, **faults: str) -> Iterator[Sandbox]:
    """``python -m rpa.sandbox`` on a free port (with ``TANDEM_SANDBOX_FAULT_<NAME>`` faults) and a pool."""
    port = free_port()
    env = {"TANDEM_SANDBOX_PORT": str(port), "TANDEM_DATA_DIR": str(directory / "var")}
    env |= {f"TANDEM_SANDBOX_FAULT_{name.upper()}": value for name, value in faults.items()}
    with run_server(
        ["rpa.sandbox"], port=port, health_path="/healthz", env=env, log_dir=directory / "logs"
    ) as server:
        settings = Settings(
            data_dir=directory / "var", sandbox_port=port, artifacts_dir=directory / "artifacts"
        )
        pool = BrowserPool(sandbox_targets(settings), contexts_per_target=contexts).start()
        try:
            yield Sandbox(server, settings, pool)
        finally:
            pool.stop()


def chromium_under(pid: int) -> list[psutil.Process]:
    """The Chromium processes descending from ``pid``."""
    found = []
    for child in psutil.Process(pid).children(recursive=True):
        try:
            if "chrom" in child.name():
                found.append(child)
        except psutil.Error:
            continue
    return found
