from __future__ import annotations

import numpy as np
import pytest

from bot.nlu.calibration import choose_cutoffs, decisions, translation_folds
from bot.nlu.rules import Evidence, quick_reply_intent, rule_boosts
from tandem.i18n import LANGUAGES, t

pytestmark = pytest.mark.unit


class TestRuleBoosts:
    @pytest.mark.parametrize(
        ("text", "intent"),
        [
            ("has order 10040 left the warehouse yet", "order_status"),
            ("czy zamówienie 10040 wyjechało już z magazynu?", "order_status"),
            ("oda 10040 iko wapi?", "order_status"),
            ("please send the invoice", "request_invoice"),
            ("potrzebuję faktury", "request_invoice"),
            ("nitumie ankara", "request_invoice"),
            ("أبي فاتورة", "request_invoice"),
            ("فاکتور میخوام", "request_invoice"),
            ("change the address on SO-10012", "change_address"),
            ("zmieńcie adres dostawy", "change_address"),
            ("please cancel SO-10051", "cancel_order"),
        ],
    )
    def test_cue_boosts_its_intent(self, text: str, intent: str) -> None:
        assert rule_boosts(text).get(intent, 1.0) > 1.0

    def test_order_id_makes_the_cue_stronger(self) -> None:
        assert rule_boosts("cancel SO-10051")["cancel_order"] > rule_boosts("cancel it")["cancel_order"]

    def test_status_words_need_an_order_id(self) -> None:
        assert "order_status" not in rule_boosts("where can I buy groceries")

    def test_an_email_address_is_not_a_delivery_address(self) -> None:
        assert "change_address" not in rule_boosts("my email address is jan@example.com")

    def test_return_policy_questions_are_not_returns(self) -> None:
        assert "return_item" not in rule_boosts("how long is the refund window?")
        assert rule_boosts("I want a refund for SO-10021")["return_item"] > 1.0

    def test_hours_of_agents_are_a_question(self) -> None:
        assert "human_agent" not in rule_boosts("w jakich godzinach odpowiada konsultant?")
        assert rule_boosts("chcę rozmawiać z konsultantem")["human_agent"] > 1.0

    def test_named_products_pick_stock_or_order_and_damp_out_of_scope(self) -> None:
        evidence = Evidence(order_id=False, sku=False, product=True)
        stock = rule_boosts("how much is the toaster", evidence)
        assert stock["check_stock"] > 1.0
        assert stock["out_of_scope"] < 1.0
        assert rule_boosts("I'll buy the toaster", evidence)["place_order"] > 1.0

    def test_no_cue_no_boost(self) -> None:
        assert rule_boosts("what's the capital of Peru?") == {}


class TestQuickReplies:
    @pytest.mark.parametrize("language", LANGUAGES)
    def test_talk_to_a_person_in_every_language(self, language: str) -> None:
        assert quick_reply_intent(t("quick.human", language)) == "human_agent"
        assert quick_reply_intent(t("quick.order_status", language)) == "order_status"

    def test_case_and_punctuation_do_not_matter(self) -> None:
        assert quick_reply_intent("talk to a person!") == "human_agent"

    def test_other_text_is_no_quick_reply(self) -> None:
        assert quick_reply_intent("I want to talk to a person about my order") is None


class TestCalibration:
    def test_translations_share_a_fold(self) -> None:
        examples = [("a", "en", "x1"), ("a", "en", "x2"), ("a", "pl", "y1"), ("a", "pl", "y2")]
        examples.append(("b", "en", "z"))
        assert translation_folds(examples, 2).tolist() == [0, 1, 0, 1, 0]

    def test_unsure_winner_is_out_of_scope_unless_clearly_ahead(self) -> None:
        probs = np.array([[0.35, 0.30, 0.35], [0.35, 0.05, 0.60], [0.30, 0.05, 0.65]])
        # Class 0 is out of scope; row 0 wins out of scope, row 1 leads by 0.25, row 2 is sure.
        assert decisions(probs, 0, 0.62, 1.0).tolist() == [0, 0, 2]
        assert decisions(probs, 0, 0.62, 0.2).tolist() == [0, 2, 2]

    def test_cutoffs_reach_the_out_of_scope_recall(self) -> None:
        rng = np.random.default_rng(0)
        labels = np.array([0] * 20 + [1] * 40 + [2] * 40)
        # Off-topic rows are flat, in-scope rows lean (mostly) towards their intent.
        head = rng.dirichlet(np.full(3, 20.0), size=len(labels))
        head[labels == 1, 1] += rng.uniform(0.0, 1.0, 40)
        head[labels == 2, 2] += rng.uniform(0.0, 1.0, 40)
        head /= head.sum(axis=1, keepdims=True)
        cutoffs = choose_cutoffs(head, head, np.ones_like(head), labels, 0, oos_recall=0.8)
        decided = decisions(head, 0, cutoffs.threshold, cutoffs.margin)
        assert (decided[labels == 0] == 0).mean() >= 0.8
