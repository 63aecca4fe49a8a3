"""Chat turns from wrk, the C load generator (Debian package ``wrk``), for bench.scaleout.

The Python customers cost the servers they measure 0.3–0.4 ms of CPU per turn on the same
2 cores; wrk costs about a tenth of that. Each wrk process drives one replica: one thread, round robin
over twice as many conversations as connections so that a conversation's turns follow one
another (``wrk_chat.lua``); every request carries a client message id, unique in the run, that
the bench checks in the database.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).with_name("wrk_chat.lua")


def available() -> bool:
    return shutil.which("wrk") is not None


@dataclass(frozen=True)
class WrkRun:
    """What one wrk process reported (its ``done()`` line)."""

    requests: int
    duration_s: float
    status_errors: int
    socket_errors: int
    timeouts: int
    p50_ms: float
    p99_ms: float

    @property
    def answered(self) -> int:
        return self.requests - self.status_errors

    @classmethod
    def parse(cls, output: str) -> WrkRun:
        report = next(
            (json.loads(line) for line in reversed(output.splitlines()) if line.startswith('{"requests"')),
            None,
        )
        if report is None:
            raise RuntimeError(f"wrk printed no report:\n{output[-2000:]}")
        latency = report["latency_us"]
        return cls(
            requests=report["requests"],
            duration_s=report["duration_us"] / 1e6,
            status_errors=report["status_errors"],
            socket_errors=report["socket_errors"],
            timeouts=report["timeouts"],
            p50_ms=latency["50"] / 1000,
            p99_ms=latency["99"] / 1000,
        )


def write_inputs(folder: Path, name: str, conversations: list[str], texts: list[str]) -> tuple[Path, Path]:
    """The two files the Lua script reads: conversation ids, and texts as JSON strings."""
    ids = folder / f"{name}-conversations.txt"
    ids.write_text("\n".join(conversations) + "\n", encoding="utf-8")
    lines = folder / f"{name}-texts.txt"
    lines.write_text("\n".join(json.dumps(t, ensure_ascii=False) for t in texts) + "\n", encoding="utf-8")
    return ids, lines


CONVERSATIONS_PER_CONNECTION = 2


def start(url: str, conversations: Path, texts: Path, prefix: str, seconds: float) -> subprocess.Popen[str]:
    """One wrk process, one thread, a connection per two conversations, closed loop for ``seconds``."""
    if not available():
        raise RuntimeError("wrk is not installed: apt-get install wrk (scripts/bootstrap.sh does)")
    count = sum(1 for line in conversations.read_text(encoding="utf-8").splitlines() if line)
    command = [
        "wrk",
        "--threads",
        "1",
        "--connections",
        str(max(1, count // CONVERSATIONS_PER_CONNECTION)),
        "--duration",
        f"{max(1, round(seconds))}s",
        "--timeout",
        "60s",
        "--script",
        str(SCRIPT),
        url,
        "--",
        str(conversations),
        str(texts),
        prefix,
    ]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(process: subprocess.Popen[str]) -> WrkRun:
    output, _ = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"wrk exited {process.returncode}:\n{output[-2000:]}")
    return WrkRun.parse(output)
