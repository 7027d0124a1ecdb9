"""The weather check's replayed record (``weather_check.weather_replay``): ChannelModel's own
``replay`` argument gives a run the weather of given per-day flags, the same run as one whose
drawn weather is replaced outright."""

from __future__ import annotations

import numpy as np
import pytest

from deterrence_sim import runner
from deterrence_sim.analyses import weather_check
from deterrence_sim.daybook import DAILY_COLUMNS
from deterrence_sim.model import ChannelModel

KWARGS = {"start": "2025-07-01", "end": "2025-09-30"}


def test_weather_replay_maps_each_changed_day_to_a_day_with_the_flag_wanted():
    drawn = np.array([True, False, True, True, False])
    flags = np.array([False, False, True, False, True])
    to_days, from_days = weather_check.weather_replay(drawn, flags)["sea_viable"]
    assert to_days.tolist() == [0, 3, 4] and from_days.tolist() == [1, 1, 0]
    replayed = drawn.copy()
    replayed[to_days] = drawn[from_days]
    assert (replayed == flags).all()
    with pytest.raises(ValueError, match="no rough day"):
        weather_check.weather_replay(np.ones(3, bool), np.array([True, False, True]))


def test_replayed_run_is_the_run_with_its_weather_replaced():
    """The check's replayed record, made with ``replay=``, is figure for figure the run whose
    model draws the flags as its weather (as the check did before, by overriding the draw)."""
    seed = 4
    drawn = runner.simulate(KWARGS, seed=seed)["sea_viable"].astype(bool)
    flags = drawn.copy()
    flags[20:60] &= np.arange(40) % 3 > 0  # a third of the summer's calm days made rough
    assert (flags != drawn).any()

    class Replaced(ChannelModel):
        def _draw_weather(self, rng):
            super()._draw_weather(rng)
            return flags.copy()

    expected = Replaced(rng=seed, **KWARGS).run()
    got = runner.simulate({**KWARGS, "replay": weather_check.weather_replay(drawn, flags)}, seed=seed)
    assert (got["sea_viable"].astype(bool) == flags).all()
    assert np.array_equal(got.figures, expected.figures, equal_nan=True)
    _, arrivals, viable = weather_check.run(KWARGS, seed, replay=weather_check.weather_replay(drawn, flags))
    assert (viable == flags).all() and np.array_equal(arrivals, expected.figures[:, DAILY_COLUMNS.index("arrivals")])


def test_the_re_estimated_chain_replaces_the_window_only():
    """The chain arm draws the window's days from a chain estimated on the window alone (it knows
    nothing of other months) and keeps every other day's true weather: with a chain that makes
    every window day rough, the window is all rough and the rest untouched."""
    weather = np.array([True, False, True, True, False, True])
    window = np.array([False, False, True, True, True, False])
    dates = np.array(["2026-07-01", "2026-07-02", "2026-07-03"], dtype="datetime64[D]")
    rough = weather_check.chain_days(np.random.default_rng(1), dates, ((0.0,) * 12, (0.0,) * 12))
    got = weather_check.in_window(weather, window, rough)
    assert not got[window].any() and (got[~window] == weather[~window]).all()
    calm = weather_check.chain_days(np.random.default_rng(1), dates, ((1.0,) * 12, (1.0,) * 12))
    assert calm.all()
