"""Language detection restricted to the five languages Tandem speaks."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from knowledge.documents import SUPPORTED_LANGUAGES

__all__ = ["SURE", "detect_language", "guess_language", "normalise_language"]

# Below this confidence (lingua's, over the five languages) the text alone does not decide.
SURE = 0.6

_LINGUA = {
    Language.ENGLISH: "en",
    Language.ARABIC: "ar",
    Language.PERSIAN: "fa",
    Language.SWAHILI: "sw",
    Language.POLISH: "pl",
}


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*_LINGUA).build()


def normalise_language(code: str | None) -> str | None:
    """``"pl-PL"`` → ``"pl"``; ``None`` for languages Tandem does not serve."""
    if not code:
        return None
    base = code.strip().lower().replace("_", "-").split("-")[0]
    return base if base in SUPPORTED_LANGUAGES else None


def detect_language(text: str, default: str = "en") -> str:
    """The most likely of en/ar/fa/sw/pl for ``text`` (``default`` when unsure)."""
    if not text.strip():
        return default
    found = _detector().detect_language_of(text[:2000])
    return _LINGUA.get(found, default) if found is not None else default


def guess_language(text: str, fallback: Callable[[], str | None]) -> str | None:
    """The language of a short question: lingua when it is sure, else ``fallback()``.

    Lingua reads spelling (Polish without diacritics is still Polish); the fallback, the
    nearest language centroid of the question's vector, decides mixed or very short texts
    ("express Nairobi ni bei gani").
    """
    if text.strip():
        values = _detector().compute_language_confidence_values(text[:2000])
        if values and values[0].value >= SURE:
            return _LINGUA.get(values[0].language)
    return fallback()
