"""Inbound channel messages into conversations: deduplicate, find or open, run the turn."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.channels.repository import current_conversation, record_delivery
from api.channels.schemas import MAX_TEXT
from bot.engine import ConversationEngine
from bot.schemas import TurnResult
from tandem.logging import get_logger

log = get_logger(__name__)
CLIENT_ID_LENGTH = 64


@dataclass(frozen=True)
class InboundMessage:
    """A customer's text from a messaging channel, with what identifies its delivery and its chat."""

    channel: str
    delivery_id: str
    channel_ref: str
    text: str
    locale: str | None
    client_message_id: str


def client_message_id(prefix: str, platform_id: str) -> str:
    """A message id that fits the transcript's column; long platform ids are hashed, stably."""
    candidate = f"{prefix}-{platform_id}"
    if len(candidate) <= CLIENT_ID_LENGTH:
        return candidate
    return (
        f"{prefix}-{hashlib.sha256(platform_id.encode()).hexdigest()[: CLIENT_ID_LENGTH - len(prefix) - 1]}"
    )


def receive(session: Session, engine: ConversationEngine, inbound: InboundMessage) -> TurnResult | None:
    """Run the customer's turn once per delivery; None when the delivery was already handled.

    Replies reach the customer through the outbox (``append_message`` writes a pending
    row per bot message in this transaction), never from inside the webhook request.
    """
    if not record_delivery(session, inbound.channel, inbound.delivery_id):
        log.info("channel_duplicate", channel=inbound.channel, delivery_id=inbound.delivery_id)
        return None
    conversation = current_conversation(session, inbound.channel, inbound.channel_ref)
    if conversation is None:
        conversation = engine.open(
            session, channel=inbound.channel, locale=inbound.locale, channel_ref=inbound.channel_ref
        )
    return engine.handle(
        session, conversation, inbound.text[:MAX_TEXT], client_message_id=inbound.client_message_id
    )
