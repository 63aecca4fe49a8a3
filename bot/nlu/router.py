"""The intent router: embeddings + a calibrated softmax head + a few rules, with an out-of-scope floor."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.nlu.encoder import E5QueryEncoder, QueryEncoder, Vectors
from bot.nlu.head import Labels, SoftmaxHead, fit_temperature, softmax
from bot.nlu.intents import IntentCatalogue, load_intents
from bot.nlu.language import detect_language
from bot.nlu.normalize import normalize
from bot.nlu.products import ProductMatcher
from bot.nlu.rules import rule_boosts
from bot.nlu.slots import extract_slots
from bot.schemas import Language, StructuredIntent
from tandem.config import get_settings

__all__ = ["IntentRouter", "IntentScore"]

log = logging.getLogger(__name__)

OUT_OF_SCOPE = "out_of_scope"
# Slots any intent may carry: the dialogue verifies the customer with them.
_ALWAYS_KEPT = ("email", "phone")
_INDEX_VERSION = 1
_NEIGHBOURS = 3
# E5 cosine similarities live in a narrow band (~0.7–0.95), so the neighbour softmax must be sharp.
_NEIGHBOUR_TEMPERATURE = 0.02


@dataclass(frozen=True, slots=True)
class IntentScore:
    """One intent and its calibrated probability."""

    name: str
    confidence: float


class IntentRouter:
    """Classifies a message into the catalogue's intents; below ``threshold`` it is out of scope."""

    def __init__(
        self,
        intents: IntentCatalogue | None = None,
        *,
        encoder: QueryEncoder | None = None,
        products: ProductMatcher | None = None,
        cache_dir: Path | None = None,
        threshold: float = 0.4,
        neighbour_weight: float = 0.5,
        folds: int = 5,
    ) -> None:
        self.intents = intents or load_intents()
        self.encoder = encoder or E5QueryEncoder()
        self.products = products if products is not None else ProductMatcher.from_catalog()
        self.threshold = threshold
        self.neighbour_weight = neighbour_weight
        self.names = self.intents.names
        self._oos = self.names.index(OUT_OF_SCOPE)
        examples = self.intents.examples()
        self.labels: Labels = np.array([self.names.index(name) for name, _, _ in examples], dtype=np.int64)
        self.examples = [normalize(text) for _, _, text in examples]
        cache = (cache_dir or get_settings().data_dir / "nlu") / self._cache_name()
        self.vectors = self._example_vectors(cache)
        self.head = self._trained_head(cache.with_suffix(".head.npz"), folds)

    def _cache_name(self) -> str:
        return f"intent-index-v{_INDEX_VERSION}-{self.encoder.name}-{self.intents.digest[:16]}.npz"

    def _example_vectors(self, cache: Path) -> Vectors:
        """Example embeddings, from the cache when the intent file has not changed."""
        if cache.exists():
            with np.load(cache) as stored:
                vectors = stored["vectors"]
            if vectors.shape[0] == len(self.examples):
                return np.asarray(vectors, dtype=np.float32)
        vectors = self.encoder.encode(self.examples)
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cache, vectors=vectors)
        return vectors

    def _trained_head(self, cache: Path, folds: int) -> SoftmaxHead:
        """Train the head; its temperature comes from out-of-fold logits so confidences are honest."""
        if cache.exists():
            with np.load(cache) as stored:
                head = SoftmaxHead(
                    stored["weights"],
                    stored["bias"],
                    stored["mean"],
                    stored["scale"],
                    float(stored["temperature"]),
                )
            return head
        classes = len(self.names)
        head = SoftmaxHead.fit(self.vectors, self.labels, classes)
        held_out = np.zeros((len(self.labels), classes), dtype=np.float32)
        fold_of = np.arange(len(self.labels)) % folds
        for fold in range(folds):
            train, test = fold_of != fold, fold_of == fold
            part = SoftmaxHead.fit(self.vectors[train], self.labels[train], classes)
            held_out[test] = part.logits(self.vectors[test])
        head.temperature = fit_temperature(held_out, self.labels)
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(
            cache,
            weights=head.weights,
            bias=head.bias,
            mean=head.mean,
            scale=head.scale,
            temperature=np.float32(head.temperature),
        )
        return head

    def embed(self, text: str) -> Vectors:
        """The query vector of one message, shape (dim,)."""
        vector: Vectors = self.encoder.encode([normalize(text)])[0]
        return vector

    def scores(self, text: str, vector: Vectors | None = None) -> list[IntentScore]:
        """Every intent with its probability (head + rules), best first."""
        vector = self.embed(text) if vector is None else vector
        probs = self.head.probabilities(vector[None, :])[0].astype(np.float64)
        if self.neighbour_weight:
            neighbours = self._neighbour_probabilities(vector)
            probs = (1 - self.neighbour_weight) * probs + self.neighbour_weight * neighbours
        for name, factor in rule_boosts(text).items():
            if name in self.names:
                probs[self.names.index(name)] *= factor
        probs /= probs.sum()
        order = np.argsort(-probs, kind="stable")
        return [IntentScore(self.names[i], round(float(probs[i]), 4)) for i in order]

    def _neighbour_probabilities(self, vector: Vectors) -> npt.NDArray[np.float64]:
        """Softmax over each intent's mean similarity to its 3 nearest examples (robust to odd ones)."""
        similarities = self.vectors @ vector
        per_intent = np.array(
            [np.sort(similarities[self.labels == i])[-_NEIGHBOURS:].mean() for i in range(len(self.names))]
        )
        probs: npt.NDArray[np.float64] = softmax(
            per_intent[None, :].astype(np.float32), _NEIGHBOUR_TEMPERATURE
        )[0].astype(np.float64)
        return probs

    def top(self, text: str, k: int = 3, vector: Vectors | None = None) -> list[IntentScore]:
        """The ``k`` most likely intents (alternatives for the dialogue or an LLM to consider)."""
        return self.scores(text, vector)[:k]

    def decide(self, ranked: list[IntentScore]) -> IntentScore:
        """The winning intent, or out_of_scope when the best in-scope intent is not sure enough."""
        best = ranked[0]
        if best.name != OUT_OF_SCOPE and best.confidence < self.threshold:
            oos = next(s.confidence for s in ranked if s.name == OUT_OF_SCOPE)
            return IntentScore(OUT_OF_SCOPE, round(max(oos, 1 - best.confidence), 4))
        return best

    def classify(
        self, text: str, language: str | None = None, *, vector: Vectors | None = None
    ) -> StructuredIntent:
        """The structured intent of one message, slots filled by the extractors."""
        lang: Language = language if language in _LANGUAGES else detect_language(text).language  # type: ignore[assignment]
        decided = self.decide(self.scores(text, vector))
        return StructuredIntent(
            name=decided.name,
            confidence=decided.confidence,
            slots=self._slots(decided.name, text),
            language=lang,
            source="router",
        )

    def _slots(self, intent: str, text: str) -> dict[str, Any]:
        if intent == OUT_OF_SCOPE or intent not in self.names:
            return {}
        spec = self.intents.get(intent)
        wanted = {slot.name for slot in spec.slots} | set(_ALWAYS_KEPT)
        if "sku" in wanted:
            wanted.add("sku_candidates")
        found = extract_slots(text, self.products if "sku" in wanted else None)
        slots = {name: value for name, value in found.items() if name in wanted}
        for slot in spec.slots:
            if slot.type == "text" and slot.name == "question":
                slots[slot.name] = normalize(text)
            elif slot.name not in slots and slot.default is not None:
                slots[slot.name] = slot.default
        return slots


_LANGUAGES = frozenset({"en", "ar", "fa", "sw", "pl"})
