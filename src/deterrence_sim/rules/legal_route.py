"""Rule 11, the legal route ("one in"): people in France with family ties to the UK apply,
awareness of the route starts low and grows (seed 001: 'we couldn't find enough people ...
there wasn't enough knowledge'), an application takes weeks, and admissions are capped by
returns when parity is on. Returned people are barred (SOURCES).

Numbers: by 2026-01-27, 350 admitted against 281 returned (PILOT), hence parity_ratio 1.25; the
first admissions came about ten weeks after the route opened (PILOT: 18 by 2025-10-19).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def grow_awareness(awareness: float, growth: float, ceiling: float) -> float:
    """Word of the route spreads logistically toward a ceiling."""
    if ceiling <= 0:
        return 0.0
    return min(ceiling, awareness + growth * awareness * (1.0 - awareness / ceiling))


@njit(cache=True)
def applies_today(rng: np.random.Generator, n: int, awareness: float, rate: float) -> np.ndarray:
    """Which eligible people (in France, with UK family ties, not barred) apply today."""
    return rng.random(n) < awareness * rate


@njit(cache=True)
def decision_day(rng: np.random.Generator, today: int, n: int, mean_days: float) -> np.ndarray:
    """Day each new application is decided (exponential processing time)."""
    return today + 1 + np.floor(rng.exponential(mean_days, size=n)).astype(np.int32)


@njit(cache=True)
def approved(rng: np.random.Generator, n: int, p: float) -> np.ndarray:
    """Which applications decided today are approved (the others go back to waiting)."""
    return rng.random(n) < p


@njit(cache=True)
def parity_room(parity: bool, ratio: float, returned_total: int, admitted_total: int) -> float:
    """How many more people may be admitted now: unlimited without parity."""
    if not parity:
        return np.inf
    return max(0.0, np.floor(ratio * returned_total) - admitted_total)
