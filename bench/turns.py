"""Turn latency through the conversation engine (no back-office call, no LLM), with DB writes.

Run: ``uv run python -m bench.turns [--turns 400]``. Prints p50/p99 of a whole turn (store the
message, detect the language, classify, fill slots, decide, store replies and state, commit)
next to two floors measured in the same run: the router's classification alone, and the
database writes alone. Targets (issue 5): p50 ≤ 15 ms, p99 ≤ 60 ms.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.progress import track
from rich.table import Table

MESSAGES = [
    "hello",
    "thanks, bye",
    "what can you do?",
    "tell me a joke about cats",
    "Dzień dobry",
    "dziękuję, to wszystko",
    "Habari yako",
    "asante sana",
    "مرحبا",
    "شكرا لك",
    "سلام",
    "ممنون، خداحافظ",
    "I want to cancel my order",
    "Gdzie jest moje zamówienie?",
    "Nataka kurudisha bidhaa",
    "أريد تغيير عنوان التوصيل",
    "سفارشم کجاست؟",
    "do you sell cars?",
    "what's the weather in Nairobi",
    "forget it",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=400)
    args = parser.parse_args()

    from agents import ToolRegistry
    from agents.demo import DemoBackOffice
    from bot.engine import ConversationEngine
    from bot.models import Conversation, Message
    from bot.nlu import IntentRouter, ProductMatcher
    from bot.understanding import Understanding
    from tandem import migrate
    from tandem.config import get_settings
    from tandem.db import build_engine, session_factory
    from tandem.logging import configure_logging
    from tandem.seed import seed_front_office

    console = Console()
    configure_logging("WARNING")
    settings = get_settings()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        migrate.upgrade(url)
        database = build_engine(url)
        sessions = session_factory(database)
        with sessions() as db, db.begin():
            seed_front_office(db, settings)
        started = time.perf_counter()
        products = ProductMatcher.from_catalog()
        router = IntentRouter(products=products)
        console.print(f"router ready in {time.perf_counter() - started:.1f} s")
        engine = ConversationEngine(
            understanding=Understanding(router, products),
            tools=ToolRegistry(DemoBackOffice(date.today())),
            knowledge=None,
        )
        for text in MESSAGES:  # warm-up
            router.classify(text, "en")

        engine_ms: list[float] = []
        router_ms: list[float] = []
        db_ms: list[float] = []
        conversation_id = ""
        for n in track(range(args.turns), description="turns", console=console):
            text = MESSAGES[n % len(MESSAGES)]
            if n % 6 == 0:
                with sessions() as db, db.begin():
                    conversation_id = engine.open(db).id
            t0 = time.perf_counter()
            with sessions() as db, db.begin():
                conversation = db.get(Conversation, conversation_id)
                assert conversation is not None
                engine.handle(db, conversation, text)
            engine_ms.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            router.classify(text, "en")
            router_ms.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            with sessions() as db, db.begin():
                db.add(Message(conversation_id=conversation_id, role="customer", text=text))
                db.add(Message(conversation_id=conversation_id, role="bot", text=text))
            db_ms.append((time.perf_counter() - t0) * 1000)
        database.dispose()

    table = Table(title=f"conversation turns ({args.turns}, SQLite, 20 messages in 5 languages)")
    for column in ("measure", "p50 ms", "p99 ms", "mean ms", "target"):
        table.add_column(column)
    rows = [
        ("whole turn (engine)", engine_ms, "p50 ≤ 15, p99 ≤ 60"),
        ("floor: router classify only", router_ms, ""),
        ("floor: two message inserts + commit", db_ms, ""),
    ]
    for name, values, target in rows:
        table.add_row(
            name,
            f"{percentile(values, 0.5):.1f}",
            f"{percentile(values, 0.99):.1f}",
            f"{statistics.fmean(values):.1f}",
            target,
        )
    console.print(table)
    floor = percentile(router_ms, 0.5) + percentile(db_ms, 0.5)
    console.print(f"ratio whole turn / (router + DB floors) at p50: {percentile(engine_ms, 0.5) / floor:.2f}")


if __name__ == "__main__":
    main()
