"""Knowledge: sources → chunks → hybrid retrieval (Chroma + BM25) → answers with citations.

The conversation engine needs :class:`KnowledgeBase` (or the :class:`Retriever` protocol)
and :class:`Answer`; ``tandem ingest`` is :func:`knowledge.cli.ingest_command`.
"""

from knowledge.answer import Answer, Citation, LLMAnswerer
from knowledge.base import DEFAULT_THRESHOLD, KnowledgeBase, Retriever
from knowledge.chunking import chunk_document
from knowledge.documents import SUPPORTED_LANGUAGES, Chunk, ParsedDocument, Section
from knowledge.embeddings import (
    ChromaEmbeddingAdapter,
    Embedder,
    LocalE5Embedder,
    OpenAIEmbedder,
    embedder_from_settings,
)
from knowledge.errors import KnowledgeError, SourceRejected
from knowledge.ingest import IngestReport, SkippedSource
from knowledge.messages import I_DONT_KNOW
from knowledge.parsing import parse_bytes
from knowledge.search import SearchHit

__all__ = [
    "DEFAULT_THRESHOLD",
    "I_DONT_KNOW",
    "SUPPORTED_LANGUAGES",
    "Answer",
    "ChromaEmbeddingAdapter",
    "Chunk",
    "Citation",
    "Embedder",
    "IngestReport",
    "KnowledgeBase",
    "KnowledgeError",
    "LLMAnswerer",
    "LocalE5Embedder",
    "OpenAIEmbedder",
    "ParsedDocument",
    "Retriever",
    "SearchHit",
    "Section",
    "SkippedSource",
    "SourceRejected",
    "chunk_document",
    "embedder_from_settings",
    "parse_bytes",
]
