"""Knowledge benchmark: retrieval quality, ingestion speed, query latency and memory.

Hybrid (Chroma + BM25, RRF) against a baseline measured in the same run: dense-only Chroma
with the same embeddings (the common LangChain recipe).

    uv run python -m bench.knowledge [--eval bench/data/knowledge_eval.yaml]
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from rich.console import Console
from rich.table import Table

from knowledge.base import KnowledgeBase
from knowledge.chunking import chunk_document
from knowledge.documents import Chunk
from knowledge.embeddings import Vectors
from knowledge.parsing import parse_bytes
from knowledge.sources import expand
from tandem.config import Settings

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_EVAL = ROOT / "bench" / "data" / "knowledge_eval.yaml"
DEFAULT_CORPUS = ROOT / "knowledge" / "helpcentre"
console = Console()


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


def latencies(run: Callable[[str], object], questions: list[str], rounds: int) -> list[float]:
    for question in questions[:5]:
        run(question)  # warm-up: model, lexical index, Chroma caches
    out = []
    for _ in range(rounds):
        for question in questions:
            began = time.perf_counter()
            run(question)
            out.append((time.perf_counter() - began) * 1000)
    return out


def best_threshold(in_scope: list[float], out_scope: list[float]) -> tuple[float, float]:
    """The cut that maximises balanced accuracy (answered in scope, refused out of scope)."""
    best = (0.0, 0.0)
    for cut in np.arange(0.70, 0.95, 0.005):
        tpr = sum(s >= cut for s in in_scope) / max(1, len(in_scope))
        tnr = sum(s < cut for s in out_scope) / max(1, len(out_scope))
        if (tpr + tnr) / 2 > best[1]:
            best = (float(cut), (tpr + tnr) / 2)
    return best


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--eval", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--rounds", type=int, default=3, help="latency rounds over the questions")
    parser.add_argument("--scales", default="1000,10000")
    args = parser.parse_args(argv)
    items: list[dict[str, Any]] = yaml.safe_load(args.eval.read_text(encoding="utf-8"))

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

        questions = [str(i["question"]) for i in items]
        perf = Table(title="Query latency incl. query embedding (ms) and memory")
        for column in ("chunks", "hybrid p50", "hybrid p99", "dense p50", "dense p99", "p50 ratio"):
            perf.add_column(column, justify="right")
        real = [c for c in chunks if c.id]
        for scale in [int(s) for s in args.scales.split(",") if s]:
            synthesise(kb, real, scale)
            h = latencies(lambda q: kb.search(q, 5), questions, args.rounds)
            d = latencies(lambda q: kb.store.query(kb.embedder.embed_query(q), 5), questions, args.rounds)
            perf.add_row(
                str(kb.store.count()),
                f"{statistics.median(h):.1f}",
                f"{percentile(h, 99):.1f}",
                f"{statistics.median(d):.1f}",
                f"{percentile(d, 99):.1f}",
                f"{statistics.median(h) / statistics.median(d):.2f}×",
            )
        console.print(perf)
        console.print(f"RSS now {rss_mb():.0f} MB, peak {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
