"""Knowledge admin: the sources in the manifest, uploads, re-ingestion, unanswered questions."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session

from api.console.knowledge.schemas import IngestOut, SourceOut, Sources, UnansweredQuestion
from bot.models import Message
from knowledge import IngestReport, KnowledgeBase
from knowledge.parsing import parser_for
from tandem.config import Settings
from tandem.errors import NotFound, TandemError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class UploadRejected(TandemError):
    code = "upload_rejected"
    status = 422


def uploads_dir(settings: Settings) -> Path:
    return Path(settings.data_dir) / "knowledge" / "uploads"


def safe_filename(name: str) -> str:
    """The file's base name reduced to safe characters (no paths, no hidden files)."""
    base = Path(name.replace("\\", "/")).name
    cleaned = re.sub(r"[^\w.\-]+", "-", base, flags=re.UNICODE).strip(".-")[:120]
    if not cleaned or "." not in cleaned:
        raise UploadRejected("the file needs a name with an extension, like returns.md")
    return cleaned


def list_sources(kb: KnowledgeBase) -> Sources:
    manifest = kb.manifest()
    return Sources(
        collection=manifest.collection,
        revision=manifest.revision,
        sources=[
            SourceOut(key=key, title=record.title, origin=record.origin, chunks=len(record.chunks))
            for key, record in sorted(manifest.sources.items())
        ],
    )


def _out(report: IngestReport) -> IngestOut:
    return IngestOut(
        sources_seen=report.sources_seen,
        sources_changed=report.sources_changed,
        sources_unchanged=report.sources_unchanged,
        sources_removed=report.sources_removed,
        chunks_added=report.chunks_added,
        chunks_updated=report.chunks_updated,
        chunks_removed=report.chunks_removed,
        skipped=[f"{s.source}: {s.reason}" for s in report.skipped],
    )


def store_upload(settings: Settings, filename: str, data: bytes) -> Path:
    """Keep the uploaded document under ``data_dir/knowledge/uploads``."""
    name = safe_filename(filename)
    if parser_for(name) is None:
        raise UploadRejected(f"{name}: unsupported file type (use .md, .txt, .html, .pdf or .docx)")
    if not data.strip():
        raise UploadRejected(f"{name} is empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadRejected(f"{name} is over {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
    directory = uploads_dir(settings)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_bytes(data)
    return path


def ingest_upload(kb: KnowledgeBase, path: Path) -> IngestOut:
    report = kb.ingest([str(path)], prune=False)
    out = _out(report)
    if report.skipped:
        raise UploadRejected(f"{path.name} was not ingested: {'; '.join(out.skipped)}")
    return out


def reingest(kb: KnowledgeBase, source: str | None) -> IngestOut:
    """Ingest one known source again, or all of them (directories are pruned as usual)."""
    manifest = kb.manifest()
    if source is not None:
        if source not in manifest.sources:
            raise NotFound("no such source in the knowledge base")
        return _out(kb.ingest([source], prune=False))
    inputs = sorted({r.origin for r in manifest.sources.values() if r.origin})
    inputs += sorted(key for key, r in manifest.sources.items() if not r.origin)
    return _out(kb.ingest(inputs, prune=True))


def unanswered(session: Session, limit: int = 100) -> list[UnansweredQuestion]:
    """Customer questions the knowledge base could not answer, newest first."""
    rows = session.scalars(
        select(Message)
        .where(Message.role == "customer", cast(Message.payload, String).like('%"unanswered"%'))
        .order_by(Message.id.desc())
        .limit(limit * 2)
    ).all()
    found = [m for m in rows if m.payload.get("unanswered") is True][:limit]
    return [
        UnansweredQuestion(
            message_id=m.id,
            conversation_id=m.conversation_id,
            text=m.text,
            language=m.language,
            faq_score=m.payload.get("faq_score"),
            created_at=m.created_at,
        )
        for m in found
    ]
