"""Which of en/ar/fa/sw/pl a customer message is in, with the conversation as context."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from lingua import Language as LinguaLanguage
from lingua import LanguageDetector, LanguageDetectorBuilder

from bot.nlu.normalize import fold, normalize
from bot.schemas import Language

__all__ = ["LanguageGuess", "detect_language"]

_LINGUA: dict[LinguaLanguage, Language] = {
    LinguaLanguage.ENGLISH: "en",
    LinguaLanguage.ARABIC: "ar",
    LinguaLanguage.PERSIAN: "fa",
    LinguaLanguage.SWAHILI: "sw",
    LinguaLanguage.POLISH: "pl",
}

_PERSIAN_ONLY = set("پچژگ")
_PERSIAN_FORMS = set("یک")  # Farsi yeh and keheh: Arabic text uses ي and ك
_ARABIC_FORMS = set("يكةى")
_POLISH_LETTERS = set("ąćęłńśźżĄĆĘŁŃŚŹŻ")

# Tokens that carry no language of their own: ids, numbers, e-mails, links, phone numbers.
_NEUTRAL = re.compile(
    r"\S+@\S+|https?://\S+|\b[A-Za-z]{2}[-_ ]?\d{3,}\b|\+?\d[\d\s\-/().,]*|[^\w\s]",
    re.UNICODE,
)
_UNIVERSAL = frozenset(
    {"ok", "okay", "okey", "oki", "k", "kk", "hmm", "lol", "yes", "no", "sms", "email", "e-mail"}
)

# Romanised Persian ("Finglish"): lingua has no model for it, a few frequent words are decisive.
_FINGLISH = frozenset(
    """salam salaam sefaresh sefaresham sefareshe sefareshamo kojast koja kojas mikham mikhastam mikhaym
    lotfan lotfn merci mersi mamnoon mamnun mamnunam chetori chetorin khoobi khodafez khodahafez kheili
    kheyli khob khub bebakhshid dastet dareh daram nadaram hast nist chera chi chiye kei key kharid bekharam
    lagv laghv kon konid konam beshe mishe mitoonam mitunam ersal tahvil baste bastam pol pool pardakht
    faktor adres avaz taghir agha khanoom ham man shoma ro ra in oon bara baraye ba az ta pas hanooz
    hanuz nareside naresid residam""".split()
)
_SWAHILI = frozenset(
    """habari nataka naomba tafadhali asante sana oda agizo langu yangu wapi iko gani bei hii hiyo je
    ndiyo hapana sawa mambo jambo karibu kwaheri nini kwa ya wa na la za ni nina sina bado kufika
    kurudisha kughairi nimepokea nilinunua""".split()
)
_POLISH = frozenset(
    """dzien dobry czesc witam prosze dziekuje gdzie jest moje moja zamowienie zamowienia chce chcialbym
    chcialabym anulowac zwrot faktura czy nie tak jak mam mozna jeszcze paczka paczki kiedy""".split()
)
_ENGLISH = frozenset(
    """hi hello the my is where order please thanks thank you want to cancel return invoice can i a an
    what when how do does have need help""".split()
)
_KEYWORDS: dict[Language, frozenset[str]] = {"fa": _FINGLISH, "sw": _SWAHILI, "pl": _POLISH, "en": _ENGLISH}


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    """A detected language and how sure the detector is (0–1)."""

    language: Language
    confidence: float


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*_LINGUA).with_preloaded_language_models().build()


def _letters(text: str) -> str:
    return "".join(c for c in text if c.isalpha())


def _arabic_script(text: str, previous: str | None) -> Language:
    """Persian or Arabic for Arabic-script text, by the letters only one of them uses."""
    chars = set(text)
    if chars & _PERSIAN_ONLY:
        return "fa"
    persian = sum(text.count(c) for c in _PERSIAN_FORMS)
    arabic = sum(text.count(c) for c in _ARABIC_FORMS)
    if persian != arabic:
        return "fa" if persian > arabic else "ar"
    # Short messages without decisive letters keep the conversation's language ("ممنون، خداحافظ").
    if previous in ("ar", "fa") and len(_letters(text)) < 24:
        return "fa" if previous == "fa" else "ar"
    found = _detector().detect_language_of(text)
    return "fa" if found is LinguaLanguage.PERSIAN else "ar"


def _latin_scores(text: str) -> dict[Language, float]:
    """Lingua's confidences among en/sw/pl, nudged by frequent words it cannot know (Finglish)."""
    values = _detector().compute_language_confidence_values(text)
    scores: dict[Language, float] = {"en": 0.0, "sw": 0.0, "pl": 0.0, "fa": 0.0}
    for value in values:
        code = _LINGUA[value.language]
        if code in scores:
            scores[code] += value.value
    words = re.findall(r"[a-z]+", fold(text))
    if words:
        for code, lexicon in _KEYWORDS.items():
            share = sum(word in lexicon for word in words) / len(words)
            # Finglish has no lingua model at all, so its words must outweigh lingua on their own.
            scores[code] += (1.5 if code == "fa" else 0.8) * share
    if set(text) & _POLISH_LETTERS:
        scores["pl"] += 1.0
    total = sum(scores.values()) or 1.0
    return {code: score / total for code, score in scores.items()}


def _is_uninformative(text: str) -> bool:
    rest = _NEUTRAL.sub(" ", text)
    words = [w for w in rest.casefold().split() if w not in _UNIVERSAL]
    return len(_letters(" ".join(words))) < 3


def detect_language(text: str, previous: str | None = None) -> LanguageGuess:
    """The message's language; short or language-neutral messages keep ``previous``."""
    clean = normalize(text)
    fallback: Language = previous if previous in _CODES else "en"  # type: ignore[assignment]
    if _is_uninformative(clean):
        return LanguageGuess(fallback, 0.5 if previous in _CODES else 0.2)
    letters = _letters(_NEUTRAL.sub(" ", clean))
    arabic_letters = sum("\u0600" <= c <= "\u06ff" or "\ufb50" <= c <= "\ufeff" for c in letters)
    if arabic_letters >= len(letters) / 2:
        language = _arabic_script(clean, previous)
        confidence = 0.99 if set(clean) & _PERSIAN_ONLY or len(letters) >= 8 else 0.85
        return LanguageGuess(language, confidence)
    scores = _latin_scores(_NEUTRAL.sub(" ", clean))
    best = max(scores, key=lambda code: scores[code])
    # A lone short word ("sawa", "tak", "merci") is weak evidence against the conversation so far.
    if previous in _CODES and previous != best and len(letters) <= 6 and scores[best] < 0.7:
        return LanguageGuess(fallback, 0.5)
    return LanguageGuess(best, round(min(scores[best], 0.99), 3))


_CODES = frozenset({"en", "ar", "fa", "sw", "pl"})
