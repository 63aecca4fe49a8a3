from __future__ import annotations

import pytest

from bot.nlu import detect_language

pytestmark = pytest.mark.unit


class TestDetectLanguage:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("Hello, where is my order?", "en"),
            ("مرحبا، أين طلبي؟", "ar"),
            ("وين الطلب تبعي", "ar"),
            ("سلام، سفارش من کجاست؟", "fa"),
            ("habari, oda yangu iko wapi?", "sw"),
            ("Dzień dobry, gdzie jest moja paczka?", "pl"),
            ("gdzie jest moje zamowienie", "pl"),
        ],
    )
    def test_full_messages(self, text: str, expected: str) -> None:
        assert detect_language(text).language == expected

    def test_persian_letters_decide_against_arabic(self) -> None:
        assert detect_language("چطوری پول رو پس بگیرم").language == "fa"
        assert detect_language("كيف أسترد المبلغ").language == "ar"

    def test_latin_script_persian(self) -> None:
        assert detect_language("salam, sefaresham kojast").language == "fa"

    @pytest.mark.parametrize("text", ["ok", "SO-10012", "1", "jan@example.com", "+254712345601"])
    def test_short_neutral_messages_keep_the_conversation_language(self, text: str) -> None:
        assert detect_language(text, previous="sw").language == "sw"

    def test_neutral_message_without_context_is_unsure(self) -> None:
        guess = detect_language("SO-10012")
        assert guess.confidence < 0.5

    def test_confidence_is_a_probability(self) -> None:
        guess = detect_language("I would like to cancel my order please")
        assert guess.language == "en"
        assert 0.5 < guess.confidence <= 1.0

    def test_code_switching_picks_a_supported_language(self) -> None:
        assert detect_language("nataka kughairi order yangu SO-10012").language == "sw"
