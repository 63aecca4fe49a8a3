from __future__ import annotations

from itertools import pairwise

import pytest

from bot.nlu import ProductMatcher

pytestmark = pytest.mark.unit


class TestProductMatcher:
    @pytest.mark.parametrize(
        ("text", "sku"),
        [
            ("glass kettle", "BH-1012"),
            ("steel kettle", "BH-1011"),
            ("czajnika szklanego", "BH-1012"),
            ("الغلاية الزجاجية", "BH-1012"),
            ("LED desk lamp", "BH-1020"),
            ("desk lamp with wireless charger", "BH-1021"),
            ("bedside lamp", "BH-1023"),
            ("bedside table", "BH-1030"),
            ("lampka nocna", "BH-1023"),
            ("szafka nocna", "BH-1030"),
            ("پاتختی", "BH-1030"),
            ("خلاط يدوي", "BH-1014"),
            ("Spika ndogo ya Bluetooth", "BH-1001"),
            ("power bank 20000", "BH-1006"),
            ("smart wi-fi plug", "BH-1007"),
            ("I want two of the toasters", "BH-1015"),
            ("ręczniki", "BH-1039"),
            ("chcę kupić reczniki", "BH-1039"),
            ("blender ręczny", "BH-1014"),
        ],
    )
    def test_resolves_clear_names_in_every_language(
        self, products: ProductMatcher, text: str, sku: str
    ) -> None:
        assert products.match(text).sku == sku

    @pytest.mark.parametrize(
        ("text", "skus"),
        [
            ("the small black kettle", {"BH-1011", "BH-1012"}),
            ("czajnik", {"BH-1011", "BH-1012"}),
            ("blender", {"BH-1013", "BH-1014"}),
            ("office chair", {"BH-1026", "BH-1027"}),
            ("powerbank", {"BH-1005", "BH-1006"}),
        ],
    )
    def test_close_names_return_candidates(self, products: ProductMatcher, text: str, skus: set[str]) -> None:
        match = products.match(text)
        assert match.sku is None
        assert match.ambiguous
        assert {c.sku for c in match.candidates} == skus

    def test_candidates_are_scored_best_first(self, products: ProductMatcher) -> None:
        found = products.candidates("glass kettle")
        assert found[0].sku == "BH-1012"
        assert all(a.score >= b.score for a, b in pairwise(found))

    def test_no_product_named(self, products: ProductMatcher) -> None:
        assert products.match("where is my order SO-10012").candidates == []
