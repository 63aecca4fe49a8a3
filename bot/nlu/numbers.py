"""Number words 1–20 in the five languages, in their folded (matching) spelling."""

from __future__ import annotations

import re

from bot.nlu.normalize import fold

__all__ = ["NUMBER_WORDS", "find_number_word"]

_WORDS: dict[int, str] = {
    1: "one, single, واحد, واحدة, یک, یه, یدونه, moja, jeden, jedna, jedno, jednego",
    2: "two, pair, couple, اثنين, اثنان, اثنتين, اثنتان, زوج, دو, دوتا, mbili, dwa, dwie, dwoch, dwoma",
    3: "three, ثلاثة, ثلاث, سه, سه تا, tatu, trzy, trzech",
    4: "four, اربعة, اربع, چهار, چهارتا, nne, cztery, czterech",
    5: "five, خمسة, خمس, پنج, پنج تا, tano, piec, pieciu",
    6: "six, ستة, شش, شیش, sita, szesc, szesciu",
    7: "seven, سبعة, سبع, هفت, saba, siedem, siedmiu",
    8: "eight, ثمانية, ثماني, ثمان, هشت, nane, osiem, osmiu",
    9: "nine, تسعة, تسع, نه تا, tisa, dziewiec, dziewieciu",
    10: "ten, عشرة, عشر, ده, kumi, dziesiec, dziesieciu",
    11: "eleven, احد عشر, يازده, kumi na moja, jedenascie",
    12: "twelve, dozen, اثنا عشر, اثني عشر, دوازده, kumi na mbili, dwanascie, tuzin",
    13: "thirteen, ثلاثة عشر, ثلاث عشرة, سيزده, kumi na tatu, trzynascie",
    14: "fourteen, اربعة عشر, اربع عشرة, چهارده, kumi na nne, czternascie",
    15: "fifteen, خمسة عشر, خمس عشرة, پانزده, پونزده, kumi na tano, pietnascie",
    16: "sixteen, ستة عشر, ست عشرة, شانزده, kumi na sita, szesnascie",
    17: "seventeen, سبعة عشر, سبع عشرة, هفده, هيفده, kumi na saba, siedemnascie",
    18: "eighteen, ثمانية عشر, ثماني عشرة, هجده, هيجده, kumi na nane, osiemnascie",
    19: "nineteen, تسعة عشر, تسع عشرة, نوزده, kumi na tisa, dziewietnascie",
    20: "twenty, عشرين, عشرون, بيست, ishirini, dwadziescia",
}
# The Persian "نه" (nine) is also "no", so it only counts with a counter ("نه تا").


def _entries() -> dict[str, int]:
    return {fold(phrase): value for value, spelled in _WORDS.items() for phrase in spelled.split(", ")}


NUMBER_WORDS: dict[str, int] = _entries()
_PATTERN = re.compile(
    r"(?<!\w)(" + "|".join(re.escape(w) for w in sorted(NUMBER_WORDS, key=len, reverse=True)) + r")(?!\w)"
)


def find_number_word(folded: str) -> int | None:
    """The first number word in already-folded text, or None."""
    match = _PATTERN.search(folded)
    return NUMBER_WORDS[match.group(1)] if match else None
