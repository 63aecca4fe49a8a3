"""Scale-out on one machine: API replicas on PostgreSQL + Redis, then faults under load.

Run: ``uv run python -m bench.scaleout [--customers 200 --seconds 60 --replicas 2]``. Needs the
PostgreSQL and Redis of the machine (``bash scripts/services.sh`` starts them); creates and drops
its own database. Three loads of simulated customers over loopback HTTP, each customer sending
messages with a client message id and reading the answer:

1. **one replica**, no pause between messages: the single-process figure;
2. **N replicas**, same load, customers spread over them: the scale-out figure and the ratio;
3. **faults**, N replicas, paced customers: replica 1 is killed with SIGKILL and restarted, then
   Redis is restarted. A customer whose replica fails retries the same message (same client
   message id) on another replica, as the widget does.

Afterwards the database is checked: every answered message is stored exactly once (0 lost,
0 duplicated). The help centre is ingested only with ``--ingest``: retrieval is a per-process
read that scales like the rest of the turn.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
from rich.console import Console
from rich.table import Table

from bench.chat_http import MESSAGES, percentile
from tests.support.database import fresh_postgres_database
from tests.support.servers import REPO_ROOT, free_port, wait_until_up

REDIS_URL = "redis://127.0.0.1:6379/12"
console = Console()


@dataclass
class Load:
    name: str
    sent: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    retries: int = 0
    answered: set[tuple[str, str]] = field(default_factory=set)
    took: float = 0.0
    events: list[str] = field(default_factory=list)


class Replica:
    """One ``tandem serve`` process on its own port, restartable."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**env, "TANDEM_PORT": str(self.port)}
        self.log = (log_dir / f"replica-{self.port}.log").open("ab")
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tandem", "serve"],
            env=self.env,
            cwd=REPO_ROOT,
            stdout=self.log,
            stderr=self.log,
        )
        wait_until_up(self.url + "/readyz", self.process, 180)
        # The first message builds the engine (models load); not part of any timing.
        with httpx.Client(base_url=self.url, timeout=300) as client:
            conversation = client.post("/api/v1/conversations", json={}).json()["id"]
            for text in MESSAGES:
                client.post(f"/api/v1/conversations/{conversation}/messages", json={"text": text})

    def kill(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


async def customer(
    client: httpx.AsyncClient, urls: list[str], home: int, deadline: float, load: Load, pause_s: float
) -> None:
    await asyncio.sleep(random.uniform(0, max(2 * pause_s, 0.5)))
    conversation = None
    for attempt in range(20):
        url = urls[(home + attempt) % len(urls)]
        try:
            created = await client.post(f"{url}/api/v1/conversations", json={})
            if created.status_code == 201:
                conversation = created.json()["id"]
                break
        except httpx.HTTPError:
            pass
        await asyncio.sleep(0.25)
    if conversation is None:
        load.errors.append("open")
        return
    sent = 0
    while time.monotonic() < deadline:
        if sent and pause_s:
            await asyncio.sleep(random.uniform(0, 2 * pause_s))
        message_id = uuid.uuid4().hex
        body = {"text": MESSAGES[sent % len(MESSAGES)], "client_message_id": message_id}
        started = time.perf_counter()
        for attempt in range(20):  # the replica may be down: the same message goes to another
            url = urls[(home + attempt) % len(urls)]
            try:
                response = await client.post(f"{url}/api/v1/conversations/{conversation}/messages", json=body)
            except httpx.HTTPError:
                response = None
            if response is not None and response.status_code == 200:
                load.answered.add((conversation, message_id))
                break
            load.retries += 1
            if response is not None and response.status_code < 500 and response.status_code != 429:
                load.errors.append(str(response.status_code))
                break
            await asyncio.sleep(0.25)
        else:
            load.errors.append("gave up")
        load.latencies.append((time.perf_counter() - started) * 1000)
        load.sent += 1
        sent += 1


async def run_load(
    load: Load,
    urls: list[str],
    customers: int,
    seconds: float,
    pause_s: float,
    faults: list[tuple[float, object]],
) -> Load:
    limits = httpx.Limits(max_connections=customers + 20)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        started = time.monotonic()
        deadline = started + seconds

        async def inject() -> None:
            for at, action in faults:
                await asyncio.sleep(max(0.0, started + at - time.monotonic()))
                name = await asyncio.to_thread(action)  # type: ignore[arg-type]
                load.events.append(f"{time.monotonic() - started:5.1f} s  {name}")

        await asyncio.gather(
            inject(),
            *(customer(client, urls, n % len(urls), deadline, load, pause_s) for n in range(customers)),
        )
        load.took = time.monotonic() - started
    return load


def restart_redis() -> None:
    subprocess.run(["redis-cli", "-p", "6379", "shutdown", "nosave"], capture_output=True)
    time.sleep(2)
    subprocess.run(["bash", str(REPO_ROOT / "scripts" / "services.sh")], capture_output=True, check=True)


def check_database(url: str, loads: list[Load]) -> tuple[int, int]:
    """(lost, duplicated): answered messages missing from the database, and stored twice."""
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT conversation_id, client_message_id, COUNT(*) FROM messages"
            " WHERE client_message_id IS NOT NULL GROUP BY conversation_id, client_message_id"
        ).fetchall()
    stored = {(c, m): n for c, m, n in rows}
    answered = set().union(*(load.answered for load in loads))
    lost = sum(1 for key in answered if key not in stored)
    duplicated = sum(1 for n in stored.values() if n > 1)
    return lost, duplicated


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60, help="length of each load")
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--rate", type=float, default=100, help="offered turns/s of the fault load")
    parser.add_argument("--ingest", action="store_true", help="ingest the help centre first")
    parser.add_argument("--no-redis-restart", action="store_true")
    args = parser.parse_args()
    loads: list[Load] = []
    with tempfile.TemporaryDirectory() as tmp, fresh_postgres_database() as database_url:
        data = Path(tmp)
        env = {
            **os.environ,
            "TANDEM_DATA_DIR": str(data),
            "TANDEM_DATABASE_URL": database_url,
            "TANDEM_REDIS_URL": REDIS_URL,
            "TANDEM_LOG_LEVEL": "WARNING",
            "TANDEM_RATE_REQUESTS_PER_IP": "10000000",
            "TANDEM_RATE_MESSAGES_PER_CONVERSATION": "100000",
            "TANDEM_DB_POOL_SIZE": "20",
            "TANDEM_DB_MAX_OVERFLOW": "40",
        }
        tandem = [sys.executable, "-m", "tandem"]
        with console.status("migrating and seeding a fresh PostgreSQL database…"):
            subprocess.run([*tandem, "db", "upgrade"], env=env, check=True, capture_output=True)
            subprocess.run([*tandem, "seed"], env=env, check=True, capture_output=True)
        if args.ingest:
            subprocess.run(
                [*tandem, "ingest", str(REPO_ROOT / "knowledge" / "helpcentre")], env=env, check=True
            )
        replicas = [Replica(env, data) for _ in range(args.replicas)]
        try:
            with console.status("starting replica 1…"):
                replicas[0].start()
            with console.status(f"one replica: {args.customers} customers for {args.seconds:.0f} s…"):
                loads.append(
                    asyncio.run(
                        run_load(Load("1 replica"), [replicas[0].url], args.customers, args.seconds, 0, [])
                    )
                )
            with console.status(f"starting {args.replicas - 1} more…"):
                for replica in replicas[1:]:
                    replica.start()
            urls = [replica.url for replica in replicas]
            with console.status(
                f"{args.replicas} replicas: {args.customers} customers for {args.seconds:.0f} s…"
            ):
                loads.append(
                    asyncio.run(
                        run_load(Load(f"{args.replicas} replicas"), urls, args.customers, args.seconds, 0, [])
                    )
                )
            victim = replicas[-1]

            def kill() -> str:
                victim.kill()
                return f"SIGKILL replica on port {victim.port}"

            def restart() -> str:
                victim.start()
                return f"replica on port {victim.port} restarted and serving"

            def redis_down_up() -> str:
                restart_redis()
                return "Redis shut down and started again"

            faults: list[tuple[float, object]] = [(args.seconds * 0.2, kill), (args.seconds * 0.4, restart)]
            if not args.no_redis_restart:
                faults.append((args.seconds * 0.7, redis_down_up))
            pause = args.customers / args.rate
            with console.status(f"faults: {args.customers} paced customers for {args.seconds:.0f} s…"):
                loads.append(
                    asyncio.run(
                        run_load(Load("faults"), urls, args.customers, args.seconds, pause / 2, faults)
                    )
                )
        finally:
            for replica in replicas:
                replica.stop()
        lost, duplicated = check_database(database_url, loads)

    table = Table(
        title=f"scale-out: {args.customers} customers, {args.seconds:.0f} s per load, PostgreSQL + Redis"
    )
    for column in ("measure", *(load.name for load in loads)):
        table.add_column(column)
    table.add_row("turns/s", *(f"{load.sent / load.took:.1f}" for load in loads))
    table.add_row(
        "latency p50 / p99",
        *(
            f"{percentile(load.latencies, 0.5):.0f} / {percentile(load.latencies, 0.99):.0f} ms"
            for load in loads
        ),
    )
    table.add_row("retried requests (replica down, 5xx)", *(str(load.retries) for load in loads))
    table.add_row(
        "errors (after retries)", *(f"{len(load.errors)} {sorted(set(load.errors))[:3]}" for load in loads)
    )
    console.print(table)
    single, scaled = loads[0], loads[1]
    ratio = (scaled.sent / scaled.took) / (single.sent / single.took)
    console.print(f"scale-out ratio, {args.replicas} replicas ÷ 1: [bold]{ratio:.2f}×[/bold] (target ≥ 1.7×)")
    console.print(
        f"answered messages lost: [bold]{lost}[/bold]; stored twice: [bold]{duplicated}[/bold] (target 0, 0)"
    )
    for event in loads[2].events:
        console.print(f"  fault at {event}")


if __name__ == "__main__":
    main()
