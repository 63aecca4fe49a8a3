"""Why a webhook delivery is refused; each maps to a 4xx ``{"error": ...}`` body."""

from __future__ import annotations

from tandem.errors import TandemError


class ChannelDisabled(TandemError):
    """The channel has no secret configured, so it accepts nothing."""

    code = "channel_disabled"
    status = 404


class WrongSecret(TandemError):
    """Telegram's secret token header is missing or wrong."""

    code = "forbidden"
    status = 403


class InvalidSignature(TandemError):
    """The generic webhook's signature headers are missing, stale or do not match."""

    code = "invalid_signature"
    status = 401
