"""Unit tests of rule 2, weather (``rules/weather.py``): the month-dependent two-state chain of
calm and rough days, its long-run share, and the observed record replayed over it.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from deterrence_sim.rules import weather


def test_weather_stationary_share_by_hand():
    """Calm after calm 0.8, calm after rough 0.4: the long-run calm share is 0.4 / (1 - 0.8 + 0.4) = 2/3."""
    assert weather.stationary_calm_share(0.8, 0.4) == pytest.approx(2 / 3)
    assert weather.stationary_calm_share(0.5, 0.5) == pytest.approx(0.5)
    assert weather.stationary_calm_share(1.0, 0.0) == 1.0  # a chain that never moves: calm by convention


def test_weather_chain_follows_each_months_own_transitions():
    """Months 1-6 always rough (calm after either 0), July always calm (calm after either 1): the
    path is rough to the last day of June and calm from the first of July, from the first day on."""
    months = np.array([1] * 10 + [6] * 10 + [7] * 10)
    cc = np.zeros(12)
    cr = np.zeros(12)
    cc[6] = cr[6] = 1.0  # July is index 6
    path = weather.markov_weather(np.random.default_rng(0), months, cc, cr)
    assert path.tolist() == [False] * 20 + [True] * 10


def test_weather_first_day_drawn_from_the_long_run_share():
    """Every month always rough: even the first day is rough (its chance is the stationary share, 0)."""
    months = np.ones(5, dtype=np.int64)
    for seed in range(5):
        assert not weather.markov_weather(np.random.default_rng(seed), months, np.zeros(12), np.zeros(12)).any()


def test_weather_calm_stays_calm_and_rough_stays_rough_when_the_chain_says_so():
    """Calm after calm 1 and calm after rough 0: a chain that starts calm stays calm, one that starts
    rough stays rough (the calm-after-calm chance applies after a calm day, not after a rough one)."""
    months = np.ones(50, dtype=np.int64)
    starts = set()
    for seed in range(20):
        path = weather.markov_weather(np.random.default_rng(seed), months, np.ones(12), np.zeros(12))
        assert path.all() or not path.any()
        starts.add(bool(path[0]))
    assert starts == {True}  # the stationary share of this chain is 1


def test_weather_long_run_share_and_spell_length():
    """Calm after calm 0.9, calm after rough 0.3 in every month: over 40,000 days the calm share is
    close to 0.3 / 0.4 = 0.75 and calm spells last 1 / (1 - 0.9) = 10 days on average."""
    months = np.tile(np.arange(1, 13), 40_000 // 12 + 1)[:40_000]
    path = weather.markov_weather(np.random.default_rng(7), months, np.full(12, 0.9), np.full(12, 0.3))
    assert path.mean() == pytest.approx(0.75, abs=0.02)
    starts = np.flatnonzero(np.diff(path.astype(int)) == 1)
    assert (path.sum() / max(len(starts), 1)) == pytest.approx(10, rel=0.1)


def test_weather_observed_days_replace_the_drawn_ones_calm_or_rough():
    """The observed record wins where it exists (a rough day as much as a calm one); the drawn path
    elsewhere; the drawn path passed in is left as it was."""
    dates = [dt.date(2024, 1, 1) + dt.timedelta(days=i) for i in range(4)]
    fallback = np.array([True, False, True, False])
    observed = {dates[0]: False, dates[1]: True}
    out = weather.observed_weather(dates, observed, fallback)
    assert out.tolist() == [False, True, True, False]
    assert fallback.tolist() == [True, False, True, False]
