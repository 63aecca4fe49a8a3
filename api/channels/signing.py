"""Proving who sent a webhook: Telegram's shared secret and the generic channel's HMAC signature.

The generic scheme signs ``f"{timestamp}.{raw body}"`` with HMAC-SHA256 and sends
``X-Tandem-Timestamp`` and ``X-Tandem-Signature: sha256=<hex>``; a timestamp outside
:data:`TOLERANCE_SECONDS` of now is refused so a captured request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac

from api.channels.errors import InvalidSignature, WrongSecret

TOLERANCE_SECONDS = 300
SIGNATURE_PREFIX = "sha256="


def check_telegram_secret(expected: str, received: str | None) -> None:
    """Compare the secret token header in constant time; raise :class:`WrongSecret` if it differs."""
    if received is None or not hmac.compare_digest(expected.encode(), received.encode()):
        raise WrongSecret("the secret token does not match")


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Tandem-Signature`` value for ``body`` sent at ``timestamp`` (unix seconds)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def signed_headers(secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The headers that sign an outgoing generic-channel request."""
    return {
        "Content-Type": "application/json",
        "X-Tandem-Timestamp": str(timestamp),
        "X-Tandem-Signature": signature(secret, timestamp, body),
    }


def verify_signature(
    secret: str, *, timestamp: str | None, received: str | None, body: bytes, now: float
) -> None:
    """Accept a fresh, correctly signed body; raise :class:`InvalidSignature` otherwise."""
    if not timestamp or not received:
        raise InvalidSignature("X-Tandem-Timestamp and X-Tandem-Signature are required")
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        raise InvalidSignature("X-Tandem-Timestamp must be unix seconds")
    sent_at = int(timestamp)
    if abs(now - sent_at) > TOLERANCE_SECONDS:
        raise InvalidSignature("the request is too old or from the future", code="stale_timestamp")
    if not hmac.compare_digest(signature(secret, sent_at, body).encode(), received.strip().encode()):
        raise InvalidSignature("the signature does not match")
