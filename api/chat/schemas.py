"""Public chat API shapes (CONTRACT.md section 3)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.limits import NoNul
from bot.schemas import CitationOut, JobRef, TurnResult

MAX_TEXT = 4000


class ConversationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: Literal["web"] = "web"
    locale: Literal["en", "ar", "fa", "sw", "pl"] | None = None
    customer_token: str | None = Field(None, max_length=200)


class ConversationCreated(BaseModel):
    id: str
    locale: str | None


class MessageCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, NoNul] = Field(min_length=1, max_length=MAX_TEXT)
    client_message_id: str | None = Field(
        None,
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description="Client-chosen id; sending it again returns the first result without reprocessing.",
    )


class TranscriptMessage(BaseModel):
    id: int
    role: str
    text: str
    language: str | None
    citations: list[CitationOut] = Field(default_factory=list)
    quick_replies: list[str] = Field(default_factory=list)
    created_at: datetime


class JobStatus(JobRef):
    updated_at: datetime


class Transcript(BaseModel):
    id: str
    channel: str
    language: str | None
    status: str
    verified: bool
    messages: list[TranscriptMessage]
    jobs: list[JobStatus]


__all__ = [
    "MAX_TEXT",
    "ConversationCreate",
    "ConversationCreated",
    "MessageCreate",
    "Transcript",
    "TranscriptMessage",
    "TurnResult",
]
