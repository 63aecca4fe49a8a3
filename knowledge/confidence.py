"""Whether retrieval found an answer: a tiny logistic model over retrieval features.

The top cosine alone separates answerable from out-of-scope questions poorly with e5 (its
scores crowd into 0.78–0.90). The model adds the margin to the second article, the lexical
evidence, whether dense and lexical agree, and the question length. Its weights are fitted
offline by ``python -m bench.knowledge --calibrate`` (cross-validated on
bench/data/knowledge_eval.yaml) and shipped in ``confidence.json``, one entry per embedder;
nothing is trained at run time.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from knowledge.lexical import lexical_text
from knowledge.search import LEXICAL_DAMPING, SearchHit
from knowledge.tokens import lexical_terms, tokenize

__all__ = ["FEATURES", "MODEL_PATH", "ConfidenceModel", "features", "model_for"]

MODEL_PATH = Path(__file__).with_name("confidence.json")
FEATURES = ("top_cosine", "margin", "lexical", "agreement", "length", "cross_lingual", "coverage")


def features(question: str, language: str, hits: Sequence[SearchHit]) -> list[float]:
    """The retrieval features of ``question``'s hits, in the order of :data:`FEATURES`."""
    dense = [(h.dense, h.chunk.article) for h in hits if h.dense is not None]
    top = max((score for score, _ in dense), default=0.0)
    best: dict[str, float] = {}
    for score, article in dense:
        best[article] = max(best.get(article, score), score)
    ranked = sorted(best.values(), reverse=True)
    margin = ranked[0] - ranked[1] if len(ranked) > 1 else 0.0
    lexical = [(h.lexical, h.chunk.article) for h in hits if h.lexical is not None]
    strongest = max((score for score, _ in lexical), default=0.0)
    dense_top = max(dense)[1] if dense else None
    lexical_top = max(lexical)[1] if lexical else None
    agreement = float(dense_top is not None and dense_top == lexical_top)
    cross = float(all(h.chunk.language != language for h in hits[:3]))
    # Out-of-scope questions name things the help centre never mentions (a city's weather, a
    # mountain): the share of the question's n-grams found in the best passages is low.
    wanted = set(lexical_terms(question))
    found = {t for h in hits[:3] for t in lexical_terms(lexical_text(h.chunk))}
    coverage = len(wanted & found) / len(wanted) if wanted else 0.0
    return [
        top,
        margin,
        strongest / (strongest + LEXICAL_DAMPING),
        agreement,
        math.log1p(len(tokenize(question))),
        cross,
        coverage,
    ]


@dataclass(frozen=True)
class ConfidenceModel:
    """``sigmoid(bias + weights · (x - mean) / scale)``; answer when it reaches ``threshold``."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float

    def probability(self, values: Sequence[float]) -> float:
        """The estimated probability that the help centre answers the question."""
        z = self.bias + sum(
            w * (x - m) / s for w, x, m, s in zip(self.weights, values, self.mean, self.scale, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(FEATURES),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "weights": list(self.weights),
            "bias": self.bias,
            "threshold": self.threshold,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ConfidenceModel:
        if tuple(data["features"]) != FEATURES:
            raise ValueError("confidence model was fitted on other features")

        def floats(key: str) -> tuple[float, ...]:
            return tuple(float(v) for v in data[key])

        return cls(
            floats("mean"),
            floats("scale"),
            floats("weights"),
            float(data["bias"]),
            float(data["threshold"]),
        )


@lru_cache(maxsize=8)
def model_for(embedder: str, path: Path = MODEL_PATH) -> ConfidenceModel | None:
    """The shipped model for ``embedder`` (``None``: fall back to the cosine threshold)."""
    try:
        shipped = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    entry = shipped.get(embedder)
    return ConfidenceModel.from_json(entry) if entry else None
