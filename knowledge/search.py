"""Hybrid search: dense (Chroma) cosine, nudged by normalised lexical (BM25) evidence.

Reciprocal rank fusion with equal weights let BM25 overrule the multilingual embedding on
short Persian and Polish questions (bench/knowledge.py: worse than dense-only). The fusion
here keeps the cosine as the backbone and adds at most ``LEXICAL_WEIGHT`` for a strong
lexical match: enough to break the near-ties between articles that e5 leaves, too little to
drag in an article on word overlap alone. Weight and damping were chosen on one half of the
eval set and checked on the other (see the bench output).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from knowledge.embeddings import Embedder, Vectors
from knowledge.lexical import LexicalIndex
from knowledge.store import ChunkStore, StoredChunk, metadata_filter

__all__ = ["HybridSearcher", "SearchHit", "blend", "reciprocal_rank_fusion"]

RRF_K = 60
LEXICAL_WEIGHT = 0.01
# BM25 scores are divided by (best + LEXICAL_DAMPING): a query whose best lexical match is
# weak moves the ranking less than one with a strong, specific match.
LEXICAL_DAMPING = 10.0


@dataclass(frozen=True)
class SearchHit:
    """A retrieved chunk with its fused score and the scores of each ranking."""

    chunk: StoredChunk
    score: float
    dense: float | None = None
    lexical: float | None = None

    @property
    def id(self) -> str:
        return self.chunk.id


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]], weights: Sequence[float] | None = None, k: int = RRF_K
) -> dict[str, float]:
    """``sum(weight / (k + rank))`` over the rankings each id appears in (rank from 1)."""
    weights = weights or [1.0] * len(rankings)
    fused: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused


def blend(
    dense: Sequence[tuple[str, float]],
    lexical: Sequence[tuple[str, float]],
    weight: float = LEXICAL_WEIGHT,
    damping: float = LEXICAL_DAMPING,
) -> dict[str, float]:
    """``cosine + weight * bm25 / (best bm25 + damping)`` over the union of both candidate lists.

    Lexical-only candidates lacked a dense score in the top list, so they get the lowest
    dense score seen (an upper bound of their own).
    """
    cosines = dict(dense)
    floor = min(cosines.values(), default=0.0)
    best = max((score for _, score in lexical), default=0.0)
    fused = dict(cosines)
    for chunk_id, score in lexical:
        fused[chunk_id] = cosines.get(chunk_id, floor) + weight * score / (best + damping)
    return fused


class HybridSearcher:
    """Dense + BM25 over one chunk store; the lexical index is rebuilt only when the index changes."""

    def __init__(
        self,
        store: ChunkStore,
        embedder: Embedder,
        revision: Callable[[], object] | None = None,
        candidates: int = 30,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.candidates = candidates
        self._revision = revision or (lambda: None)
        self._lexical: LexicalIndex | None = None
        self._built_at: object = object()
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        """Forget the lexical index (the next search rebuilds it)."""
        with self._lock:
            self._lexical = None

    def lexical(self) -> LexicalIndex:
        """The lexical index, rebuilt from the store when the manifest revision moved."""
        revision = self._revision()
        with self._lock:
            if self._lexical is None or revision != self._built_at:
                self._lexical = LexicalIndex(self.store.all())
                self._built_at = revision
            return self._lexical

    def dense(
        self, vector: Vectors, k: int, language: str | None, tags: Sequence[str], article: str | None
    ) -> list[tuple[str, float]]:
        where = metadata_filter(language, tags, article)
        return self.store.query(vector, k, where)

    def search(
        self,
        query: str,
        k: int = 5,
        *,
        language: str | None = None,
        tags: Sequence[str] = (),
        article: str | None = None,
        vector: Vectors | None = None,
    ) -> list[SearchHit]:
        """The ``k`` best chunks for ``query`` among those matching the filters."""
        lexical = self.lexical()
        if not len(lexical):
            return []
        vector = self.embedder.embed_query(query) if vector is None else vector
        depth = max(self.candidates, k)
        dense = self.dense(vector, depth, language, tags, article)
        sparse = lexical.search(query, depth, lexical.mask(language, tags, article))
        fused = blend(dense, sparse)
        dense_scores = dict(dense)
        sparse_scores = dict(sparse)
        best = sorted(fused, key=fused.__getitem__, reverse=True)[:k]
        hits = []
        missing = [i for i in best if i not in lexical.by_id]
        extra = {c.id: c for c in self.store.get(missing)} if missing else {}
        for chunk_id in best:
            chunk = lexical.by_id.get(chunk_id) or extra.get(chunk_id)
            if chunk is None:
                continue
            hits.append(
                SearchHit(chunk, fused[chunk_id], dense_scores.get(chunk_id), sparse_scores.get(chunk_id))
            )
        return hits
