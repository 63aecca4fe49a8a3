"""The browser pool's Chromium: replaced when it dies, gone after stop, never orphaned by a killed worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest
from playwright.sync_api import sync_playwright
from sqlalchemy import select

from rpa import queue
from rpa.backoffice import SandboxBackOffice
from rpa.bots import sandbox_targets
from rpa.browser_pool import DISABLED_FEATURES, BrowserPool, _chromium_processes
from rpa.models import Job
from tandem import migrate
from tandem.config import get_settings
from tandem.db import build_engine, transaction
from tests.rpa.bots.support import Sandbox, chromium_under
from tests.support.database import fresh_sqlite_database
from tests.support.servers import REPO_ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def browser_process(pool: BrowserPool) -> psutil.Process:
    """Chromium's main process: the one whose parent is not Chromium."""
    for pid in pool.chromium_pids():
        process = psutil.Process(pid)
        parent = process.parent()
        if parent is not None and "chrom" not in parent.name():
            return process
    raise AssertionError("no Chromium browser process")


class TestPoolChromium:
    def test_killed_chromium_is_replaced_for_the_next_job(self, sandbox: Sandbox) -> None:
        office = SandboxBackOffice(sandbox.pool)
        assert office.get_order("SO-10002") is not None
        launches = sandbox.pool.stats.launches
        victim = browser_process(sandbox.pool)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        order = office.get_order("SO-10002")
        assert order is not None
        assert order.order_id == "SO-10002"
        assert sandbox.pool.stats.launches == launches + 1
        assert victim.pid not in sandbox.pool.chromium_pids()

    def test_stop_leaves_no_chromium(self, sandbox: Sandbox) -> None:
        pool = BrowserPool(sandbox_targets(sandbox.settings)).start()
        assert SandboxBackOffice(pool).get_product("BH-1001") is not None
        processes = [psutil.Process(pid) for pid in pool.chromium_pids()]
        assert processes
        pool.stop()
        _, alive = psutil.wait_procs(processes, timeout=10)
        assert alive == []
        assert not any(psutil.pid_exists(pid) for pid in pool.driver_pids())

    def test_a_fresh_chromium_takes_over_after_relaunch_after_jobs(self, sandbox: Sandbox) -> None:
        pool = BrowserPool(sandbox_targets(sandbox.settings), contexts_per_target=2, relaunch_after=3).start()
        try:
            office = SandboxBackOffice(pool)
            first, first_traces = browser_process(pool), pool.traces_dir
            assert first_traces is not None
            assert first_traces.is_dir()
            with ThreadPoolExecutor(2) as threads:  # jobs in hand while the browser changes
                products = list(threads.map(lambda _: office.get_product("BH-1001"), range(10)))
            assert all(product is not None and product.sku == "BH-1001" for product in products)
            assert pool.stats.launches >= 3  # a fresh one every 3 jobs, whichever jobs overlap
            assert pool.stats.crashes == 0
            first.wait(timeout=10)  # the first Chromium closed once its jobs were done
            assert not first_traces.exists()
        finally:
            pool.stop()

    def test_the_memory_check_reads_the_live_chromium_whole(self, sandbox: Sandbox) -> None:
        """Its browser process and every helper under it: all of the pool's Chromium while one runs."""
        pool = BrowserPool(sandbox_targets(sandbox.settings), memory_check_interval_s=0).start()
        try:
            assert SandboxBackOffice(pool).get_product("BH-1001") is not None
            live = {process.pid for process in _chromium_processes(pool._browser_pids, include_roots=True)}
            assert live == set(pool.chromium_pids())
            assert browser_process(pool).pid in live
            assert pool._chromium_rss_mb() > 0
        finally:
            pool.stop()

    def test_stop_removes_the_traces_folder(self, sandbox: Sandbox) -> None:
        pool = BrowserPool(sandbox_targets(sandbox.settings)).start()
        try:
            traces = pool.traces_dir
            assert traces is not None
            assert traces.is_dir()
        finally:
            pool.stop()
        assert not traces.exists()


def _switch(process: psutil.Process, name: str) -> list[str]:
    """The comma-separated values of the last ``--name=`` switch on the process's command line."""
    values = [arg.split("=", 1)[1] for arg in process.cmdline() if arg.startswith(f"--{name}=")]
    return values[-1].split(",") if values else []


class TestChromiumFeatures:
    def test_our_disabled_features_keep_playwrights_own(self) -> None:
        # Chromium keeps the last --disable-features switch only: ours must repeat Playwright's.
        def launch_and_read() -> list[str]:
            before = {p.pid for p in psutil.Process().children(recursive=True)}
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=get_settings().resolved_chromium_path)
                try:
                    chromium = next(
                        p
                        for p in psutil.Process().children(recursive=True)
                        if p.pid not in before and "chrom" in p.name()
                    )
                    return _switch(chromium, "disable-features")
                finally:
                    browser.close()

        # Its own thread: the sync API refuses a thread where another Playwright (the browser
        # tests' session fixture) already runs its loop.
        with ThreadPoolExecutor(max_workers=1) as pool:
            playwrights = pool.submit(launch_and_read).result(timeout=120)
        assert playwrights
        assert set(playwrights) <= set(DISABLED_FEATURES)

    def test_renderers_run_with_render_document_off(self, sandbox: Sandbox) -> None:
        assert SandboxBackOffice(sandbox.pool).get_product("BH-1001") is not None
        renderers = [
            psutil.Process(pid)
            for pid in sandbox.pool.chromium_pids()
            if "--type=renderer" in psutil.Process(pid).cmdline()
        ]
        assert renderers
        for renderer in renderers:
            assert {"RenderDocument", "PaintHolding"} <= set(_switch(renderer, "disable-features"))


def wait_for(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class TestWorkerProcess:
    def test_no_chromium_outlives_a_killed_or_stopped_worker(self, sandbox: Sandbox, tmp_path: Path) -> None:
        with fresh_sqlite_database(tmp_path / "db") as url:
            migrate.upgrade(url)
            engine = build_engine(url)
            keys = [uuid.uuid4().hex for _ in range(2)]
            with transaction(engine) as session:
                for key in keys:
                    queue.enqueue(
                        session,
                        kind="place_order",
                        idempotency_key=key,
                        payload={"customer_id": "C-004", "sku": "BH-1007", "quantity": 1},
                    )
            env = {
                **os.environ,
                "TANDEM_DATABASE_URL": url,
                "TANDEM_DATA_DIR": str(tmp_path / "var"),
                "TANDEM_SANDBOX_URL": sandbox.server.url,
                "TANDEM_WORKER_CONCURRENCY": "1",
            }
            killed, stopped = (
                subprocess.Popen(
                    [sys.executable, "-m", "tandem.cli", "worker"],
                    env=env,
                    cwd=REPO_ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
                for _ in range(2)
            )
            try:

                def jobs_done() -> bool:
                    with transaction(engine) as session:
                        done = session.scalars(select(Job.status).where(Job.idempotency_key.in_(keys)))
                        return list(done) == ["succeeded"] * 2

                wait_for(jobs_done, 90, "the workers to carry out the jobs")
                chromium = chromium_under(killed.pid) + chromium_under(stopped.pid)
                assert len(chromium) >= 3  # two browsers and at least one renderer
                killed.send_signal(signal.SIGKILL)
                stopped.send_signal(signal.SIGTERM)
                assert (killed.wait(timeout=30), stopped.wait(timeout=30)) == (-signal.SIGKILL, 0)
                _, alive = psutil.wait_procs(chromium, timeout=15)
                assert alive == []
            finally:
                for worker in (killed, stopped):
                    if worker.poll() is None:
                        worker.kill()
                        worker.wait()
                engine.dispose()
        assert [sandbox.count_by_reference("order", key) for key in keys] == [1, 1]


class _Target:
    name = "erp"

    async def sign_in(self, page: object) -> None:  # never called: no browser here
        raise AssertionError


def test_a_browsers_first_contexts_start_part_worn_so_they_are_recycled_one_at_a_time() -> None:
    pool = BrowserPool([_Target()], executable_path="/nonexistent", contexts_per_target=4, recycle_after=50)
    try:
        slots = pool._slots["erp"]
        assert [pool._head_start(slots, 1) for _ in range(6)] == [0, 12, 25, 37, 0, 0]
        # a replaced Chromium starts a new set of contexts
        assert [pool._head_start(slots, 2) for _ in range(5)] == [0, 12, 25, 37, 0]
    finally:
        pool._loop.close()
