"""The knowledge base: one door for ingestion, search and answers."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from chromadb.api import ClientAPI
from rich.console import Console

from knowledge.answer import Answer, LLMAnswerer, citation_for, extract_passage, refusal
from knowledge.confidence import ConfidenceModel, features, model_for
from knowledge.embeddings import Embedder, Vectors, embedder_from_settings
from knowledge.ingest import Ingestor, IngestReport
from knowledge.manifest import Manifest
from knowledge.search import HybridSearcher, SearchHit
from knowledge.sources import DEFAULT_MAX_BYTES
from knowledge.store import ChunkStore, chroma_client, collection_name
from tandem.config import Settings, get_settings

__all__ = ["DEFAULT_THRESHOLD", "KnowledgeBase", "Retriever"]

logger = logging.getLogger(__name__)

# Cosine similarity (multilingual-e5-small) of the best passage below which we say
# "I don't know"; calibrated on bench/data/knowledge_eval.yaml (see bench/knowledge.py).
DEFAULT_THRESHOLD = 0.86
# e5-small scores a good match across languages lower than within one language.
CROSS_LINGUAL_MARGIN = 0.05


class Retriever(Protocol):
    """What the conversation engine needs from the knowledge base."""

    def answer(self, question: str, language: str) -> Answer:
        """An answer in ``language`` with citations, or an honest refusal."""
        ...


class KnowledgeBase:
    """Chroma + BM25 hybrid retrieval over ingested sources, with cited answers."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        embedder: Embedder | None = None,
        client: ClientAPI | None = None,
        llm: LLMAnswerer | None = None,
        threshold: float | None = None,
        confidence: ConfidenceModel | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        self.embedder = embedder or embedder_from_settings(self.settings)
        self.store = ChunkStore(client or chroma_client(self.settings), self.embedder)
        self.manifest_path = (
            Path(self.settings.data_dir) / "knowledge" / f"{collection_name(self.embedder)}.json"
        )
        self.searcher = HybridSearcher(self.store, self.embedder, revision=self._revision)
        self.threshold = DEFAULT_THRESHOLD if threshold is None else threshold
        # An explicit cosine threshold means "use the cosine"; else the shipped model, if any.
        self.confidence = confidence or (model_for(self.embedder.name) if threshold is None else None)
        self.llm = llm if llm is not None else self._llm_from_settings()

    def _llm_from_settings(self) -> LLMAnswerer | None:
        if not self.settings.llm_configured:
            return None
        key = self.settings.openai_api_key
        return LLMAnswerer(
            self.settings.llm_model,
            api_key=key.get_secret_value() if key else None,
            base_url=self.settings.openai_base_url,
        )

    def _revision(self) -> object:
        """Changes whenever any process rewrites the manifest (cheap: one ``stat``)."""
        try:
            return self.manifest_path.stat().st_mtime_ns
        except FileNotFoundError:
            return None

    def manifest(self) -> Manifest:
        return Manifest.load(self.manifest_path, collection_name(self.embedder))

    def ingest(
        self,
        inputs: Sequence[str],
        *,
        prune: bool = True,
        max_bytes: int = DEFAULT_MAX_BYTES,
        console: Console | None = None,
    ) -> IngestReport:
        """Ingest files, directories, URLs and URL-list files (see :class:`Ingestor`)."""
        ingestor = Ingestor(self.store, self.embedder, self.manifest(), max_bytes=max_bytes, console=console)
        report = ingestor.run(inputs, prune=prune)
        if report.changed:
            self.searcher.invalidate()
        return report

    def search(
        self,
        query: str,
        k: int = 5,
        *,
        language: str | None = None,
        tags: Sequence[str] = (),
        article: str | None = None,
        query_language: str | None = None,
    ) -> list[SearchHit]:
        """Hybrid search, optionally filtered by language, tags (all of them) and article.

        ``query_language`` is the language of ``query`` (guessed when not given).
        """
        return self.searcher.search(
            query, k, language=language, tags=tags, article=article, query_language=query_language
        )

    def prepare(self, question: str) -> None:
        """Embed the question now (remembered), so that ``answer`` spends no time on it later."""
        self.embedder.embed_query(question)

    def evidence(self, question: str, language: str, vector: Vectors | None = None) -> list[SearchHit]:
        """The hits whether-to-answer is judged on: e5's own ranking (lexical weight 0).

        The answer's passage comes from the fused ranking; the confidence model reads the dense
        ranking, so retuning the fusion does not move the refusal calibration.
        """
        vector = self.embedder.embed_query(question) if vector is None else vector
        return self.searcher.search(question, 8, vector=vector, query_language=language, weight=0.0)

    def answer(self, question: str, language: str) -> Answer:
        """An answer in ``language`` from the best article, with citations, or a refusal."""
        vector = self.embedder.embed_query(question)
        hits = self.searcher.search(question, 8, vector=vector, query_language=language)
        if not hits:
            return refusal(language, 0.0)
        evidence = self.evidence(question, language, vector)
        score = max((h.dense for h in evidence[:3] if h.dense is not None), default=0.0)
        if not self.answerable(question, language, evidence, score):
            return refusal(language, score)
        chosen = self._in_language(question, language, hits, vector)
        if self.llm is not None:
            try:
                return self.llm.answer(question, language, [h.chunk for h in chosen[:4]], score)
            except Exception:  # any LLM failure falls back to the extractive answer
                logger.warning("LLM answer failed; falling back to extractive", exc_info=True)
        best = chosen[0].chunk
        text = extract_passage(question, best.text)
        return Answer(text, [citation_for(best)], score, True, best.language, best.article)

    def answerable(self, question: str, language: str, hits: list[SearchHit], score: float) -> bool:
        """The confidence model's verdict, or the cosine threshold without a model.

        The eval set has almost no questions answered only across languages (the demo help
        centre exists in all five), so the model is not trusted there: those keep the cosine
        threshold, lowered by the cross-lingual margin.
        """
        cross_lingual = all(h.chunk.language != language for h in hits[:3])
        if self.confidence is not None and not cross_lingual:
            probability = self.confidence.probability(features(question, language, hits))
            return probability >= self.confidence.threshold
        return score >= self.threshold - (CROSS_LINGUAL_MARGIN if cross_lingual else 0.0)

    def _in_language(
        self, question: str, language: str, hits: list[SearchHit], vector: object
    ) -> list[SearchHit]:
        """Prefer the same article's chunks written in the question's language."""
        top = hits[0]
        if top.chunk.language == language or not top.chunk.article:
            return hits
        local = self.searcher.search(
            question,
            3,
            language=language,
            article=top.chunk.article,
            vector=vector,  # type: ignore[arg-type]
            query_language=language,
        )
        return local + [h for h in hits if h.id not in {x.id for x in local}] if local else hits
