"""Hybrid search: language-corrected cosine and BM25 over n-grams, fused per article.

Every chunk that passes the filters is scored (knowledge/dense.py keeps the vectors in memory):

1. dense: the cosine minus the query's pull towards the chunk's language (see ``DenseIndex``);
2. lexical: BM25 over character n-grams, divided by ``best + LEXICAL_DAMPING`` so that a weak
   best match moves the ranking less than a strong, specific one;
3. native first: when an article exists in the question's language, only that version
   competes (its translations would only add e5's noisier cross-language scores); an article
   without such a version competes with the versions it has;
4. per article, the best dense and the best lexical score are standardised across the
   articles of this query and added, lexical with ``LEXICAL_WEIGHT``. The dense spread used
   for standardising is at least ``DENSE_SPREAD_FLOOR``: when e5 crowds the articles closer
   than it usually does (typically a question in one language about an article that exists
   only in another, or a Swahili question e5 reads poorly), its ordering is mostly noise and
   is not blown up to full weight, so the lexical evidence decides.

Chunks are returned best first: an article's best chunk carries the article's score, its
other chunks fall behind by their dense deficit. The weight and the floor were chosen on half A
of bench/data/knowledge_eval.yaml and checked on half B (``python -m bench.knowledge --half``);
the language correction and native-first rule have no weight to tune.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from knowledge.dense import DenseIndex
from knowledge.embeddings import Embedder, Vectors
from knowledge.language import guess_language
from knowledge.lexical import LexicalIndex
from knowledge.store import ChunkStore, StoredChunk

__all__ = ["HybridSearcher", "SearchHit", "fuse"]

LEXICAL_WEIGHT = 0.5
# Spread (standard deviation over the query's articles) of the best e5-small cosines below which
# the dense ranking counts as crowded; about the lower quartile of what eval questions show.
DENSE_SPREAD_FLOOR = 0.015
# BM25 scores are divided by (best + LEXICAL_DAMPING): a query whose best lexical match is
# weak moves the ranking less than one with a strong, specific match.
LEXICAL_DAMPING = 10.0


@dataclass(frozen=True)
class SearchHit:
    """A retrieved chunk with its fused score, its cosine and its BM25 score (if any)."""

    chunk: StoredChunk
    score: float
    dense: float | None = None
    lexical: float | None = None

    @property
    def id(self) -> str:
        return self.chunk.id


def _standardised(
    values: npt.NDArray[np.float64], floor: float = 0.0
) -> tuple[npt.NDArray[np.float64], float]:
    spread = max(float(values.std()), floor)
    if spread < 1e-9:
        return np.zeros_like(values), 1.0
    return (values - values.mean()) / spread, spread


def fuse(
    groups: npt.NDArray[np.int64],
    eligible: npt.NDArray[np.bool_],
    dense: npt.NDArray[np.floating],
    lexical: npt.NDArray[np.floating],
    weight: float = LEXICAL_WEIGHT,
    floor: float = DENSE_SPREAD_FLOOR,
) -> npt.NDArray[np.float64]:
    """Chunk scores (``-inf`` where not eligible) from per-article standardised evidence.

    ``groups`` numbers each chunk's article; ``lexical`` is already normalised to [0, 1);
    ``floor`` is the least dense spread standardising divides by.
    """
    scores = np.full(len(groups), -np.inf)
    if not eligible.any():
        return scores
    count = int(groups.max()) + 1
    best_dense = np.full(count, -np.inf)
    best_lexical = np.full(count, -np.inf)
    np.maximum.at(best_dense, groups[eligible], dense[eligible].astype(np.float64))
    np.maximum.at(best_lexical, groups[eligible], lexical[eligible].astype(np.float64))
    present = np.isfinite(best_dense)
    article = np.zeros(count)
    z_dense, spread = _standardised(best_dense[present], floor)
    z_lexical, _ = _standardised(best_lexical[present])
    article[present] = z_dense + weight * z_lexical
    deficit = (dense[eligible] - best_dense[groups[eligible]]) / spread
    scores[eligible] = article[groups[eligible]] + deficit
    return scores


class HybridSearcher:
    """Dense + BM25 over one chunk store; the in-memory indexes are rebuilt only when the store changes."""

    def __init__(
        self,
        store: ChunkStore,
        embedder: Embedder,
        revision: Callable[[], object] | None = None,
        weight: float = LEXICAL_WEIGHT,
        floor: float = DENSE_SPREAD_FLOOR,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.weight = weight
        self.floor = floor
        self._revision = revision or (lambda: None)
        self._indexes: tuple[LexicalIndex, DenseIndex] | None = None
        self._built_at: object = object()
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        """Forget the in-memory indexes (the next search rebuilds them)."""
        with self._lock:
            self._indexes = None

    def indexes(self) -> tuple[LexicalIndex, DenseIndex]:
        """The lexical and dense indexes, rebuilt from the store when the manifest revision moved."""
        revision = self._revision()
        with self._lock:
            if self._indexes is None or revision != self._built_at:
                chunks, vectors = self.store.all_with_vectors()
                self._indexes = (LexicalIndex(chunks), DenseIndex(chunks, vectors))
                self._built_at = revision
            return self._indexes

    def lexical(self) -> LexicalIndex:
        """The lexical index (see :meth:`indexes`)."""
        return self.indexes()[0]

    def search(
        self,
        query: str,
        k: int = 5,
        *,
        language: str | None = None,
        tags: Sequence[str] = (),
        article: str | None = None,
        vector: Vectors | None = None,
        query_language: str | None = None,
        weight: float | None = None,
    ) -> list[SearchHit]:
        """The ``k`` best chunks for ``query`` among those matching the filters.

        ``query_language`` is the language the question is written in (when not given, guessed
        from its spelling, or from the language centroids when that is unsure); ``language``
        filters the chunks. ``weight`` overrides the lexical weight (0: e5's own ranking).
        """
        lexical, dense = self.indexes()
        if not len(lexical) or k <= 0:
            return []
        vector = self.embedder.embed_query(query) if vector is None else vector
        mask = lexical.mask(language, tags, article)
        eligible = np.ones(len(lexical), dtype=bool) if mask is None else mask.copy()
        cosine, corrected = dense.scores(vector)
        spoken = query_language or guess_language(query, lambda: dense.language_of(vector))
        if spoken:
            written = dense.in_language(spoken)
            has_native = np.zeros(len(dense.group_names), dtype=bool)
            has_native[dense.groups[eligible & written]] = True
            eligible &= written | ~has_native[dense.groups]
        bm25 = lexical.scores(query, eligible)
        best = float(bm25.max()) if len(bm25) else 0.0
        normalised = bm25 / (best + LEXICAL_DAMPING)
        lexical_weight = self.weight if weight is None else weight
        fused = fuse(dense.groups, eligible, corrected, normalised, lexical_weight, self.floor)
        count = min(k, int(eligible.sum()))
        if count <= 0:
            return []
        top = np.argpartition(-fused, count - 1)[:count]
        top = top[np.argsort(-fused[top], kind="stable")]
        return [
            SearchHit(
                lexical.chunks[i],
                float(fused[i]),
                float(cosine[i]),
                float(bm25[i]) if bm25[i] > 0 else None,
            )
            for i in top
        ]
