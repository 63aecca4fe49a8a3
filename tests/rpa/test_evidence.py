"""Which attempts' traces record DOM snapshots, and which traces are kept."""

from __future__ import annotations

import pytest

from rpa.evidence import plan_trace


def test_a_first_attempt_unsampled_records_actions_only_and_is_kept_if_it_fails() -> None:
    plan = plan_trace(1, sample_rate=0.0)
    assert (plan.sampled, plan.snapshots) == (False, False)
    assert plan.keep(failed=True)
    assert not plan.keep(failed=False)


def test_a_sampled_attempt_records_snapshots_and_is_kept_either_way() -> None:
    plan = plan_trace(1, sample_rate=1.0)
    assert (plan.sampled, plan.snapshots) == (True, True)
    assert plan.keep(failed=False)
    assert plan.keep(failed=True)


@pytest.mark.parametrize("number", [2, 3, 7])
def test_every_retry_records_snapshots(number: int) -> None:
    plan = plan_trace(number, sample_rate=0.0)
    assert (plan.sampled, plan.snapshots) == (False, True)


def test_always_records_snapshots_on_first_attempts_too() -> None:
    assert plan_trace(1, sample_rate=0.0, snapshots="always").snapshots


def test_the_sample_is_drawn_per_attempt_at_the_configured_rate() -> None:
    sampled = sum(plan_trace(1, sample_rate=0.25).sampled for _ in range(4000))
    assert 800 < sampled < 1200  # 1,000 expected; outside this band p < 1e-6


def test_an_unknown_policy_is_refused() -> None:
    with pytest.raises(ValueError, match="trace snapshots must be one of"):
        plan_trace(1, sample_rate=0.0, snapshots="sometimes")
