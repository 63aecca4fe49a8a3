"""Per-turn understanding latency: language (with context), embedding, intent and slots.

Usage: ``uv run python -m bench.turns_nlu``.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import time

import numpy as np

from bench.intents import load_eval
from bot.nlu import IntentRouter, detect_language

# Replies that carry no language of their own; the conversation's language must survive them.
NEUTRAL_TURNS = ["ok", "SO-10012", "1", "jan.kowalski@example.com", "+254712345601", "BH-1011", "2"]


def main() -> None:
    """Replay the held-out messages as turns, each followed by a language-neutral reply."""
    router = IntentRouter()
    items = load_eval()
    router.classify("warm up", "en")
    turn_ms: list[float] = []
    kept: list[bool] = []
    for index, (language, _, text) in enumerate(items):
        started = time.perf_counter()
        guess = detect_language(text)
        router.classify(text, guess.language)
        turn_ms.append((time.perf_counter() - started) * 1000)
        reply = NEUTRAL_TURNS[index % len(NEUTRAL_TURNS)]
        kept.append(detect_language(reply, previous=language).language == language)
    p50, p99 = np.percentile(turn_ms, 50), np.percentile(turn_ms, 99)
    print(f"{len(items)} turns: full understanding per turn p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    print(f"language kept across neutral replies: {np.mean(kept) * 100:.1f}%")


if __name__ == "__main__":
    main()
