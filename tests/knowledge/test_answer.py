"""Answers: extractive with citations, language preference, refusal, the LLM path."""

from __future__ import annotations

import pytest

from knowledge.answer import LLMAnswerer
from knowledge.base import KnowledgeBase
from knowledge.messages import I_DONT_KNOW
from tests.knowledge.conftest import FakeOpenAI

pytestmark = pytest.mark.unit


class TestExtractive:
    def test_answer_cites_the_section(self, e5_kb: KnowledgeBase) -> None:
        answer = e5_kb.answer("How long do I have to return a product?", "en")

        assert answer.grounded
        assert "30 days" in answer.text
        assert "refund the money" not in answer.text  # one section, not the whole article
        citation = answer.citations[0]
        assert citation.title == "Returns and refunds › How long do I have to return a product?"
        assert citation.source.endswith("en/returns-and-refunds.md")
        assert citation.anchor == "how-long-do-i-have-to-return-a-product"
        assert answer.score >= e5_kb.threshold

    def test_prefers_the_article_in_the_question_language(self, e5_kb: KnowledgeBase) -> None:
        answer = e5_kb.answer("How long do I have to return a product?", "pl")
        assert answer.language == "pl"
        assert "30 dni" in answer.text
        assert answer.citations[0].source.endswith("pl/returns-and-refunds.md")

    def test_cross_lingual_answer_falls_back_to_the_only_article(self, e5_kb: KnowledgeBase) -> None:
        answer = e5_kb.answer("Kadi ya zawadi inatumika kwa muda gani?", "sw")
        assert answer.grounded
        assert answer.article == "gift-cards"
        assert "24 months" in answer.text

    @pytest.mark.parametrize("language", ["en", "ar", "fa", "sw", "pl"])
    def test_unrelated_question_gets_an_honest_refusal(self, e5_kb: KnowledgeBase, language: str) -> None:
        answer = e5_kb.answer("Who painted the Mona Lisa?", language)
        assert not answer.grounded
        assert answer.citations == []
        assert answer.text == I_DONT_KNOW[language]

    def test_whether_to_answer_does_not_depend_on_the_fusion_weight(self, e5_kb: KnowledgeBase) -> None:
        questions = [("How long do I have to return an item?", "en"), ("Who painted the Mona Lisa?", "en")]
        shipped = e5_kb.searcher.weight
        try:
            verdicts = []
            for weight in (0.0, shipped, 2.0):
                e5_kb.searcher.weight = weight
                answers = [e5_kb.answer(q, lang) for q, lang in questions]
                verdicts.append([(answer.grounded, answer.score) for answer in answers])
        finally:
            e5_kb.searcher.weight = shipped
        assert verdicts[0] == verdicts[1] == verdicts[2]
        assert [grounded for grounded, _ in verdicts[0]] == [True, False]


def test_refusal_exists_in_all_five_languages() -> None:
    assert set(I_DONT_KNOW) == {"en", "ar", "fa", "sw", "pl"}
    assert len(set(I_DONT_KNOW.values())) == 5


class TestLLM:
    def with_llm(self, kb: KnowledgeBase, base_url: str) -> KnowledgeBase:
        clone = KnowledgeBase(kb.settings, embedder=kb.embedder)
        clone.llm = LLMAnswerer("test-model", api_key="test", base_url=base_url, timeout=5)
        return clone

    def test_grounded_answer_cites_only_retrieved_chunks(
        self, e5_kb: KnowledgeBase, fake_openai: tuple[str, type[FakeOpenAI]]
    ) -> None:
        url, server = fake_openai
        server.chat_reply = "You have 30 days from delivery [1]; see also [9]."

        answer = self.with_llm(e5_kb, url).answer("How long do I have to return a product?", "en")

        assert answer.grounded
        assert answer.text.startswith("You have 30 days")
        assert len(answer.citations) == 1  # [9] was never retrieved
        request = server.requests[-1]["body"]
        assert request["model"] == "test-model"
        prompt = " ".join(m["content"] for m in request["messages"])
        assert "[1] Returns and refunds" in prompt
        assert "How long do I have to return a product?" in prompt

    def test_model_refusal_becomes_i_dont_know(
        self, e5_kb: KnowledgeBase, fake_openai: tuple[str, type[FakeOpenAI]]
    ) -> None:
        url, server = fake_openai
        server.chat_reply = "NO_ANSWER"
        answer = self.with_llm(e5_kb, url).answer("How much does delivery cost?", "sw")
        assert not answer.grounded
        assert answer.text == I_DONT_KNOW["sw"]

    def test_llm_failure_falls_back_to_extractive(
        self, e5_kb: KnowledgeBase, fake_openai: tuple[str, type[FakeOpenAI]]
    ) -> None:
        url, server = fake_openai
        server.chat_reply = None  # the server answers 500
        answer = self.with_llm(e5_kb, url).answer("How much does delivery cost?", "en")
        assert answer.grounded
        assert "5 dollars" in answer.text
        assert server.requests

    def test_settings_configure_the_llm(
        self, monkeypatch: pytest.MonkeyPatch, fake_openai: tuple[str, type[FakeOpenAI]]
    ) -> None:
        from tandem.config import get_settings

        monkeypatch.setenv("OPENAI_BASE_URL", fake_openai[0])
        get_settings.cache_clear()
        assert isinstance(KnowledgeBase().llm, LLMAnswerer)
