"""Ingestion: read, hash, parse, chunk, embed (in batches), store; report what changed."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from knowledge.chunking import CHUNKER_VERSION, chunk_document
from knowledge.documents import Chunk
from knowledge.embeddings import Embedder
from knowledge.errors import SourceRejected
from knowledge.manifest import Manifest, SourceRecord
from knowledge.parsing import parse_bytes
from knowledge.sources import DEFAULT_MAX_BYTES, SourceRef, content_hash, expand
from knowledge.store import ChunkStore

__all__ = ["IngestReport", "Ingestor", "SkippedSource"]

_SALT = f"chunker={CHUNKER_VERSION}"


@dataclass(frozen=True)
class SkippedSource:
    """A source that was not ingested, and why."""

    source: str
    reason: str


@dataclass
class IngestReport:
    """What one ingestion run did."""

    sources_seen: int = 0
    sources_unchanged: int = 0
    sources_changed: int = 0
    sources_removed: int = 0
    chunks_added: int = 0
    chunks_updated: int = 0
    chunks_removed: int = 0
    chunks_embedded: int = 0
    skipped: list[SkippedSource] = field(default_factory=list)
    seconds: float = 0.0
    embed_seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.chunks_added or self.chunks_updated or self.chunks_removed)


@dataclass
class _Pending:
    key: str
    record: SourceRecord
    chunks: list[Chunk]
    stale_ids: list[str]


class Ingestor:
    """Brings a chunk store and its manifest in line with a set of sources."""

    def __init__(
        self,
        store: ChunkStore,
        embedder: Embedder,
        manifest: Manifest,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        batch_size: int = 64,
        console: Console | None = None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.manifest = manifest
        self.max_bytes = max_bytes
        self.batch_size = batch_size
        self.console = console

    def run(self, inputs: Sequence[str], *, prune: bool = True) -> IngestReport:
        """Ingest files, directories, URLs and URL lists; prune sources gone from them."""
        started = time.perf_counter()
        report = IngestReport()
        pending: list[_Pending] = []
        seen: set[str] = set()
        origins: set[str] = set()
        with httpx.Client(timeout=20.0, follow_redirects=True) as client, self._progress() as bar:
            refs = list(expand(list(inputs), client, self.max_bytes))
            read_task = bar.add_task("reading", total=len(refs)) if bar else None
            for ref in refs:
                if isinstance(ref, tuple):
                    report.skipped.append(SkippedSource(*ref))
                else:
                    seen.add(ref.key)
                    origins.add(ref.origin)
                    report.sources_seen += 1
                    self._prepare(ref, report, pending)
                if bar and read_task is not None:
                    bar.advance(read_task)
            self._embed_and_store(pending, report, bar)
        if prune:
            self._prune(origins - {""}, seen, report)
        if report.changed or report.sources_changed or report.sources_removed:
            self.manifest.revision += 1
        self.manifest.save()
        report.seconds = time.perf_counter() - started
        return report

    @contextmanager
    def _progress(self) -> Iterator[Progress | None]:
        if self.console is None:
            yield None
            return
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
            transient=True,
        ) as progress:
            yield progress

    def _prepare(self, ref: SourceRef, report: IngestReport, pending: list[_Pending]) -> None:
        """Read and hash a source; parse and chunk it only if it changed."""
        previous = self.manifest.sources.get(ref.key)
        try:
            data, content_type = ref.read()
            digest = content_hash(data, _SALT)
            if previous is not None and previous.hash == digest:
                report.sources_unchanged += 1
                previous.origin = ref.origin or previous.origin
                return
            document = parse_bytes(ref.key, data, content_type)
            chunks = chunk_document(document)
        except SourceRejected as exc:
            report.skipped.append(SkippedSource(ref.key, exc.reason))
            return
        except OSError as exc:
            report.skipped.append(SkippedSource(ref.key, f"unreadable: {exc}"))
            return
        old = dict(previous.chunks) if previous else {}
        new_ids = {c.id for c in chunks}
        changed = [c for c in chunks if old.get(c.id) != c.content_hash]
        report.sources_changed += 1
        report.chunks_added += sum(1 for c in changed if c.id not in old)
        report.chunks_updated += sum(1 for c in changed if c.id in old)
        stale = [i for i in old if i not in new_ids]
        report.chunks_removed += len(stale)
        record = SourceRecord(
            hash=digest,
            chunks=[(c.id, c.content_hash) for c in chunks],
            origin=ref.origin,
            title=document.title,
        )
        pending.append(_Pending(ref.key, record, changed, stale))

    def _embed_and_store(self, pending: list[_Pending], report: IngestReport, bar: Progress | None) -> None:
        """Embed every changed chunk in batches across sources, then store and record them."""
        todo = [chunk for item in pending for chunk in item.chunks]
        task = bar.add_task("embedding", total=len(todo)) if bar and todo else None
        for start in range(0, len(todo), self.batch_size):
            batch = todo[start : start + self.batch_size]
            began = time.perf_counter()
            vectors = self.embedder.embed_passages([c.embedding_text for c in batch])
            report.embed_seconds += time.perf_counter() - began
            self.store.upsert(batch, vectors)
            report.chunks_embedded += len(batch)
            if bar and task is not None:
                bar.advance(task, len(batch))
        stale = [i for item in pending for i in item.stale_ids]
        if stale:
            self.store.delete(stale)
        for item in pending:
            self.manifest.sources[item.key] = item.record

    def _prune(self, origins: set[str], seen: set[str], report: IngestReport) -> None:
        """Delete sources that an ingested directory or URL list no longer contains."""
        for origin in origins:
            for key in sorted(self.manifest.sources_from(origin) - seen):
                record = self.manifest.sources.pop(key)
                self.store.delete(record.chunk_ids)
                report.sources_removed += 1
                report.chunks_removed += len(record.chunks)
