"""Fuzzy product matching against the catalogue names in every language, careful with close names."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz

from bot.nlu.normalize import fold
from tandem.config import DEMO_DATA_DIR

__all__ = ["CatalogProduct", "ProductCandidate", "ProductMatch", "ProductMatcher", "tokens"]

_TOKEN = re.compile(r"\d+(?:[.,]\d+)?|[^\W\d_]+")
# Function words, units and number words inside product names: they say nothing about which
# product is meant, and number words would collide with quantities ("two kettles").
_STOP = frozenset(
    fold(w)
    for w in """the a an of with and for set pair l m cm mah ml x
    ya la za cha wa na yenye kwa lita mita seti jozi
    z do na i w ze
    two dwie viwili پنج بخمسة غير
    مع من في بال ال لتر سم م قطع زوج
    با و از برای لیتری متری سانتی متر میلی امپر عددی بسته لنگه دو""".split()
)
# How far below its closest catalogue form a word may still match another product's name word.
_CLOSEST = 0.02
_CLOSEST_CACHE = 50_000
_ARABIC_PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال")


@dataclass(frozen=True, slots=True)
class CatalogProduct:
    """A product as the matcher sees it: sku and its names per language ("en" is ``name``)."""

    sku: str
    names: dict[str, str]


@dataclass(frozen=True, slots=True)
class ProductCandidate:
    """One product a message may mean, with a 0–1 match score."""

    sku: str
    name: str
    score: float


@dataclass(frozen=True, slots=True)
class ProductMatch:
    """The resolved sku, or None with the candidates the customer should choose from."""

    sku: str | None
    candidates: list[ProductCandidate] = field(default_factory=list)

    @property
    def ambiguous(self) -> bool:
        """Several products fit about equally well."""
        return self.sku is None and len(self.candidates) > 1


def tokens(text: str) -> list[str]:
    """Folded word and number tokens, Arabic article stripped, stop words dropped."""
    out: list[str] = []
    folded = fold(text)
    # "Wi-Fi" and "wifi", "non-stick" and "nonstick": keep the joined form besides the parts.
    joined = re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)+", folded)
    for token in _TOKEN.findall(folded) + [j.replace("-", "") for j in joined]:
        token = token.replace(",", ".")
        for prefix in _ARABIC_PREFIXES:
            if token.startswith(prefix) and len(token) - len(prefix) >= 3:
                token = token[len(prefix) :]
                break
        if token not in _STOP and (len(token) > 2 or token.isdigit()):
            out.append(token)
    return out


@lru_cache(maxsize=65536)
def _similarity(word: str, name_token: str) -> float:
    """1 for the same word, 0.75–1 for an inflection (graded by the shared stem), the ratio for a typo."""
    if word == name_token:
        return 1.0
    if word[0].isdigit() or name_token[0].isdigit():
        return 0.0
    shortest, longest = sorted((len(word), len(name_token)))
    common = len(_common_prefix(word, name_token))
    if common >= 4 and common >= shortest - 2 and longest - shortest <= 2:
        return 0.75 + 0.25 * common / longest
    if shortest >= 5:
        ratio = fuzz.ratio(word, name_token) / 100
        if ratio >= 0.8:
            return ratio
    return 0.0


def _common_prefix(a: str, b: str) -> str:
    size = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        size += 1
    return a[:size]


@dataclass(frozen=True, slots=True)
class _Word:
    weight: float
    similarity: float


@dataclass(frozen=True, slots=True)
class _Fit:
    score: float
    recall: float
    explains: frozenset[str]


class ProductMatcher:
    """Scores every product by how much of its name the message covers and how much it explains."""

    def __init__(self, products: Iterable[CatalogProduct], *, margin: float = 0.12) -> None:
        self.products = list(products)
        self.margin = margin
        self._variants = {p.sku: [tokens(n) for n in p.names.values()] for p in self.products}
        counts: dict[str, int] = {}
        for variants in self._variants.values():
            for token in {t for v in variants for t in v}:
                counts[token] = counts.get(token, 0) + 1
        total = len(self.products)
        self._idf = {t: math.log(1 + total / n) for t, n in counts.items()}
        # Each message word's closest catalogue word, remembered: customers reuse their words.
        self._closest: dict[str, _Word] = {}

    @classmethod
    def from_catalog(cls, path: Path | None = None) -> ProductMatcher:
        """A matcher over a catalogue file (the demo catalogue by default)."""
        raw = json.loads((path or DEMO_DATA_DIR / "catalog.json").read_text(encoding="utf-8"))
        return cls(CatalogProduct(p["sku"], {"en": p["name"], **p.get("names", {})}) for p in raw)

    def _explained(self, words: Sequence[str]) -> dict[str, _Word]:
        """Message words that name some product: the specificity and similarity of their closest name word."""
        explained: dict[str, _Word] = {}
        for word in words:
            closest = self._closest.get(word)
            if closest is None:
                if len(self._closest) > _CLOSEST_CACHE:
                    self._closest.clear()
                best = max(((_similarity(word, t), w) for t, w in self._idf.items()), default=(0.0, 0.0))
                closest = self._closest[word] = _Word(weight=best[1], similarity=best[0])
            if closest.similarity >= 0.8:
                explained[word] = closest
        return explained

    def _fit(self, sku: str, explained: dict[str, _Word]) -> _Fit:
        """F1 of how much of a product name the message covers and how much of the message it explains."""
        variants = self._variants[sku]
        names = {t for v in variants for t in v}
        # A word counts for the products whose names hold its closest form: "ręczniki" is a towel
        # ("ręczników"), not a hand blender ("ręczny"), though both share the stem "ręczn".
        sims = {
            word: sim if sim >= seen.similarity - _CLOSEST else 0.0
            for word, seen in explained.items()
            for sim in [max(_similarity(word, t) for t in names)]
        }
        words = {word: seen.weight for word, seen in explained.items()}
        explains = frozenset(word for word, sim in sims.items() if sim >= 0.8)
        precision = sum(words[w] * sims[w] for w in explains) / sum(words.values())
        best, best_recall = 0.0, 0.0
        for variant in variants:
            weight = sum(self._idf[t] for t in variant)
            if not weight:
                continue
            covered = sum(
                self._idf[t] * max((_similarity(w, t) for w in words if sims[w]), default=0) for t in variant
            )
            recall = covered / weight
            if precision + recall and 2 * precision * recall / (precision + recall) > best:
                best, best_recall = 2 * precision * recall / (precision + recall), recall
        return _Fit(best, best_recall, explains)

    def _fits(self, text: str, minimum: float) -> list[tuple[CatalogProduct, _Fit]]:
        words = self._explained(tokens(text))
        if not words:
            return []
        fits = [(p, self._fit(p.sku, words)) for p in self.products]
        fits = [(p, f) for p, f in fits if f.score >= minimum]
        return sorted(fits, key=lambda pf: (-pf[1].score, pf[0].sku))

    def candidates(self, text: str, limit: int = 5, minimum: float = 0.25) -> list[ProductCandidate]:
        """Products the text may name, best first."""
        return [_candidate(p, f) for p, f in self._fits(text, minimum)[:limit]]

    def match(self, text: str) -> ProductMatch:
        """One sku when a product clearly stands out, else the close candidates."""
        fits = self._fits(text, 0.25)
        if not fits:
            return ProductMatch(None, [])
        top = fits[0][1]
        full = top.recall >= 0.95
        # Close: about as good, or named by the very same words while the top name is not said in full.
        close = [
            (p, f)
            for p, f in fits
            if (top.score - f.score < self.margin and not (full and f.recall < 0.95))
            or (f.explains == top.explains and not full)
        ]
        found = [_candidate(p, f) for p, f in fits]
        # A lone candidate needs less: nothing else in the catalogue competes for the words.
        if len(close) == 1 and (top.score >= 0.5 or (len(fits) == 1 and top.score >= 0.35)):
            return ProductMatch(found[0].sku, found[:3])
        return ProductMatch(None, [_candidate(p, f) for p, f in close[:5]])


def _candidate(product: CatalogProduct, fit: _Fit) -> ProductCandidate:
    return ProductCandidate(product.sku, product.names["en"], round(fit.score, 3))
