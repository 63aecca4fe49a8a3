"""The intent router: embeddings + a calibrated softmax head + a few rules, with an out-of-scope floor."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bot.nlu.calibration import Cutoffs, Probabilities, choose_cutoffs, mix, translation_folds
from bot.nlu.encoder import E5QueryEncoder, QueryEncoder, Vectors
from bot.nlu.head import Labels, Matrix, SoftmaxHead, fit_temperature, softmax
from bot.nlu.intents import IntentCatalogue, load_intents
from bot.nlu.language import detect_language
from bot.nlu.normalize import normalize
from bot.nlu.products import ProductMatcher
from bot.nlu.rules import Evidence, quick_reply_intent, rule_boosts
from bot.nlu.slots import extract_slots
from bot.schemas import Language, StructuredIntent
from tandem.config import get_settings

__all__ = ["IntentRouter", "IntentScore"]

log = logging.getLogger(__name__)

OUT_OF_SCOPE = "out_of_scope"
# Slots any intent may carry: the dialogue verifies the customer with them.
_ALWAYS_KEPT = ("email", "phone")
_INDEX_VERSION = 2
_NEIGHBOURS = 3
# E5 cosine similarities live in a narrow band (~0.7–0.95), so the neighbour softmax must be sharp.
_NEIGHBOUR_TEMPERATURE = 0.02
# A product name matched at least this well (F1 of the matcher) is evidence of an in-scope message.
_PRODUCT_EVIDENCE = 0.6


@dataclass(frozen=True, slots=True)
class IntentScore:
    """One intent and its calibrated probability."""

    name: str
    confidence: float


class IntentRouter:
    """Classifies a message into the catalogue's intents; an unsure best guess is out of scope.

    The out-of-scope cut-offs (``threshold`` and ``margin``) are chosen by cross-validation on the
    intent file's own examples unless given.
    """

    def __init__(
        self,
        intents: IntentCatalogue | None = None,
        *,
        encoder: QueryEncoder | None = None,
        products: ProductMatcher | None = None,
        cache_dir: Path | None = None,
        threshold: float | None = None,
        margin: float | None = None,
        neighbour_weight: float | None = None,
        folds: int = 5,
    ) -> None:
        self.intents = intents or load_intents()
        self.encoder = encoder or E5QueryEncoder()
        self.products = products if products is not None else ProductMatcher.from_catalog()
        self.names = self.intents.names
        self._oos = self.names.index(OUT_OF_SCOPE)
        examples = self.intents.examples()
        self.labels: Labels = np.array([self.names.index(name) for name, _, _ in examples], dtype=np.int64)
        self.examples = [normalize(text) for _, _, text in examples]
        self._folds = translation_folds(examples, folds)
        cache = (cache_dir or get_settings().data_dir / "nlu") / self._cache_name()
        self.vectors = self._example_vectors(cache)
        # The API embeds a message before its database transaction starts, then classifies inside it.
        self._recent: dict[str, Vectors] = {}
        self._recent_scores: dict[str, list[IntentScore]] = {}  # a turn may ask twice about one text
        self._recent_lock = threading.Lock()
        self._label_columns: list[NDArray[np.intp]] | None = None
        self.head, cutoffs = self._trained_head(cache.with_suffix(".head.npz"))
        self.neighbour_weight = cutoffs.neighbour_weight if neighbour_weight is None else neighbour_weight
        self.threshold = cutoffs.threshold if threshold is None else threshold
        self.margin = cutoffs.margin if margin is None else margin

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

    def _trained_head(self, cache: Path) -> tuple[SoftmaxHead, Cutoffs]:
        """Train the head; temperature and cut-offs come from out-of-fold predictions, so they are honest."""
        if cache.exists():
            with np.load(cache) as stored:
                weights, bias, mean, scale = (stored[k] for k in ("weights", "bias", "mean", "scale"))
                head = SoftmaxHead(weights, bias, mean, scale, float(stored["temperature"]))
                stored_cutoffs = (float(stored[k]) for k in ("neighbour_weight", "threshold", "margin"))
                return head, Cutoffs(*stored_cutoffs)
        classes = len(self.names)
        head = SoftmaxHead.fit(self.vectors, self.labels, classes)
        held_out = np.zeros((len(self.labels), classes), dtype=np.float32)
        for fold in np.unique(self._folds):
            train, test = self._folds != fold, self._folds == fold
            part = SoftmaxHead.fit(self.vectors[train], self.labels[train], classes)
            held_out[test] = part.logits(self.vectors[test])
        head.temperature = fit_temperature(held_out, self.labels)
        cutoffs = choose_cutoffs(*self._out_of_fold(held_out, head.temperature), self.labels, self._oos)
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(
            cache,
            weights=head.weights,
            bias=head.bias,
            mean=head.mean,
            scale=head.scale,
            temperature=np.float32(head.temperature),
            neighbour_weight=np.float64(cutoffs.neighbour_weight),
            threshold=np.float64(cutoffs.threshold),
            margin=np.float64(cutoffs.margin),
        )
        return head, cutoffs

    def _out_of_fold(
        self, logits: Matrix, temperature: float
    ) -> tuple[Probabilities, Probabilities, Probabilities]:
        """Each example's head and neighbour probabilities from the other folds, and its rule boosts."""
        head = softmax(logits, temperature).astype(np.float64)
        similarities = self.vectors @ self.vectors.T
        neighbours = np.zeros_like(head)
        for fold in np.unique(self._folds):
            test, train = self._folds == fold, self._folds != fold
            neighbours[test] = self._neighbour_softmax(similarities[test][:, train], self.labels[train])
        boosts = np.stack([self._boosts(text) for text in self.examples])
        return head, neighbours, boosts

    def embed(self, text: str) -> Vectors:
        """The query vector of one message, shape (dim,); recent messages are remembered."""
        key = normalize(text)
        with self._recent_lock:
            cached = self._recent.get(key)
        if cached is not None:
            return cached
        vector: Vectors = self.encoder.encode([key])[0]
        with self._recent_lock:
            self._recent[key] = vector
            if len(self._recent) > 2048:
                self._recent.pop(next(iter(self._recent)))
        return vector

    def scores(self, text: str, vector: Vectors | None = None) -> list[IntentScore]:
        """Every intent with its probability (head + rules), best first."""
        quick = quick_reply_intent(text)
        if quick is not None and quick in self.names:
            return [IntentScore(quick, 1.0), *(IntentScore(n, 0.0) for n in self.names if n != quick)]
        if vector is None:
            with self._recent_lock:
                cached = self._recent_scores.get(text)
            if cached is not None:
                return list(cached)
        ranked = self._ranked(text, self.embed(text) if vector is None else vector)
        if vector is None:
            with self._recent_lock:
                self._recent_scores[text] = ranked
                if len(self._recent_scores) > 2048:
                    self._recent_scores.pop(next(iter(self._recent_scores)))
        return list(ranked)

    def _ranked(self, text: str, vector: Vectors) -> list[IntentScore]:
        head = self.head.probabilities(vector[None, :])[0].astype(np.float64)
        probs = self._combined(text, head, self._neighbour_probabilities(vector))
        order = np.argsort(-probs, kind="stable")
        return [IntentScore(self.names[i], round(float(probs[i]), 4)) for i in order]

    def _combined(self, text: str, head: Probabilities, neighbours: Probabilities) -> Probabilities:
        """Head and neighbour probabilities mixed, then the rules' multipliers, renormalised."""
        return mix(head, neighbours, self._boosts(text), self.neighbour_weight)

    def _boosts(self, text: str) -> Probabilities:
        """The rules' multiplier of every intent (1 where no rule fires)."""
        factors = np.ones(len(self.names), dtype=np.float64)
        for name, factor in rule_boosts(text, self.evidence(text)).items():
            if name in self.names:
                factors[self.names.index(name)] = factor
        return factors

    def evidence(self, text: str) -> Evidence:
        """Order ids, SKUs and catalogue product names in ``text`` (what the rules condition on)."""
        names_product = bool(self.products.candidates(text, limit=1, minimum=_PRODUCT_EVIDENCE))
        return Evidence.of(text, product=names_product)

    def _neighbour_probabilities(self, vector: Vectors) -> Probabilities:
        """Softmax over each intent's mean similarity to its 3 nearest examples (robust to odd ones)."""
        probs: Probabilities = self._neighbour_softmax((self.vectors @ vector)[None, :], self.labels)[0]
        return probs

    def _neighbour_softmax(self, similarities: Matrix, labels: Labels) -> Probabilities:
        """Rows of example similarities (columns labelled ``labels``) → neighbour probabilities."""
        per_intent = np.stack(
            [_top_mean(similarities[:, columns], _NEIGHBOURS) for columns in self._columns(labels)], axis=1
        )
        scaled = softmax(per_intent.astype(np.float32), _NEIGHBOUR_TEMPERATURE)
        probs: Probabilities = scaled.astype(np.float64)
        return probs

    def _columns(self, labels: Labels) -> list[NDArray[np.intp]]:
        """Each intent's example columns (computed once for the router's own labels)."""
        if labels is self.labels:
            if self._label_columns is None:
                self._label_columns = [np.flatnonzero(labels == i) for i in range(len(self.names))]
            return self._label_columns
        return [np.flatnonzero(labels == i) for i in range(len(self.names))]

    def top(self, text: str, k: int = 3, vector: Vectors | None = None) -> list[IntentScore]:
        """The ``k`` most likely intents (alternatives for the dialogue or an LLM to consider)."""
        return self.scores(text, vector)[:k]

    def decide(self, ranked: list[IntentScore]) -> IntentScore:
        """The winner, or out_of_scope when the best in-scope intent is neither sure nor clearly ahead."""
        best = ranked[0]
        if best.name == OUT_OF_SCOPE or best.confidence >= self.threshold:
            return best
        if len(ranked) > 1 and best.confidence - ranked[1].confidence >= self.margin:
            return best
        oos = next(s.confidence for s in ranked if s.name == OUT_OF_SCOPE)
        return IntentScore(OUT_OF_SCOPE, round(max(oos, 1 - best.confidence), 4))

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


def _top_mean(similarities: Matrix, k: int) -> NDArray[np.floating[Any]]:
    """Mean of each row's ``k`` largest values (all of them when a row has fewer)."""
    if similarities.shape[1] > k:
        similarities = np.partition(similarities, similarities.shape[1] - k, axis=1)[:, -k:]
    means: NDArray[np.floating[Any]] = similarities.mean(axis=1)
    return means
