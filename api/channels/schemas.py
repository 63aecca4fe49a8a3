"""Wire shapes of the messaging channels: Telegram's ``Update`` and the generic webhook."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from api.limits import NoNul
from bot.schemas import SUPPORTED_LANGUAGES

MAX_TEXT = 4000


class TelegramChat(BaseModel):
    """The chat a message belongs to; its id is where replies go."""

    model_config = ConfigDict(extra="ignore")

    id: int = Field(description="Chat identifier (may exceed 32 bits).")


class TelegramUser(BaseModel):
    """The sender; only the interface language matters here."""

    model_config = ConfigDict(extra="ignore")

    id: int
    language_code: str | None = Field(None, description="IETF language tag of the user's client.")


class TelegramMessage(BaseModel):
    """A message; only text messages reach the conversation engine."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    message_id: int
    chat: TelegramChat
    from_: TelegramUser | None = Field(None, alias="from")
    text: Annotated[str, NoNul] | None = None


class TelegramUpdate(BaseModel):
    """One incoming update of the Bot API (https://core.telegram.org/bots/api#update)."""

    model_config = ConfigDict(extra="ignore")

    update_id: int = Field(description="Increasing identifier; the same on a redelivery.")
    message: TelegramMessage | None = None


class GenericInbound(BaseModel):
    """A customer message relayed by another platform over the signed generic webhook."""

    model_config = ConfigDict(extra="forbid")

    message_id: Annotated[str, NoNul] = Field(
        min_length=1, max_length=128, description="Platform's id; a replay is ignored."
    )
    user_id: Annotated[str, NoNul] = Field(
        min_length=1, max_length=128, description="The platform's id of the customer."
    )
    text: Annotated[str, NoNul] = Field(
        min_length=1, max_length=MAX_TEXT, description="What the customer wrote."
    )
    locale: str | None = Field(None, max_length=35, description="The customer's language tag, if known.")


class WebhookAck(BaseModel):
    """The answer to a webhook delivery: accepted, or a duplicate that was not processed again."""

    ok: bool = True
    duplicate: bool = False


class GenericOutbound(BaseModel):
    """What the generic channel's callback receives for each bot or agent message."""

    message_id: str = Field(description="Stable id of this reply; the same on a retried delivery.")
    user_id: str
    conversation_id: str
    role: str
    text: str
    language: str | None
    quick_replies: list[str]


def supported_locale(tag: str | None) -> str | None:
    """The conversation locale for a language tag ("ar", "pl-PL", "fa_IR"), or None if unsupported."""
    if not tag:
        return None
    primary = tag.replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in SUPPORTED_LANGUAGES else None
