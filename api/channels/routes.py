"""Webhooks of the messaging channels: Telegram's Bot API and a generic HMAC-signed one."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlalchemy import event
from sqlalchemy.orm import Session

from api.channels.dispatcher import dispatcher_lifespan
from api.channels.errors import ChannelDisabled
from api.channels.schemas import GenericInbound, TelegramUpdate, WebhookAck, supported_locale
from api.channels.service import InboundMessage, client_message_id, receive
from api.channels.signing import check_telegram_secret, verify_signature
from api.deps import ChatEngine, DbSession
from tandem.config import Settings

router = APIRouter(prefix="/api/v1/channels", tags=["channels"], lifespan=dispatcher_lifespan)
TELEGRAM_ERRORS: dict[int | str, dict[str, str]] = {
    403: {"description": "Missing or wrong X-Telegram-Bot-Api-Secret-Token"},
    404: {"description": "The Telegram channel is not configured"},
    422: {"description": "Not a Telegram Update"},
}
GENERIC_ERRORS: dict[int | str, dict[str, str]] = {
    401: {"description": "Missing, stale or wrong X-Tandem-Timestamp / X-Tandem-Signature"},
    404: {"description": "The generic channel is not configured"},
    422: {"description": "Invalid message body"},
}
TelegramSecret = Annotated[str | None, Header(alias="X-Telegram-Bot-Api-Secret-Token", max_length=256)]


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _wake_dispatcher_after_commit(request: Request, db: Session) -> None:
    """Replies are in the outbox once the request's transaction commits: deliver them right away."""
    dispatcher = getattr(request.app.state, "channel_dispatcher", None)
    if dispatcher is not None:
        event.listen(db, "after_commit", lambda _session: dispatcher.wake(), once=True)


def _telegram_secret(request: Request, secret: TelegramSecret = None) -> None:
    """Refuse the request before reading its body unless it carries the configured secret."""
    expected = _settings(request).telegram_webhook_secret
    if expected is None:
        raise ChannelDisabled("the Telegram channel is not configured")
    check_telegram_secret(expected.get_secret_value(), secret)


async def _signed_body(
    request: Request,
    timestamp: Annotated[str | None, Header(alias="X-Tandem-Timestamp", max_length=20)] = None,
    signature: Annotated[str | None, Header(alias="X-Tandem-Signature", max_length=100)] = None,
) -> bytes:
    """The raw body, once its signature and freshness are proven."""
    secret = _settings(request).generic_webhook_secret
    if secret is None:
        raise ChannelDisabled("the generic channel is not configured")
    body = await request.body()
    verify_signature(
        secret.get_secret_value(), timestamp=timestamp, received=signature, body=body, now=time.time()
    )
    return body


def _generic_message(body: Annotated[bytes, Depends(_signed_body)]) -> GenericInbound:
    try:
        return GenericInbound.model_validate_json(body)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from None


@router.post(
    "/telegram/webhook",
    response_model=WebhookAck,
    responses=TELEGRAM_ERRORS,
    dependencies=[Depends(_telegram_secret)],
)
def telegram_webhook(
    update: TelegramUpdate, request: Request, db: DbSession, engine: ChatEngine
) -> WebhookAck:
    """Receive a Telegram ``Update``; text messages run a turn whose replies are sent by the dispatcher."""
    message = update.message
    if message is None or not message.text:
        return WebhookAck()
    inbound = InboundMessage(
        channel="telegram",
        delivery_id=str(update.update_id),
        channel_ref=str(message.chat.id),
        text=message.text,
        locale=supported_locale(message.from_.language_code if message.from_ else None),
        client_message_id=f"tg-{update.update_id}",
    )
    _wake_dispatcher_after_commit(request, db)
    return WebhookAck(duplicate=receive(db, engine, inbound) is None)


GENERIC_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": GenericInbound.model_json_schema()}},
    }
}


@router.post(
    "/generic/webhook", response_model=WebhookAck, responses=GENERIC_ERRORS, openapi_extra=GENERIC_BODY
)
def generic_webhook(
    message: Annotated[GenericInbound, Depends(_generic_message)],
    request: Request,
    db: DbSession,
    engine: ChatEngine,
) -> WebhookAck:
    """Receive a signed customer message from another platform; a replayed ``message_id`` is ignored."""
    inbound = InboundMessage(
        channel="generic",
        delivery_id=message.message_id,
        channel_ref=message.user_id,
        text=message.text,
        locale=supported_locale(message.locale),
        client_message_id=client_message_id("gw", message.message_id),
    )
    _wake_dispatcher_after_commit(request, db)
    return WebhookAck(duplicate=receive(db, engine, inbound) is None)
