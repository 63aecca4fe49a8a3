"""The SQL of inbound channel traffic: processed deliveries and a chat's open conversation."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.models import Conversation, ProcessedWebhook


def record_delivery(session: Session, channel: str, delivery_id: str) -> bool:
    """Remember a webhook delivery; False if it was already recorded (a redelivery or a replay).

    The unique (channel, delivery_id) row is inserted in a savepoint, so a concurrent twin
    waits for the first transaction and then sees the conflict instead of running twice.
    """
    if session.scalar(
        select(ProcessedWebhook.id).where(
            ProcessedWebhook.channel == channel, ProcessedWebhook.delivery_id == delivery_id
        )
    ):
        return False
    try:
        with session.begin_nested():
            session.add(ProcessedWebhook(channel=channel, delivery_id=delivery_id))
    except IntegrityError:
        return False
    return True


def current_conversation(session: Session, channel: str, channel_ref: str) -> Conversation | None:
    """The chat's latest conversation not closed by an agent, locked for this turn."""
    conversation_id = session.scalar(
        select(Conversation.id)
        .where(
            Conversation.channel == channel,
            Conversation.channel_ref == channel_ref,
            Conversation.status != "closed",
            Conversation.resolution.is_(None),
        )
        .order_by(Conversation.created_at.desc())
        .limit(1)
    )
    if conversation_id is None:
        return None
    return session.get(Conversation, conversation_id, with_for_update=True)
