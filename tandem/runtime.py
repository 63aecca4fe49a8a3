"""The composition root: builds the conversation engine and its parts from settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tandem.config import Settings

if TYPE_CHECKING:
    from agents import BackOffice
    from bot.engine import ConversationEngine
    from bot.understanding import IntentModel
    from knowledge import KnowledgeBase


def build_knowledge(settings: Settings) -> KnowledgeBase:
    from knowledge import KnowledgeBase

    return KnowledgeBase(settings)


def build_chat_engine(
    settings: Settings, office: BackOffice, *, knowledge: KnowledgeBase | None = None
) -> ConversationEngine:
    """The engine with the offline router (and the LLM when configured) over ``office``."""
    from agents import ToolRegistry
    from bot.engine import ConversationEngine
    from bot.nlu import IntentRouter, ProductMatcher
    from bot.understanding import Understanding

    products = ProductMatcher.from_catalog()
    router = IntentRouter(products=products)
    understanding = Understanding(router, products, llm=_llm(settings))
    return ConversationEngine(
        understanding=understanding,
        tools=ToolRegistry(office),
        knowledge=knowledge if knowledge is not None else build_knowledge(settings),
        base_url=settings.resolved_public_url,
    )


def _llm(settings: Settings) -> IntentModel | None:
    if not settings.llm_configured:
        return None
    from bot.llm import LLMIntentModel

    return LLMIntentModel.from_settings(settings)
