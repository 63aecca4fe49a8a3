"""bench.rpa's alternated stretches: how jobs are shared out and how the figures are summed."""

from __future__ import annotations

import math

import pytest

from bench.rpa import Stretches, round_order, split

pytestmark = pytest.mark.unit


def test_split_shares_every_job_out_evenly() -> None:
    assert split(1000, 4) == [250, 250, 250, 250]
    assert split(10, 4) == [3, 3, 2, 2]
    assert split(0, 3) == [0, 0, 0]
    for total in range(0, 40):
        for rounds in range(1, 9):
            shares = split(total, rounds)
            assert len(shares) == rounds
            assert sum(shares) == total
            assert max(shares) - min(shares) <= 1


def test_loads_take_turns_at_going_first() -> None:
    orders = [round_order(n) for n in range(4)]
    assert orders == [("naive", "warm"), ("warm", "naive"), ("naive", "warm"), ("warm", "naive")]


def test_rate_is_summed_jobs_over_summed_seconds() -> None:
    load = Stretches("warm")
    load.add(100, 25.0)  # 4 jobs/s
    load.add(100, 50.0)  # 2 jobs/s: the slow stretch weighs by its time, not as one of two rates
    assert load.rates() == [4.0, 2.0]
    assert load.rate == pytest.approx(200 / 75)
    assert len(load.load_average) == 2


def test_a_load_that_never_ran_has_no_rate() -> None:
    assert math.isnan(Stretches("naive").rate)
