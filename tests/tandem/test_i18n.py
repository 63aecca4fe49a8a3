"""Every user-facing text exists in all five languages, with the same placeholders."""

from __future__ import annotations

import re

import pytest

from tandem.i18n import LANGUAGES, catalogue, keys, t

pytestmark = pytest.mark.unit
PLACEHOLDER = re.compile(r"{(\w+)}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_key_is_translated(language: str) -> None:
    assert keys(language) == keys("en")


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_placeholders_match_english(language: str) -> None:
    for key in keys("en") - {"order.summary"}:
        english, translated = catalogue("en").gettext(key), catalogue(language).gettext(key)
        assert translated != key, key
        assert set(PLACEHOLDER.findall(translated)) == set(PLACEHOLDER.findall(english)), key


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("count", [0, 1, 2, 3, 5, 11, 22, 101])
def test_plural_forms_render(language: str, count: int) -> None:
    text = t("order.summary", language, count=count, items="x", total="$1.00")
    assert "{" not in text
    if not (language == "ar" and count in {1, 2}):  # Arabic says "one item"/"two items" in words
        assert str(count) in text


def test_polish_plurals_differ_by_count() -> None:
    forms = {t("order.summary", "pl", count=n, items="x", total="$1") for n in (1, 2, 5)}
    assert len(forms) == 3


def test_unknown_language_falls_back_to_english() -> None:
    assert t("goodbye.reply", "xx") == t("goodbye.reply", "en")
