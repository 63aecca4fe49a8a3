"""Chat over real HTTP: concurrent simulated customers against ``tandem serve``, then idle streams.

Run: ``uv run python -m bench.chat_http [--customers 50 --seconds 30 --streams 500]``. Starts its
own server on 127.0.0.1 with a fresh SQLite database (embedded defaults), drives it with aiohttp
clients, checks the database afterwards for lost or duplicated messages, and measures the
server's extra memory with idle SSE connections open. The HTTP floor (``/healthz`` under the
same concurrency) is measured in the same run. Targets (issue 7): ≥ 100 turns/s, p99 ≤ 250 ms,
zero errors, zero lost or duplicated; 500 idle streams under 300 MB extra.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import httpx
import psutil
from rich.console import Console
from rich.table import Table

from tests.support.servers import free_port, wait_until_up

MESSAGES = [
    "hello",
    "what can you do?",
    "Dzień dobry",
    "Habari yako",
    "مرحبا",
    "سلام",
    "do you sell cars?",
    "I want to cancel my order",
    "thanks, bye",
    "asante sana",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


class Client:
    """A light HTTP client for the load (aiohttp): httpx's async pool costs several times more CPU
    per request, and the load generator shares the 2 cores with the server it measures."""

    def __init__(self, url: str, connections: int) -> None:
        self.session = aiohttp.ClientSession(
            base_url=url,
            connector=aiohttp.TCPConnector(limit=connections + 10),
            timeout=aiohttp.ClientTimeout(total=120),
        )

    async def post(self, path: str, body: dict[str, str]) -> tuple[int, str]:
        async with self.session.post(path, json=body) as response:
            return response.status, await response.text()

    async def get(self, path: str) -> int:
        async with self.session.get(path) as response:
            await response.read()
            return response.status

    async def close(self) -> None:
        await self.session.close()


@dataclass
class Load:
    """What one load measured: when each answered turn ended, latencies, errors, the window."""

    answered: list[float] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    started: float = 0.0
    ended: float = 0.0
    ramp_s: float = 0.0

    def sustained_rate(self) -> float:
        """Answered turns per second once every customer has arrived (the ramp is left out)."""
        steady_from = self.started + self.ramp_s
        window = self.ended - steady_from
        return sum(1 for at in self.answered if at >= steady_from) / window if window > 0 else 0.0


async def customer(client: Client, deadline: float, load: Load, gap_s: float) -> None:
    """One customer: a message every ``gap_s`` on average (uniform in [0, 2·gap]), on a schedule of
    its own, so the offered rate does not depend on the answers' latency; a customer still waits
    for an answer before writing again, as a person does (gap 0: back to back)."""
    next_at = time.monotonic() + random.uniform(0, 2 * gap_s)  # customers do not all arrive at once
    await asyncio.sleep(next_at - time.monotonic())
    status, text = await client.post("/api/v1/conversations", {})
    if status != 201:
        load.errors.append(f"open {status}: {text[:120]}")
        return
    conversation = json.loads(text)["id"]
    turn = 0
    while time.monotonic() < deadline:
        if turn:
            next_at = max(next_at + random.uniform(0, 2 * gap_s), time.monotonic())
            await asyncio.sleep(next_at - time.monotonic())
        started = time.perf_counter()
        try:
            status, _ = await client.post(
                f"/api/v1/conversations/{conversation}/messages",
                {"text": MESSAGES[turn % len(MESSAGES)], "client_message_id": uuid.uuid4().hex},
            )
            if status == 200:
                load.answered.append(time.monotonic())
            else:
                load.errors.append(str(status))
        except (aiohttp.ClientError, TimeoutError) as exc:
            load.errors.append(type(exc).__name__)
        load.latencies.append((time.perf_counter() - started) * 1000)
        turn += 1


async def floor(client: Client, deadline: float, latencies: list[float]) -> None:
    while time.monotonic() < deadline:
        started = time.perf_counter()
        await client.get("/healthz")
        latencies.append((time.perf_counter() - started) * 1000)


async def measure_floor(url: str, customers: int, seconds: float) -> tuple[float, list[float]]:
    client = Client(url, customers)
    try:
        latencies: list[float] = []
        deadline = time.monotonic() + seconds
        await asyncio.gather(*(floor(client, deadline, latencies) for _ in range(customers)))
        return len(latencies) / seconds, latencies
    finally:
        await client.close()


async def run_load(url: str, customers: int, seconds: float, gap_s: float) -> Load:
    client = Client(url, customers)
    load = Load(started=time.monotonic(), ramp_s=2 * gap_s)
    try:
        deadline = load.started + seconds
        await asyncio.gather(*(customer(client, deadline, load, gap_s) for _ in range(customers)))
        load.ended = time.monotonic()
        return load
    finally:
        await client.close()


async def idle_streams(url: str, count: int, process: psutil.Process) -> float:
    client = Client(url, count)
    try:
        conversations = []
        for _ in range(count):
            _status, text = await client.post("/api/v1/conversations", {})
            conversations.append(json.loads(text)["id"])
        before = process.memory_info().rss
        opened = [await client.session.get(f"/api/v1/conversations/{cid}/events") for cid in conversations]
        await asyncio.sleep(3)
        extra: float = (process.memory_info().rss - before) / 2**20
        assert all(response.status == 200 for response in opened)
        for response in opened:
            response.close()
        return extra
    finally:
        await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20, help="length of each load")
    parser.add_argument("--rate", type=float, default=120, help="offered turns/s of the paced load")
    parser.add_argument("--streams", type=int, default=500)
    parser.add_argument("--no-ingest", action="store_true", help="skip the help centre (faster)")
    args = parser.parse_args()
    console = Console()
    loads: dict[str, Load] = {}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        port = free_port()
        env = {
            **os.environ,
            "TANDEM_DATA_DIR": str(data),
            "TANDEM_PORT": str(port),
            "TANDEM_LOG_LEVEL": "WARNING",
            "TANDEM_RATE_REQUESTS_PER_IP": "1000000",
            "TANDEM_RATE_MESSAGES_PER_CONVERSATION": "100000",
        }
        tandem = [sys.executable, "-m", "tandem"]
        with console.status("seeding the demo data…"):
            subprocess.run([*tandem, "seed"], env=env, check=True, capture_output=True)
        if not args.no_ingest:
            help_centre = Path(__file__).resolve().parents[1] / "knowledge" / "helpcentre"
            console.print("ingesting the help centre (progress below)…")
            subprocess.run([*tandem, "ingest", str(help_centre)], env=env, check=True)
        log = (Path(tempfile.gettempdir()) / "bench-chat-http-server.log").open("wb")
        server = subprocess.Popen([*tandem, "serve"], env=env, stdout=log, stderr=log)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_up(url + "/readyz", server, 120)
            warm = httpx.post(f"{url}/api/v1/conversations", json={}, timeout=300).json()["id"]
            # The first message builds the engine (models load); not part of the timing.
            for text in MESSAGES:
                httpx.post(f"{url}/api/v1/conversations/{warm}/messages", json={"text": text}, timeout=300)
            with console.status("HTTP floor…"):
                floor_rps, floor_latencies = asyncio.run(measure_floor(url, args.customers, 5.0))
            for name, gap_s in (("paced", args.customers / args.rate), ("saturation", 0.0)):
                with console.status(f"{name}: {args.customers} customers for {args.seconds:.0f} s…"):
                    loads[name] = asyncio.run(run_load(url, args.customers, args.seconds, gap_s))
            with console.status(f"{args.streams} idle event streams…"):
                try:
                    extra_mb = asyncio.run(idle_streams(url, args.streams, psutil.Process(server.pid)))
                except (aiohttp.ClientError, TimeoutError) as exc:
                    console.print(f"idle streams failed: {type(exc).__name__}")
                    extra_mb = float("nan")
        finally:
            server.terminate()
            server.wait(timeout=30)
        db = sqlite3.connect(data / "tandem.db")
        stored = db.execute("SELECT COUNT(*) FROM messages WHERE role = 'customer'").fetchone()[0]
        stored -= len(MESSAGES)  # the warm-up turns
        duplicates = db.execute(
            "SELECT COUNT(*) FROM (SELECT client_message_id FROM messages"
            " WHERE client_message_id IS NOT NULL"
            " GROUP BY conversation_id, client_message_id HAVING COUNT(*) > 1)"
        ).fetchone()[0]
    table = Table(
        title=f"chat over HTTP: {args.customers} concurrent customers, {args.seconds:.0f} s per load, SQLite"
    )
    for column in ("measure", "paced", "saturation", "target"):
        table.add_column(column)

    def row(label: str, target: str, cell: Callable[[Load], str]) -> None:
        table.add_row(label, *(cell(loads[name]) for name in ("paced", "saturation")), target)

    row("offered turns/s", "", lambda load: f"{args.rate:.0f}" if load.ramp_s else "as fast as answered")
    row("sustained turns/s (after the arrivals)", "≥ 100", lambda load: f"{load.sustained_rate():.1f}")
    row(
        "turn latency p50 / p99",
        "p99 ≤ 250 ms",
        lambda load: f"{percentile(load.latencies, 0.5):.0f} / {percentile(load.latencies, 0.99):.0f} ms",
    )
    row("max latency", "", lambda load: f"{max(load.latencies, default=0):.0f} ms")
    row("errors", "0", lambda load: f"{len(load.errors)} {sorted(set(load.errors))[:3]}")
    answered = sum(len(load.answered) for load in loads.values())
    table.add_row("lost (answered turns − stored messages), both loads", str(answered - stored), "", "0")
    table.add_row("duplicated messages, both loads", str(duplicates), "", "0")
    table.add_row(
        "HTTP floor: /healthz req/s",
        f"{floor_rps:.0f} (p99 {percentile(floor_latencies, 0.99):.0f} ms)",
        "",
        "",
    )
    saturation = loads["saturation"].sustained_rate()
    table.add_row("saturation turns/s ÷ floor req/s", f"{saturation / floor_rps:.3f}", "", "")
    table.add_row(
        f"extra server memory, {args.streams} idle SSE streams", f"{extra_mb:.0f} MB", "", "< 300 MB"
    )
    console.print(table)


if __name__ == "__main__":
    main()
