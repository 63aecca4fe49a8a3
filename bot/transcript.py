"""Writing to a conversation from outside a turn: job results, agent replies, notices."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import Conversation, ConversationEvent, Message, OutboundMessage
from tandem.clock import utcnow


def touch(session: Session, conversation_id: str) -> None:
    """Remember that this transaction changed the conversation, to wake its streams after commit."""
    session.info.setdefault("touched_conversations", set()).add(conversation_id)


def record_event(
    session: Session, conversation_id: str, kind: str, payload: dict[str, Any]
) -> ConversationEvent:
    """Append to the conversation's event log (streams replay it by id).

    Not flushed here: the unit of work inserts a mapper's rows in the order they were added, so
    the ids still follow the order of the events, and a turn writes its rows in one go.
    """
    event = ConversationEvent(conversation_id=conversation_id, kind=kind, payload=payload)
    session.add(event)
    touch(session, conversation_id)
    return event


def message_event(message: Message) -> dict[str, Any]:
    return {
        "message_id": message.id,
        "role": message.role,
        "text": message.text,
        "language": message.language,
        "citations": message.payload.get("citations", []),
        "quick_replies": message.payload.get("quick_replies", []),
        "created_at": message.created_at.isoformat(),
    }


def append_message(
    session: Session,
    conversation_id: str,
    *,
    role: str,
    text: str,
    language: str | None = None,
    payload: dict[str, Any] | None = None,
    staff_id: int | None = None,
) -> Message:
    """Add a message and its event; the caller's transaction commits both."""
    message = Message(
        conversation_id=conversation_id,
        role=role,
        text=text,
        language=language,
        payload=payload or {},
        staff_id=staff_id,
    )
    session.add(message)
    session.flush()
    record_event(session, conversation_id, "message", message_event(message))
    conversation = session.get(Conversation, conversation_id)
    if conversation is not None:
        conversation.last_message_at = utcnow()
        queue_outbound(session, conversation, [message])
    return message


def queue_outbound(session: Session, conversation: Conversation, messages: list[Message]) -> None:
    """Bot and agent messages of a messaging channel, for the dispatcher to deliver after commit."""
    if conversation.channel == "web":
        return
    for message in messages:
        if message.role in {"bot", "agent"}:
            session.add(
                OutboundMessage(
                    conversation_id=conversation.id, message_id=message.id, channel=conversation.channel
                )
            )


def events_after(
    session: Session, conversation_id: str, after_id: int, limit: int = 200
) -> list[ConversationEvent]:
    """Events of the conversation with an id above ``after_id``, oldest first."""
    return list(
        session.scalars(
            select(ConversationEvent)
            .where(ConversationEvent.conversation_id == conversation_id, ConversationEvent.id > after_id)
            .order_by(ConversationEvent.id)
            .limit(limit)
        )
    )
