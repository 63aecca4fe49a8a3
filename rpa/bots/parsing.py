"""Reading the sandbox's screen texts: money, dates, addresses, ids."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from rpa.errors import BusinessError

_PARENTHESISED_ID = re.compile(r"\(([A-Z]+-\d+)\)\s*$")


def cents(text: str) -> int:
    """``$1,234.50`` → 123450."""
    cleaned = text.replace("$", "").replace(",", "").strip()
    try:
        return int((Decimal(cleaned) * 100).to_integral_value())
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {text!r}") from exc


def day(text: str) -> date | None:
    """``2026-03-02`` (or ``2026-03-02 09:00``) → a date; empty → None."""
    text = text.strip()
    return date.fromisoformat(text[:10]) if text else None


def trailing_id(text: str) -> str:
    """``Amina Wanjiku (C-001)`` → ``C-001``."""
    match = _PARENTHESISED_ID.search(text)
    if match is None:
        raise ValueError(f"no id in {text!r}")
    return match.group(1)


@dataclass(frozen=True)
class PostalAddress:
    """An address as the ERP's four fields hold it."""

    street: str
    city: str
    postal_code: str
    country: str

    def one_line(self) -> str:
        """``street, postal city, country``, as the ERP's history writes it."""
        place = f"{self.postal_code} {self.city}".strip()
        return ", ".join(part for part in (self.street, place, self.country) if part)

    def same_as(self, other: PostalAddress) -> bool:
        return _squash(self.one_line()) == _squash(other.one_line())


def shown_address(text: str) -> PostalAddress:
    """The order screen's three-line address (street / postal city / country)."""
    lines = [line.strip() for line in text.splitlines()]
    street, place, country = [*lines, "", "", ""][:3]
    postal_code, city = split_place(place)
    return PostalAddress(street, city, postal_code, country)


def typed_address(text: str, default_country: str) -> PostalAddress:
    """A customer's one-line address, ``street, [postal] city[, country]``."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if len(parts) < 2:
        raise BusinessError("The new address needs at least a street and a city, separated by a comma.")
    if len(parts) == 2:
        street, place, country = parts[0], parts[1], default_country
    else:
        street, place, country = ", ".join(parts[:-2]), parts[-2], parts[-1]
    postal_code, city = split_place(place)
    if not city:
        raise BusinessError("The new address has no city.")
    return PostalAddress(street, city, postal_code, country)


def split_place(place: str) -> tuple[str, str]:
    """``00-950 Warszawa`` → (``00-950``, ``Warszawa``): tokens with digits are the postal code."""
    tokens = place.split()
    postal = [token for token in tokens if any(ch.isdigit() for ch in token)]
    city = [token for token in tokens if token not in postal]
    return " ".join(postal), " ".join(city)


def _squash(text: str) -> str:
    return re.sub(r"[\s,]+", " ", text).strip().casefold()
