"""What a platform sender promises the dispatcher: one send, classified as done, retry or refused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

import httpx

from api.channels.outbox import Delivery

Outcome = Literal["delivered", "retry", "failed"]


@dataclass(frozen=True)
class SendResult:
    """How one send went; ``retry_after`` is the platform's own wait (429), in seconds."""

    outcome: Outcome
    error: str | None = None
    retry_after: float | None = None

    @classmethod
    def delivered(cls) -> SendResult:
        return cls("delivered")


class ChannelSender(Protocol):
    """Sends one message to one platform; never raises for platform or network trouble."""

    channel: str

    def send(self, delivery: Delivery) -> SendResult: ...

    def close(self) -> None: ...


def network_failure(exc: httpx.HTTPError) -> SendResult:
    """A retry for a transport error, described by type only (its text may contain the URL)."""
    return SendResult("retry", f"network error: {type(exc).__name__}")


def classify_status(status: int, description: str, retry_after: float | None = None) -> SendResult:
    """2xx delivered; 429, 5xx, 401 and 404 (our setup, not the message) retried; other 4xx refused."""
    if 200 <= status < 300:
        return SendResult.delivered()
    error = f"HTTP {status}: {description}"[:500]
    if status == 429 or status >= 500 or status in {401, 404, 408}:
        return SendResult("retry", error, retry_after)
    return SendResult("failed", error)


def parse_retry_after(value: object) -> float | None:
    """Seconds from a ``retry_after`` field or ``Retry-After`` header; None if absent or not a number."""
    try:
        seconds = float(str(value))
    except ValueError:
        return None
    return seconds if 0 <= seconds <= 86_400 else None
