"""Unit tests of rule 1, inflow (``rules/inflow.py``): the expected daily number of newcomers (a
yearly flow spread over months, over each month's days), the month-to-month factors, who the
newcomers are, their entry into the table, and structural alternative (a)'s turning back.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from deterrence_sim.daybook import as_records
from deterrence_sim.model import ChannelModel
from deterrence_sim.population import OTHER, PROTECTION, RETURNABLE, WAITING
from deterrence_sim.rules import inflow


def _days(first: str, n: int) -> np.ndarray:
    return np.datetime64(first) + np.arange(n)


def test_inflow_expected_newcomers_by_hand():
    """3,600 a year, month weights 1..12 (sum 78): 1 January gets 3600 x 1/78 / 31 a day, 1 December
    3600 x 12/78 / 31, 29 February 2024 3600 x 2/78 / 29."""
    weights = np.arange(1, 13, dtype=float)
    dates = np.array(["2024-01-01", "2024-02-29", "2024-12-01"], dtype="datetime64[D]")
    got = inflow.expected_newcomers_per_day(dates, 3600.0, weights)
    assert got.tolist() == pytest.approx([3600 / 78 / 31, 3600 * 2 / 78 / 29, 3600 * 12 / 78 / 31])


def test_inflow_expected_newcomers_add_up_to_the_yearly_flow():
    """Over a whole year the expected newcomers add up to the yearly flow, whatever the weights' scale."""
    dates = _days("2025-01-01", 365)
    for weights in (np.ones(12), np.arange(1, 13) * 10.0):
        assert inflow.expected_newcomers_per_day(dates, 5000.0, weights).sum() == pytest.approx(5000.0)


def test_inflow_days_in_month_by_the_gregorian_rule():
    year = np.array([1900, 2000, 2024, 2025, 2025, 2025])
    month = np.array([2, 2, 2, 2, 4, 12])
    assert inflow._days_in_month(year, month).tolist() == [28, 29, 29, 28, 30, 31]


def test_inflow_month_factors_are_mean_one_lognormal_one_per_month():
    """Each calendar month gets exp(sd z - sd^2 / 2), z the month's standard normal, in order; every
    day of a month shares it."""
    dates = _days("2025-01-30", 40)  # 30-31 January, February, 1-10 March
    sd = 0.4
    got = inflow.month_multipliers(np.random.default_rng(5), dates, sd)
    z = np.random.default_rng(5).standard_normal(3)
    factor = np.exp(sd * z - sd * sd / 2)
    assert got.tolist() == pytest.approx([factor[0]] * 2 + [factor[1]] * 28 + [factor[2]] * 10)
    assert (inflow.month_multipliers(np.random.default_rng(5), dates, 0.0) == 1.0).all()


def _constants(**over):
    c = dict(
        share_returnable_nationality=0.1,
        share_family_ties=0.2,
        share_scheme_eligible=0.7,
        budget_median_gbp=3000.0,
        budget_spread=0.5,
        n_networks=4,
    )
    return SimpleNamespace(**(c | over))


def test_inflow_who_the_newcomers_are():
    """60,000 newcomers: a share 0.1 returnable, of the rest two thirds of protection nationalities
    (0.6) and one third other (0.3); ties 0.2, eligible 0.7; budgets log-normal around 3,000 with
    log-sd 0.5; networks 0..3 evenly."""
    who = inflow.draw_newcomers(np.random.default_rng(11), 60_000, _constants())
    shares = [np.mean(who["group"] == g) for g in (RETURNABLE, PROTECTION, OTHER)]
    assert shares == pytest.approx([0.1, 0.6, 0.3], abs=0.01)
    assert who["ties"].mean() == pytest.approx(0.2, abs=0.01)
    assert who["eligible"].mean() == pytest.approx(0.7, abs=0.01)
    assert np.median(who["budget"]) == pytest.approx(3000.0, rel=0.02)
    assert np.log(who["budget"]).std() == pytest.approx(0.5, abs=0.01)
    assert np.bincount(who["network"]).tolist() == pytest.approx([15_000] * 4, rel=0.05)


def test_inflow_newcomers_enter_on_their_day_waiting_and_believing_their_groups_signal():
    """Day 3's newcomers are appended after the rows in use, waiting since day 3, and each believes
    what their own group hears."""
    model = ChannelModel(rng=3, start="2025-09-01", end="2025-09-10", initial_waiting=0)
    new = model.newcomers
    t = next(d for d in range(3, 10) if new.first[d + 1] > new.first[d])
    signal = np.array([0.5, 0.1, 0.2])
    today = as_records(model.figures)[t]
    n = inflow.add_newcomers(t, model.world(), 4, signal, today)
    m = int(new.first[t + 1] - new.first[t])
    assert n == 4 + m and today.newcomers == m
    rows = slice(4, 4 + m)
    p = model.population.table
    assert (p.state[rows] == WAITING).all() and (p.since[rows] == t).all()
    assert np.array_equal(p.group[rows], new.group[new.first[t] : new.first[t + 1]])
    assert np.array_equal(p.belief[rows], signal[p.group[rows]])


def test_inflow_stays_away_chance_by_hand():
    """Alternative (a): elasticity 2, deterrence strength 1.5 and perceived risk 0.3 turn back
    1 - exp(-0.9) = 59% of newcomers; elasticity, strength or risk 0 turns back nobody and draws nothing."""
    rng = np.random.default_rng(2)
    share = np.mean([inflow.stays_away(rng, 2.0, 1.5, 0.3) for _ in range(20_000)])
    assert share == pytest.approx(1 - np.exp(-0.9), abs=0.015)
    rng = np.random.default_rng(2)
    assert not any(
        inflow.stays_away(rng, 0.0, 1.5, 0.3)
        or inflow.stays_away(rng, 2.0, 0.0, 0.3)
        or inflow.stays_away(rng, 2.0, 1.5, 0.0)
        for _ in range(100)
    )
    assert rng.random() == np.random.default_rng(2).random()
