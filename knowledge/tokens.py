"""Normalisation and tokenisation for lexical search in en, ar, fa, sw and pl."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["lexical_terms", "normalise", "tokenize"]

_ARABIC_MAP = str.maketrans(
    {
        "ي": "ی",  # Arabic yeh → Persian yeh
        "ى": "ی",  # alef maksura
        "ك": "ک",  # Arabic kaf → Persian keheh
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ؤ": "و",
        "ئ": "ی",
        "ة": "ه",
        "ـ": None,  # tatweel
        "\u200c": None,  # zero-width non-joiner: "می‌خواهم" and "میخواهم" match
        "\u200d": None,
        "ł": "l",
        "Ł": "l",
    }
)
_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_WORD = re.compile(r"\w+", re.UNICODE)
_ARABIC_PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال")
_STEM = 6
NGRAM = 4

_RAW_STOPWORDS = """
    a an and are as at be by can do does for from have how i if in is it my of on or
    the to what when where which who why will with you your me we our this that
    i w z na do nie ile się jak czy co to jest mój moja moje mam mogę o od po za dla
    na ya wa kwa ni je nini vipi gani katika la kama au hii huo nina yangu
    و في من على الى إلى عن ما هل كيف هذا هذه ان أن لا مع
    و در از به با که این آن را است چه چگونه آیا من برای یک
    """


def normalise(text: str) -> str:
    """Lowercase, unify Arabic/Persian letters, drop diacritics and tatweel."""
    text = unicodedata.normalize("NFKC", text).translate(_ARABIC_MAP).translate(_ARABIC_DIGITS)
    decomposed = unicodedata.normalize("NFD", text.lower())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).translate(_ARABIC_MAP)


_STOPWORDS = frozenset(normalise(word) for word in _RAW_STOPWORDS.split())


def _stem(token: str) -> str:
    if "\u0600" <= token[0] <= "\u06ff":
        for prefix in _ARABIC_PREFIXES:
            if token.startswith(prefix) and len(token) - len(prefix) >= 3:
                token = token[len(prefix) :]
                break
    # Truncation stemming: cheap, language-agnostic, and good for Polish and Swahili endings.
    return token[:_STEM]


def _content_words(text: str) -> list[str]:
    words = _WORD.findall(normalise(text))
    return [w for w in words if w not in _STOPWORDS and (not w.isdigit() or len(w) > 2)]


def tokenize(text: str) -> list[str]:
    """Normalised, stop-word-free, truncation-stemmed tokens of ``text``."""
    return [_stem(w) for w in _content_words(text)]


def lexical_terms(text: str, n: int = NGRAM) -> list[str]:
    """Character ``n``-grams of each content word (short words whole), for BM25.

    Inflection (Polish cases, Swahili verb prefixes, Arabic/Persian affixes) changes a word's
    ends but keeps most of its inner n-grams, so no per-language stemmer is needed; chosen
    over truncation and a suffix-stripping stemmer on bench/data/knowledge_eval.yaml.
    """
    terms: list[str] = []
    for word in _content_words(text):
        if len(word) <= n:
            terms.append(word)
        else:
            terms.extend(word[i : i + n] for i in range(len(word) - n + 1))
    return terms
