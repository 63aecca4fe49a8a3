"""All SQL of the agent console."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.staff.models import ConversationNote
from bot.models import Conversation, Customer, Message
from rpa.models import Job


def queue(
    session: Session, statuses: Sequence[str], limit: int = 200
) -> list[tuple[Conversation, str | None]]:
    """Conversations in ``statuses``, longest waiting first, with the customer's name."""
    rows = session.execute(
        select(Conversation, Customer.name)
        .outerjoin(Customer, Customer.id == Conversation.customer_id)
        .where(Conversation.status.in_(statuses))
        .order_by(Conversation.last_message_at)
        .limit(limit)
    ).all()
    return [(conversation, name) for conversation, name in rows]


def last_messages(session: Session, conversation_ids: Sequence[str]) -> dict[str, Message]:
    if not conversation_ids:
        return {}
    newest = (
        select(Message.conversation_id, Message.id)
        .where(Message.conversation_id.in_(conversation_ids))
        .order_by(Message.id)
    )
    last_ids = dict(session.execute(newest).all())
    messages = session.scalars(select(Message).where(Message.id.in_(last_ids.values())))
    return {m.conversation_id: m for m in messages}


def take_over(session: Session, conversation_id: str, staff_id: int) -> bool:
    """Compare-and-set: only a conversation nobody holds becomes this agent's."""
    result = session.execute(
        update(Conversation)
        .where(
            Conversation.id == conversation_id,
            Conversation.status.in_(("waiting_agent", "bot")),
            Conversation.assigned_staff_id.is_(None),
        )
        .values(status="agent", assigned_staff_id=staff_id)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def messages(session: Session, conversation_id: str) -> Sequence[Message]:
    return session.scalars(
        select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id)
    ).all()


def notes(session: Session, conversation_id: str) -> Sequence[ConversationNote]:
    return session.scalars(
        select(ConversationNote)
        .where(ConversationNote.conversation_id == conversation_id)
        .order_by(ConversationNote.id)
    ).all()


def conversation_jobs(session: Session, conversation_id: str) -> Sequence[Job]:
    return session.scalars(
        select(Job).where(Job.conversation_id == conversation_id).order_by(Job.created_at)
    ).all()


def customer_jobs(session: Session, customer_id: str, exclude: str, limit: int = 20) -> Sequence[Job]:
    """Jobs from the customer's other conversations, newest first."""
    others = select(Conversation.id).where(
        Conversation.customer_id == customer_id, Conversation.id != exclude
    )
    return session.scalars(
        select(Job).where(Job.conversation_id.in_(others)).order_by(Job.created_at.desc()).limit(limit)
    ).all()
