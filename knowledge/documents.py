"""The shapes a source takes on its way into the index: parsed sections, then chunks."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["SUPPORTED_LANGUAGES", "Chunk", "ParsedDocument", "Section"]

SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "ar", "fa", "sw", "pl")


@dataclass(frozen=True)
class Section:
    """A run of text under one heading path (outermost heading first)."""

    headings: tuple[str, ...]
    text: str
    anchor: str = ""


@dataclass
class ParsedDocument:
    """What a parser returns: document-level metadata and its sections in order."""

    source: str
    title: str
    sections: list[Section]
    language: str | None = None
    tags: tuple[str, ...] = ()
    article: str = ""
    updated: str = ""
    kind: str = "text"


@dataclass(frozen=True)
class Chunk:
    """One retrievable passage with everything needed to cite it."""

    id: str
    source: str
    text: str
    title_path: str
    title: str
    anchor: str
    language: str
    article: str
    tags: tuple[str, ...] = field(default_factory=tuple)
    ordinal: int = 0
    content_hash: str = ""

    @property
    def embedding_text(self) -> str:
        """What the embedder and the lexical index see: the title path, then the body."""
        return f"{self.title_path}\n{self.text}"
