"""Out-of-scope cut-offs chosen by cross-validation on the router's own examples (never the eval set)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["Cutoffs", "Probabilities", "choose_cutoffs", "decisions", "mix", "translation_folds"]

Probabilities = npt.NDArray[np.float64]
Labels = npt.NDArray[np.int64]

# Candidate cut-offs; a margin of 1 can never be met, so it switches the margin rule off.
_THRESHOLDS = np.round(np.arange(0.20, 0.61, 0.025), 3)
_MARGINS = (1.0, 0.4, 0.3, 0.25, 0.2)
_NEIGHBOUR_WEIGHTS = (0.3, 0.4, 0.5, 0.6, 0.7)


@dataclass(frozen=True, slots=True)
class Cutoffs:
    """How head and neighbours mix, and when an in-scope winner stands.

    A winner stands with ``threshold`` probability, or with a ``margin`` lead over the runner-up.
    """

    neighbour_weight: float
    threshold: float
    margin: float


def translation_folds(examples: Sequence[tuple[str, str, str]], folds: int) -> Labels:
    """Fold of each (intent, language, text) by its position in its list.

    The lists are written in parallel, so an example and its translations share a fold: the
    multilingual encoder would otherwise recognise a held-out message from its translation.
    """
    position: dict[tuple[str, str], int] = {}
    out = np.zeros(len(examples), dtype=np.int64)
    for i, (intent, language, _) in enumerate(examples):
        index = position.get((intent, language), 0)
        position[(intent, language)] = index + 1
        out[i] = index % folds
    return out


def decisions(probs: Probabilities, oos: int, threshold: float, margin: float) -> Labels:
    """The decided class of each row: its best intent when sure enough, else ``oos``."""
    order = np.argsort(-probs, axis=1, kind="stable")
    best, second = order[:, 0], order[:, 1]
    rows = np.arange(len(probs))
    top, runner_up = probs[rows, best], probs[rows, second]
    accepted = (best == oos) | (top >= threshold) | (top - runner_up >= margin)
    out: Labels = np.where(accepted, best, oos).astype(np.int64)
    return out


def mix(
    head: Probabilities, neighbours: Probabilities, boosts: Probabilities, neighbour_weight: float
) -> Probabilities:
    """Head and neighbour probabilities mixed, times the rules' multipliers, renormalised per row."""
    probs = ((1 - neighbour_weight) * head + neighbour_weight * neighbours) * boosts
    out: Probabilities = probs / probs.sum(axis=-1, keepdims=True)
    return out


def choose_cutoffs(
    head: Probabilities,
    neighbours: Probabilities,
    boosts: Probabilities,
    labels: Labels,
    oos: int,
    *,
    oos_recall: float = 0.85,
) -> Cutoffs:
    """The cut-offs that serve the in-scope intents best while refusing ``oos_recall`` of off-topic examples.

    Scored on out-of-fold predictions: in-scope macro recall (every intent weighs the same),
    among the settings that reach the out-of-scope recall; the best-balanced setting if none does.
    """
    in_scope = [c for c in range(head.shape[1]) if c != oos and (labels == c).any()]
    best, best_key = Cutoffs(0.5, 0.4, 1.0), (False, -1.0)
    for weight in _NEIGHBOUR_WEIGHTS:
        probs = mix(head, neighbours, boosts, weight)
        for margin in _MARGINS:
            for threshold in _THRESHOLDS:
                decided = decisions(probs, oos, float(threshold), margin)
                refused = float((decided[labels == oos] == oos).mean())
                served = float(np.mean([(decided[labels == c] == c).mean() for c in in_scope]))
                key = (refused >= oos_recall, served if refused >= oos_recall else (served + refused) / 2)
                # Ties go to the first seen: less neighbour weight, no margin rule, the lower threshold.
                if key[0] > best_key[0] or (key[0] == best_key[0] and key[1] > best_key[1] + 1e-9):
                    best, best_key = Cutoffs(weight, float(threshold), margin), key
    return best
