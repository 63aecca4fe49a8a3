"""Hybrid search: tokenisation, fusion, filters, cross-lingual retrieval."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from knowledge.base import KnowledgeBase
from knowledge.dense import DenseIndex
from knowledge.language import guess_language
from knowledge.lexical import LexicalIndex
from knowledge.search import fuse
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


class TestLanguageGuess:
    def test_spelling_decides_when_lingua_is_sure(self) -> None:
        # Polish without diacritics: e5's nearest language centroid said Swahili here.
        assert guess_language("czy moge oddac odkurzacz jak juz go uzywalem?", lambda: "sw") == "pl"
        assert guess_language("ممكن أرجع الكرسي بعد أسبوعين؟", lambda: "fa") == "ar"

    def test_fallback_decides_mixed_or_empty_text(self) -> None:
        assert guess_language("express Nairobi ni bei gani", lambda: "sw") == "sw"
        assert guess_language("  ", lambda: None) is None


class TestFusionAndLexical:
    def test_fuse_lets_lexical_break_near_ties_only(self) -> None:
        groups = np.array([0, 1, 2, 3])
        everything = np.ones(4, dtype=bool)
        dense = np.array([0.850, 0.845, 0.700, 0.690])
        lexical = np.array([0.0, 0.8, 0.4, 0.0])
        fused = fuse(groups, everything, dense, lexical, weight=0.3)
        assert int(np.argmax(fused)) == 1  # 0.005 behind, strong lexical match
        assert fused[2] < fused[0]  # word overlap alone does not beat a clear cosine lead
        plain = fuse(groups, everything, dense, np.zeros(4), weight=0.3)
        assert list(np.argsort(-plain)) == [0, 1, 2, 3]

    def test_crowded_cosines_leave_the_decision_to_lexical_evidence(self) -> None:
        groups = np.array([0, 1, 2, 3])
        everything = np.ones(4, dtype=bool)
        lexical = np.array([0.0, 0.0, 0.0, 0.6])
        crowded = np.array([0.780, 0.778, 0.777, 0.770])  # spread ~0.004: e5 cannot tell them apart
        assert int(np.argmax(fuse(groups, everything, crowded, lexical, weight=0.5, floor=0.015))) == 3
        assert int(np.argmax(fuse(groups, everything, crowded, lexical, weight=0.5, floor=0.0))) == 0
        spread = np.array([0.860, 0.830, 0.800, 0.770])  # a clear dense ranking keeps its lead
        assert int(np.argmax(fuse(groups, everything, spread, lexical, weight=0.5, floor=0.015))) == 0

    def test_fuse_ranks_articles_by_their_best_chunk_and_skips_ineligible(self) -> None:
        groups = np.array([0, 0, 1, 2])
        dense = np.array([0.80, 0.60, 0.75, 0.90])
        eligible = np.array([True, True, True, False])
        fused = fuse(groups, eligible, dense, np.zeros(4))
        assert fused[3] == -np.inf
        assert fused[0] > fused[2] > fused[1]  # the weak chunk falls behind the other article

    def test_language_pull_is_measured_on_shared_articles(self) -> None:
        def chunk(i: int, language: str, article: str) -> StoredChunk:
            return StoredChunk(str(i), "x", {"language": language, "article": article})

        # Two axes of content, one of "language": Polish passages share a Polish direction.
        content = {"a": np.array([1.0, 0.0, 0.0]), "b": np.array([0.0, 1.0, 0.0])}
        accent = {"en": np.zeros(3), "pl": np.array([0.0, 0.0, 1.0])}
        chunks, rows = [], []
        for n, (language, article) in enumerate(
            [("en", "a"), ("en", "a"), ("en", "a"), ("pl", "a"), ("pl", "a"), ("pl", "a"), ("en", "b")]
        ):
            chunks.append(chunk(n, language, article))
            rows.append(content[article] + accent[language])
        vectors = np.array(rows, dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        index = DenseIndex(chunks, vectors)
        query = np.array([0.3, 0.6, 0.74], dtype=np.float32)  # about b, asked "in Polish"
        cosine, corrected = index.scores(query)
        assert index.language_of(query) == "pl"
        assert int(np.argmax(cosine)) == 3  # the raw cosine prefers the Polish passage of a
        assert int(np.argmax(corrected)) == 6  # corrected: the English-only article b

    def test_no_language_correction_without_shared_articles(self) -> None:
        chunks = [StoredChunk(str(i), "x", {"language": "en", "article": f"a{i}"}) for i in range(3)]
        vectors = np.eye(3, dtype=np.float32)
        index = DenseIndex(chunks, vectors)
        cosine, corrected = index.scores(np.array([1.0, 0.0, 0.0], dtype=np.float32))
        assert index.language_of(vectors[0]) is None
        assert np.array_equal(cosine, corrected)

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

    def test_polish_question_finds_english_only_article_despite_polish_articles(
        self, e5_kb: KnowledgeBase
    ) -> None:
        assert e5_kb.search("Jak długo ważna jest karta podarunkowa?", 1)[0].chunk.article == "gift-cards"

    def test_sees_chunks_ingested_by_another_instance(self, e5_kb: KnowledgeBase, tmp_path: Path) -> None:
        other = KnowledgeBase(e5_kb.settings, embedder=e5_kb.embedder)
        assert other.search("gift card valid", 1)[0].chunk.article == "gift-cards"
