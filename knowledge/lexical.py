"""The in-memory BM25 index over every chunk (title path + text), with metadata masks."""

from __future__ import annotations

from collections.abc import Sequence

import bm25s  # type: ignore[import-untyped]
import numpy as np
import numpy.typing as npt

from knowledge.store import StoredChunk
from knowledge.tokens import lexical_terms

__all__ = ["LexicalIndex", "lexical_text"]


def lexical_text(chunk: StoredChunk) -> str:
    """What BM25 sees of a chunk: its title path, its tags (authors' keywords), then the body."""
    return f"{chunk.title_path}\n{' '.join(chunk.tags)}\n{chunk.text}"


class LexicalIndex:
    """BM25 (bm25s) over character n-grams of the chunks; built once, queried many times."""

    def __init__(self, chunks: Sequence[StoredChunk]) -> None:
        self.chunks = list(chunks)
        self.by_id = {chunk.id: chunk for chunk in self.chunks}
        self._languages = np.array([c.language for c in self.chunks], dtype=str)
        self._articles = np.array([c.article for c in self.chunks], dtype=str)
        self._retriever: bm25s.BM25 | None = None
        self._vocabulary: set[str] = set()
        corpus = [lexical_terms(lexical_text(c)) or ["\x00"] for c in self.chunks]
        if corpus:
            self._retriever = bm25s.BM25()
            self._retriever.index(corpus, show_progress=False)
            self._vocabulary = {token for doc in corpus for token in doc}

    def __len__(self) -> int:
        return len(self.chunks)

    def mask(
        self, language: str | None = None, tags: Sequence[str] = (), article: str | None = None
    ) -> npt.NDArray[np.bool_] | None:
        """Which chunks pass the filters (``None``: all of them)."""
        if not (language or tags or article):
            return None
        keep = np.ones(len(self.chunks), dtype=bool)
        if language:
            keep &= self._languages == language
        if article:
            keep &= self._articles == article
        for tag in tags:
            keep &= np.array([tag in c.tags for c in self.chunks], dtype=bool)
        return keep

    def scores(self, query: str, mask: npt.NDArray[np.bool_] | None = None) -> npt.NDArray[np.float64]:
        """The BM25 score of every chunk (0 outside ``mask`` and without a shared term)."""
        tokens = [t for t in lexical_terms(query) if t in self._vocabulary]
        if self._retriever is None or not tokens:
            return np.zeros(len(self.chunks))
        scores = np.asarray(self._retriever.get_scores(tokens), dtype=np.float64)
        return np.where(mask, scores, 0.0) if mask is not None else scores

    def search(
        self, query: str, k: int, mask: npt.NDArray[np.bool_] | None = None
    ) -> list[tuple[str, float]]:
        """Top ``k`` chunks as ``(id, BM25 score)``; only chunks with a positive score."""
        if self._retriever is None or k <= 0:
            return []
        scores = self.scores(query, mask)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(self.chunks[i].id, float(scores[i])) for i in top if scores[i] > 0]
