"""Understanding layer: language, normalisation, intent routing, slots and product matching."""

from bot.nlu.intents import IntentCatalogue, IntentSpec, SlotSpec, load_intents
from bot.nlu.language import LanguageGuess, detect_language
from bot.nlu.normalize import fold, normalize, to_ascii_digits
from bot.nlu.products import ProductCandidate, ProductMatch, ProductMatcher
from bot.nlu.router import IntentRouter, IntentScore
from bot.nlu.slots import extract_slots

__all__ = [
    "IntentCatalogue",
    "IntentRouter",
    "IntentScore",
    "IntentSpec",
    "LanguageGuess",
    "ProductCandidate",
    "ProductMatch",
    "ProductMatcher",
    "SlotSpec",
    "detect_language",
    "extract_slots",
    "fold",
    "load_intents",
    "normalize",
    "to_ascii_digits",
]
