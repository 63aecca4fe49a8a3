"""Text normalisation: one display-safe form for models, one folded form for matching."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold", "normalize", "to_ascii_digits"]

# Arabic-Indic (U+0660..) and Extended/Persian (U+06F0..) digits, plus the Arabic decimal separator.
_DIGITS = {ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")}
_DIGITS |= {ord(c): str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")}
_DIGITS[ord("٫")] = "."
_DIGITS[ord("٬")] = ","

_TATWEEL = "\u0640"
# Harakat, tanwin, shadda, sukun, superscript alef and Quranic marks: never meaningful for matching.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_SPACE = re.compile(r"\s+")
_INVISIBLE = re.compile("[\u200b\u200d\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")

# Letter variants people type interchangeably; unified only in the matching form.
_FOLD_LETTERS = str.maketrans(
    {
        "ي": "ی",
        "ى": "ی",
        "ئ": "ی",
        "ك": "ک",
        "ة": "ه",
        "ۀ": "ه",
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ؤ": "و",
        "ł": "l",
        "Ł": "l",
        "\u200c": " ",
    }
)


def to_ascii_digits(text: str) -> str:
    """Arabic-Indic and Persian digits (and separators) as ASCII."""
    return text.translate(_DIGITS)


def normalize(text: str) -> str:
    """NFKC, ASCII digits, no tatweel/diacritics/invisible marks, single spaces; keeps letters as typed."""
    text = unicodedata.normalize("NFKC", text)
    text = to_ascii_digits(text).replace(_TATWEEL, "")
    text = _ARABIC_MARKS.sub("", text)
    text = _INVISIBLE.sub("", text)
    return _SPACE.sub(" ", text).strip()


def fold(text: str) -> str:
    """The matching form: normalised, case-folded, Arabic/Persian variants unified, Latin accents dropped."""
    text = normalize(text).translate(_FOLD_LETTERS).casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACE.sub(" ", unicodedata.normalize("NFC", stripped)).strip()
