from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.nlu import IntentRouter, load_intents
from bot.nlu.normalize import fold
from bot.schemas import INTENTS, SUPPORTED_LANGUAGES
from tandem.i18n import t
from tests.bot.nlu.conftest import CACHE_DIR

EVAL_FILE = Path(__file__).resolve().parents[3] / "bench" / "data" / "intent_eval.yaml"


@pytest.mark.unit
class TestIntentFile:
    def test_every_catalogue_intent_has_examples_in_every_language(self) -> None:
        catalogue = load_intents()
        assert sorted(catalogue.names) == sorted(INTENTS)
        for intent in catalogue.intents:
            for language in SUPPORTED_LANGUAGES:
                assert 12 <= len(intent.examples[language]) <= 30, (intent.name, language)

    def test_required_slots_follow_the_contract(self) -> None:
        catalogue = load_intents()
        required = {i.name: {s.name for s in i.slots if s.required} for i in catalogue.intents}
        assert required["order_status"] == {"order_id"}
        assert required["change_address"] == {"order_id", "address"}
        assert required["file_document"] == {"doc_type"}

    def test_eval_set_does_not_overlap_the_examples(self) -> None:
        examples = {fold(text) for _, _, text in load_intents().examples()}
        data = yaml.safe_load(EVAL_FILE.read_text(encoding="utf-8"))
        held_out = [fold(t) for intents in data.values() for texts in intents.values() for t in texts]
        assert len(held_out) >= 300
        assert not examples & set(held_out)

    def test_eval_set_covers_each_language(self) -> None:
        data = yaml.safe_load(EVAL_FILE.read_text(encoding="utf-8"))
        for language in SUPPORTED_LANGUAGES:
            assert sum(len(texts) for texts in data[language].values()) >= 60
            assert len(data[language]["out_of_scope"]) >= 10


@pytest.mark.slow
class TestIntentRouter:
    @pytest.mark.parametrize(
        ("text", "language", "intent"),
        [
            ("hey, where's my parcel SO-10012?", "en", "order_status"),
            ("please cancel order SO-10031", "en", "cancel_order"),
            ("أبي أرجع الخلاط، ما يشتغل", "ar", "return_item"),
            ("سفارشم رو لغو کنید لطفا", "fa", "cancel_order"),
            ("nataka kuongea na mtu halisi", "sw", "human_agent"),
            ("ile kosztuje czajnik?", "pl", "check_stock"),
            ("proszę o fakturę VAT", "pl", "request_invoice"),
        ],
    )
    def test_sample_per_language(self, router: IntentRouter, text: str, language: str, intent: str) -> None:
        result = router.classify(text, language)
        assert result.name == intent
        assert result.source == "router"
        assert result.language == language
        assert 0 <= result.confidence <= 1

    @pytest.mark.parametrize(
        "text",
        ["what's the capital of Peru?", "niambie hadithi ya simba", "jaki film obejrzeć dziś wieczorem?"],
    )
    def test_out_of_scope(self, router: IntentRouter, text: str) -> None:
        assert router.classify(text).name == "out_of_scope"

    def test_slots_are_filled(self, router: IntentRouter) -> None:
        result = router.classify("I'd like to order 2 glass kettles", "en")
        assert result.name == "place_order"
        assert result.slots == {"sku": "BH-1012", "quantity": 2}

    def test_faq_keeps_the_question(self, router: IntentRouter) -> None:
        result = router.classify("how long is the warranty on a toaster?", "en")
        assert result.name == "faq"
        assert result.slots["question"] == "how long is the warranty on a toaster?"

    def test_top_three_alternatives(self, router: IntentRouter) -> None:
        top = router.top("I want to send back my order", k=3)
        assert len(top) == 3
        assert top[0].confidence >= top[1].confidence >= top[2].confidence
        assert sum(s.confidence for s in router.scores("I want to send back my order")) == pytest.approx(
            1, abs=1e-3
        )

    def test_deterministic(self, router: IntentRouter, tmp_path: Path) -> None:
        # Same example vectors, head retrained from scratch: identical scores.
        vectors = CACHE_DIR / router._cache_name()
        (tmp_path / vectors.name).write_bytes(vectors.read_bytes())
        again = IntentRouter(products=router.products, encoder=router.encoder, cache_dir=tmp_path)
        text = "gdzie jest moja paczka"
        assert again.scores(text) == router.scores(text)

    @pytest.mark.parametrize("language", ["en", "ar", "fa", "sw", "pl"])
    def test_quick_reply_label_asks_for_a_person(self, router: IntentRouter, language: str) -> None:
        result = router.classify(t("quick.human", language), language)
        assert result.name == "human_agent"
        assert result.confidence == 1.0

    @pytest.mark.parametrize(
        ("text", "language", "intent"),
        [
            ("has order 10040 left the warehouse yet", "en", "order_status"),
            ("oda 10031 imeshatumwa?", "sw", "order_status"),
            ("nitumieni ankara ya oda yangu", "sw", "request_invoice"),
            ("zmieńcie adres dostawy zamówienia 10025", "pl", "change_address"),
        ],
    )
    def test_rules_carry_clear_requests(
        self, router: IntentRouter, text: str, language: str, intent: str
    ) -> None:
        assert router.classify(text, language).name == intent

    def test_return_reason_is_a_slot(self, router: IntentRouter) -> None:
        result = router.classify("the kettle from SO-10019 arrived broken, I want to return it", "en")
        assert result.name == "return_item"
        assert result.slots["reason"] == "damaged"
        assert result.slots["order_id"] == "SO-10019"

    def test_cutoffs_come_from_cross_validation(self, router: IntentRouter) -> None:
        assert 0.2 <= router.threshold <= 0.6
        assert 0.0 < router.neighbour_weight < 1.0

    def test_language_is_detected_when_not_given(self, router: IntentRouter) -> None:
        assert router.classify("oda yangu iko wapi?").language == "sw"
