"""RPA benchmark: look-up and create-order latency, throughput with warm contexts, memory.

Against a naive baseline measured in the same run: a fresh Chromium and a fresh sign-in for
every job (what a one-script-per-job bot does), with the same queue, steps and evidence
(screenshot per step, trace per attempt); the bot alone without evidence is printed too.
Everything runs on 127.0.0.1 against the sandbox back office this script starts, with its own
product database.

The warm throughput load and the naive loads alternate in ``--rounds`` stretches (naive, warm,
warm, naive, naive, warm, …): this virtual machine's speed drifts within minutes (the naive
figure alone varied 0.64–0.74 jobs/s between runs), and alternating exposes both figures to the
same drift. Each figure is its jobs summed over its stretches divided by their summed time; the
warm pool stays up across its stretches, so the memory curve covers all ``--jobs`` jobs.

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
from sqlalchemy import select
from sqlalchemy.engine import Engine

from rpa import queue
from rpa.backoffice import SandboxBackOffice
from rpa.bots import SandboxErpBot, sandbox_targets
from rpa.browser_pool import BrowserPool, Lease, chromium_memory_bytes, chromium_rss_bytes
from rpa.evidence import TRACE_SNAPSHOTS
from rpa.jobs import PlaceOrder
from rpa.models import Job
from rpa.runner import BotRunner
from rpa.sandbox import seed_sandbox
from rpa.worker import Worker
from tandem import migrate
from tandem.config import Settings, get_settings
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
    """CPU seconds of a phase, summed over its stretches: sandbox server, this Python process, the
    driver, Chromium."""

    seconds: dict[str, float] = field(default_factory=dict)
    _start: dict[str, float] = field(default_factory=dict)

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
        self._start = self.read(pool, sandbox_pids)

    def stop(self, pool: BrowserPool, sandbox_pids: list[int]) -> None:
        for key, value in self.read(pool, sandbox_pids).items():
            self.seconds[key] = self.seconds.get(key, 0.0) + value - self._start.get(key, 0.0)


@dataclass
class _Seen:
    kind: str
    parent: int
    own: float  # CPU seconds of the process itself
    reaped: float  # CPU seconds of its children that exited and were waited for


@dataclass
class ChromiumByType:
    """Chromium CPU seconds of a phase by process type (``--type=…``; none is the browser), summed
    over its stretches.

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
        totals = dict(self.seconds)
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
    check_all_succeeded(engine)
    return times


@dataclass
class Stretches:
    """One load measured in several stretches: its rate is summed jobs over summed seconds."""

    name: str
    jobs: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    load_average: list[float] = field(default_factory=list)  # 1-minute load at the end of each

    def add(self, jobs: int, seconds: float) -> None:
        self.jobs.append(jobs)
        self.seconds.append(seconds)
        self.load_average.append(os.getloadavg()[0])

    @property
    def rate(self) -> float:
        """Jobs/s over every stretch (NaN when it never ran)."""
        return sum(self.jobs) / sum(self.seconds) if sum(self.seconds) else float("nan")

    def rates(self) -> list[float]:
        """Jobs/s of each stretch."""
        return [
            jobs / seconds if seconds else float("nan")
            for jobs, seconds in zip(self.jobs, self.seconds, strict=True)
        ]


def split(total: int, rounds: int) -> list[int]:
    """``total`` jobs in ``rounds`` stretches as even as whole jobs allow, larger ones first."""
    share, extra = divmod(total, rounds)
    return [share + (1 if n < extra else 0) for n in range(rounds)]


def round_order(number: int) -> tuple[str, str]:
    """Which load goes first in round ``number`` (from 0): naive, warm, then warm, naive, …

    Taking turns at who goes first (ABBA) cancels a steady drift of the machine's speed across
    a pair of rounds, which a fixed order would charge to one of the loads.
    """
    return ("naive", "warm") if number % 2 == 0 else ("warm", "naive")


def drain(worker: Worker, threads: int, on_job: Callable[[], None] | None = None) -> float:
    """Run the queued jobs on ``threads`` threads until none is left; the seconds it took."""

    def run() -> None:
        while worker.run_once() is not None:
            if on_job is not None:
                on_job()

    started = time.perf_counter()
    runners = [threading.Thread(target=run) for _ in range(threads)]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join()
    return time.perf_counter() - started


def bench_throughput(
    worker: Worker,
    engine: Engine,
    pool: BrowserPool,
    jobs: int,
    threads: int,
    memory: Memory,
    cpu: CpuSplit,
    by_type: ChromiumByType,
    warm: Stretches,
) -> None:
    """One stretch of the warm load: ``jobs`` jobs drained by ``threads`` threads on the pool."""
    enqueue_orders(engine, jobs)
    before = sum(warm.jobs)
    done = [0]
    lock = threading.Lock()

    def count() -> None:
        with lock:
            done[0] += 1

    memory.take(pool, before)
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(2.0):
            memory.take(pool, before + done[0])

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    cpu.start(pool, SANDBOX_PIDS)
    by_type.start(pool)
    elapsed = drain(worker, threads, on_job=count)
    cpu.stop(pool, SANDBOX_PIDS)
    by_type.stop(pool)
    stop.set()
    sampler.join()
    memory.take(pool, before + done[0])
    check_all_succeeded(engine)
    warm.add(done[0], elapsed)


def naive_jobs(settings: Settings, engine: Engine, count: int, runner_options: dict[str, Any]) -> float:
    """Run ``count`` queued jobs one after another, each with a fresh driver, Chromium and sign-in
    (what a one-script-per-job bot does); the seconds it took."""
    started = time.perf_counter()
    for _ in range(count):
        with BrowserPool(
            sandbox_targets(settings), executable_path=settings.resolved_chromium_path, contexts_per_target=1
        ) as pool:
            runner = BotRunner(pool, settings, engine, **runner_options)
            Worker(handlers=runner.handlers(), engine=engine).run_once()
    return time.perf_counter() - started


def bench_naive(
    settings: Settings, engine: Engine, count: int, runner_options: dict[str, Any], naive: Stretches
) -> None:
    """One stretch of jobs with a fresh Chromium and sign-in per job, one job after another.

    The naive bot does what the warm one does (claims the job, same steps, a screenshot per
    step, a trace per attempt, evidence rows) except that it launches Chromium and signs in
    for every job.
    """
    enqueue_orders(engine, count)
    elapsed = naive_jobs(settings, engine, count, runner_options)
    check_all_succeeded(engine)
    naive.add(count, elapsed)


def bench_naive_bare(settings: Settings, count: int, bare: Stretches) -> None:
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
    bare.add(count, time.perf_counter() - started)


def check_all_succeeded(engine: Engine) -> None:
    """Raise unless every job of the run succeeded (a figure over failed jobs means nothing)."""
    with transaction(engine) as session:
        failed = session.scalars(select(Job).where(Job.status != queue.SUCCEEDED)).all()
        if failed:
            first = failed[0]
            raise RuntimeError(
                f"{len(failed)} benchmark job(s) did not succeed, e.g. {first.kind}: {first.error_message}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=200, help="consequential jobs for throughput and memory")
    parser.add_argument("--contexts", type=int, default=4, help="warm contexts (and worker threads)")
    parser.add_argument("--lookups", type=int, default=40)
    parser.add_argument("--creates", type=int, default=20)
    parser.add_argument(
        "--naive", type=int, default=16, help="jobs for the fresh-browser baseline, over all rounds"
    )
    parser.add_argument(
        "--bare",
        type=int,
        default=None,
        help="bot-alone baseline jobs, over all rounds (default: --naive)",
    )
    parser.add_argument(
        "--rounds", type=int, default=4, help="the warm and the naive loads alternate in this many stretches"
    )
    parser.add_argument("--no-traces", action="store_true", help="no Playwright trace per attempt")
    parser.add_argument(
        "--trace-snapshots",
        choices=TRACE_SNAPSHOTS,
        default=get_settings().trace_snapshots,
        help="DOM snapshots and network in the traces: on retries and sampled attempts, or always",
    )
    parser.add_argument("--no-screenshots", action="store_true", help="no screenshot per step")
    args = parser.parse_args()
    if args.bare is None:
        args.bare = args.naive
    if args.rounds < 1 or args.jobs < args.rounds:
        parser.error("--rounds must be at least 1 and at most --jobs")
    if any(0 < count < args.rounds for count in (args.naive, args.bare)):
        parser.error("--naive and --bare must be 0 or at least --rounds (a job per stretch)")
    configure_logging("WARNING", json=False)

    warm, naive, bare = Stretches("warm"), Stretches("naive"), Stretches("bare")
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
            "trace_snapshots": args.trace_snapshots,
            "traces": not args.no_traces,
            "screenshots": not args.no_screenshots,
        }
        console.print(f"Chromium: {settings.resolved_chromium_path}")
        console.print(
            "evidence: "
            + ("no screenshots" if args.no_screenshots else "a screenshot per step")
            + ", "
            + (
                "no traces"
                if args.no_traces
                else f"a trace per attempt, DOM snapshots {args.trace_snapshots}"
            )
        )
        with BrowserPool(
            sandbox_targets(settings),
            executable_path=settings.resolved_chromium_path,
            contexts_per_target=args.contexts,
            # One Chromium for the whole run, so the CPU split can be read off its process tree.
            # In production a fresh one takes over every 500 jobs: one launch, ~170 ms of CPU
            # (launch, a context, close; measured), i.e. ~0.3 ms per job.
            relaunch_after=10**9,
        ) as pool:
            runner = BotRunner(pool, settings, engine, **runner_options)
            worker = Worker(handlers=runner.handlers(), engine=engine)
            console.print("[bold]look-ups[/] …")
            lookups = bench_lookups(pool, args.lookups)
            console.print("[bold]create order[/] …")
            creates = bench_creates(worker, engine, args.creates)
            shares = zip(
                split(args.jobs, args.rounds),
                split(args.naive, args.rounds),
                split(args.bare, args.rounds),
                strict=True,
            )
            for number, (warm_jobs, naive_jobs, bare_jobs) in enumerate(shares):
                for load in round_order(number):
                    if load == "warm":
                        console.print(
                            f"round {number + 1}/{args.rounds}: [bold]throughput[/] over {warm_jobs} jobs "
                            f"with {args.contexts} contexts …"
                        )
                        bench_throughput(
                            worker, engine, pool, warm_jobs, args.contexts, memory, cpu, by_type, warm
                        )
                        continue
                    console.print(
                        f"round {number + 1}/{args.rounds}: [bold]naive baselines[/] over {naive_jobs} + "
                        f"{bare_jobs} jobs …"
                    )
                    if naive_jobs:
                        bench_naive(settings, engine, naive_jobs, runner_options, naive)
                    if bare_jobs:
                        bench_naive_bare(settings, bare_jobs, bare)
        engine.dispose()
    report(lookups, creates, warm, naive, bare, memory, cpu, by_type, args)


def report(
    lookups: list[float],
    creates: list[float],
    warm: Stretches,
    naive: Stretches,
    bare: Stretches,
    memory: Memory,
    cpu: CpuSplit,
    by_type: ChromiumByType,
    args: argparse.Namespace,
) -> None:
    peak_rss = max(rss for _, rss, _ in memory.samples)
    peak_pss = max(pss for _, _, pss in memory.samples)
    jobs = sum(warm.jobs)
    rounds = len(warm.jobs)
    throughput, ratio = warm.rate, warm.rate / naive.rate
    table = Table(title=f"RPA bots — sandbox on 127.0.0.1, {os.cpu_count()} CPU(s)")
    for column in ("measure", "value", "target", "ok"):
        table.add_column(column)

    def row(name: str, value: str, target: str, ok: bool) -> None:
        table.add_row(name, value, target, "yes" if ok else "NO")

    row("order look-up p50 (warm context)", f"{p50(lookups):.0f} ms", "≤ 400 ms", p50(lookups) <= 400)
    row("create order p50 (with evidence)", f"{p50(creates):.0f} ms", "≤ 1500 ms", p50(creates) <= 1500)
    row(
        f"throughput, {args.contexts} contexts ({jobs} jobs in {rounds} stretches)",
        f"{throughput:.2f} jobs/s",
        "≥ 3 jobs/s",
        throughput >= 3,
    )
    row(
        f"naive baseline (fresh browser + sign-in, same evidence; {sum(naive.jobs)} jobs, alternated)",
        f"{naive.rate:.2f} jobs/s",
        "",
        True,
    )
    row("throughput ÷ naive (summed stretches)", f"{ratio:.2f}×", "≥ 5×", ratio >= 5)
    per_round = (
        [w / n for w, n in zip(warm.rates(), naive.rates(), strict=True)] if naive.jobs else [float("nan")]
    )
    row("  the same per round, lowest – highest", f"{min(per_round):.2f} – {max(per_round):.2f}×", "", True)
    row("naive bot alone (no queue, no screenshots, no trace)", f"{bare.rate:.2f} jobs/s", "", True)
    row("throughput ÷ naive bot alone", f"{throughput / bare.rate:.1f}×", "", True)
    row(f"worker RSS peak over {jobs} jobs", f"{peak_rss:.0f} MB", "< 1200 MB", peak_rss < 1200)
    row("worker PSS peak (shared pages once)", f"{peak_pss:.0f} MB", "", True)
    console.print(table)
    stretches = Table(title="the alternated stretches (naive and warm take turns at going first)")
    for column in ("round", "first", "warm jobs/s", "naive jobs/s", "ratio", "bare jobs/s", "load 1 min"):
        stretches.add_column(column, justify="right")
    naive_rates, bare_rates = naive.rates(), bare.rates()
    for n, warm_rate in enumerate(warm.rates()):
        naive_rate = naive_rates[n] if n < len(naive_rates) else float("nan")
        bare_rate = bare_rates[n] if n < len(bare_rates) else float("nan")
        stretches.add_row(
            str(n + 1),
            round_order(n)[0],
            f"{warm_rate:.2f}",
            f"{naive_rate:.2f}",
            f"{warm_rate / naive_rate:.2f}×",
            f"{bare_rate:.2f}",
            f"{warm.load_average[n]:.1f}",
        )
    console.print(stretches)
    curve = Table(title="worker memory over the run")
    for column in ("jobs done", "RSS MB", "PSS MB"):
        curve.add_column(column, justify="right")
    step = max(1, len(memory.samples) // 12)
    for jobs_done, rss, pss in memory.samples[::step] + memory.samples[-1:]:
        curve.add_row(str(jobs_done), f"{rss:.0f}", f"{pss:.0f}")
    console.print(curve)
    split_table = Table(title=f"CPU during the throughput stretches ({jobs} jobs)")
    for column in ("component", "CPU s", "CPU ms per job"):
        split_table.add_column(column, justify="right")
    for name, seconds in cpu.seconds.items():
        split_table.add_row(name, f"{seconds:.1f}", f"{seconds * 1000 / jobs:.0f}")
    for name, seconds in by_type.seconds.items():
        split_table.add_row(f"  Chromium {name}", f"{seconds:.1f}", f"{seconds * 1000 / jobs:.0f}")
    console.print(split_table)
    console.print(f"machine load average at the end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
