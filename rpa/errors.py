"""How a bot run can fail: the back office said no, or something broke on the way."""

from __future__ import annotations


class BotError(Exception):
    """Base of bot failures; ``error_class`` is stored on the job."""

    error_class = "system"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class BusinessError(BotError):
    """The back office refused (order shipped, unknown SKU, out of stock): never retried."""

    error_class = "business"


class TransientError(BotError):
    """Timeout, crash, 5xx, expired session: retried with backoff."""

    error_class = "system"


class NeedsReview(BotError):
    """The bot is unsure what happened; a person decides."""

    error_class = "review"


class JobCancelled(BotError):
    """Ops asked for the job to stop; the bot stopped before its next step."""

    error_class = "cancelled"


class SignInRejected(NeedsReview):
    """The target refused the bot's credentials: a configuration problem no retry can fix."""
