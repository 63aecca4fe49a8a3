"""Exact cosine over an in-memory copy of the stored vectors, corrected for the query's language.

Chroma stays the store (persistence, server mode, the dense-only baseline); the searcher keeps
the vectors beside the lexical index (1.5 KB a chunk for 384 dimensions) and scores every chunk
that passes the filters, so an English-only article is never lost below thirty same-language
candidates.

multilingual-e5 gives a question a higher cosine with any passage in its own language than with
the same passage in another (bench/knowledge.py: a Polish question scores the unrelated Polish
articles ~0.03–0.07 above the right English-only one). The mean vector of a language, taken
over articles that exist in more than one language (the same content, so the means differ by
language alone), measures that pull: ``cosine - query · mean(language of the chunk)`` compares
passages of different languages on one scale.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from knowledge.embeddings import Vectors
from knowledge.store import StoredChunk

__all__ = ["DenseIndex", "group_key"]

# A language needs this many chunks in shared articles before its mean vector is trusted.
MIN_CENTROID_CHUNKS = 1


def group_key(chunk: StoredChunk) -> str:
    """What the ranking groups by: the article slug (shared by its translations), else the source."""
    return chunk.article or str(chunk.metadata.get("source", chunk.id))


class DenseIndex:
    """Vectors of every chunk with their languages, article groups and language centroids."""

    def __init__(self, chunks: Sequence[StoredChunk], vectors: Vectors) -> None:
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.languages = np.array([c.language for c in chunks], dtype=object)
        codes = {name: i for i, name in enumerate(sorted({c.language for c in chunks}))}
        self._codes = codes
        self.language_codes = np.array([codes[c.language] for c in chunks], dtype=np.int16)
        groups = [group_key(c) for c in chunks]
        self.group_names = sorted(set(groups))
        number = {name: i for i, name in enumerate(self.group_names)}
        self.groups = np.array([number[g] for g in groups], dtype=np.int64)
        self.language_names, self.centroids = self._centroids(groups)
        position = {name: i for i, name in enumerate(self.language_names)}
        self._language_of_chunk = np.array([position.get(str(x), 0) for x in self.languages], dtype=np.int64)

    def __len__(self) -> int:
        return len(self.languages)

    def _centroids(self, groups: list[str]) -> tuple[list[str], npt.NDArray[np.float32]]:
        """Mean vector per language, over articles present in two or more languages.

        A language with no such article falls back to the mean of all its chunks (or, with
        too few, to the mean of the other languages: no correction); with fewer than two
        languages sharing articles nothing is corrected at all.
        """
        none: tuple[list[str], npt.NDArray[np.float32]] = ([], np.zeros((0, 0), dtype=np.float32))
        if not len(self.languages) or self.vectors.ndim != 2:
            return none
        languages_of: dict[str, set[str]] = {}
        for group, language in zip(groups, self.languages, strict=True):
            languages_of.setdefault(group, set()).add(str(language))
        shared = np.array([len(languages_of[g]) > 1 for g in groups], dtype=bool)
        names = sorted({str(x) for x in self.languages})
        means: dict[str, npt.NDArray[np.float32]] = {}
        for language in names:
            rows = shared & (self.languages == language)
            if rows.sum() >= MIN_CENTROID_CHUNKS:
                means[language] = self.vectors[rows].mean(axis=0)
        if len(means) < 2:
            return none
        neutral = np.mean(list(means.values()), axis=0)
        for language in names:
            if language not in means:
                rows = self.languages == language
                means[language] = (
                    self.vectors[rows].mean(axis=0) if rows.sum() >= MIN_CENTROID_CHUNKS else neutral
                )
        return names, np.stack([means[n] for n in names]).astype(np.float32)

    def in_language(self, language: str) -> npt.NDArray[np.bool_]:
        """Which chunks are written in ``language``."""
        code = self._codes.get(language)
        if code is None:
            return np.zeros(len(self.language_codes), dtype=bool)
        return np.asarray(self.language_codes == code)

    def language_of(self, vector: Vectors) -> str | None:
        """The language whose mean vector is closest to ``vector`` (``None`` without centroids)."""
        if not self.language_names:
            return None
        return self.language_names[int(np.argmax(self.centroids @ vector))]

    def scores(self, vector: Vectors) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        """``(cosine, language-corrected cosine)`` of every chunk."""
        if not len(self):
            empty = np.zeros(0, dtype=np.float32)
            return empty, empty
        # einsum, not ``@``: a matrix-vector product through multi-threaded OpenBLAS is several
        # times slower on a busy 2-core machine (threads fight the web workers for the cores).
        cosine = np.einsum("ij,j->i", self.vectors, np.asarray(vector, dtype=np.float32))
        if not self.language_names:
            return cosine, cosine
        pull = self.centroids @ vector
        return cosine, cosine - pull[self._language_of_chunk]
