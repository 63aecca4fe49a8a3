"""The channel outbox on the product database: claim due messages, then settle each send.

A row stays ``pending`` until it is delivered (or given up as ``failed``). Claiming is a
compare-and-set on ``attempts`` that also pushes ``next_attempt_at`` one lease ahead, so two
dispatchers (in several API processes) never send the same row at once, and a row claimed by
a process that died becomes due again when the lease runs out. Within a conversation only the
oldest pending row is ever claimable, so messages arrive in the order they were written.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session, aliased

from bot.models import Conversation, Message, OutboundMessage
from tandem.clock import utcnow

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


@dataclass(frozen=True)
class Delivery:
    """One claimed outbox row with everything a platform needs to send it."""

    outbound_id: int
    attempts: int
    channel: str
    conversation_id: str
    channel_ref: str
    message_id: int
    role: str
    text: str
    language: str | None
    quick_replies: tuple[str, ...]


def _due_ids(session: Session, channels: Collection[str], now: datetime, limit: int) -> list[tuple[int, int]]:
    earlier = aliased(OutboundMessage)
    blocked = exists().where(
        earlier.conversation_id == OutboundMessage.conversation_id,
        earlier.status == PENDING,
        earlier.id < OutboundMessage.id,
    )
    query = (
        select(OutboundMessage.id, OutboundMessage.attempts)
        .where(
            OutboundMessage.status == PENDING,
            OutboundMessage.channel.in_(channels),
            OutboundMessage.next_attempt_at <= now,
            ~blocked,
        )
        .order_by(OutboundMessage.next_attempt_at, OutboundMessage.id)
        .limit(limit)
    )
    return [(row_id, attempts) for row_id, attempts in session.execute(query).all()]


def claim_due(
    session: Session, *, channels: Collection[str], lease_seconds: float, limit: int = 1, candidates: int = 8
) -> list[Delivery]:
    """Take up to ``limit`` due rows of ``channels`` for one lease; rows others took are skipped."""
    if not channels:
        return []
    now = utcnow()
    claimed: list[Delivery] = []
    for row_id, attempts in _due_ids(session, channels, now, max(limit, candidates)):
        if len(claimed) >= limit:
            break
        taken = session.execute(
            update(OutboundMessage)
            .where(
                OutboundMessage.id == row_id,
                OutboundMessage.status == PENDING,
                OutboundMessage.attempts == attempts,
            )
            .values(attempts=attempts + 1, next_attempt_at=now + timedelta(seconds=lease_seconds))
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            delivery = _load(session, row_id)
            if delivery is not None:
                claimed.append(delivery)
    return claimed


def _load(session: Session, row_id: int) -> Delivery | None:
    row = session.execute(
        select(OutboundMessage, Message, Conversation)
        .join(Message, Message.id == OutboundMessage.message_id)
        .join(Conversation, Conversation.id == OutboundMessage.conversation_id)
        .where(OutboundMessage.id == row_id)
        .execution_options(populate_existing=True)
    ).one_or_none()
    if row is None:
        return None
    outbound, message, conversation = row
    return Delivery(
        outbound_id=outbound.id,
        attempts=outbound.attempts,
        channel=outbound.channel,
        conversation_id=conversation.id,
        channel_ref=conversation.channel_ref or "",
        message_id=message.id,
        role=message.role,
        text=message.text,
        language=message.language,
        quick_replies=tuple(str(q) for q in message.payload.get("quick_replies", [])),
    )


def _settle(session: Session, delivery: Delivery, **values: object) -> bool:
    result = session.execute(
        update(OutboundMessage)
        .where(
            OutboundMessage.id == delivery.outbound_id,
            OutboundMessage.status == PENDING,
            OutboundMessage.attempts == delivery.attempts,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def mark_delivered(session: Session, delivery: Delivery) -> bool:
    """The platform accepted the message; False if our claim had lapsed and was taken over."""
    return _settle(session, delivery, status=DELIVERED, delivered_at=utcnow(), last_error=None)


def retry_later(session: Session, delivery: Delivery, delay: timedelta, error: str) -> bool:
    """Keep the row pending and make it due again after ``delay``."""
    return _settle(session, delivery, next_attempt_at=utcnow() + delay, last_error=error[:2000])


def mark_failed(session: Session, delivery: Delivery, error: str) -> bool:
    """Give up on the row (the platform refused it for good); it stays in the table for review."""
    return _settle(session, delivery, status=FAILED, last_error=error[:2000])
