"""Message catalogues in gettext ``.po`` format, one per language, with plural rules.

Message ids are stable keys (``order.cancelled``); the English catalogue holds the
English text. Translators edit ``tandem/locales/<lang>.po`` with any gettext tool.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).parent / "locales"
LANGUAGES: tuple[str, ...] = ("en", "ar", "fa", "sw", "pl")
FALLBACK = "en"


@cache
def catalogue(language: str) -> gettext.GNUTranslations:
    """The compiled catalogue of ``language`` (English when there is none)."""
    path = LOCALES_DIR / f"{language if language in LANGUAGES else FALLBACK}.po"
    with path.open("rb") as po_file:
        catalog = read_po(po_file, locale=path.stem)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    translations = gettext.GNUTranslations(buffer)
    if path.stem != FALLBACK:
        translations.add_fallback(catalogue(FALLBACK))
    return translations


def t(key: str, language: str, /, count: int | None = None, **params: object) -> str:
    """The text for ``key`` in ``language``, formatted with ``params`` (and ``count``)."""
    translations = catalogue(language)
    if count is None:
        text = translations.gettext(key)
    else:
        text = translations.ngettext(key, key, count)
        params["count"] = count
    return text.format(**params) if params else text


def t_map(key: str, language: str, params: Mapping[str, object]) -> str:
    """Like :func:`t`, with the placeholders' values in a mapping (facts from data)."""
    text = catalogue(language).gettext(key)
    return text.format(**params) if params else text


def keys(language: str) -> set[str]:
    """Every message id defined in ``language``'s catalogue file."""
    with (LOCALES_DIR / f"{language}.po").open("rb") as po_file:
        return {
            str(message.id if isinstance(message.id, str) else message.id[0])
            for message in read_po(po_file)
            if message.id
        }
