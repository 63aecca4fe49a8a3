"""Embedders: the OpenAI-compatible path over loopback HTTP, and the Chroma adapter."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from knowledge.base import KnowledgeBase
from knowledge.embeddings import (
    ChromaEmbeddingAdapter,
    LocalE5Embedder,
    OpenAIEmbedder,
    embedder_from_settings,
)
from tandem.config import get_settings
from tests.knowledge.conftest import FakeOpenAI

pytestmark = pytest.mark.unit


class TestOpenAIEmbedder:
    def test_settings_select_it_and_honour_the_base_url(
        self,
        monkeypatch: pytest.MonkeyPatch,
        fake_openai: tuple[str, type[FakeOpenAI]],
        helpcentre: Path,
    ) -> None:
        url, server = fake_openai
        monkeypatch.setenv("TANDEM_EMBEDDINGS", "openai")
        monkeypatch.setenv("TANDEM_EMBEDDING_MODEL", "text-embedding-3-small")
        monkeypatch.setenv("OPENAI_BASE_URL", url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        get_settings.cache_clear()

        kb = KnowledgeBase()
        kb.llm = None
        report = kb.ingest([str(helpcentre)])
        hit = kb.search("gift card valid months", 1)[0]

        assert isinstance(kb.embedder, OpenAIEmbedder)
        assert report.chunks_added == kb.store.count() == 7
        assert hit.chunk.article == "gift-cards"
        bodies = [r["body"] for r in server.requests if r["path"] == "/v1/embeddings"]
        assert {b["model"] for b in bodies} == {"text-embedding-3-small"}
        assert all(isinstance(text, str) for b in bodies for text in b["input"])
        assert not any(text.startswith("passage: ") for b in bodies for text in b["input"])

    def test_e5_models_get_their_prefixes(self, fake_openai: tuple[str, type[FakeOpenAI]]) -> None:
        url, server = fake_openai
        embedder = OpenAIEmbedder("multilingual-e5-small", base_url=url)

        passages = embedder.embed_passages(["one", "two"])
        query = embedder.embed_query("three")

        assert passages.shape == (2, 64)
        assert np.allclose(np.linalg.norm(passages, axis=1), 1.0)
        assert query.shape == (64,)
        inputs = [r["body"]["input"] for r in server.requests]
        assert inputs == [["passage: one", "passage: two"], ["query: three"]]


class TestLocalAndChroma:
    def test_default_is_the_offline_model(self) -> None:
        embedder = embedder_from_settings(get_settings())
        assert isinstance(embedder, LocalE5Embedder)
        query = embedder.embed_query("how long do I have to return an item?")
        passages = embedder.embed_passages(["Returns within 30 days.", "Gift cards last 2 years."])
        assert query.shape == (384,)
        assert passages.shape == (2, 384)
        assert float(passages[0] @ query) > float(passages[1] @ query)

    def test_chroma_uses_our_embedding_function(self, e5_kb: KnowledgeBase) -> None:
        collection = e5_kb.store.collection
        assert isinstance(collection._embedding_function, ChromaEmbeddingAdapter)
        # Chroma embeds query_texts through our adapter (with the query prefix), never its default.
        result = collection.query(query_texts=["gift card validity"], n_results=1)
        assert result["metadatas"] is not None
        assert result["metadatas"][0][0]["article"] == "gift-cards"

    def test_unknown_backend_is_refused(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("TANDEM_EMBEDDINGS", "magic")
        get_settings.cache_clear()
        with pytest.raises(ValueError, match="magic"):
            embedder_from_settings()
