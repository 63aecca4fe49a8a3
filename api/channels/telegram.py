"""Telegram's Bot API ``sendMessage``: text plus quick replies as a one-time reply keyboard."""

from __future__ import annotations

from typing import Any

import httpx

from api.channels.outbox import Delivery
from api.channels.sending import SendResult, classify_status, network_failure, parse_retry_after

CHANNEL = "telegram"
MAX_TEXT = 4096


def reply_markup(quick_replies: tuple[str, ...]) -> dict[str, Any] | None:
    """A ``ReplyKeyboardMarkup`` with one button per row, hidden after the customer taps one."""
    if not quick_replies:
        return None
    return {
        "keyboard": [[{"text": reply}] for reply in quick_replies],
        "one_time_keyboard": True,
        "resize_keyboard": True,
    }


def send_message_body(delivery: Delivery) -> dict[str, Any]:
    """The ``sendMessage`` parameters for one outbox message (plain text, no parse mode)."""
    body: dict[str, Any] = {"chat_id": int(delivery.channel_ref), "text": delivery.text[:MAX_TEXT]}
    markup = reply_markup(delivery.quick_replies)
    if markup is not None:
        body["reply_markup"] = markup
    return body


class TelegramSender:
    """Posts to ``{api_base}/bot{token}/sendMessage``; the token never leaves this object."""

    channel = CHANNEL

    def __init__(self, *, api_base: str, token: str, timeout: float) -> None:
        self._url = f"{api_base.rstrip('/')}/bot{token}/sendMessage"
        self._client = httpx.Client(timeout=timeout, follow_redirects=False)

    def send(self, delivery: Delivery) -> SendResult:
        if not delivery.channel_ref.lstrip("-").isdigit():
            return SendResult("failed", "the conversation has no Telegram chat id")
        try:
            response = self._client.post(self._url, json=send_message_body(delivery))
        except httpx.HTTPError as exc:
            return network_failure(exc)
        return _result(response)

    def close(self) -> None:
        self._client.close()


def _result(response: httpx.Response) -> SendResult:
    try:
        payload = response.json()
    except ValueError:
        payload = {}
    if not isinstance(payload, dict):
        payload = {}
    if response.is_success and payload.get("ok", True):
        return SendResult.delivered()
    code = payload.get("error_code")
    status = code if isinstance(code, int) and code >= 400 else response.status_code
    parameters = payload.get("parameters")
    retry_after = parse_retry_after(parameters.get("retry_after")) if isinstance(parameters, dict) else None
    description = str(payload.get("description") or response.reason_phrase)
    # "ok": false on a 2xx without an error code is the platform's fault: try again.
    return classify_status(status if status >= 400 else 502, description, retry_after)
