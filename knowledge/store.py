"""The vector store: Chroma, embedded (``PersistentClient``) or a server (``HttpClient``)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import chromadb
from chromadb.api import ClientAPI
from chromadb.config import Settings as ChromaSettings

from knowledge.documents import Chunk
from knowledge.embeddings import ChromaEmbeddingAdapter, Embedder, Vectors
from tandem.config import Settings

__all__ = ["ChunkStore", "StoredChunk", "chroma_client", "collection_name", "metadata_filter"]

_TAG_PREFIX = "tag:"


def chroma_client(settings: Settings) -> ClientAPI:
    """``HttpClient`` when ``settings.chroma_url`` is set, else a ``PersistentClient``."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        ssl = url.scheme == "https"
        return chromadb.HttpClient(
            host=url.hostname or "127.0.0.1",
            port=url.port or (443 if ssl else 8000),
            ssl=ssl,
            settings=chroma_settings,
        )
    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)


def collection_name(embedder: Embedder) -> str:
    """One collection per embedding model: vectors of different models never mix."""
    slug = re.sub(r"[^a-zA-Z0-9._-]+", "-", embedder.name).strip("-._")
    return f"knowledge-{slug}"[:60]


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as read back from the store."""

    id: str
    text: str
    metadata: Mapping[str, Any]

    @property
    def title_path(self) -> str:
        return str(self.metadata.get("title_path", ""))

    @property
    def language(self) -> str:
        return str(self.metadata.get("language", ""))

    @property
    def article(self) -> str:
        return str(self.metadata.get("article", ""))

    @property
    def tags(self) -> tuple[str, ...]:
        raw = str(self.metadata.get("tags", ""))
        return tuple(t for t in raw.split(",") if t)


def _metadata(chunk: Chunk) -> dict[str, str | int | bool]:
    meta: dict[str, str | int | bool] = {
        "source": chunk.source,
        "title": chunk.title,
        "title_path": chunk.title_path,
        "anchor": chunk.anchor,
        "language": chunk.language,
        "article": chunk.article,
        "tags": ",".join(chunk.tags),
        "ordinal": chunk.ordinal,
        "content_hash": chunk.content_hash,
    }
    for tag in chunk.tags:
        meta[_TAG_PREFIX + tag] = True
    return meta


def metadata_filter(
    language: str | None = None, tags: Sequence[str] = (), article: str | None = None
) -> dict[str, Any] | None:
    """A Chroma ``where`` clause: every given condition must hold (tags: all of them)."""
    clauses: list[dict[str, Any]] = []
    if language:
        clauses.append({"language": language})
    if article:
        clauses.append({"article": article})
    clauses.extend({_TAG_PREFIX + tag: True} for tag in tags)
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class ChunkStore:
    """One Chroma collection of chunks; always given our embedder, usually our vectors."""

    def __init__(self, client: ClientAPI, embedder: Embedder) -> None:
        self.embedder = embedder
        self.collection = client.get_or_create_collection(
            name=collection_name(embedder),
            embedding_function=ChromaEmbeddingAdapter(embedder),  # type: ignore[arg-type]
            configuration={"hnsw": {"space": "cosine"}},
        )

    def upsert(self, chunks: Sequence[Chunk], vectors: Vectors, batch: int = 1000) -> None:
        """Insert or replace chunks with precomputed vectors."""
        for start in range(0, len(chunks), batch):
            part = chunks[start : start + batch]
            self.collection.upsert(
                ids=[c.id for c in part],
                embeddings=vectors[start : start + batch],
                documents=[c.text for c in part],
                metadatas=[_metadata(c) for c in part],
            )

    def delete(self, ids: Sequence[str], batch: int = 1000) -> None:
        """Remove chunks by id (unknown ids are ignored)."""
        for start in range(0, len(ids), batch):
            self.collection.delete(ids=list(ids[start : start + batch]))

    def count(self) -> int:
        return int(self.collection.count())

    def query(
        self, vector: Vectors, k: int, where: Mapping[str, Any] | None = None
    ) -> list[tuple[str, float]]:
        """Nearest chunks as ``(id, cosine similarity)``, best first."""
        if k <= 0:
            return []
        result = self.collection.query(
            query_embeddings=[vector.tolist()],
            n_results=k,
            where=dict(where) if where else None,
            include=["distances"],
        )
        ids = result["ids"][0]
        distances = (result["distances"] or [[]])[0]
        return [(i, 1.0 - float(d)) for i, d in zip(ids, distances, strict=True)]

    def get(self, ids: Sequence[str]) -> list[StoredChunk]:
        """Chunks by id, in the order asked (missing ids are left out)."""
        if not ids:
            return []
        result = self.collection.get(ids=list(ids), include=["documents", "metadatas"])
        found = {
            i: StoredChunk(i, doc or "", meta or {})
            for i, doc, meta in zip(
                result["ids"], result["documents"] or [], result["metadatas"] or [], strict=True
            )
        }
        return [found[i] for i in ids if i in found]

    def all(self, page: int = 5000) -> list[StoredChunk]:
        """Every chunk (for building the in-memory lexical index)."""
        return self.all_with_vectors(page, vectors=False)[0]

    def all_with_vectors(
        self, page: int = 1000, *, vectors: bool = True
    ) -> tuple[list[StoredChunk], Vectors]:
        """Every chunk and (if asked) its stored vector, row ``i`` belonging to chunk ``i``.

        Pages are small: Chroma hands embeddings back as Python objects, and a 5,000-row page
        of them costs far more transient memory than the float32 rows kept.
        """
        import numpy as np

        out: list[StoredChunk] = []
        rows: list[Any] = []
        offset = 0
        include: list[Any] = ["documents", "metadatas", *(["embeddings"] if vectors else [])]
        while True:
            result = self.collection.get(include=include, limit=page, offset=offset)
            ids = result["ids"]
            out.extend(
                StoredChunk(i, doc or "", meta or {})
                for i, doc, meta in zip(
                    ids, result["documents"] or [], result["metadatas"] or [], strict=True
                )
            )
            if vectors and len(ids):
                rows.append(np.asarray(result["embeddings"], dtype=np.float32))
            if len(ids) < page:
                break
            offset += page
        matrix = np.vstack(rows) if rows else np.zeros((0, 0), dtype=np.float32)
        return out, matrix.astype(np.float32, copy=False)

    def vectors(self, ids: Sequence[str]) -> Vectors:
        """Stored vectors of ``ids`` (in that order)."""
        import numpy as np

        if not ids:
            return np.zeros((0, 0), dtype=np.float32)
        result = self.collection.get(ids=list(ids), include=["embeddings"])
        by_id = dict(zip(result["ids"], result["embeddings"], strict=True))  # type: ignore[arg-type]
        return np.asarray([by_id[i] for i in ids], dtype=np.float32)
