"""Knowledge benchmark: retrieval quality, ingestion speed, query latency and memory.

Hybrid (language-corrected cosine over the stored vectors + BM25 over n-grams, fused per
article, see knowledge/search.py) against a baseline measured in the same run: dense-only
Chroma with the same embeddings (the common LangChain recipe). The hybrid search is not told
the question's language here (it guesses it from the language centroids), as for a bare search.

    uv run python -m bench.knowledge [--eval bench/data/knowledge_eval.yaml]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from rich.console import Console
from rich.table import Table

from knowledge.base import KnowledgeBase
from knowledge.chunking import chunk_document
from knowledge.confidence import FEATURES, MODEL_PATH, ConfidenceModel, features
from knowledge.documents import Chunk
from knowledge.embeddings import Vectors
from knowledge.parsing import parse_bytes
from knowledge.sources import expand
from tandem.config import Settings

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_EVAL = ROOT / "bench" / "data" / "knowledge_eval.yaml"
DEFAULT_CORPUS = ROOT / "knowledge" / "helpcentre"
console = Console(width=150)


@dataclass
class Quality:
    """Article-level ranking quality per language, and out-of-scope rejection."""

    ranks: dict[str, list[int | None]] = field(default_factory=dict)
    rejected: list[bool] = field(default_factory=list)
    answered_in_scope: list[bool] = field(default_factory=list)

    def add(self, language: str, rank: int | None) -> None:
        self.ranks.setdefault(language, []).append(rank)

    def recall(self, language: str, k: int) -> float:
        ranks = self.ranks[language]
        return sum(1 for r in ranks if r is not None and r <= k) / len(ranks)

    def mrr(self, language: str) -> float:
        ranks = self.ranks[language]
        return sum(1 / r for r in ranks if r is not None) / len(ranks)


def article_rank(articles: Sequence[str], expected: str) -> int | None:
    """1-based rank of ``expected`` among the distinct articles in hit order."""
    distinct = list(dict.fromkeys(articles))
    return distinct.index(expected) + 1 if expected in distinct else None


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def corpus_chunks(corpus: Path) -> list[Chunk]:
    """Parse and chunk the corpus the way ingestion does (for raw embedder throughput)."""
    import httpx

    chunks: list[Chunk] = []
    with httpx.Client() as client:
        for ref in expand([str(corpus)], client):
            if isinstance(ref, tuple):
                continue
            data, content_type = ref.read()
            chunks.extend(chunk_document(parse_bytes(ref.key, data, content_type)))
    return chunks


def hybrid_articles(kb: KnowledgeBase, question: str, language: str | None) -> list[str]:
    return [h.chunk.article for h in kb.search(question, 10, language=language)]


def dense_articles(kb: KnowledgeBase, question: str, language: str | None) -> list[str]:
    """Baseline: embed the query, take Chroma's nearest chunks, nothing else."""
    where = {"language": language} if language else None
    found = kb.store.query(kb.embedder.embed_query(question), 10, where)
    return [c.article for c in kb.store.get([i for i, _ in found])]


def dense_top_score(kb: KnowledgeBase, question: str) -> float:
    found = kb.store.query(kb.embedder.embed_query(question), 1)
    return found[0][1] if found else 0.0


def evaluate(
    kb: KnowledgeBase,
    items: list[dict[str, Any]],
    articles: Callable[[KnowledgeBase, str, str | None], list[str]],
    rejects: Callable[[KnowledgeBase, str, str], bool],
) -> Quality:
    quality = Quality()
    for item in items:
        question, language = str(item["question"]), str(item["language"])
        expected = item.get("article")
        restrict = item.get("restrict_language")
        if expected is None:
            quality.rejected.append(rejects(kb, question, language))
            continue
        quality.add(language, article_rank(articles(kb, question, restrict), str(expected)))
        quality.answered_in_scope.append(not rejects(kb, question, language))
    return quality


def synthesise(kb: KnowledgeBase, real: list[Chunk], total: int, seed: int = 7) -> None:
    """Fill the store up to ``total`` chunks with plausible distractors (for latency only).

    Texts are shuffled sentences of real chunks; vectors are noisy mixtures of real
    vectors (embedding 10k passages on CPU would take longer than the whole benchmark).
    """
    rng = random.Random(seed)
    have = kb.store.count()
    if have >= total:
        return
    base = kb.store.vectors([c.id for c in real])
    sentences = [s for c in real for s in c.text.split(". ") if s]
    languages = ["en", "ar", "fa", "sw", "pl"]
    generator = np.random.default_rng(seed)
    made: list[Chunk] = []
    for n in range(total - have):
        text = ". ".join(rng.sample(sentences, k=min(4, len(sentences))))
        made.append(
            Chunk(
                id=f"synthetic:{have + n}",
                source=f"synthetic://{n // 8}",
                text=text,
                title_path=f"Synthetic article {n // 8} › Section {n % 8}",
                title=f"Synthetic article {n // 8}",
                anchor=f"section-{n % 8}",
                language=languages[n % len(languages)],
                article=f"synthetic-{n // 8}",
                ordinal=n % 8,
            )
        )
    picks = generator.integers(0, len(real), size=(len(made), 2))
    mix = base[picks[:, 0]] + 0.6 * base[picks[:, 1]]
    mix += generator.normal(0, 0.02, size=mix.shape).astype(np.float32)
    vectors: Vectors = (mix / np.linalg.norm(mix, axis=1, keepdims=True)).astype(np.float32)
    kb.store.upsert(made, vectors)
    kb.manifest_path.parent.mkdir(parents=True, exist_ok=True)
    kb.manifest_path.touch()  # bump the revision so the lexical index is rebuilt
    kb.searcher.invalidate()


def latencies(
    run: Callable[[str], object],
    questions: list[str],
    rounds: int,
    before: Callable[[], object] = lambda: None,
) -> list[float]:
    """Milliseconds per call of ``run``; ``before`` runs untimed before each call."""
    for question in questions[:5]:
        run(question)  # warm-up: model, lexical index, Chroma caches
    out = []
    for _ in range(rounds):
        for question in questions:
            before()
            began = time.perf_counter()
            run(question)
            out.append((time.perf_counter() - began) * 1000)
    return out


def forget_queries(kb: KnowledgeBase) -> Callable[[], object]:
    """A callable that empties the embedder's memory of recent queries (if it has one)."""
    return getattr(kb.embedder, "forget", lambda: None)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


_SERVE_PROBE = """
import sys
from pathlib import Path
from knowledge.base import KnowledgeBase
from tandem.config import Settings
kb = KnowledgeBase(Settings(data_dir=Path(sys.argv[1])))
kb.llm = None
for question, language in [("How long is the warranty?", "en"), ("Jak zwrócić produkt?", "pl"),
                           ("Ninaweza kulipa kwa M-Pesa?", "sw"), ("كم مدة التوصيل؟", "ar"),
                           ("هزینه ارسال چقدر است؟", "fa")]:
    kb.answer(question, language)
status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
print(int(status["VmRSS"].split()[0]) // 1024, int(status["VmHWM"].split()[0]) // 1024)
"""


def serving_rss_mb(data_dir: Path) -> tuple[int, int]:
    """RSS and peak RSS (MB) of a fresh process that opens the knowledge base and answers."""
    done = subprocess.run(
        [sys.executable, "-c", _SERVE_PROBE, str(data_dir)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    now, peak = done.stdout.split()[-2:]
    return int(now), int(peak)


def half_of(items: list[dict[str, Any]], half: str | None) -> list[dict[str, Any]]:
    """Half ``A`` (even positions in the file) or ``B`` (odd), or every item."""
    if not half:
        return items
    start = "AB".index(half.upper())
    return items[start::2]


def best_threshold(in_scope: list[float], out_scope: list[float]) -> tuple[float, float]:
    """The cut that maximises balanced accuracy (answered in scope, refused out of scope)."""
    best = (0.0, 0.0)
    for cut in np.arange(0.70, 0.95, 0.005):
        tpr = sum(s >= cut for s in in_scope) / max(1, len(in_scope))
        tnr = sum(s < cut for s in out_scope) / max(1, len(out_scope))
        if (tpr + tnr) / 2 > best[1]:
            best = (float(cut), (tpr + tnr) / 2)
    return best


ANSWER_TARGET = 0.96
FOLDS = 5


def question_features(kb: KnowledgeBase, items: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
    """Confidence features of every question (as ``KnowledgeBase.answer`` sees them) and labels."""
    rows, labels = [], []
    for item in items:
        question, language = str(item["question"]), str(item["language"])
        rows.append(features(question, language, kb.evidence(question, language)))
        labels.append(1.0 if item.get("article") else 0.0)
    return np.asarray(rows, dtype=np.float64), np.asarray(labels, dtype=np.float64)


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 50) -> ConfidenceModel:
    """L2-regularised logistic regression by Newton's method (deterministic, no dependencies)."""
    mean = x.mean(axis=0)
    scale = np.where(x.std(axis=0) > 1e-9, x.std(axis=0), 1.0)
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / scale])
    w = np.zeros(z.shape[1])
    penalty = np.diag([0.0] + [l2] * (z.shape[1] - 1))
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(z @ w)))
        gradient = z.T @ (p - y) + penalty @ w
        hessian = z.T @ (z * (p * (1 - p))[:, None]) + penalty
        w -= np.linalg.solve(hessian, gradient)
    model = ConfidenceModel(tuple(mean), tuple(scale), tuple(w[1:]), float(w[0]), 0.5)
    return replace(model, threshold=answer_cut([model.probability(r) for r in x[y == 1]]))


def answer_cut(in_scope: Sequence[float], target: float = ANSWER_TARGET) -> float:
    """The highest cut that still answers ``target`` of the answerable questions."""
    ordered = sorted(in_scope)
    return float(ordered[int(np.floor((1 - target) * len(ordered)))]) if ordered else 0.5


def cross_validate(x: np.ndarray, y: np.ndarray, folds: int = FOLDS) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold probabilities and verdicts (fold = index mod ``folds``; cut chosen in-fold)."""
    fold = np.arange(len(y)) % folds
    probability, answered = np.zeros(len(y)), np.zeros(len(y), dtype=bool)
    for k in range(folds):
        model = fit_logistic(x[fold != k], y[fold != k])
        for i in np.flatnonzero(fold == k):
            probability[i] = model.probability(list(x[i]))
            answered[i] = probability[i] >= model.threshold
    return probability, answered


def trade_off(scores: np.ndarray, y: np.ndarray, cuts: Sequence[float]) -> list[tuple[float, float, float]]:
    """``(cut, answered in scope, refused out of scope)`` for each cut."""
    return [(float(c), float((scores[y == 1] >= c).mean()), float((scores[y == 0] < c).mean())) for c in cuts]


def calibration_report(kb: KnowledgeBase, items: list[dict[str, Any]], write: bool) -> None:
    """Cross-validated refusal quality of the confidence model against the cosine cut."""
    x, y = question_features(kb, items)
    probability, answered = cross_validate(x, y)
    cosine = x[:, FEATURES.index("top_cosine")]
    fold = np.arange(len(y)) % FOLDS
    cosine_answered = np.zeros(len(y), dtype=bool)
    for k in range(FOLDS):
        cut = answer_cut(list(cosine[(fold != k) & (y == 1)]))
        cosine_answered[fold == k] = cosine[fold == k] >= cut
    console.print(
        f"refusal, {FOLDS}-fold cross-validated, cut for {ANSWER_TARGET:.0%} answered chosen in-fold: "
        f"model answers {answered[y == 1].mean():.3f} of in-scope and refuses "
        f"{(~answered[y == 0]).mean():.3f} of out-of-scope; top cosine alone "
        f"{cosine_answered[y == 1].mean():.3f} / {(~cosine_answered[y == 0]).mean():.3f} "
        f"(n={int(y.sum())} in scope, {int((1 - y).sum())} out)"
    )
    table = Table(title="Refusal trade-off (out-of-fold): answered in scope / refused out of scope")
    for column in ("model cut", "answered", "refused", "cosine cut", "answered ", "refused "):
        table.add_column(column, justify="right")
    model_rows = trade_off(probability, y, [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8])
    cosine_rows = trade_off(cosine, y, [0.82, 0.83, 0.84, 0.845, 0.85, 0.855, 0.86])
    for (mc, ma, mr), (cc, ca, cr) in zip(model_rows, cosine_rows, strict=True):
        table.add_row(f"{mc:.2f}", f"{ma:.3f}", f"{mr:.3f}", f"{cc:.3f}", f"{ca:.3f}", f"{cr:.3f}")
    console.print(table)
    final = fit_logistic(x, y)
    console.print(
        "model: "
        + ", ".join(f"{n} {w:+.2f}" for n, w in zip(FEATURES, final.weights, strict=True))
        + f"; bias {final.bias:+.2f}; cut {final.threshold:.3f}"
    )
    if write:
        shipped = json.loads(MODEL_PATH.read_text(encoding="utf-8")) if MODEL_PATH.exists() else {}
        shipped[kb.embedder.name] = final.to_json()
        MODEL_PATH.write_text(json.dumps(shipped, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        console.print(f"wrote {MODEL_PATH}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--eval", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--rounds", type=int, default=3, help="latency rounds over the questions")
    parser.add_argument("--scales", default="1000,10000")
    parser.add_argument(
        "--half", choices=["A", "B"], help="quality on one half of the eval set (A: even positions, B: odd)"
    )
    parser.add_argument("--skip-latency", action="store_true", help="quality and calibration only")
    parser.add_argument(
        "--calibrate", action="store_true", help="refit the confidence model into knowledge/confidence.json"
    )
    args = parser.parse_args(argv)
    items: list[dict[str, Any]] = half_of(yaml.safe_load(args.eval.read_text(encoding="utf-8")), args.half)

    with tempfile.TemporaryDirectory(prefix="tandem-bench-") as tmp:
        settings = Settings(data_dir=Path(tmp))
        kb = KnowledgeBase(settings)
        kb.llm = None  # the embedded default: extractive answers

        chunks = corpus_chunks(args.corpus)
        began = time.perf_counter()
        kb.embedder.embed_passages([c.embedding_text for c in chunks])
        raw = len(chunks) / (time.perf_counter() - began)

        report = kb.ingest([str(args.corpus)])
        ingest_rate = report.chunks_embedded / report.seconds
        again = kb.ingest([str(args.corpus)])
        console.print(
            f"corpus: {report.sources_seen} sources, {report.chunks_added} chunks, "
            f"{len(report.skipped)} skipped; raw embedder {raw:.1f} chunks/s, "
            f"ingest {ingest_rate:.1f} chunks/s (raw/ingest = {raw / ingest_rate:.2f}×); "
            f"re-ingest unchanged {again.seconds:.3f} s (changed: {again.changed})"
        )

        hybrid = evaluate(kb, items, hybrid_articles, lambda kb, q, lang: not kb.answer(q, lang).grounded)
        baseline = evaluate(
            kb, items, dense_articles, lambda kb, q, lang: dense_top_score(kb, q) < kb.threshold
        )
        in_scores = [kb.answer(i["question"], i["language"]).score for i in items if i.get("article")]
        out_scores = [kb.answer(i["question"], i["language"]).score for i in items if not i.get("article")]
        cut, accuracy = best_threshold(in_scores, out_scores)

        table = Table(title="Retrieval quality (article level)")
        for column in ("language", "n", "R@1", "R@5", "MRR", "dense R@1", "dense R@5", "dense MRR"):
            table.add_column(column, justify="right")
        for language in sorted(hybrid.ranks):
            table.add_row(
                language,
                str(len(hybrid.ranks[language])),
                f"{hybrid.recall(language, 1):.3f}",
                f"{hybrid.recall(language, 5):.3f}",
                f"{hybrid.mrr(language):.3f}",
                f"{baseline.recall(language, 1):.3f}",
                f"{baseline.recall(language, 5):.3f}",
                f"{baseline.mrr(language):.3f}",
            )
        console.print(table)

        def rate(values: list[bool]) -> str:
            return f"{sum(values) / max(1, len(values)):.3f} (n={len(values)})"

        console.print(
            f"out-of-scope rejected: hybrid {rate(hybrid.rejected)}, "
            f"dense-only {rate(baseline.rejected)}; in-scope answered: hybrid "
            f"{rate(hybrid.answered_in_scope)}, dense-only {rate(baseline.answered_in_scope)}; "
            f"threshold {kb.threshold:.3f} (best on this set {cut:.3f}, balanced acc. {accuracy:.3f})"
        )

        calibration_report(kb, items, write=args.calibrate)

        now, peak = serving_rss_mb(Path(tmp))
        console.print(
            f"memory: a fresh process with the demo knowledge base loaded, after answering in five "
            f"languages: RSS {now} MB (peak {peak} MB); this benchmark process: {rss_mb():.0f} MB"
        )
        if args.skip_latency:
            return
        questions = [str(i["question"]) for i in items]
        forget = forget_queries(kb)
        perf = Table(
            title="Query latency (ms): every query embedded afresh (the memory of recent queries is "
            "emptied before each), then searched"
        )
        columns = ("chunks", "hybrid p50", "hybrid p99", "dense p50", "dense p99", "embed p50", "embed p99")
        for column in (*columns, "search p50", "search p99", "load 1 min"):
            perf.add_column(column, justify="right")
        real = [c for c in chunks if c.id]
        for scale in [int(s) for s in args.scales.split(",") if s]:
            synthesise(kb, real, scale)
            vectors = {q: kb.embedder.embed_query(q) for q in questions}
            h = latencies(lambda q: kb.search(q, 5), questions, args.rounds, forget)
            d = latencies(
                lambda q: kb.store.query(kb.embedder.embed_query(q), 5), questions, args.rounds, forget
            )
            e = latencies(kb.embedder.embed_query, questions, args.rounds, forget)
            s = latencies(lambda q, v=vectors: kb.searcher.search(q, 5, vector=v[q]), questions, args.rounds)
            perf.add_row(
                str(kb.store.count()),
                *(f"{m:.1f}" for x in (h, d, e, s) for m in (statistics.median(x), percentile(x, 99))),
                load_average().split()[0],
            )
        console.print(perf)
        console.print(f"load average now {load_average()}")
        console.print(f"RSS now {rss_mb():.0f} MB, peak {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
