"""Understanding behind one door: language, intent, slots and products; router or LLM."""

from __future__ import annotations

from typing import Any, Protocol

from bot.nlu import IntentRouter, ProductMatcher, detect_language, extract_slots
from bot.nlu.products import ProductMatch
from bot.schemas import StructuredIntent
from tandem.logging import get_logger

log = get_logger(__name__)


class IntentModel(Protocol):
    def classify(self, text: str, language: str) -> StructuredIntent: ...


class Understanding:
    """The embedded router by default; an LLM when configured (unsure-only or always)."""

    def __init__(
        self,
        router: IntentRouter,
        products: ProductMatcher,
        *,
        llm: IntentModel | None = None,
        llm_always: bool = False,
        llm_below: float = 0.75,
    ) -> None:
        self.router = router
        self.products = products
        self.llm = llm
        self.llm_always = llm_always
        self.llm_below = llm_below

    def prepare(self, text: str) -> str:
        """Do the expensive part (embedding and scoring) now, outside any database transaction;
        returns the most likely intent."""
        return self.router.scores(text)[0].name

    def language(self, text: str, previous: str | None) -> str:
        return str(detect_language(text, previous).language)

    def intent(self, text: str, language: str) -> StructuredIntent:
        routed = self.router.classify(text, language)
        if self.llm is None or not (self.llm_always or routed.confidence < self.llm_below):
            return routed
        try:
            proposed = self.llm.classify(text, language)
        except Exception as exc:  # the endpoint failed: the router's answer stands
            log.warning("llm_understanding_failed", error=type(exc).__name__)
            return routed
        # The model proposes; slots the extractors found stay authoritative.
        return proposed.model_copy(update={"slots": {**proposed.slots, **routed.slots}})

    def slots(self, text: str, language: str) -> dict[str, Any]:
        return extract_slots(text, self.products)

    def product(self, text: str) -> ProductMatch:
        return self.products.match(text)
