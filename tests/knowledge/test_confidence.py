"""The shipped confidence model: loading, features, and the verdict it gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.confidence import FEATURES, MODEL_PATH, ConfidenceModel, features, model_for
from knowledge.search import SearchHit
from knowledge.store import StoredChunk

pytestmark = pytest.mark.unit


def hit(article: str, dense: float, lexical: float | None, language: str = "en") -> SearchHit:
    chunk = StoredChunk(
        f"{article}:{dense}",
        "Gift cards are valid for 3 years.",
        {"article": article, "language": language, "title_path": "Gift cards"},
    )
    return SearchHit(chunk, dense, dense, lexical)


class TestModel:
    def test_the_e5_model_is_shipped_for_the_current_features(self) -> None:
        shipped = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
        model = model_for("e5-small-q4")
        assert model is not None
        assert shipped["e5-small-q4"]["features"] == list(FEATURES)
        assert 0.0 < model.threshold < 1.0

    def test_unknown_embedder_has_no_model(self, tmp_path: Path) -> None:
        assert model_for("hashing-test") is None
        assert model_for("e5-small-q4", tmp_path / "missing.json") is None

    def test_probability_rises_with_cosine_and_coverage(self) -> None:
        model = model_for("e5-small-q4")
        assert model is not None
        strong = features("how long is a gift card valid", "en", [hit("gift-cards", 0.90, 30.0)])
        weak = features("weather in nairobi tomorrow", "en", [hit("gift-cards", 0.80, None)])
        assert model.probability(strong) > model.threshold > model.probability(weak)

    def test_json_round_trip(self) -> None:
        model = ConfidenceModel((0.0,) * 7, (1.0,) * 7, (1.0,) * 7, -0.5, 0.4)
        assert ConfidenceModel.from_json(model.to_json()) == model
        with pytest.raises(ValueError, match="other features"):
            ConfidenceModel.from_json({**model.to_json(), "features": ["top_cosine"]})


class TestFeatures:
    def test_margin_agreement_and_cross_lingual(self) -> None:
        hits = [hit("gift-cards", 0.90, 12.0, "pl"), hit("returns", 0.85, 3.0, "pl")]
        values = dict(zip(FEATURES, features("karta podarunkowa", "en", hits), strict=True))
        assert values["top_cosine"] == pytest.approx(0.90)
        assert values["margin"] == pytest.approx(0.05)
        assert values["agreement"] == 1.0
        assert values["cross_lingual"] == 1.0


def test_explicit_threshold_means_cosine_only(e5_kb: KnowledgeBase) -> None:
    assert KnowledgeBase(e5_kb.settings, embedder=e5_kb.embedder, threshold=0.5).confidence is None
    assert KnowledgeBase(e5_kb.settings, embedder=e5_kb.embedder).confidence is not None
