"""Reply texts of the knowledge package in all five languages (to move into the i18n catalogue)."""

from __future__ import annotations

__all__ = ["I_DONT_KNOW", "SOURCES_LABEL", "message"]

I_DONT_KNOW: dict[str, str] = {
    "en": (
        "I'm sorry, I couldn't find that in our help centre. "
        "I can pass your question to a colleague if you like."
    ),
    "ar": ("عذرًا، لم أجد إجابة عن ذلك في مركز المساعدة لدينا. يمكنني تحويل سؤالك إلى أحد زملائي إذا أردت."),
    "fa": (
        "متأسفم، پاسخ این پرسش را در مرکز راهنمای ما پیدا نکردم. "
        "اگر بخواهید، می‌توانم پرسش شما را به یکی از همکارانم بسپارم."
    ),
    "sw": (
        "Samahani, sikupata jibu la swali hilo katika kituo chetu cha msaada. "
        "Ukipenda, naweza kumpa mwenzangu swali lako."
    ),
    "pl": (
        "Przepraszam, nie znalazłem odpowiedzi na to pytanie w naszym centrum pomocy. "
        "Jeśli chcesz, mogę przekazać pytanie konsultantowi."
    ),
}

SOURCES_LABEL: dict[str, str] = {
    "en": "Sources",
    "ar": "المصادر",
    "fa": "منابع",
    "sw": "Vyanzo",
    "pl": "Źródła",
}


def message(table: dict[str, str], language: str) -> str:
    """The text for ``language``, English when the language is not served."""
    return table.get(language) or table["en"]
