"""Keyword rules where they beat embeddings: an explicit action word next to an order id."""

from __future__ import annotations

import re

from bot.nlu.normalize import fold
from bot.nlu.slots import extract_order_id

__all__ = ["rule_boosts"]

# Folded stems; each multiplies its intent's probability when present.
_KEYWORDS: dict[str, str] = {
    "cancel_order": r"cancel|anul|rezygn|odwol|ghairi|sitisha|الغ|لغو|کنسل|ابطال",
}


def rule_boosts(text: str) -> dict[str, float]:
    """Intent → multiplier for the keywords found (empty when no rule fires)."""
    folded = fold(text)
    has_order = extract_order_id(text) is not None
    boosts: dict[str, float] = {}
    for intent, pattern in _KEYWORDS.items():
        if re.search(pattern, folded):
            boosts[intent] = 4.0 if has_order else 1.5
    return boosts
