"""Dialogue state kept on the conversation row, and the flows each intent follows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field

from bot.nlu.normalize import fold


class Flow(BaseModel):
    """The request in progress: its intent, filled slots and what the bot waits for."""

    intent: str
    slots: dict[str, Any] = Field(default_factory=dict)
    awaiting: str | None = None
    candidates: list[str] = Field(default_factory=list)
    verify_attempts: int = 0
    reasks: int = 0


class DialogueState(BaseModel):
    """Everything the engine needs between two messages (survives restarts: it is in the DB)."""

    language: str | None = None
    flow: Flow | None = None
    misunderstood: int = 0
    offered_handoff: bool = False
    turns: int = 0


@dataclass(frozen=True)
class FlowSpec:
    """What an intent needs before the bot acts on it."""

    tool: str | None
    needs_order: bool = False
    needs_verification: bool = False
    confirm: bool = False
    slots: tuple[str, ...] = ()


FLOWS: dict[str, FlowSpec] = {
    "order_status": FlowSpec("order_status", needs_order=True, needs_verification=True),
    "cancel_order": FlowSpec("cancel_order", needs_order=True, needs_verification=True, confirm=True),
    "return_item": FlowSpec("return_item", needs_order=True, needs_verification=True, confirm=True),
    "change_address": FlowSpec(
        "change_address", needs_order=True, needs_verification=True, confirm=True, slots=("address",)
    ),
    "request_invoice": FlowSpec("request_invoice", needs_order=True, needs_verification=True),
    "check_stock": FlowSpec("check_stock", slots=("sku",)),
    "place_order": FlowSpec("place_order", needs_verification=True, confirm=True, slots=("sku",)),
    "file_document": FlowSpec("file_document", needs_verification=True, slots=("attachment", "doc_type")),
}

# Words that answer a yes/no question, per language, in folded form (see bot.nlu.normalize.fold).
_YES = """yes y yeah yep yup sure ok okay confirm confirmed go ahead please do correct right
نعم اجل ايوه ايوا اكيد موافق تاكيد اكد تمام حسنا
بله اره آره باشه حتما تایید تاييد درسته اوکی
ndiyo ndio sawa naam hakika thibitisha endelea
tak jasne pewnie potwierdzam potwierdz zgoda dobrze oczywiscie prosze""".split()
_NO = """no n nope nah not dont don't stop wait
لا كلا ليس لست
نه خیر نخیر نمیخوام
hapana siyo sitaki
nie niech nie""".split()
_DROP = [
    "forget it",
    "never mind",
    "nevermind",
    "cancel that",
    "forget about it",
    "start over",
    "انس الامر",
    "انسى",
    "لا يهم",
    "الغ الطلب هذا",
    "بیخیال",
    "ولش کن",
    "فراموشش کن",
    "مهم نیست",
    "achana nayo",
    "sahau",
    "haijalishi",
    "acha",
    "niewazne",
    "zapomnij",
    "daj spokoj",
    "nie wazne",
]
_YES_SET = frozenset(fold(w) for w in _YES)
_NO_SET = frozenset(fold(w) for w in _NO)
_DROP_FOLDED = tuple(fold(p) for p in _DROP)
_WORD = re.compile(r"[\w']+", re.UNICODE)


def _words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def is_yes(text: str) -> bool:
    """An affirmative answer ("yes", "tak", "ndiyo", "نعم", "بله", "Yes, go ahead")."""
    words = _words(text)
    return bool(words) and words[0] in _YES_SET and not any(w in _NO_SET for w in words[:3])


def is_no(text: str) -> bool:
    """A negative answer ("no", "nie", "hapana", "لا", "نه")."""
    words = _words(text)
    return bool(words) and words[0] in _NO_SET


def is_drop(text: str) -> bool:
    """The customer abandons the request in progress ("forget it", "zapomnij", "بیخیال")."""
    folded = fold(text)
    return any(phrase in folded for phrase in _DROP_FOLDED)
