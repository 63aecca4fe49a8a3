"""Chat over real HTTP: concurrent simulated customers against ``tandem serve``, then idle streams.

Run: ``uv run python -m bench.chat_http [--customers 50 --seconds 30 --streams 500]``. Starts its
own server on 127.0.0.1 with a fresh SQLite database (embedded defaults), drives it with async
httpx clients, checks the database afterwards for lost or duplicated messages, and measures the
server's extra memory with idle SSE connections open. The HTTP floor (``/healthz`` under the
same concurrency) is measured in the same run. Targets (issue 7): ≥ 100 turns/s, p99 ≤ 250 ms,
zero errors, zero lost or duplicated; 500 idle streams under 300 MB extra.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

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


async def customer(
    client: httpx.AsyncClient, deadline: float, latencies: list[float], errors: list[str], pause_s: float
) -> int:
    await asyncio.sleep(random.uniform(0, 2 * pause_s))  # customers do not all arrive at once
    created = await client.post("/api/v1/conversations", json={})
    if created.status_code != 201:
        errors.append(f"open {created.status_code}: {created.text[:120]}")
        return 0
    conversation = created.json()["id"]
    sent = 0
    while time.monotonic() < deadline:
        if sent:
            await asyncio.sleep(random.uniform(0, 2 * pause_s))
        text = MESSAGES[sent % len(MESSAGES)]
        started = time.perf_counter()
        try:
            response = await client.post(
                f"/api/v1/conversations/{conversation}/messages",
                json={"text": text, "client_message_id": uuid.uuid4().hex},
            )
            if response.status_code != 200:
                errors.append(str(response.status_code))
        except httpx.HTTPError as exc:
            errors.append(type(exc).__name__)
        latencies.append((time.perf_counter() - started) * 1000)
        sent += 1
    return sent


async def floor(client: httpx.AsyncClient, deadline: float, latencies: list[float]) -> None:
    while time.monotonic() < deadline:
        started = time.perf_counter()
        await client.get("/healthz")
        latencies.append((time.perf_counter() - started) * 1000)


async def measure_floor(url: str, customers: int, seconds: float) -> tuple[float, list[float]]:
    limits = httpx.Limits(max_connections=customers + 10)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        latencies: list[float] = []
        deadline = time.monotonic() + seconds
        await asyncio.gather(*(floor(client, deadline, latencies) for _ in range(customers)))
        return len(latencies) / seconds, latencies


async def load(
    url: str, customers: int, seconds: float, pause_s: float
) -> tuple[int, list[float], list[str], float]:
    limits = httpx.Limits(max_connections=customers + 10)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        latencies: list[float] = []
        errors: list[str] = []
        started = time.monotonic()
        deadline = started + seconds
        sent = await asyncio.gather(
            *(customer(client, deadline, latencies, errors, pause_s) for _ in range(customers))
        )
        return sum(sent), latencies, errors, time.monotonic() - started


async def idle_streams(url: str, count: int, process: psutil.Process) -> float:
    async with httpx.AsyncClient(
        base_url=url, timeout=30, limits=httpx.Limits(max_connections=count + 10)
    ) as client:
        conversations = [
            (await client.post("/api/v1/conversations", json={})).json()["id"] for _ in range(count)
        ]
        before = process.memory_info().rss
        streams = [client.stream("GET", f"/api/v1/conversations/{cid}/events") for cid in conversations]
        opened = [await stream.__aenter__() for stream in streams]
        await asyncio.sleep(3)
        extra = (process.memory_info().rss - before) / 2**20
        assert all(response.status_code == 200 for response in opened)
        for stream in streams:
            await stream.__aexit__(None, None, None)
        return extra


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20, help="length of each load")
    parser.add_argument("--rate", type=float, default=100, help="offered turns/s of the paced load")
    parser.add_argument("--streams", type=int, default=500)
    parser.add_argument("--no-ingest", action="store_true", help="skip the help centre (faster)")
    args = parser.parse_args()
    console = Console()
    loads: dict[str, tuple[int, list[float], list[str], float]] = {}
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
            pause = args.customers / args.rate
            for name, pause_s in (("paced", pause / 2), ("saturation", 0.0)):
                # A uniform pause in [0, 2p] has mean p; the answer's own latency adds to it, so
                # the paced customers pause a little less than customers ÷ rate on average.
                with console.status(f"{name}: {args.customers} customers for {args.seconds:.0f} s…"):
                    loads[name] = asyncio.run(load(url, args.customers, args.seconds, pause_s))
            with console.status(f"{args.streams} idle event streams…"):
                try:
                    extra_mb = asyncio.run(idle_streams(url, args.streams, psutil.Process(server.pid)))
                except httpx.HTTPError as exc:
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

    def row(label: str, target: str, cell: Callable[[int, list[float], list[str], float], str]) -> None:
        table.add_row(label, *(cell(*loads[name]) for name in ("paced", "saturation")), target)

    row("turns/s", "≥ 100", lambda sent, _l, _e, took: f"{sent / took:.1f}")
    row(
        "turn latency p50 / p99",
        "p99 ≤ 250 ms",
        lambda _s, lat, _e, _t: f"{percentile(lat, 0.5):.0f} / {percentile(lat, 0.99):.0f} ms",
    )
    row("max latency", "", lambda _s, lat, _e, _t: f"{max(lat, default=0):.0f} ms")
    row("errors", "0", lambda _s, _l, errors, _t: f"{len(errors)} {sorted(set(errors))[:3]}")
    answered = sum(
        sent - sum(1 for e in errors if not e.startswith("open")) for sent, _l, errors, _t in loads.values()
    )
    table.add_row("lost (answered turns − stored messages), both loads", str(answered - stored), "", "0")
    table.add_row("duplicated messages, both loads", str(duplicates), "", "0")
    table.add_row(
        "HTTP floor: /healthz req/s",
        f"{floor_rps:.0f} (p99 {percentile(floor_latencies, 0.99):.0f} ms)",
        "",
        "",
    )
    sent, _lat, _err, took = loads["saturation"]
    table.add_row("saturation turns/s ÷ floor req/s", f"{sent / took / floor_rps:.3f}", "", "")
    table.add_row(
        f"extra server memory, {args.streams} idle SSE streams", f"{extra_mb:.0f} MB", "", "< 300 MB"
    )
    console.print(table)


if __name__ == "__main__":
    main()
