"""Reading the sandbox's screen texts."""

from __future__ import annotations

from datetime import date

import pytest

from rpa.bots.parsing import PostalAddress, cents, day, shown_address, split_place, trailing_id, typed_address
from rpa.errors import BusinessError

pytestmark = pytest.mark.unit


class TestValues:
    def test_money_to_cents(self) -> None:
        assert cents("$1,234.50") == 123450
        assert cents("$26.90") == 2690

    def test_not_money(self) -> None:
        with pytest.raises(ValueError, match="not an amount"):
            cents("n/a")

    def test_dates(self) -> None:
        assert day("2026-03-02") == date(2026, 3, 2)
        assert day("2026-03-02 09:00") == date(2026, 3, 2)
        assert day("") is None

    def test_trailing_id(self) -> None:
        assert trailing_id("Amina Wanjiku (C-001)") == "C-001"


class TestAddresses:
    def test_postal_code_tokens_are_the_ones_with_digits(self) -> None:
        assert split_place("00-950 Warszawa") == ("00-950", "Warszawa")
        assert split_place("SW1A 1AA London") == ("SW1A 1AA", "London")
        assert split_place("Abu Dhabi") == ("", "Abu Dhabi")

    def test_three_line_address_of_the_order_screen(self) -> None:
        address = shown_address("Ngong Road 45, Kilimani\n00100 Nairobi\nKenya")
        assert address == PostalAddress("Ngong Road 45, Kilimani", "Nairobi", "00100", "Kenya")
        assert address.one_line() == "Ngong Road 45, Kilimani, 00100 Nairobi, Kenya"

    def test_typed_address_with_country(self) -> None:
        address = typed_address("Ngong Road 45, Kilimani, 00100 Nairobi, Kenya", "Tanzania")
        assert address == PostalAddress("Ngong Road 45, Kilimani", "Nairobi", "00100", "Kenya")

    def test_typed_address_without_country_keeps_the_current_one(self) -> None:
        assert typed_address("Moi Avenue 12, Nairobi", "Kenya").country == "Kenya"

    def test_an_address_needs_a_city(self) -> None:
        with pytest.raises(BusinessError, match="street and a city"):
            typed_address("Moi Avenue 12", "Kenya")

    def test_same_address_ignores_spacing_and_case(self) -> None:
        first = PostalAddress("Moi Avenue 12", "Nairobi", "00200", "Kenya")
        assert first.same_as(PostalAddress("moi avenue  12", "NAIROBI", "00200", "Kenya"))
        assert not first.same_as(PostalAddress("Moi Avenue 14", "Nairobi", "00200", "Kenya"))
