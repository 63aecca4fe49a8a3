"""Heading-aware chunking: each chunk keeps the path of titles above it."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

from knowledge.documents import Chunk, ParsedDocument, Section
from knowledge.language import detect_language, normalise_language

__all__ = ["CHUNKER_VERSION", "TITLE_SEPARATOR", "chunk_document", "source_id", "split_sentences"]

CHUNKER_VERSION = "1"
TITLE_SEPARATOR = " › "
MAX_CHARS = 900
_SENTENCE_END = re.compile(r"(?<=[.!?؟۔])\s+(?=\S)")


def split_sentences(text: str) -> list[str]:
    """Sentences and list items of a passage, in order."""
    out: list[str] = []
    for block in re.split(r"\n+", text):
        out.extend(s.strip() for s in _SENTENCE_END.split(block) if s.strip())
    return out


def _hard_wrap(text: str, max_chars: int) -> list[str]:
    """Split an over-long sentence (a flattened table, say) at word boundaries."""
    pieces: list[str] = []
    current = ""
    for word in text.split(" "):
        if current and len(current) + len(word) + 1 > max_chars:
            pieces.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        pieces.append(current)
    return pieces


def _windows(text: str, max_chars: int) -> Iterator[str]:
    """Pack paragraphs (or, for long ones, sentences) into pieces of at most ``max_chars``."""
    if len(text) <= max_chars:
        yield text
        return
    units: list[str] = []
    for paragraph in text.split("\n\n"):
        if len(paragraph) <= max_chars:
            units.append(paragraph)
            continue
        for sentence in split_sentences(paragraph):
            units.extend(_hard_wrap(sentence, max_chars))
    current: list[str] = []
    size = 0
    for unit in units:
        if current and size + len(unit) > max_chars:
            yield "\n\n".join(current)
            current, size = [], 0
        current.append(unit)
        size += len(unit) + 2
    if current:
        yield "\n\n".join(current)


def source_id(source: str) -> str:
    """A short stable id for a source path or URL."""
    return hashlib.sha1(source.encode()).hexdigest()[:16]


def _title_path(document: ParsedDocument, section: Section) -> str:
    return TITLE_SEPARATOR.join([document.title, *section.headings])


def chunk_document(document: ParsedDocument, max_chars: int = MAX_CHARS) -> list[Chunk]:
    """Split a parsed document into chunks; the declared language wins over detection."""
    declared = normalise_language(document.language)
    fallback: str | None = None
    sid = source_id(document.source)
    chunks: list[Chunk] = []
    for section in document.sections:
        title_path = _title_path(document, section)
        for piece in _windows(section.text, max_chars):
            language = declared
            if language is None:
                fallback = fallback or detect_language(" ".join(s.text for s in document.sections)[:3000])
                language = detect_language(f"{title_path}\n{piece}", default=fallback)
            digest = hashlib.sha1(
                "\x1f".join([title_path, piece, language, document.article, ",".join(document.tags)]).encode()
            ).hexdigest()
            chunks.append(
                Chunk(
                    id=f"{sid}:{len(chunks)}",
                    source=document.source,
                    text=piece,
                    title_path=title_path,
                    title=document.title,
                    anchor=section.anchor,
                    language=language,
                    article=document.article,
                    tags=document.tags,
                    ordinal=len(chunks),
                    content_hash=digest,
                )
            )
    return chunks
