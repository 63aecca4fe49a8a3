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
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
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
    client: httpx.AsyncClient, deadline: float, latencies: list[float], errors: list[str]
) -> int:
    created = await client.post("/api/v1/conversations", json={})
    if created.status_code != 201:
        errors.append(f"open {created.status_code}: {created.text[:120]}")
        return 0
    conversation = created.json()["id"]
    sent = 0
    while time.monotonic() < deadline:
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


async def load(
    url: str, customers: int, seconds: float
) -> tuple[int, list[float], list[str], float, list[float]]:
    limits = httpx.Limits(max_connections=customers + 10)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        floor_latencies: list[float] = []
        deadline = time.monotonic() + min(5.0, seconds)
        await asyncio.gather(*(floor(client, deadline, floor_latencies) for _ in range(customers)))
        floor_rps = len(floor_latencies) / min(5.0, seconds)
        latencies: list[float] = []
        errors: list[str] = []
        deadline = time.monotonic() + seconds
        sent = await asyncio.gather(
            *(customer(client, deadline, latencies, errors) for _ in range(customers))
        )
        return sum(sent), latencies, errors, floor_rps, floor_latencies


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
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--streams", type=int, default=500)
    args = parser.parse_args()
    console = Console()
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
        subprocess.run([sys.executable, "-m", "tandem", "seed"], env=env, check=True, capture_output=True)
        log = (Path(tempfile.gettempdir()) / "bench-chat-http-server.log").open("wb")
        server = subprocess.Popen([sys.executable, "-m", "tandem", "serve"], env=env, stdout=log, stderr=log)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_up(url + "/readyz", server, 120)
            warm = httpx.post(f"{url}/api/v1/conversations", json={}, timeout=300).json()["id"]
            # The first message builds the engine (models load); not part of the timing.
            httpx.post(f"{url}/api/v1/conversations/{warm}/messages", json={"text": "hello"}, timeout=300)
            with console.status(f"{args.customers} customers for {args.seconds:.0f} s…"):
                sent, latencies, errors, floor_rps, floor_latencies = asyncio.run(
                    load(url, args.customers, args.seconds)
                )
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
        stored = db.execute("SELECT COUNT(*) FROM messages WHERE role = 'customer'").fetchone()[0] - 1
        duplicates = db.execute(
            "SELECT COUNT(*) FROM (SELECT client_message_id FROM messages"
            " WHERE client_message_id IS NOT NULL"
            " GROUP BY conversation_id, client_message_id HAVING COUNT(*) > 1)"
        ).fetchone()[0]
    table = Table(
        title=f"chat over HTTP: {args.customers} concurrent customers, {args.seconds:.0f} s, SQLite"
    )
    for column in ("measure", "value", "target"):
        table.add_column(column)
    turns_per_s = sent / args.seconds
    table.add_row("turns/s", f"{turns_per_s:.1f}", "≥ 100")
    table.add_row(
        "turn latency p50 / p99",
        f"{percentile(latencies, 0.5):.0f} / {percentile(latencies, 0.99):.0f} ms",
        "p99 ≤ 250 ms",
    )
    table.add_row("errors", f"{len(errors)} {sorted(set(errors))[:3]}", "0")
    failed_turns = sum(1 for error in errors if not error.startswith("open"))
    table.add_row("lost (answered turns − stored messages)", str(sent - failed_turns - stored), "0")
    table.add_row("duplicated messages", str(duplicates), "0")
    table.add_row(
        "HTTP floor: /healthz req/s", f"{floor_rps:.0f} (p99 {percentile(floor_latencies, 0.99):.0f} ms)", ""
    )
    table.add_row("turns/s ÷ floor req/s", f"{turns_per_s / floor_rps:.3f}", "")
    table.add_row(f"extra server memory, {args.streams} idle SSE streams", f"{extra_mb:.0f} MB", "< 300 MB")
    console.print(table)


if __name__ == "__main__":
    main()
