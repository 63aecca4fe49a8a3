"""RPA throughput by job kind: every consequential bot on warm contexts against its naive baseline.

``bench.rpa`` measures ``place_order``, the heaviest job (it acts in two screens and takes three
step screenshots). This one runs each consequential kind of the intent catalogue the same way:
``--jobs`` jobs drained by 4 threads on a pool of 4 warm contexts per target, against the naive
baseline for the same kind (a fresh driver, Chromium and sign-in per job, one job after another,
same queue and evidence), the two alternating in ``--rounds`` stretches. The orders each kind
needs are made first in the sandbox's own database, in the state the job expects (pending for a
cancellation or a new address, delivered for a return or an invoice).

    uv run python -m bench.rpa_kinds [--jobs 120] [--naive 12] [--rounds 2] [--kinds cancel_order,…]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import Engine

from bench.rpa import (
    SANDBOX_PIDS,
    CpuSplit,
    Stretches,
    check_all_succeeded,
    drain,
    naive_jobs,
    place_order_payload,
    round_order,
    sandbox_server,
    split,
)
from rpa import queue
from rpa.bots import sandbox_targets
from rpa.browser_pool import BrowserPool
from rpa.runner import BotRunner
from rpa.sandbox import service
from rpa.sandbox.database import make_engine, make_session_factory
from rpa.worker import Worker
from tandem import migrate
from tandem.config import Settings
from tandem.db import build_engine, transaction
from tandem.logging import configure_logging

console = Console()
KINDS = ("place_order", "change_address", "cancel_order", "return_item", "request_invoice", "file_document")
SKU = "BH-1001"
Payloads = Callable[[int], list[dict[str, Any]]]


def make_orders(settings: Settings, count: int, *, delivered: bool) -> list[str]:
    """``count`` one-line orders placed in the sandbox's database, pending or moved on to delivered."""
    engine = make_engine(settings.resolved_sandbox_db_path)
    ids = []
    try:
        with make_session_factory(engine)() as db, db.begin():
            for n in range(count):
                draft = service.OrderDraft(customer_id=f"C-{n % 16 + 1:03d}", skus=[SKU], qtys=["2"])
                order = service.place_order(db, draft, actor="bench")
                for _ in range(3 if delivered else 0):  # pending → processing → shipped → delivered
                    service.advance_order(order, actor="bench")
                ids.append(order.id)
    finally:
        engine.dispose()
    return ids


def payloads_for(kind: str, settings: Settings, upload: Path) -> Payloads:
    """A maker of ``n`` payloads of ``kind``, with the sandbox records they need made first."""

    def orders(n: int, delivered: bool) -> list[str]:
        return make_orders(settings, n, delivered=delivered)

    makers: dict[str, Payloads] = {
        "place_order": lambda n: [place_order_payload(i) for i in range(n)],
        "change_address": lambda n: [
            {"order_id": order_id, "address": f"Kenyatta Avenue {i + 1}, 00100 Nairobi, Kenya"}
            for i, order_id in enumerate(orders(n, delivered=False))
        ],
        "cancel_order": lambda n: [{"order_id": order_id} for order_id in orders(n, delivered=False)],
        "return_item": lambda n: [
            {"order_id": order_id, "sku": SKU, "reason": "defective"}
            for order_id in orders(n, delivered=True)
        ],
        "request_invoice": lambda n: [{"order_id": order_id} for order_id in orders(n, delivered=True)],
        "file_document": lambda n: [
            {
                "customer_id": f"C-{i % 16 + 1:03d}",
                "doc_type": "damage_photo",
                "filename": "kettle.jpg",
                "file_path": str(upload),
                "notes": "Dent on the lid.",
            }
            for i in range(n)
        ],
    }
    return makers[kind]


def enqueue(engine: Engine, kind: str, payloads: list[dict[str, Any]]) -> None:
    with transaction(engine) as session:
        for payload in payloads:
            target = "sandbox_dms" if kind == "file_document" else "sandbox_erp"
            queue.enqueue(
                session,
                kind=kind,
                payload=payload,
                idempotency_key=f"bench-{uuid.uuid4().hex}",
                target=target,
                max_attempts=1,
            )


def warm_stretch(worker: Worker, engine: Engine, pool: BrowserPool, threads: int, cpu: CpuSplit) -> float:
    """Drain the queue with ``threads`` threads on the warm pool; the seconds it took."""
    cpu.start(pool, SANDBOX_PIDS)
    elapsed = drain(worker, threads)
    cpu.stop(pool, SANDBOX_PIDS)
    check_all_succeeded(engine)
    return elapsed


def naive_stretch(settings: Settings, engine: Engine, count: int) -> float:
    """Run ``count`` queued jobs with a fresh driver, Chromium and sign-in each; the seconds it took."""
    elapsed = naive_jobs(settings, engine, count, {"trace_sample_rate": 0.05})
    check_all_succeeded(engine)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=120, help="warm jobs per kind, over all rounds")
    parser.add_argument("--naive", type=int, default=12, help="naive-baseline jobs per kind, over all rounds")
    parser.add_argument("--rounds", type=int, default=2, help="warm and naive stretches alternate this often")
    parser.add_argument("--contexts", type=int, default=4, help="warm contexts per target (and threads)")
    parser.add_argument("--kinds", default=",".join(KINDS), help="comma-separated job kinds")
    args = parser.parse_args()
    kinds = [kind.strip() for kind in args.kinds.split(",") if kind.strip()]
    if unknown := set(kinds) - set(KINDS):
        parser.error(f"unknown kinds: {', '.join(sorted(unknown))} (known: {', '.join(KINDS)})")
    if args.rounds < 1 or min(args.jobs, args.naive) < args.rounds:
        parser.error("--jobs and --naive must each be at least --rounds")
    configure_logging("WARNING", json=False)

    results: dict[str, tuple[Stretches, Stretches, CpuSplit]] = {}
    with (
        tempfile.TemporaryDirectory(prefix="tandem-bench-kinds-") as tmp,
        sandbox_server(Path(tmp)) as settings,
    ):
        url = f"sqlite:///{Path(tmp) / 'tandem.db'}"
        migrate.upgrade(url)
        engine = build_engine(url)
        upload = Path(tmp) / "kettle.jpg"
        upload.write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(40_000))  # a 40 KB photo to file
        console.print(f"Chromium: {settings.resolved_chromium_path}; kinds: {', '.join(kinds)}")
        with BrowserPool(
            sandbox_targets(settings),
            executable_path=settings.resolved_chromium_path,
            contexts_per_target=args.contexts,
            relaunch_after=10**9,  # one Chromium for the run, so its CPU can be read off its process tree
        ) as pool:
            worker = Worker(
                handlers=BotRunner(pool, settings, engine, trace_sample_rate=0.05).handlers(), engine=engine
            )
            for kind in kinds:
                make = payloads_for(kind, settings, upload)
                warm, naive, cpu = Stretches("warm"), Stretches("naive"), CpuSplit()
                enqueue(engine, kind, make(args.contexts))  # each context's first job: its sign-in
                warm_stretch(worker, engine, pool, args.contexts, CpuSplit())
                shares = zip(split(args.jobs, args.rounds), split(args.naive, args.rounds), strict=True)
                for number, (warm_jobs, naive_jobs) in enumerate(shares):
                    for load in round_order(number):
                        if load == "warm":
                            enqueue(engine, kind, make(warm_jobs))
                            warm.add(warm_jobs, warm_stretch(worker, engine, pool, args.contexts, cpu))
                        else:
                            enqueue(engine, kind, make(naive_jobs))
                            naive.add(naive_jobs, naive_stretch(settings, engine, naive_jobs))
                console.print(
                    f"{kind}: {warm.rate:.2f} vs {naive.rate:.2f} jobs/s = {warm.rate / naive.rate:.2f}×"
                )
                results[kind] = (warm, naive, cpu)
        engine.dispose()
    report(results)


def report(results: dict[str, tuple[Stretches, Stretches, CpuSplit]]) -> None:
    table = Table(title=f"RPA throughput by job kind — 4 warm contexts vs naive, {os.cpu_count()} CPU(s)")
    table.add_column("kind", no_wrap=True)
    for column in ("warm jobs/s", "naive jobs/s", "ratio", "per round", "CPU ms per job"):
        table.add_column(column, justify="right")
    for kind, (warm, naive, cpu) in results.items():
        rounds = [w / n for w, n in zip(warm.rates(), naive.rates(), strict=True)]
        cpu_ms = sum(cpu.seconds.values()) * 1000 / sum(warm.jobs)
        table.add_row(
            kind,
            f"{warm.rate:.2f}",
            f"{naive.rate:.2f}",
            f"{warm.rate / naive.rate:.2f}×",
            f"{min(rounds):.2f} – {max(rounds):.2f}×",
            f"{cpu_ms:.0f}",
        )
    warm_jobs = sum(sum(w.jobs) for w, _, _ in results.values())
    warm_s = sum(sum(w.seconds) for w, _, _ in results.values())
    naive_jobs = sum(sum(n.jobs) for _, n, _ in results.values())
    naive_s = sum(sum(n.seconds) for _, n, _ in results.values())
    if len(results) > 1:
        mix_warm, mix_naive = warm_jobs / warm_s, naive_jobs / naive_s
        table.add_row(
            "the six kinds, equal numbers" if len(results) == len(KINDS) else "these kinds, equal numbers",
            f"{mix_warm:.2f}",
            f"{mix_naive:.2f}",
            f"{mix_warm / mix_naive:.2f}×",
            "",
            "",
        )
    console.print(table)
    console.print(f"machine load average at the end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
