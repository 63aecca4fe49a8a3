"""The generic channel's outbound side: each reply POSTed, signed, to the configured callback."""

from __future__ import annotations

import time

import httpx

from api.channels.outbox import Delivery
from api.channels.schemas import GenericOutbound
from api.channels.sending import SendResult, classify_status, network_failure, parse_retry_after
from api.channels.signing import signed_headers

CHANNEL = "generic"


def callback_body(delivery: Delivery) -> bytes:
    """The JSON the callback receives; ``message_id`` is stable, so receivers can drop retries."""
    return (
        GenericOutbound(
            message_id=f"tandem-{delivery.message_id}",
            user_id=delivery.channel_ref,
            conversation_id=delivery.conversation_id,
            role=delivery.role,
            text=delivery.text,
            language=delivery.language,
            quick_replies=list(delivery.quick_replies),
        )
        .model_dump_json()
        .encode()
    )


class GenericSender:
    """Signs with the shared secret (same scheme as inbound) and posts to ``callback_url``."""

    channel = CHANNEL

    def __init__(self, *, callback_url: str, secret: str, timeout: float) -> None:
        self._url = callback_url
        self._secret = secret
        self._client = httpx.Client(timeout=timeout, follow_redirects=False)

    def send(self, delivery: Delivery) -> SendResult:
        body = callback_body(delivery)
        headers = signed_headers(self._secret, int(time.time()), body)
        try:
            response = self._client.post(self._url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return network_failure(exc)
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return classify_status(response.status_code, response.reason_phrase, retry_after)

    def close(self) -> None:
        self._client.close()
