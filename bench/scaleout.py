"""Scale-out on one machine: API replicas on PostgreSQL + Redis, then faults under load with jobs.

Run: ``uv run python -m bench.scaleout [--customers 200 --seconds 60 --replicas 2 --workers 2]``.
Needs the machine's PostgreSQL, Redis and RabbitMQ (``bash scripts/services.sh`` starts them);
creates and drops its own database. Three loads of simulated customers over loopback HTTP, each
message carrying a client message id:

1. **one replica**, customers back to back: the single-process figure (chat only);
2. **N replicas**, the same load spread over them: the scale-out figure and the ratio. The two
   loads alternate in ``--rounds`` stretches (one replica, N, one, N, …) whose lengths add up
   to ``--seconds`` each: a virtual machine's speed drifts with its host's other tenants (the
   same load measured 167 and 256 turns/s minutes apart), and alternating exposes both figures
   to the same drift. Both loads are sent by wrk (``bench/wrk.py``; a C load generator that
   costs the servers it shares the 2 cores with about 0.1 ms of CPU per turn, against 0.35–0.40
   for the Python customers), over conversations opened beforehand, so every answer counts;
   with ``--generator python`` the Python customers send them, and turns/s count the answers
   between the end of the arrival ramp and the deadline;
3. **faults**: N replicas, W ``tandem worker --celery`` processes and the sandbox ERP, paced
   customers of whom some are signed in and place orders (confirmed, so jobs flow through the
   broker to Playwright bots). During the load an API replica is SIGKILLed and restarted, a
   Celery worker is SIGKILLed and restarted, the sandbox ERP is SIGKILLed and restarted, and
   Redis is restarted. A customer whose replica fails retries the same message (same client
   message id) on another replica, as the widget does.

Afterwards, once every job has settled: every answered message is stored exactly once, every
job ended in a final state, and the ERP holds exactly one order per succeeded job's reference
and none twice (0 lost, 0 duplicated).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
import psycopg
import uvloop
from rich.console import Console
from rich.table import Table

from bench import wrk as bench_wrk
from bench.chat_http import MESSAGES, percentile
from bench.lean_http import HttpError, LeanHttp
from tandem.config import Settings
from tandem.security import customer_token
from tests.support.database import fresh_postgres_database
from tests.support.servers import REPO_ROOT, free_port, wait_until_up

REDIS_URL = "redis://127.0.0.1:6379/12"
BROKERS = {"amqp": "amqp://guest:guest@127.0.0.1:5672//", "redis": "redis://127.0.0.1:6379/13"}
SECRET = "bench-scaleout-secret-key-0123456789abcdef"
BUYERS = ("C-001", "C-002", "C-003", "C-004", "C-005", "C-006", "C-007", "C-008", "C-009", "C-010")
SKUS = ("BH-1001", "BH-1003", "BH-1005", "BH-1007", "BH-1011", "BH-1016", "BH-1020", "BH-1025")
FINAL = {"succeeded", "failed", "needs_review", "cancelled"}
console = Console()


@dataclass
class Load:
    name: str
    sent: int = 0
    answered_at: list[float] = field(default_factory=list)  # monotonic time of each answered turn
    steady_turns: int = 0  # answered between the end of the arrival ramp and the deadline
    steady_s: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    retries: int = 0
    answered: set[tuple[str, str]] = field(default_factory=set)
    jobs: set[str] = field(default_factory=set)
    orders_refused: int = 0  # "cannot reach the order system" while the ERP was down
    took: float = 0.0
    events: list[str] = field(default_factory=list)
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # CPU time by component, all rounds
    answered_by_prefix: dict[str, int] = field(default_factory=dict)  # wrk: answered turns per id prefix
    worst_p50_p99: tuple[float, float] = (0.0, 0.0)  # wrk: the slowest wrk process's percentiles

    @property
    def rate(self) -> float:
        """Turns/s at steady state: the ramp-up and the last answers after the deadline left out."""
        return self.steady_turns / self.steady_s if self.steady_s else 0.0

    @property
    def cores(self) -> dict[str, float]:
        """CPU cores busy on average, by component."""
        took = self.took or float("inf")
        return {group: seconds / took for group, seconds in self.cpu_seconds.items()}


class CpuMeter:
    """CPU time by component over a load: where the 2 cores went, to explain the scale-out ceiling."""

    def __init__(self, replicas: Sequence[Replica], workers: Sequence[Service]) -> None:
        self.replicas = replicas
        self.workers = workers

    def _groups(self) -> dict[str, list[psutil.Process]]:
        def alive(services: Sequence[Service], children: bool = False) -> list[psutil.Process]:
            found = []
            for service in services:
                if service.process is None or service.process.poll() is not None:
                    continue
                try:
                    process = psutil.Process(service.process.pid)
                    found.append(process)
                    if children:
                        found.extend(process.children(recursive=True))
                except psutil.Error:
                    continue
            return found

        by_name: dict[str, list[psutil.Process]] = {"PostgreSQL": [], "Redis": []}
        for process in psutil.process_iter(["name"]):
            name = process.info["name"] or ""
            if name.startswith("postgres"):
                by_name["PostgreSQL"].append(process)
            elif name.startswith("redis-server"):
                by_name["Redis"].append(process)
        return {
            "API replicas": alive(self.replicas),
            "load generator": [psutil.Process()],
            **by_name,
            "workers + Chromium": alive(self.workers, children=True),
        }

    def snapshot(self) -> tuple[float, dict[str, float]]:
        times = psutil.cpu_times()
        total = sum(getattr(times, part, 0.0) for part in ("user", "nice", "system", "irq", "softirq"))
        used: dict[str, float] = {}
        for group, processes in self._groups().items():
            used[group] = 0.0
            for process in processes:
                try:
                    cpu = process.cpu_times()
                    used[group] += cpu.user + cpu.system
                    if group == "load generator":  # wrk processes, once ended and waited for
                        used[group] += cpu.children_user + cpu.children_system
                except psutil.Error:
                    continue
        return total, used

    def measure(self, load: Load, before: tuple[float, dict[str, float]]) -> None:
        """Add the CPU time each component used since ``before`` to the load's account."""
        total_after, after = self.snapshot()
        total_before, used_before = before
        ours = 0.0
        for group, seconds in after.items():
            used = max(0.0, seconds - used_before.get(group, 0.0))
            load.cpu_seconds[group] = load.cpu_seconds.get(group, 0.0) + used
            ours += used
        other = max(0.0, total_after - total_before - ours)
        load.cpu_seconds["everything else"] = load.cpu_seconds.get("everything else", 0.0) + other


class Service:
    """One restartable process of ours (API replica, Celery worker, sandbox ERP)."""

    def __init__(
        self, name: str, args: Sequence[str], env: dict[str, str], log_dir: Path, health: str = ""
    ) -> None:
        self.name = name
        self.args = [sys.executable, "-m", "tandem", *args]
        self.env = env
        self.health = health
        self.log = (log_dir / f"{name}.log").open("ab")
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.args, env=self.env, cwd=REPO_ROOT, stdout=self.log, stderr=self.log
        )
        if self.health:
            wait_until_up(self.health, self.process, 180)

    def kill(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Replica(Service):
    """``tandem serve`` on its own port; warmed up once started (models load on first use)."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        super().__init__(
            f"replica-{self.port}",
            ["serve"],
            {**env, "TANDEM_PORT": str(self.port)},
            log_dir,
            self.url + "/readyz",
        )

    def start(self) -> None:
        super().start()
        with httpx.Client(base_url=self.url, timeout=300) as client:
            conversation = client.post("/api/v1/conversations", json={}).json()["id"]
            for text in MESSAGES:
                client.post(f"/api/v1/conversations/{conversation}/messages", json={"text": text})


class Customers:
    """Simulated customers over lean keep-alive connections (they share 2 cores with the servers)."""

    def __init__(self, urls: list[str], load: Load) -> None:
        self.urls = urls
        self.load = load
        self.http = LeanHttp(timeout_s=60)

    async def post(
        self, home: int, path: str, body: dict[str, str], token: str | None, *, read: bool = True
    ) -> dict[str, object] | None:
        """POST to the customer's replica, or the next one while it fails; None when all failed.

        With ``read=False`` the answer is not parsed (an empty dict stands for it): a chatter
        only needs to know it was answered, and parsing costs the load generator CPU that the
        servers would otherwise have.
        """
        headers = {"X-Customer-Token": token} if token else {}
        for attempt in range(40):  # the replica may be down: the same request goes to another
            url = self.urls[(home + attempt) % len(self.urls)]
            try:
                status, raw = await self.http.post(url, path, body, headers)
            except (OSError, TimeoutError, HttpError):
                status, raw = 0, b""
            if status in (200, 201):
                answer: dict[str, object] = json.loads(raw) if read else {}
                return answer
            self.load.retries += 1
            if 0 < status < 500 and status != 429:
                self.load.errors.append(str(status))
                return None
            await asyncio.sleep(0.25)
        self.load.errors.append("gave up")
        return None

    async def turn(
        self, home: int, conversation: str, text: str, token: str | None, *, read: bool = True
    ) -> dict[str, object] | None:
        message_id = uuid.uuid4().hex
        started = time.perf_counter()
        path = f"/api/v1/conversations/{conversation}/messages"
        body = {"text": text, "client_message_id": message_id}
        answer = await self.post(home, path, body, token, read=read)
        self.load.latencies.append((time.perf_counter() - started) * 1000)
        self.load.sent += 1
        if answer is not None:
            self.load.answered.add((conversation, message_id))
            self.load.answered_at.append(time.monotonic())
        return answer

    async def chatter(self, home: int, deadline: float, gap_s: float) -> None:
        """A customer who asks and chats (no sign-in), one message every ``gap_s`` on average."""
        next_at = time.monotonic() + random.uniform(0, max(2 * gap_s, 0.5))
        await asyncio.sleep(next_at - time.monotonic())
        created = await self.post(home, "/api/v1/conversations", {}, None)
        if created is None:
            return
        conversation = str(created["id"])
        turn = 0
        while time.monotonic() < deadline:
            if turn and gap_s:
                next_at = max(next_at + random.uniform(0, 2 * gap_s), time.monotonic())
                await asyncio.sleep(next_at - time.monotonic())
            await self.turn(home, conversation, MESSAGES[turn % len(MESSAGES)], None, read=False)
            turn += 1

    async def buyer(self, home: int, customer: str, deadline: float, gap_s: float) -> None:
        """A signed-in customer who orders a product and confirms it: each confirmation queues a job."""
        token = customer_token(Settings(secret_key=SECRET), customer)
        await asyncio.sleep(random.uniform(0, max(2 * gap_s, 0.5)))
        created = await self.post(home, "/api/v1/conversations", {"customer_token": token}, token)
        if created is None:
            return
        conversation = str(created["id"])
        while time.monotonic() < deadline:
            sku = random.choice(SKUS)
            answer = await self.turn(home, conversation, f"I want to buy 1 of {sku}", token)
            if answer is not None and answer.get("awaiting") == "confirmation":
                await asyncio.sleep(random.uniform(0.2, 1.0))
                confirmed = await self.turn(home, conversation, "yes", token)
                queued = confirmed.get("jobs", []) if confirmed is not None else []
                for job in queued if isinstance(queued, list) else []:
                    self.load.jobs.add(str(job["id"]))
            elif answer is not None:
                self.load.orders_refused += 1
            await asyncio.sleep(random.uniform(0, 2 * gap_s))

    async def close(self) -> None:
        await self.http.close()


async def run_load(
    load: Load,
    urls: list[str],
    customers: int,
    seconds: float,
    gap_s: float,
    faults: list[tuple[float, Callable[[], str]]],
    buyers: int = 0,
) -> Load:
    crowd = Customers(urls, load)
    started = time.monotonic()
    deadline = started + seconds

    async def strike(at: float, action: Callable[[], str]) -> None:
        # Each fault on its own schedule: a slow restart does not hold back the next fault.
        await asyncio.sleep(max(0.0, started + at - time.monotonic()))
        began = time.monotonic()
        name = await asyncio.to_thread(action)
        load.events.append(f"{began - started:5.1f} s  {name} (took {time.monotonic() - began:.1f} s)")

    try:
        await asyncio.gather(
            *(strike(at, action) for at, action in faults),
            *(crowd.buyer(n % len(urls), BUYERS[n % len(BUYERS)], deadline, 4.0) for n in range(buyers)),
            *(crowd.chatter(n % len(urls), deadline, gap_s) for n in range(buyers, customers)),
        )
    finally:
        await crowd.close()
    load.took += time.monotonic() - started  # a load may run in several rounds
    steady_from = started + max(2 * gap_s, 0.5) + 0.5  # every customer has started (see chatter)
    load.steady_turns += sum(1 for at in load.answered_at if steady_from <= at <= deadline)
    load.steady_s += deadline - steady_from
    load.answered_at.clear()
    return load


def open_conversations(urls: list[str], customers: int) -> list[list[str]]:
    """New conversations for ``customers`` wrk connections spread over the replicas, two per
    connection (see ``wrk_chat.lua``), opened before a wrk load is timed."""
    opened: list[list[str]] = []
    for home, url in enumerate(urls):
        connections = customers // len(urls) + (1 if home < customers % len(urls) else 0)
        count = connections * bench_wrk.CONVERSATIONS_PER_CONNECTION
        with httpx.Client(base_url=url, timeout=60) as client:
            opened.append([client.post("/api/v1/conversations", json={}).json()["id"] for _ in range(count)])
    return opened


def run_wrk_load(
    load: Load, urls: list[str], conversations: list[list[str]], seconds: float, folder: Path
) -> Load:
    """One wrk process per replica, each with its own share of the conversations, all at once."""
    running = []
    for home, (url, ids) in enumerate(zip(urls, conversations, strict=True)):
        prefix = f"wrk{uuid.uuid4().hex[:12]}-{home}-"
        ids_file, texts_file = bench_wrk.write_inputs(folder, prefix, ids, MESSAGES)
        running.append((prefix, bench_wrk.start(url, ids_file, texts_file, prefix, seconds)))
    runs = [(prefix, bench_wrk.finish(process)) for prefix, process in running]
    for prefix, run in runs:
        load.answered_by_prefix[prefix] = run.answered
        load.sent += run.requests
        load.steady_turns += run.answered
        load.errors += ["HTTP error"] * run.status_errors + ["socket error"] * run.socket_errors
        load.errors += ["timeout"] * run.timeouts
        worst = load.worst_p50_p99
        load.worst_p50_p99 = (max(worst[0], run.p50_ms), max(worst[1], run.p99_ms))
    took = max(run.duration_s for _prefix, run in runs)
    load.steady_s += took
    load.took += took
    return load


def restart_redis() -> str:
    subprocess.run(["redis-cli", "-p", "6379", "shutdown", "nosave"], capture_output=True)
    time.sleep(2)
    subprocess.run(["bash", str(REPO_ROOT / "scripts" / "services.sh")], capture_output=True, check=True)
    return "Redis shut down and started again"


def check_messages(dsn: str, loads: list[Load]) -> tuple[int, int]:
    """(lost, duplicated): answered messages missing from the database, and stored twice."""
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT conversation_id, client_message_id, COUNT(*) FROM messages"
            " WHERE client_message_id IS NOT NULL GROUP BY conversation_id, client_message_id"
        ).fetchall()
        prefixes = {prefix: n for load in loads for prefix, n in load.answered_by_prefix.items()}
        stored_by_prefix = {
            prefix: conn.execute(
                "SELECT COUNT(DISTINCT client_message_id) FROM messages WHERE client_message_id LIKE %s",
                (prefix + "%",),
            ).fetchone()[0]  # type: ignore[index]
            for prefix in prefixes
        }
    stored = {(c, m): n for c, m, n in rows}
    answered = set().union(*(load.answered for load in loads))
    lost = sum(1 for key in answered if key not in stored)
    # wrk does not tell which turns were answered, only how many: each must be in the database (the
    # database may hold more: the turns in flight when wrk stopped were stored but not counted).
    lost += sum(max(0, n - stored_by_prefix[prefix]) for prefix, n in prefixes.items())
    duplicated = sum(1 for n in stored.values() if n > 1)
    return lost, duplicated


def job_states(dsn: str) -> dict[str, tuple[str, str, int]]:
    """Every job: id → (status, idempotency key, attempts)."""
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT id, status, idempotency_key, attempts FROM jobs").fetchall()
    return {job_id: (status, key, attempts) for job_id, status, key, attempts in rows}


def wait_for_jobs(dsn: str, settle_s: float) -> dict[str, tuple[str, str, int]]:
    deadline = time.monotonic() + settle_s
    with console.status("waiting for the jobs to settle…") as status:
        while True:
            jobs = job_states(dsn)
            open_jobs = sum(1 for state, _key, _n in jobs.values() if state not in FINAL)
            status.update(f"waiting for the jobs to settle… {open_jobs} of {len(jobs)} still open")
            if not open_jobs or time.monotonic() > deadline:
                return jobs
            time.sleep(2)


def erp_orders_by_reference(sandbox_db: Path) -> Counter[str]:
    with sqlite3.connect(sandbox_db) as db:
        rows = db.execute("SELECT reference FROM sales_orders WHERE reference IS NOT NULL").fetchall()
    return Counter(reference for (reference,) in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60, help="length of each load")
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument(
        "--rounds", type=int, default=4, help="the two ratio loads alternate in this many stretches"
    )
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes in the fault load")
    parser.add_argument("--buyers", type=int, default=10, help="signed-in customers placing orders")
    parser.add_argument("--broker", choices=sorted(BROKERS), default="amqp")
    parser.add_argument("--rate", type=float, default=100, help="offered turns/s of the fault load")
    parser.add_argument("--settle", type=float, default=300, help="seconds to wait for the jobs afterwards")
    parser.add_argument("--ingest", action="store_true", help="ingest the help centre first")
    parser.add_argument("--skip-ratio", action="store_true", help="only the fault load")
    parser.add_argument("--skip-faults", action="store_true", help="only the ratio loads")
    parser.add_argument(
        "--generator",
        choices=("wrk", "python"),
        default="wrk" if bench_wrk.available() else "python",
        help="what sends the ratio loads' turns: wrk (C; the default when installed) or Python customers",
    )
    args = parser.parse_args()
    loads: list[Load] = []
    with tempfile.TemporaryDirectory() as tmp, fresh_postgres_database() as database_url:
        data = Path(tmp)
        sandbox_port = free_port()
        env = {
            **os.environ,
            "TANDEM_DATA_DIR": str(data),
            "TANDEM_DATABASE_URL": database_url,
            "TANDEM_REDIS_URL": REDIS_URL,
            "TANDEM_SECRET_KEY": SECRET,
            "TANDEM_LOG_LEVEL": "WARNING",
            "TANDEM_RATE_REQUESTS_PER_IP": "10000000",
            "TANDEM_RATE_MESSAGES_PER_CONVERSATION": "100000",
            "TANDEM_DB_POOL_SIZE": "20",
            "TANDEM_DB_MAX_OVERFLOW": "40",
            "TANDEM_SANDBOX_PORT": str(sandbox_port),
            "TANDEM_QUEUE_BACKEND": "celery",
            "TANDEM_CELERY_BROKER_URL": BROKERS[args.broker],
        }
        dsn = database_url.replace("postgresql+psycopg://", "postgresql://")
        with console.status("migrating and seeding a fresh PostgreSQL database…"):
            subprocess.run(
                [sys.executable, "-m", "tandem", "db", "upgrade"], env=env, check=True, capture_output=True
            )
            subprocess.run([sys.executable, "-m", "tandem", "seed"], env=env, check=True, capture_output=True)
        if args.ingest:
            ingest = [sys.executable, "-m", "tandem", "ingest", str(REPO_ROOT / "knowledge" / "helpcentre")]
            subprocess.run(ingest, env=env, check=True)
        sandbox = Service("sandbox", ["sandbox"], env, data, f"http://127.0.0.1:{sandbox_port}/healthz")
        replicas = [Replica(env, data) for _ in range(args.replicas)]
        workers = [Service(f"worker-{n}", ["worker", "--celery"], env, data) for n in range(args.workers)]
        everything: list[Service] = [sandbox, *replicas, *workers]
        meter = CpuMeter(replicas, workers)
        try:
            with console.status(f"starting the sandbox ERP and {args.replicas} replicas…"):
                sandbox.start()
                for replica in replicas:
                    replica.start()
            urls = [replica.url for replica in replicas]
            if not args.skip_ratio:
                # The machine's speed drifts (other tenants of the host): one replica, then all of
                # them, in turns, so both figures are taken over the same stretch of time.
                single, scaled = Load("1 replica"), Load(f"{args.replicas} replicas")
                stretch = args.seconds / args.rounds
                for n in range(1, args.rounds + 1):
                    for load, served in ((single, urls[:1]), (scaled, urls)):
                        status = f"round {n}/{args.rounds}, {load.name}: {args.customers} customers…"
                        with console.status(status):
                            if args.generator == "wrk":
                                opened = open_conversations(served, args.customers)
                                before = meter.snapshot()
                                run_wrk_load(load, served, opened, stretch, data)
                            else:
                                before = meter.snapshot()
                                uvloop.run(run_load(load, served, args.customers, stretch, 0, []))
                            meter.measure(load, before)
                loads += [single, scaled]
            jobs: dict[str, tuple[str, str, int]] = {}
            if not args.skip_faults:
                with console.status(f"starting {args.workers} Celery workers…"):
                    for worker in workers:
                        worker.start()
                faults = fault_plan(args.seconds, replicas[-1], workers[0], sandbox)
                gap = args.customers / args.rate
                with console.status(f"faults: {args.customers} paced customers for {args.seconds:.0f} s…"):
                    fault_load = run_load(
                        Load("faults + jobs"), urls, args.customers, args.seconds, gap, faults, args.buyers
                    )
                    loads.append(uvloop.run(fault_load))  # no CPU split: killed processes take theirs along
                jobs = wait_for_jobs(dsn, args.settle)
        finally:
            for service in reversed(everything):
                service.stop()
        lost, duplicated = check_messages(dsn, loads)
        orders = erp_orders_by_reference(data / "sandbox.db")
    report(args, loads, lost, duplicated, jobs, orders)


def fault_plan(
    seconds: float, replica: Replica, worker: Service, sandbox: Service
) -> list[tuple[float, Callable[[], str]]]:
    """When each fault strikes, as shares of the load's length."""

    def act(what: str, action: Callable[[], None]) -> Callable[[], str]:
        def run() -> str:
            action()
            return what

        return run

    return [
        (seconds * 0.15, act(f"SIGKILL API replica :{replica.port}", replica.kill)),
        (seconds * 0.25, act(f"API replica :{replica.port} restarted and serving", replica.start)),
        (seconds * 0.35, act(f"SIGKILL Celery {worker.name}", worker.kill)),
        (seconds * 0.45, act(f"Celery {worker.name} restarted", worker.start)),
        (seconds * 0.55, act("SIGKILL sandbox ERP", sandbox.kill)),
        (seconds * 0.65, act("sandbox ERP restarted and serving", sandbox.start)),
        (seconds * 0.8, restart_redis),
    ]


def report(
    args: argparse.Namespace,
    loads: list[Load],
    lost: int,
    duplicated: int,
    jobs: dict[str, tuple[str, str, int]],
    orders: Counter[str],
) -> None:
    table = Table(
        title=f"scale-out: {args.customers} customers, {args.seconds:.0f} s per load, PostgreSQL + Redis; "
        f"ratio loads sent by {args.generator}"
    )
    for column in ("measure", *(load.name for load in loads)):
        table.add_column(column)
    table.add_row("turns/s (steady state)", *(f"{load.rate:.1f}" for load in loads))
    table.add_row(
        "latency p50 / p99 (wrk: its slowest process)",
        *(
            f"{load.worst_p50_p99[0]:.0f} / {load.worst_p50_p99[1]:.0f} ms"
            if load.answered_by_prefix
            else f"{percentile(load.latencies, 0.5):.0f} / {percentile(load.latencies, 0.99):.0f} ms"
            for load in loads
        ),
    )
    table.add_row("retried requests (replica down, 5xx)", *(str(load.retries) for load in loads))
    for group in loads[0].cores:
        table.add_row(f"CPU cores busy: {group}", *(f"{load.cores.get(group, 0.0):.2f}" for load in loads))
    table.add_row(
        "errors (after retries)", *(f"{len(load.errors)} {sorted(set(load.errors))[:3]}" for load in loads)
    )
    console.print(table)
    if not args.skip_ratio:
        single, scaled = loads[0], loads[1]
        ratio = scaled.rate / single.rate
        console.print(
            f"scale-out ratio, {args.replicas} replicas ÷ 1: [bold]{ratio:.2f}×[/bold] (target ≥ 1.7×)"
        )
        ours = ("API replicas", "load generator", "PostgreSQL", "Redis")
        cores = psutil.cpu_count() or 1

        def per_turn(load: Load, groups: tuple[str, ...]) -> float:
            seconds = sum(load.cpu_seconds.get(group, 0.0) for group in groups)
            return 1000 * seconds / max(len(load.answered) + sum(load.answered_by_prefix.values()), 1)

        for load in (single, scaled):
            console.print(
                f"CPU per turn, {load.name}: replicas {per_turn(load, ours[:1]):.2f} ms, "
                f"PostgreSQL {per_turn(load, ('PostgreSQL',)):.2f}, Redis {per_turn(load, ('Redis',)):.2f}, "
                f"load generator {per_turn(load, ('load generator',)):.2f}; cores left idle "
                f"{max(0.0, cores - sum(load.cores.values())):.2f}"
            )
        cpu_ms = per_turn(scaled, ours)
        ceiling = cores * 1000 / cpu_ms / single.rate
        console.print(
            f"Ceiling: at {cpu_ms:.1f} ms of CPU per turn (all of ours, as spent with {args.replicas} "
            f"replicas), {cores} cores carry at most {cores * 1000 / cpu_ms:.0f} turns/s = {ceiling:.2f}× "
            f"the single replica, which its GIL holds to one core; other processes took "
            f"{single.cores.get('everything else', 0.0):.2f} and "
            f"{scaled.cores.get('everything else', 0.0):.2f} cores during the two loads"
        )
    console.print(
        f"answered messages lost: [bold]{lost}[/bold]; stored twice: [bold]{duplicated}[/bold] (target 0, 0)"
    )
    if args.skip_faults:
        return
    faulty = loads[-1]
    for event in sorted(faulty.events):
        console.print(f"  fault at {event}")
    statuses = Counter(state for state, _key, _n in jobs.values())
    retried = sum(1 for _state, _key, attempts in jobs.values() if attempts > 1)
    missing = sorted(faulty.jobs - set(jobs))
    doubled = sum(1 for count in orders.values() if count > 1)
    succeeded_without_order = sum(
        1 for state, key, _n in jobs.values() if state == "succeeded" and orders.get(key, 0) != 1
    )
    console.print(
        f"jobs confirmed by customers: {len(faulty.jobs)} (missing from the database: {len(missing)}); "
        f"by status: {dict(statuses)}; run more than once (retried): {retried}; "
        f"order requests answered 'order system unreachable': {faulty.orders_refused}"
    )
    console.print(
        f"ERP orders carrying a job reference: {sum(orders.values())}; references on more than one order: "
        f"[bold]{doubled}[/bold]; succeeded jobs without exactly one order: "
        f"[bold]{succeeded_without_order}[/bold] (target 0, 0)"
    )


if __name__ == "__main__":
    main()
