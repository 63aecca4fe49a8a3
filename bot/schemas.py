"""Typed shapes the conversation engine exchanges with the rest of Tandem."""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, Field

Language = Literal["en", "ar", "fa", "sw", "pl", "other"]
SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "ar", "fa", "sw", "pl")
RTL_LANGUAGES = frozenset({"ar", "fa"})

IntentName = Literal[
    "greeting",
    "goodbye",
    "faq",
    "order_status",
    "place_order",
    "cancel_order",
    "return_item",
    "change_address",
    "check_stock",
    "request_invoice",
    "file_document",
    "human_agent",
    "out_of_scope",
]
INTENTS: tuple[str, ...] = get_args(IntentName)


class StructuredIntent(BaseModel):
    """What the customer wants, as understood from one message (CONTRACT.md section 2)."""

    name: str = Field(description="One of the intent catalogue's names.")
    confidence: float = Field(ge=0.0, le=1.0, description="Calibrated probability the name is right.")
    slots: dict[str, Any] = Field(default_factory=dict, description="Extracted slot values.")
    language: Language = Field(description="ISO 639-1 code of the message's language.")
    source: Literal["router", "llm", "rule"] = Field(description="Which understanding produced it.")


class CitationOut(BaseModel):
    title: str
    source: str


class BotMessageOut(BaseModel):
    role: Literal["bot", "agent", "system"] = "bot"
    text: str
    citations: list[CitationOut] = Field(default_factory=list)
    quick_replies: list[str] = Field(default_factory=list)


class JobRef(BaseModel):
    id: str
    kind: str
    status: str


class TurnResult(BaseModel):
    """What one customer message produced (CONTRACT.md section 3)."""

    messages: list[BotMessageOut] = Field(default_factory=list)
    intent: StructuredIntent | None = None
    language: str
    awaiting: str | None = None
    handoff: bool = False
    jobs: list[JobRef] = Field(default_factory=list)
