"""The business-editable intent file: intents, their slots and example messages per language."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, model_validator

from bot.schemas import INTENTS, SUPPORTED_LANGUAGES

__all__ = ["DEFAULT_INTENTS_FILE", "IntentCatalogue", "IntentSpec", "SlotSpec", "load_intents"]

DEFAULT_INTENTS_FILE = Path(__file__).with_name("intents.yaml")

SlotType = Literal[
    "order_id", "sku", "quantity", "email", "phone", "address", "tax_id", "doc_type", "return_reason", "text"
]


class SlotSpec(BaseModel):
    """One slot an intent needs: its type decides the extractor, ``prompt`` the question key."""

    name: str
    type: SlotType
    required: bool = False
    prompt: str
    default: int | str | None = None


class IntentSpec(BaseModel):
    """One intent with its slots and example messages keyed by language."""

    name: str
    description: str = ""
    slots: list[SlotSpec] = Field(default_factory=list)
    examples: dict[str, list[str]]

    @model_validator(mode="after")
    def _examples_per_language(self) -> IntentSpec:
        unknown = set(self.examples) - set(SUPPORTED_LANGUAGES)
        if unknown:
            raise ValueError(f"intent {self.name!r}: unknown languages {sorted(unknown)}")
        if not any(self.examples.values()):
            raise ValueError(f"intent {self.name!r} has no examples")
        return self


class IntentCatalogue(BaseModel):
    """All intents of one business, plus a digest of the file they came from."""

    version: int = 1
    languages: list[str] = Field(default_factory=lambda: list(SUPPORTED_LANGUAGES))
    intents: list[IntentSpec]
    digest: str = ""

    @model_validator(mode="after")
    def _unique_names(self) -> IntentCatalogue:
        names = [i.name for i in self.intents]
        if len(set(names)) != len(names):
            raise ValueError("intent names must be unique")
        if "out_of_scope" not in names:
            raise ValueError("the catalogue needs an out_of_scope intent")
        return self

    @property
    def names(self) -> list[str]:
        """Intent names in file order."""
        return [i.name for i in self.intents]

    def get(self, name: str) -> IntentSpec:
        """The spec of one intent."""
        for intent in self.intents:
            if intent.name == name:
                return intent
        raise KeyError(name)

    def examples(self) -> list[tuple[str, str, str]]:
        """Every example as (intent, language, text)."""
        return [
            (intent.name, language, text)
            for intent in self.intents
            for language, texts in intent.examples.items()
            for text in texts
        ]


def load_intents(path: Path | None = None) -> IntentCatalogue:
    """Parse and validate an intent file (the demo business's by default)."""
    raw = (path or DEFAULT_INTENTS_FILE).read_bytes()
    data = yaml.safe_load(raw)
    catalogue = IntentCatalogue.model_validate({**data, "digest": hashlib.sha256(raw).hexdigest()})
    missing = [name for name in INTENTS if name not in catalogue.names] if path is None else []
    if missing:
        raise ValueError(f"the demo intent file lacks {missing}")
    return catalogue
