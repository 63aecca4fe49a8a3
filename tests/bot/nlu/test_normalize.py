from __future__ import annotations

import pytest

from bot.nlu import fold, normalize, to_ascii_digits

pytestmark = pytest.mark.unit


class TestNormalize:
    def test_arabic_indic_and_persian_digits_become_ascii(self) -> None:
        assert to_ascii_digits("١٠٠١٢ و ۱۰۰۱۲") == "10012 و 10012"

    def test_tatweel_and_diacritics_are_removed(self) -> None:
        assert normalize("مَرْحَبـــا") == "مرحبا"

    def test_whitespace_is_collapsed_and_nfkc_applied(self) -> None:
        assert normalize("  ｈｅｌｌｏ \t\n world ") == "hello world"

    def test_letters_keep_their_script_for_display(self) -> None:
        assert normalize("كيف") == "كيف"
        assert normalize("کی") == "کی"


class TestFold:
    def test_yeh_and_kaf_variants_unify(self) -> None:
        assert fold("كتري") == fold("کتری")

    def test_teh_marbuta_and_alef_variants_unify(self) -> None:
        assert fold("غلاية") == fold("غلايه")
        assert fold("أإآ") == "ااا"

    def test_latin_accents_and_case_are_dropped(self) -> None:
        assert fold("Zamówienie ŁÓDŹ") == "zamowienie lodz"
