"""RPA benchmark: look-up and create-order latency, throughput with warm contexts, memory.

Against a naive baseline measured in the same run: a fresh Chromium and a fresh sign-in for
every job (what a one-script-per-job bot does), with the same queue, steps and evidence
(screenshot per step, trace per attempt); the bot alone without evidence is printed too.
Everything runs on 127.0.0.1 against the sandbox back office this script starts, with its own
product database.

    uv run python -m bench.rpa [--jobs 200] [--contexts 4]   # --jobs 1000 for the full curve
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import psutil
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from rpa import queue
from rpa.backoffice import SandboxBackOffice
from rpa.bots import SandboxErpBot, sandbox_targets
from rpa.browser_pool import BrowserPool, Lease, chromium_memory_bytes, chromium_rss_bytes
from rpa.jobs import PlaceOrder
from rpa.models import Job
from rpa.runner import BotRunner
from rpa.sandbox import seed_sandbox
from rpa.worker import Worker
from tandem import migrate
from tandem.config import Settings
from tandem.db import build_engine, transaction
from tandem.logging import configure_logging

ROOT = Path(__file__).resolve().parents[1]
SKUS = ("BH-1001", "BH-1003", "BH-1005", "BH-1007", "BH-1011", "BH-1016", "BH-1020", "BH-1025")
console = Console()


@dataclass
class Memory:
    """Worker memory samples: (jobs done, RSS MB, PSS MB) of Python + driver + Chromium."""

    samples: list[tuple[int, float, float]] = field(default_factory=list)

    def take(self, pool: BrowserPool, jobs_done: int) -> None:
        me = psutil.Process()
        drivers = [psutil.Process(pid) for pid in pool.driver_pids()]
        rss = me.memory_info().rss + sum(d.memory_info().rss for d in drivers)
        pss = me.memory_full_info().pss + sum(d.memory_full_info().pss for d in drivers)
        roots = pool.driver_pids()
        rss += chromium_rss_bytes(roots)
        pss += chromium_memory_bytes(roots)
        self.samples.append((jobs_done, rss / 2**20, pss / 2**20))


@dataclass
class CpuSplit:
    """CPU seconds of one phase: sandbox server, this Python process, the driver, Chromium."""

    seconds: dict[str, float] = field(default_factory=dict)

    @staticmethod
    def read(pool: BrowserPool, sandbox_pids: list[int]) -> dict[str, float]:
        def total(pids: list[int], with_children: bool = False) -> float:
            spent = 0.0
            for pid in pids:
                try:
                    t = psutil.Process(pid).cpu_times()
                except psutil.Error:
                    continue
                spent += t.user + t.system
                if with_children:  # reaped children (recycled renderers, uvicorn workers)
                    spent += t.children_user + t.children_system
            return spent

        sandbox = sandbox_pids + [c.pid for pid in sandbox_pids for c in _children(pid)]
        chromium = pool.chromium_pids()
        return {
            "sandbox server": total(sandbox, with_children=True),
            "worker Python": total([os.getpid()]),
            "Playwright driver": total(pool.driver_pids()),
            "Chromium": total(chromium, with_children=True),
        }

    def start(self, pool: BrowserPool, sandbox_pids: list[int]) -> None:
        self.seconds = {k: -v for k, v in self.read(pool, sandbox_pids).items()}

    def stop(self, pool: BrowserPool, sandbox_pids: list[int]) -> None:
        for key, value in self.read(pool, sandbox_pids).items():
            self.seconds[key] += value


@dataclass
class _Seen:
    kind: str
    parent: int
    own: float  # CPU seconds of the process itself
    reaped: float  # CPU seconds of its children that exited and were waited for


@dataclass
class ChromiumByType:
    """Chromium CPU seconds of one phase by process type (``--type=…``; none is the browser).

    Renderers of recycled contexts exit during the phase: the zygote that forked them reaps
    them, so their CPU is the growth of the zygote's children times, less what they had
    already spent when the phase started.
    """

    seconds: dict[str, float] = field(default_factory=dict)
    _start: dict[tuple[int, float], _Seen] = field(default_factory=dict)

    @staticmethod
    def read(pool: BrowserPool) -> dict[tuple[int, float], _Seen]:
        seen = {}
        for pid in pool.chromium_pids():
            try:
                process = psutil.Process(pid)
                with process.oneshot():
                    times = process.cpu_times()
                    key = (pid, process.create_time())
                    seen[key] = _Seen(
                        _process_kind(process.cmdline()),
                        process.ppid(),
                        times.user + times.system,
                        times.children_user + times.children_system,
                    )
            except psutil.Error:
                continue
        return seen

    def start(self, pool: BrowserPool) -> None:
        self._start = self.read(pool)

    def stop(self, pool: BrowserPool) -> None:
        end = self.read(pool)
        totals: dict[str, float] = {}
        for key, now in end.items():
            before = self._start.get(key)
            totals[now.kind] = totals.get(now.kind, 0.0) + now.own - (before.own if before else 0.0)
            exited = now.reaped - (before.reaped if before else 0.0)
            # Children gone since the start counted their earlier CPU there already.
            exited -= sum(s.own for k, s in self._start.items() if k not in end and s.parent == key[0])
            if exited > 0:
                label = f"{_children_kind(now.kind)} (exited)"
                totals[label] = totals.get(label, 0.0) + exited
        self.seconds = dict(sorted(totals.items(), key=lambda item: -item[1]))


def _process_kind(cmdline: list[str]) -> str:
    options = dict(arg[2:].split("=", 1) for arg in cmdline if arg.startswith("--") and "=" in arg)
    kind = options.get("type", "browser")
    if kind == "utility":
        sub = options.get("utility-sub-type", "")
        return f"utility {sub.split('.')[0]}" if sub else kind
    return kind


def _children_kind(kind: str) -> str:
    return "renderer" if kind == "zygote" else f"children of {kind}"


def _children(pid: int) -> list[psutil.Process]:
    try:
        return list(psutil.Process(pid).children(recursive=True))
    except psutil.Error:
        return []


SANDBOX_PIDS: list[int] = []


@contextmanager
def sandbox_server(directory: Path) -> Iterator[Settings]:
    """A seeded sandbox with deep stock on a free port; yields settings pointing at it."""
    settings = Settings(data_dir=directory, sandbox_port=_free_port(), artifacts_dir=directory / "artifacts")
    seed_sandbox(settings.resolved_sandbox_db_path)
    with closing(sqlite3.connect(settings.resolved_sandbox_db_path)) as db:
        db.execute("UPDATE products SET stock = 1000000")
        db.commit()
    env = {
        **os.environ,
        "TANDEM_DATA_DIR": str(directory),
        "TANDEM_SANDBOX_PORT": str(settings.sandbox_port),
        "TANDEM_LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "rpa.sandbox"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    SANDBOX_PIDS[:] = [process.pid]
    try:
        _wait_until_up(settings.resolved_sandbox_url + "/healthz", process)
        yield settings
    finally:
        process.terminate()
        process.wait(timeout=10)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the sandbox exited before answering")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer")


def place_order_payload(n: int) -> dict[str, object]:
    return {"customer_id": f"C-{n % 16 + 1:03d}", "sku": SKUS[n % len(SKUS)], "quantity": 1}


def enqueue_orders(engine: Engine, count: int) -> None:
    with transaction(engine) as session:
        for n in range(count):
            queue.enqueue(
                session,
                kind="place_order",
                payload=place_order_payload(n),
                idempotency_key=f"bench-{uuid.uuid4().hex}",
            )


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def p50(values: list[float]) -> float:
    return statistics.median(values)


def bench_lookups(pool: BrowserPool, count: int) -> list[float]:
    office = SandboxBackOffice(pool)
    office.get_order("SO-10001")  # warm: catalogue read once per context
    return [timed(partial(office.get_order, f"SO-{10001 + n % 60}")) for n in range(count)]


def bench_creates(worker: Worker, engine: Engine, count: int) -> list[float]:
    enqueue_orders(engine, count)
    times = [timed(worker.run_once) for _ in range(count)]
    _check_all_succeeded(engine)
    return times


def bench_throughput(
    worker: Worker,
    engine: Engine,
    pool: BrowserPool,
    jobs: int,
    threads: int,
    memory: Memory,
    cpu: CpuSplit,
    by_type: ChromiumByType,
) -> float:
    enqueue_orders(engine, jobs)
    done = [0]
    lock = threading.Lock()

    def drain() -> None:
        while worker.run_once() is not None:
            with lock:
                done[0] += 1

    memory.take(pool, 0)
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(2.0):
            memory.take(pool, done[0])

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    cpu.start(pool, SANDBOX_PIDS)
    by_type.start(pool)
    started = time.perf_counter()
    runners = [threading.Thread(target=drain) for _ in range(threads)]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join()
    elapsed = time.perf_counter() - started
    cpu.stop(pool, SANDBOX_PIDS)
    by_type.stop(pool)
    stop.set()
    sampler.join()
    memory.take(pool, done[0])
    _check_all_succeeded(engine)
    return done[0] / elapsed


def bench_naive(settings: Settings, engine: Engine, count: int, runner_options: dict[str, Any]) -> float:
    """Jobs/s with a fresh Chromium and sign-in per job, one job after another.

    The naive bot does what the warm one does (claims the job, same steps, a screenshot per
    step, a trace per attempt, evidence rows) except that it launches Chromium and signs in
    for every job.
    """
    enqueue_orders(engine, count)
    started = time.perf_counter()
    for _ in range(count):
        with BrowserPool(
            sandbox_targets(settings), executable_path=settings.resolved_chromium_path, contexts_per_target=1
        ) as pool:
            runner = BotRunner(pool, settings, engine, **runner_options)
            Worker(handlers=runner.handlers(), engine=engine).run_once()
    elapsed = time.perf_counter() - started
    _check_all_succeeded(engine)
    return count / elapsed


def bench_naive_bare(settings: Settings, count: int) -> float:
    """The former baseline: a fresh Chromium and sign-in per job, the bot alone (no evidence, no queue)."""
    started = time.perf_counter()
    for n in range(count):
        with BrowserPool(
            sandbox_targets(settings), executable_path=settings.resolved_chromium_path, contexts_per_target=1
        ) as pool:
            payload = PlaceOrder.model_validate(place_order_payload(n))

            async def work(lease: Lease, payload: PlaceOrder = payload) -> object:
                return await SandboxErpBot(pool, lease).run_job(payload, f"naive-{uuid.uuid4().hex}")

            pool.run("sandbox_erp", work)
    return count / (time.perf_counter() - started)


def _check_all_succeeded(engine: Engine) -> None:
    with transaction(engine) as session:
        failed = session.scalar(select(func.count()).select_from(Job).where(Job.status != queue.SUCCEEDED))
    if failed:
        raise RuntimeError(f"{failed} benchmark job(s) did not succeed")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=200, help="consequential jobs for throughput and memory")
    parser.add_argument("--contexts", type=int, default=4, help="warm contexts (and worker threads)")
    parser.add_argument("--lookups", type=int, default=40)
    parser.add_argument("--creates", type=int, default=20)
    parser.add_argument("--naive", type=int, default=8, help="jobs for the fresh-browser baseline")
    parser.add_argument("--no-traces", action="store_true", help="no Playwright trace per attempt")
    parser.add_argument("--no-screenshots", action="store_true", help="no screenshot per step")
    args = parser.parse_args()
    configure_logging("WARNING", json=False)

    with (
        tempfile.TemporaryDirectory(prefix="tandem-bench-rpa-") as tmp,
        sandbox_server(Path(tmp)) as settings,
    ):
        url = f"sqlite:///{Path(tmp) / 'tandem.db'}"
        migrate.upgrade(url)
        engine = build_engine(url)
        memory = Memory()
        cpu = CpuSplit()
        by_type = ChromiumByType()
        runner_options: dict[str, Any] = {
            "trace_sample_rate": 0.05,
            "traces": not args.no_traces,
            "screenshots": not args.no_screenshots,
        }
        console.print(f"Chromium: {settings.resolved_chromium_path}")
        with BrowserPool(
            sandbox_targets(settings),
            executable_path=settings.resolved_chromium_path,
            contexts_per_target=args.contexts,
        ) as pool:
            runner = BotRunner(pool, settings, engine, **runner_options)
            worker = Worker(handlers=runner.handlers(), engine=engine)
            console.print("[bold]look-ups[/] …")
            lookups = bench_lookups(pool, args.lookups)
            console.print("[bold]create order[/] …")
            creates = bench_creates(worker, engine, args.creates)
            console.print(f"[bold]throughput[/] over {args.jobs} jobs with {args.contexts} contexts …")
            throughput = bench_throughput(
                worker, engine, pool, args.jobs, args.contexts, memory, cpu, by_type
            )
        console.print("[bold]naive baseline[/] …")
        naive = bench_naive(settings, engine, args.naive, runner_options) if args.naive else float("nan")
        bare = bench_naive_bare(settings, args.naive) if args.naive else float("nan")
        engine.dispose()
    report(lookups, creates, throughput, naive, bare, memory, cpu, by_type, args)


def report(
    lookups: list[float],
    creates: list[float],
    throughput: float,
    naive: float,
    bare: float,
    memory: Memory,
    cpu: CpuSplit,
    by_type: ChromiumByType,
    args: argparse.Namespace,
) -> None:
    peak_rss = max(rss for _, rss, _ in memory.samples)
    peak_pss = max(pss for _, _, pss in memory.samples)
    table = Table(title=f"RPA bots — sandbox on 127.0.0.1, {os.cpu_count()} CPU(s)")
    for column in ("measure", "value", "target", "ok"):
        table.add_column(column)

    def row(name: str, value: str, target: str, ok: bool) -> None:
        table.add_row(name, value, target, "yes" if ok else "NO")

    row("order look-up p50 (warm context)", f"{p50(lookups):.0f} ms", "≤ 400 ms", p50(lookups) <= 400)
    row("create order p50 (with evidence)", f"{p50(creates):.0f} ms", "≤ 1500 ms", p50(creates) <= 1500)
    row(f"throughput, {args.contexts} contexts", f"{throughput:.2f} jobs/s", "≥ 3 jobs/s", throughput >= 3)
    row("naive baseline (fresh browser + sign-in, same evidence)", f"{naive:.2f} jobs/s", "", True)
    row("throughput ÷ naive", f"{throughput / naive:.1f}×", "≥ 5×", throughput / naive >= 5)
    row("naive bot alone (no queue, no screenshots, no trace)", f"{bare:.2f} jobs/s", "", True)
    row("throughput ÷ naive bot alone", f"{throughput / bare:.1f}×", "", True)
    row(f"worker RSS peak over {args.jobs} jobs", f"{peak_rss:.0f} MB", "< 1200 MB", peak_rss < 1200)
    row("worker PSS peak (shared pages once)", f"{peak_pss:.0f} MB", "", True)
    console.print(table)
    curve = Table(title="worker memory over the run")
    for column in ("jobs done", "RSS MB", "PSS MB"):
        curve.add_column(column, justify="right")
    step = max(1, len(memory.samples) // 12)
    for jobs_done, rss, pss in memory.samples[::step] + memory.samples[-1:]:
        curve.add_row(str(jobs_done), f"{rss:.0f}", f"{pss:.0f}")
    console.print(curve)
    split = Table(title=f"CPU during the throughput run ({args.jobs} jobs)")
    for column in ("component", "CPU s", "CPU ms per job"):
        split.add_column(column, justify="right")
    for name, seconds in cpu.seconds.items():
        split.add_row(name, f"{seconds:.1f}", f"{seconds * 1000 / args.jobs:.0f}")
    for name, seconds in by_type.seconds.items():
        split.add_row(f"  Chromium {name}", f"{seconds:.1f}", f"{seconds * 1000 / args.jobs:.0f}")
    console.print(split)
    console.print(f"machine load average at the end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
