"""Hostile input and isolation attempts over real HTTP against ``tandem serve`` (issue 9).

Run: ``uv run python -m bench.hostile [--examples 40 --attempts 2000]``. Starts its own server on
127.0.0.1 with a fresh SQLite database in a temp data dir (as ``bench/chat_http.py`` does), runs
the fuzz of ``tests/security/fuzz.py`` and the attempts of ``tests/security/isolation.py`` at a
larger count, checks the database afterwards, and prints tried / 2xx / 4xx / 5xx / leaks per
category with the throughput.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from tandem.config import Settings
from tandem.security import customer_token
from tests.security.fuzz import HostileFuzz, Tally
from tests.security.isolation import Isolation
from tests.security.targets import OverHttp
from tests.support.servers import free_port, wait_until_up


def table(title: str, tally: Tally, seconds: float) -> Table:
    result = Table(
        title=f"{title}: {tally.tried} requests in {seconds:.1f} s ({tally.tried / seconds:.0f}/s)"
    )
    for column in ("category", "tried", "2xx", "4xx", "5xx", "leaks", "problems"):
        result.add_column(column, justify="left" if column == "category" else "right")
    for name, c in tally.counts.items():
        result.add_row(
            name,
            str(c.tried),
            str(c.ok),
            str(c.refused),
            str(c.server_errors),
            str(c.leaks),
            str(len(c.problems)),
        )
    total = list(tally.counts.values())
    result.add_row(
        "total",
        str(tally.tried),
        str(sum(c.ok for c in total)),
        str(sum(c.refused for c in total)),
        str(sum(c.server_errors for c in total)),
        str(sum(c.leaks for c in total)),
        str(sum(len(c.problems) for c in total)),
        style="bold",
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=40, help="generated requests per fuzz category")
    parser.add_argument("--attempts", type=int, default=2000, help="isolation attempts")
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
        for name in ("TANDEM_DATABASE_URL", "OPENAI_API_KEY", "TANDEM_OPENAI_API_KEY"):
            env.pop(name, None)
        tandem = [sys.executable, "-m", "tandem"]
        with console.status("seeding the demo data…"):
            subprocess.run([*tandem, "seed"], env=env, check=True, capture_output=True)
        settings = Settings(_env_file=None, data_dir=data)  # type: ignore[call-arg]
        log_path = Path(tempfile.gettempdir()) / "bench-hostile-server.log"
        server = subprocess.Popen(
            [*tandem, "serve"], env=env, stdout=log_path.open("wb"), stderr=subprocess.STDOUT
        )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_up(url + "/readyz", server, 120)
            target = OverHttp(url)
            with console.status("warming up (the first turn loads the models)…"):
                warm = json.loads(target.http("POST", "/api/v1/conversations", json_body={}).body)["id"]
                target.http("POST", f"/api/v1/conversations/{warm}/messages", json_body={"text": "hello"})
            hostile = Tally()
            with console.status(f"hostile input, {args.examples} generated per category…"):
                started = time.monotonic()
                fuzz = HostileFuzz(target, hostile, customer_token(settings, "C-001"))
                fuzz.run(args.examples)
                hostile_seconds = time.monotonic() - started
            isolation_tally = Tally()
            with console.status(f"{args.attempts} isolation attempts…"):
                started = time.monotonic()
                isolation = Isolation(target, isolation_tally, lambda cid: customer_token(settings, cid))
                isolation.setup()
                isolation.run(args.attempts)
                isolation.verify_victims()
                isolation_seconds = time.monotonic() - started
            target.close()
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        db = sqlite3.connect(data / "tandem.db")
        victims = {v.id for v in isolation.victims}
        for job_id, payload, conversation in db.execute("SELECT id, payload, conversation_id FROM jobs"):
            named = {o for o in isolation.victim_orders() if o in str(payload)}
            if named:
                isolation_tally.leak("jobs", f"job {job_id} of {conversation} for {named}")
        for conversation, customer in db.execute("SELECT id, customer_id FROM conversations"):
            if customer in victims and conversation in isolation.attacker_conversations:
                isolation_tally.leak("verification", f"{conversation} verified as {customer}")
        stored = db.execute(
            "SELECT COUNT(*) FROM messages WHERE role = 'customer' AND conversation_id IN "
            f"({','.join('?' * len(fuzz.conversations))})",
            [c.id for c in fuzz.conversations],
        ).fetchone()[0]
        if stored != sum(len(c.texts) for c in fuzz.conversations):
            hostile.problem(
                "stored afterwards", f"{stored} customer messages stored in the fuzzed conversations"
            )
    console.print(table("hostile input over HTTP (SQLite)", hostile, hostile_seconds))
    console.print(table("isolation attempts over HTTP (SQLite)", isolation_tally, isolation_seconds))
    problems = hostile.all_problems() + isolation_tally.all_problems()
    for problem in problems[:30]:
        console.print(f"[red]{problem}")
    console.print(f"server log: {log_path}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
