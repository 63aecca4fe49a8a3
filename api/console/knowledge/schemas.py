"""Bodies of the knowledge admin API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class SourceOut(BaseModel):
    key: str
    title: str
    origin: str
    chunks: int


class Sources(BaseModel):
    collection: str
    revision: int
    sources: list[SourceOut]


class ReingestIn(BaseModel):
    """One source (its key from the list), or every source when empty."""

    source: str | None = Field(None, max_length=2000)


class IngestOut(BaseModel):
    sources_seen: int
    sources_changed: int
    sources_unchanged: int
    sources_removed: int
    chunks_added: int
    chunks_updated: int
    chunks_removed: int
    skipped: list[str]


class UnansweredQuestion(BaseModel):
    message_id: int
    conversation_id: str
    text: str
    language: str | None
    faq_score: float | None
    created_at: datetime
