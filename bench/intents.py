"""Intent router benchmark: the held-out set of bench/data, optionally the public intent datasets.

Usage: ``uv run python -m bench.intents [--bench-data ../shared/bench-data] [--full-train]``.
"""

from __future__ import annotations

import os

# One OpenMP thread: on a busy 2-core machine spinning threads make latency erratic.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import csv
import hashlib
import json
import random
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from bot.nlu import IntentRouter, detect_language
from bot.nlu.encoder import E5QueryEncoder, Vectors
from bot.nlu.head import SoftmaxHead

EVAL_FILE = Path(__file__).parent / "data" / "intent_eval.yaml"
MASSIVE_LOCALES = {"en": "en-US", "ar": "ar-SA", "fa": "fa-IR", "sw": "sw-KE", "pl": "pl-PL"}


def load_eval(path: Path = EVAL_FILE) -> list[tuple[str, str, str]]:
    """The held-out set as (language, intent, text)."""
    data: dict[str, dict[str, list[str]]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        (lang, intent, text)
        for lang, intents in data.items()
        for intent, texts in intents.items()
        for text in texts
    ]


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) of ``values``."""
    return float(np.percentile(np.asarray(values), q))


def confusion_table(pairs: list[tuple[str, str]], names: list[str]) -> str:
    """A confusion matrix as text: rows expected, columns predicted."""
    counts = Counter(pairs)
    short = [n[:6] for n in names]
    lines = ["expected \\ got".ljust(16) + " ".join(s.rjust(6) for s in short)]
    for expected in names:
        row = [str(counts[(expected, got)] or ".").rjust(6) for got in names]
        lines.append(expected[:15].ljust(16) + " ".join(row))
    return "\n".join(lines)


def evaluate_heldout(router: IntentRouter, items: list[tuple[str, str, str]]) -> dict[str, Any]:
    """Accuracy per language and intent, out-of-scope recall, latencies, confusion matrix."""
    started = time.perf_counter()
    vectors = router.encoder.encode([text for _, _, text in items])
    batch_rate = len(items) / (time.perf_counter() - started)
    embed_ms: list[float] = []
    for _, _, text in items[:100]:
        t0 = time.perf_counter()
        router.embed(text)
        embed_ms.append((time.perf_counter() - t0) * 1000)
    classify_ms: list[float] = []
    pairs: list[tuple[str, str]] = []
    per_lang: dict[str, list[bool]] = defaultdict(list)
    per_intent: dict[str, list[bool]] = defaultdict(list)
    language_hits: list[bool] = []
    errors: list[str] = []
    for (lang, intent, text), vector in zip(items, vectors, strict=True):
        t0 = time.perf_counter()
        result = router.classify(text, lang, vector=vector)
        classify_ms.append((time.perf_counter() - t0) * 1000)
        ok = result.name == intent
        pairs.append((intent, result.name))
        per_lang[lang].append(ok)
        per_intent[intent].append(ok)
        language_hits.append(detect_language(text).language == lang)
        if not ok:
            errors.append(f"  [{lang}] {intent} -> {result.name} ({result.confidence:.2f}): {text}")
    total = [ok for oks in per_lang.values() for ok in oks]
    return {
        "n": len(items),
        "accuracy": sum(total) / len(total),
        "per_language": {k: sum(v) / len(v) for k, v in per_lang.items()},
        "per_intent": {k: sum(v) / len(v) for k, v in sorted(per_intent.items())},
        "oos_recall": sum(per_intent["out_of_scope"]) / len(per_intent["out_of_scope"]),
        "language_detection": sum(language_hits) / len(language_hits),
        "embed_ms_p50": percentile(embed_ms, 50),
        "embed_ms_p99": percentile(embed_ms, 99),
        "classify_ms_p50": percentile(classify_ms, 50),
        "classify_ms_p99": percentile(classify_ms, 99),
        "batch_texts_per_s": batch_rate,
        "confusion": confusion_table(pairs, router.names),
        "errors": errors,
    }


class VectorCache:
    """Embeddings of public datasets kept under var/ so repeated runs skip the slow part."""

    def __init__(self, encoder: E5QueryEncoder, folder: Path) -> None:
        self.encoder = encoder
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def encode(self, texts: list[str]) -> Vectors:
        """Vectors of ``texts`` (computed once per distinct list)."""
        key = hashlib.sha256(("\n".join(texts) + self.encoder.name).encode()).hexdigest()[:24]
        path = self.folder / f"{key}.npy"
        if path.exists():
            return np.asarray(np.load(path), dtype=np.float32)
        vectors = self.encoder.encode(texts)
        np.save(path, vectors)
        return vectors


def few_shot(rows: list[tuple[str, str]], k: int, seed: int = 0) -> list[tuple[str, str]]:
    """``k`` random examples per label."""
    by_label: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in rows:
        by_label[row[1]].append(row)
    rng = random.Random(seed)
    picked: list[tuple[str, str]] = []
    for label in sorted(by_label):
        group = by_label[label]
        picked += rng.sample(group, min(k, len(group)))
    return picked


def sample(rows: list[tuple[str, str]], limit: int, seed: int = 0) -> list[tuple[str, str]]:
    """A seeded random subset of at most ``limit`` rows."""
    rows = list(rows)
    random.Random(seed).shuffle(rows)
    return rows[:limit]


def score_setting(
    cache: VectorCache, train: list[tuple[str, str]], test: list[tuple[str, str]]
) -> dict[str, float]:
    """Nearest-neighbour and softmax-head accuracy for one train/test split."""
    labels = sorted({label for _, label in train})
    index = {label: i for i, label in enumerate(labels)}
    x_train = cache.encode([t for t, _ in train])
    y_train = np.array([index[label] for _, label in train], dtype=np.int64)
    x_test = cache.encode([t for t, _ in test])
    y_test = np.array([index.get(label, -1) for _, label in test], dtype=np.int64)
    started = time.perf_counter()
    head = SoftmaxHead.fit(x_train, y_train, len(labels), steps=300)
    train_s = time.perf_counter() - started
    nearest = y_train[np.argmax(x_test @ x_train.T, axis=1)]
    predicted = np.argmax(head.logits(x_test), axis=1)
    return {
        "nn": float((nearest == y_test).mean()),
        "head": float((predicted == y_test).mean()),
        "train_s": train_s,
        "n_train": len(train),
        "n_test": len(test),
    }


def read_massive(folder: Path, locale: str, partition: str) -> list[tuple[str, str]]:
    """(utterance, intent) rows of one MASSIVE locale file."""
    path = folder / "massive" / locale / f"{partition}.jsonl"
    with path.open(encoding="utf-8") as handle:
        return [(row["utt"], row["intent"]) for row in map(json.loads, handle)]


def read_banking(folder: Path, partition: str) -> list[tuple[str, str]]:
    """(text, category) rows of BANKING77."""
    with (folder / "banking77" / f"{partition}.csv").open(encoding="utf-8") as handle:
        return [(row["text"], row["category"]) for row in csv.DictReader(handle)]


def clinc(cache: VectorCache, folder: Path, k: int, limit: int) -> dict[str, float]:
    """CLINC150: in-scope accuracy and out-of-scope recall, head trained on ``k`` per intent."""
    data = json.loads((folder / "clinc150" / "data_full.json").read_text(encoding="utf-8"))
    train = few_shot([(t, label) for t, label in data["train"]], k)
    labels = sorted({label for _, label in train})
    index = {label: i for i, label in enumerate(labels)}
    head = SoftmaxHead.fit(
        cache.encode([t for t, _ in train]), np.array([index[lab] for _, lab in train], np.int64), len(labels)
    )
    test_in = sample([(t, lab) for t, lab in data["test"]], limit)
    test_oos = sample([(t, lab) for t, lab in data["oos_test"]], limit)
    probs_in = _softmax_rows(head.logits(cache.encode([t for t, _ in test_in])))
    probs_oos = _softmax_rows(head.logits(cache.encode([t for t, _ in test_oos])))
    # Threshold picked on the validation split, never on test.
    val_in = sample([(t, lab) for t, lab in data["val"]], limit)
    val_oos = [(t, lab) for t, lab in data["oos_val"]]
    max_in = _softmax_rows(head.logits(cache.encode([t for t, _ in val_in]))).max(axis=1)
    max_oos = _softmax_rows(head.logits(cache.encode([t for t, _ in val_oos]))).max(axis=1)
    thresholds = np.linspace(0.05, 0.95, 91)
    balanced = [((max_in >= th).mean() + (max_oos < th).mean()) / 2 for th in thresholds]
    threshold = float(thresholds[int(np.argmax(balanced))])
    y_in = np.array([index[lab] for _, lab in test_in])
    in_ok = (probs_in.argmax(axis=1) == y_in) & (probs_in.max(axis=1) >= threshold)
    return {
        "threshold": threshold,
        "in_scope_accuracy": float(in_ok.mean()),
        "oos_recall": float((probs_oos.max(axis=1) < threshold).mean()),
    }


def _softmax_rows(logits: Vectors) -> Vectors:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return (shifted / shifted.sum(axis=1, keepdims=True)).astype(np.float32)


def public_benchmarks(router: IntentRouter, folder: Path, limit: int, full_train: bool) -> None:
    """MASSIVE (5 locales), BANKING77 and CLINC150, each bounded to ``limit`` test rows."""
    assert isinstance(router.encoder, E5QueryEncoder)
    cache = VectorCache(router.encoder, Path("var") / "bench-cache")
    print("\nPublic benchmarks (accuracy %, nn = nearest neighbour, head = softmax head)")
    for locale in MASSIVE_LOCALES.values():
        train_rows = read_massive(folder, locale, "train")
        test_rows = sample(read_massive(folder, locale, "test"), limit)
        started = time.perf_counter()
        shots = score_setting(cache, few_shot(train_rows, 10), test_rows)
        line = f"  MASSIVE {locale} 10-shot: nn {shots['nn'] * 100:.1f}  head {shots['head'] * 100:.1f}"
        if full_train:
            full = score_setting(cache, train_rows, test_rows)
            line += f" | full train ({full['n_train']}): head {full['head'] * 100:.1f}"
        print(line + f"  [{time.perf_counter() - started:.0f} s]", flush=True)
    banking = score_setting(
        cache, few_shot(read_banking(folder, "train"), 10), sample(read_banking(folder, "test"), limit * 4)
    )
    print(f"  BANKING77 10-shot: nn {banking['nn'] * 100:.1f}  head {banking['head'] * 100:.1f}", flush=True)
    result = clinc(cache, folder, 10, limit)
    print(
        f"  CLINC150 10-shot: in-scope acc {result['in_scope_accuracy'] * 100:.1f}  "
        f"OOS recall {result['oos_recall'] * 100:.1f}  (threshold {result['threshold']:.2f} from val)"
    )


def main() -> None:
    """Run the benchmark and print a report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bench-data", type=Path, help="folder of the public datasets (optional)")
    parser.add_argument("--limit", type=int, default=1000, help="test utterances per public locale")
    parser.add_argument("--full-train", action="store_true", help="also train on all of MASSIVE train")
    parser.add_argument("--errors", action="store_true", help="list the misclassified held-out messages")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as cold:
        started = time.perf_counter()
        router = IntentRouter(cache_dir=Path(cold))
        build_s = time.perf_counter() - started
        started = time.perf_counter()
        IntentRouter(cache_dir=Path(cold), encoder=router.encoder, products=router.products)
        warm_s = time.perf_counter() - started
    report = evaluate_heldout(router, load_eval())
    print(f"Intent router: {len(router.examples)} examples, {len(router.names)} intents")
    print(f"  index build (embed + train + calibrate): {build_s:.1f} s; from the cache: {warm_s:.2f} s")
    print(
        f"  temperature {router.head.temperature:.2f}; cut-offs from cross-validation on the examples: "
        f"neighbour weight {router.neighbour_weight:.2f}, out-of-scope threshold {router.threshold:.3f}, "
        f"margin {router.margin:.2f}"
    )
    print(f"\nHeld-out set ({report['n']} messages): accuracy {report['accuracy'] * 100:.1f}%")
    print("  per language: " + "  ".join(f"{k} {v * 100:.1f}" for k, v in report["per_language"].items()))
    print("  per intent:")
    for name, value in report["per_intent"].items():
        print(f"    {name:<16} {value * 100:.1f}")
    print(f"  out-of-scope recall {report['oos_recall'] * 100:.1f}%")
    print(f"  language detection accuracy {report['language_detection'] * 100:.1f}%")
    print(
        f"  latency: query embedding p50 {report['embed_ms_p50']:.1f} ms, p99 {report['embed_ms_p99']:.1f} ms"
    )
    print(
        f"  classification after the embedding (rules, head, neighbours, slots, products): "
        f"p50 {report['classify_ms_p50']:.2f} ms, p99 {report['classify_ms_p99']:.2f} ms"
    )
    print(f"  batch encoding {report['batch_texts_per_s']:.0f} texts/s")
    print("\nConfusion matrix\n" + report["confusion"])
    if args.errors:
        print("\nErrors\n" + "\n".join(report["errors"]))
    if args.bench_data:
        public_benchmarks(router, args.bench_data, args.limit, args.full_train)
    print(
        f"\nmedian of per-language accuracy {statistics.median(report['per_language'].values()) * 100:.1f}%"
    )


if __name__ == "__main__":
    main()
