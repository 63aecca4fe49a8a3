"""Customer file uploads (damage photos, forms, certificates) that start a document filing."""

from __future__ import annotations

import re
import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.chat.routes import ERRORS, CustomerToken, load_conversation
from api.chat.schemas import TurnResult
from api.deps import ChatEngine, DbSession
from api.limits import IpRateLimit, NoNul, limit_conversation
from bot.engine import ConversationEngine
from tandem.errors import TandemError

router = APIRouter(prefix="/api/v1", tags=["chat"])
ALLOWED_TYPES = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
}
SIGNATURES = {
    ".jpg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".webp": (b"RIFF",),
    ".pdf": (b"%PDF",),
}


class UnsupportedFile(TandemError):
    code = "unsupported_file"
    status = 415


def _safe_name(name: str) -> str:
    stem = re.sub(r"[^\w.-]+", "_", name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1])[:120]
    return stem.strip("._") or "document"


@router.post(
    "/conversations/{conversation_id}/attachments",
    response_model=TurnResult,
    responses={**ERRORS, 415: {"description": "Only JPEG, PNG, WebP images and PDF files"}},
)
async def upload_attachment(
    conversation_id: str,
    request: Request,
    file: UploadFile,
    db: DbSession,
    engine: ChatEngine,
    _limit: IpRateLimit,
    token: CustomerToken = None,
    text: Annotated[str, Form(max_length=1000), NoNul] = "",
    client_message_id: Annotated[str | None, Form(max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")] = None,
) -> TurnResult:
    """Attach a document; the assistant asks what it is and files it in the customer's folder."""
    data = await file.read()
    # The rest touches the database and runs the turn: in a worker thread, never in the event loop.
    return await run_in_threadpool(
        _attach, request, db, engine, conversation_id, token, file, data, text, client_message_id
    )


def _attach(
    request: Request,
    db: Session,
    engine: ConversationEngine,
    conversation_id: str,
    token: str | None,
    file: UploadFile,
    data: bytes,
    text: str,
    client_message_id: str | None,
) -> TurnResult:
    conversation = load_conversation(db, conversation_id, token, lock=True)
    limit_conversation(request, conversation.id)
    suffix = ALLOWED_TYPES.get(file.content_type or "")
    if suffix is None or not data.startswith(SIGNATURES[suffix]):
        raise UnsupportedFile("please send a JPEG, PNG or WebP photo or a PDF document")
    settings = request.app.state.settings
    folder = settings.data_dir / "uploads" / conversation.id
    folder.mkdir(parents=True, exist_ok=True)
    name = _safe_name(file.filename or "document")
    path = folder / f"{uuid.uuid4().hex[:12]}-{name}"
    if not path.name.endswith(suffix):
        path = path.with_name(path.name + suffix)
    path.write_bytes(data)
    attachment = {"filename": name, "path": str(path.resolve()), "content_type": file.content_type or ""}
    return engine.handle(
        db,
        conversation,
        text.strip() or f"📎 {name}",
        client_message_id=client_message_id,
        attachment=attachment,
    )
