"""Errors of the knowledge package."""

from __future__ import annotations

__all__ = ["KnowledgeError", "SourceRejected"]


class KnowledgeError(Exception):
    """Base class for everything the knowledge package raises on purpose."""


class SourceRejected(KnowledgeError):
    """A source cannot be ingested (corrupt, binary, empty, too large, unsupported)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
