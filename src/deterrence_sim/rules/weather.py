"""Rule 2, weather: whether the sea allows small-boat crossings on a given day.

Calm and rough days follow a two-state Markov chain whose transition probabilities change by
month: ``calm_after_calm[m]`` and ``calm_after_rough[m]``, estimated from the days with at
least one arrival in SB01 2022-2025 (when the flow was large enough that a day without
arrivals is, to a first approximation, a day the sea did not allow). This reproduces the
share of crossing days (about 38-44% a year) and spells of rough weather lasting weeks.

The whole weather path of a run is drawn before the run from its own random stream, so that
replicate i of every scenario sees the same weather (common random numbers).

``weather_mode = "observed"`` instead replays the observed crossing days of SB01, for
calibration and validation against a particular year. A day without arrivals may also be a day
deterrence (or anything else) kept everyone from crossing, so the replay can take a fall in
crossings for weather; ``weather_mode = "observed_to_2025"`` replays the record only up to
2025-12-31 (:data:`OBSERVED_TO_2025_LAST`) and uses the chain from 2026-01-01, the window of the
pilot's ramp-up, for a fit that must not read that window's crossing days as weather (docs/ODD.md
section 10 measures how much of a deterrence effect the replay absorbs).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

#: The last day replayed by ``weather_mode = "observed_to_2025"``.
OBSERVED_TO_2025_LAST = dt.date(2025, 12, 31)


def stationary_calm_share(calm_after_calm: float, calm_after_rough: float) -> float:
    """Long-run share of calm days for one month's chain."""
    denom = 1.0 - calm_after_calm + calm_after_rough
    return calm_after_rough / denom if denom > 0 else 1.0


def markov_weather(rng: np.random.Generator, months: np.ndarray, calm_after_calm, calm_after_rough) -> np.ndarray:
    """A sea-viable flag per day, from the month-dependent two-state chain."""
    cc = np.asarray(calm_after_calm)[months - 1]
    cr = np.asarray(calm_after_rough)[months - 1]
    u = rng.random(len(months))
    out = np.empty(len(months), dtype=bool)
    calm = u[0] < stationary_calm_share(cc[0], cr[0]) if len(months) else False
    for i in range(len(months)):
        if i:
            calm = u[i] < (cc[i] if calm else cr[i])
        out[i] = calm
    return out


def observed_weather(dates, observed_crossing_days: dict, fallback: np.ndarray) -> np.ndarray:
    """Sea-viable days taken from the observed record where it exists, ``fallback`` elsewhere."""
    out = fallback.copy()
    for i, d in enumerate(dates):
        flag = observed_crossing_days.get(d)
        if flag is not None:
            out[i] = flag
    return out


def replayed_days(observed_crossing_days: dict, mode: str) -> dict:
    """The observed crossing days a weather mode replays: all of them (``observed``), or those up to
    :data:`OBSERVED_TO_2025_LAST` (``observed_to_2025``; the chain holds after)."""
    if mode == "observed_to_2025":
        return {d: flag for d, flag in observed_crossing_days.items() if d <= OBSERVED_TO_2025_LAST}
    return observed_crossing_days
