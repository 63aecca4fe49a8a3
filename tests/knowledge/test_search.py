"""Hybrid search: tokenisation, fusion, filters, cross-lingual retrieval."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.lexical import LexicalIndex
from knowledge.search import blend, reciprocal_rank_fusion
from knowledge.store import StoredChunk
from knowledge.tokens import lexical_terms, normalise, tokenize

pytestmark = pytest.mark.unit


class TestTokens:
    def test_polish_diacritics_and_case(self) -> None:
        assert tokenize("ZWRÓT") == tokenize("zwrot") == ["zwrot"]
        assert normalise("Łódź") == "lodz"

    def test_persian_and_arabic_letters_are_unified(self) -> None:
        assert tokenize("كتاب") == tokenize("کتاب")
        assert tokenize("قيمت") == tokenize("قیمت")
        assert tokenize("مي‌خواهم") == tokenize("میخواهم")

    def test_arabic_diacritics_tatweel_and_article(self) -> None:
        assert tokenize("الإرجَـــاع") == tokenize("ارجاع")

    def test_swahili_word_endings_share_a_stem(self) -> None:
        assert tokenize("kurudisha")[0] == tokenize("kurudishwa")[0]

    def test_lexical_terms_share_ngrams_across_inflections(self) -> None:
        assert lexical_terms("zwrot") == ["zwro", "wrot"]
        assert set(lexical_terms("zwrotu")) >= set(lexical_terms("zwrot"))
        assert lexical_terms("کتاب‌ها") == lexical_terms("کتابها")
        assert lexical_terms("the box") == ["box"]


class TestFusionAndLexical:
    def test_blend_lets_lexical_break_near_ties_only(self) -> None:
        dense = [("a", 0.850), ("b", 0.845), ("c", 0.700)]
        fused = blend(dense, [("b", 40.0), ("c", 20.0)])
        assert max(fused, key=fused.__getitem__) == "b"  # 0.005 behind, strong lexical match
        assert fused["c"] < fused["a"]  # word overlap alone does not beat a clear cosine lead
        assert blend(dense, []) == dict(dense)

    def test_rrf_rewards_agreement(self) -> None:
        fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "c", "a"]])
        assert max(fused, key=fused.__getitem__) == "b"
        assert fused["a"] == pytest.approx(1 / 61 + 1 / 63)

    def test_lexical_index_matches_across_spellings_and_filters(self) -> None:
        chunks = [
            StoredChunk("1", "Zwrót towaru w ciągu 30 dni.", {"language": "pl", "tags": "returns"}),
            StoredChunk("2", "Dostawa trwa 3 dni.", {"language": "pl", "tags": "delivery"}),
            StoredChunk("3", "بازگرداندن كالا", {"language": "fa", "tags": "returns"}),
        ]
        index = LexicalIndex(chunks)
        assert [i for i, _ in index.search("zwrot", 3)] == ["1"]
        assert [i for i, _ in index.search("کالا", 3)] == ["3"]
        assert index.search("zwrot", 3, index.mask(language="fa")) == []
        assert [i for i, _ in index.search("dni", 3, index.mask(tags=["delivery"]))] == ["2"]
        assert index.search("nothing matches", 3) == []


class TestHybridSearch:
    def test_finds_the_right_section(self, e5_kb: KnowledgeBase) -> None:
        hit = e5_kb.search("how much does shipping cost", 1)[0]
        assert hit.chunk.title_path == "Delivery and shipping › How much does delivery cost?"
        assert hit.dense is not None

    def test_language_filter(self, e5_kb: KnowledgeBase) -> None:
        hits = e5_kb.search("return period", 5, language="pl")
        assert hits
        assert {h.chunk.language for h in hits} == {"pl"}

    def test_tag_filter(self, e5_kb: KnowledgeBase) -> None:
        hits = e5_kb.search("how long does it take", 10, tags=["delivery"])
        assert hits
        assert {h.chunk.article for h in hits} == {"delivery-and-shipping"}
        assert e5_kb.search("anything", 5, tags=["delivery", "returns"]) == []

    def test_article_filter(self, e5_kb: KnowledgeBase) -> None:
        hits = e5_kb.search("how long", 10, article="gift-cards")
        assert [h.chunk.article for h in hits] == ["gift-cards"]

    def test_polish_question_restricted_to_english_articles(self, e5_kb: KnowledgeBase) -> None:
        hit = e5_kb.search("Jak długo ważna jest karta podarunkowa?", 1, language="en")[0]
        assert hit.chunk.article == "gift-cards"

    @pytest.mark.parametrize(
        "question",
        [
            "Kadi ya zawadi inatumika kwa muda gani?",
            "كارت هدیه تا چه مدت اعتبار دارد؟",
            "ما هي مدة صلاحية بطاقة الهدية؟",
        ],
    )
    def test_cross_lingual_question_finds_english_only_article(
        self, e5_kb: KnowledgeBase, question: str
    ) -> None:
        assert e5_kb.search(question, 1)[0].chunk.article == "gift-cards"

    @pytest.mark.xfail(
        strict=True,
        reason="e5-small scores same-language passages ~0.02 higher: the Polish returns article "
        "still outranks the English-only gift-cards one; no fix yet that keeps the eval MRR",
    )
    def test_polish_question_finds_english_only_article_despite_polish_articles(
        self, e5_kb: KnowledgeBase
    ) -> None:
        assert e5_kb.search("Jak długo ważna jest karta podarunkowa?", 1)[0].chunk.article == "gift-cards"

    def test_sees_chunks_ingested_by_another_instance(self, e5_kb: KnowledgeBase, tmp_path: Path) -> None:
        other = KnowledgeBase(e5_kb.settings, embedder=e5_kb.embedder)
        assert other.search("gift card valid", 1)[0].chunk.article == "gift-cards"
