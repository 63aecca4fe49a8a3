"""Language detection restricted to the five languages Tandem speaks."""

from __future__ import annotations

from functools import lru_cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from knowledge.documents import SUPPORTED_LANGUAGES

__all__ = ["detect_language", "normalise_language"]

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
