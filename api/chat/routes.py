"""Public chat API: open a conversation, send a message, read the transcript."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.chat.schemas import (
    ConversationCreate,
    ConversationCreated,
    JobStatus,
    MessageCreate,
    Transcript,
    TranscriptMessage,
    TurnResult,
)
from api.deps import ChatEngine, DbSession, request_transaction, write_turn
from api.limits import IpRateLimit, limit_conversation
from bot.engine import ConversationEngine
from bot.models import Conversation, Message
from rpa.models import Job
from tandem.errors import NotFound
from tandem.security import token_hash

router = APIRouter(prefix="/api/v1", tags=["chat"])
ERRORS: dict[int | str, dict[str, str]] = {
    401: {"description": "Unknown customer token"},
    404: {"description": "No such conversation (or not yours)"},
    413: {"description": "Request body too large"},
    429: {"description": "Rate limited; see Retry-After"},
    422: {"description": "Invalid request body"},
}
CustomerToken = Annotated[str | None, Header(alias="X-Customer-Token", max_length=200)]


def load_conversation(
    db: Session, conversation_id: str, token: str | None, *, lock: bool = False
) -> Conversation:
    """The conversation if the caller may see it; a wrong token looks like a missing conversation."""
    if len(conversation_id) > 64:
        raise NotFound("no such conversation")
    return _may_see(db.get(Conversation, conversation_id, with_for_update=lock), token)


def lock_for_turn(
    db: Session, conversation_id: str, token: str | None, client_message_id: str
) -> tuple[Conversation, dict[str, Any] | None]:
    """The conversation, locked for a turn, and what its earlier send of this message stored.

    One query where a lock and a look-up would be two round trips: the second payload is
    the stored message with this client message id (a retried send), or None.
    """
    if len(conversation_id) > 64:
        raise NotFound("no such conversation")
    earlier = (
        select(Message.payload)
        .where(Message.conversation_id == Conversation.id, Message.client_message_id == client_message_id)
        .scalar_subquery()
    )
    query = select(Conversation, earlier).where(Conversation.id == conversation_id)
    row = db.execute(query.with_for_update(of=Conversation)).first()
    if row is None:
        raise NotFound("no such conversation")
    return _may_see(row[0], token), row[1]


def _may_see(conversation: Conversation | None, token: str | None) -> Conversation:
    if conversation is None:
        raise NotFound("no such conversation")
    if conversation.session_token_hash is not None and (
        token is None or token_hash(token) != conversation.session_token_hash
    ):
        raise NotFound("no such conversation")
    return conversation


@router.post("/conversations", status_code=201, response_model=ConversationCreated, responses=ERRORS)
def create_conversation(
    body: ConversationCreate, db: DbSession, engine: ChatEngine, _limit: IpRateLimit
) -> ConversationCreated:
    """Open a conversation; a customer token signs the customer in for the whole conversation."""
    conversation = engine.open(
        db, channel=body.channel, locale=body.locale, customer_token=body.customer_token
    )
    return ConversationCreated(id=conversation.id, locale=conversation.locale)


@router.post("/conversations/{conversation_id}/messages", response_model=TurnResult, responses=ERRORS)
async def post_message(
    conversation_id: str,
    body: MessageCreate,
    request: Request,
    engine: ChatEngine,
    _limit: IpRateLimit,
    token: CustomerToken = None,
) -> TurnResult:
    """Send a customer message and get the bot's replies, intent, awaited answer and jobs."""
    # The costly part (embedding, scoring) first, before the turn waits for its write slot.
    await run_in_threadpool(engine.prepare, body.text)
    async with write_turn(request.app):
        return await run_in_threadpool(_take_turn, request, engine, conversation_id, body, token)


def _take_turn(
    request: Request, engine: ConversationEngine, conversation_id: str, body: MessageCreate, token: str | None
) -> TurnResult:
    with request_transaction(request.app) as db:
        if body.client_message_id is None:
            conversation, earlier = load_conversation(db, conversation_id, token, lock=True), None
        else:
            conversation, earlier = lock_for_turn(db, conversation_id, token, body.client_message_id)
        limit_conversation(request, conversation.id)
        return engine.handle(
            db, conversation, body.text, client_message_id=body.client_message_id, earlier=earlier
        )


@router.get("/conversations/{conversation_id}", response_model=Transcript, responses=ERRORS)
def get_conversation(
    conversation_id: str, db: DbSession, _limit: IpRateLimit, token: CustomerToken = None
) -> Transcript:
    """The transcript with every message, and the jobs with their current status."""
    conversation = load_conversation(db, conversation_id, token)
    messages = db.scalars(
        select(Message).where(Message.conversation_id == conversation.id).order_by(Message.id)
    ).all()
    jobs = db.scalars(
        select(Job).where(Job.conversation_id == conversation.id).order_by(Job.created_at)
    ).all()
    return Transcript(
        id=conversation.id,
        channel=conversation.channel,
        language=conversation.language,
        status=conversation.status,
        verified=conversation.customer_id is not None,
        messages=[
            TranscriptMessage(
                id=m.id,
                role=m.role,
                text=m.text,
                language=m.language,
                citations=m.payload.get("citations", []),
                quick_replies=m.payload.get("quick_replies", []),
                created_at=m.created_at,
            )
            for m in messages
        ],
        jobs=[JobStatus(id=j.id, kind=j.kind, status=j.status, updated_at=j.updated_at) for j in jobs],
    )
