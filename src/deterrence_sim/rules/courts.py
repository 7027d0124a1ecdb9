"""Rule 9, the courts: a detained person may bring a legal challenge (judicial review, a
modern-slavery claim). While it is pending an injunction keeps them off any flight (the first
three planned flights left empty, seed 000); a decision takes weeks (seed 003: 14 days to make
representations); success releases them into the asylum system. The announced review of
modern-slavery law (seed 000) is modelled as a lower ``challenge_success_prob``.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def files_challenge(rng: np.random.Generator, n: int, p: float) -> np.ndarray:
    """Which newly detained people bring a legal challenge."""
    return rng.random(n) < p


@njit(cache=True)
def decision_day(rng: np.random.Generator, today: int, n: int, mean_days: float) -> np.ndarray:
    """Day each new challenge is decided: at least a day later, exponential around the mean."""
    return today + 1 + np.floor(rng.exponential(mean_days, size=n)).astype(np.int32)


@njit(cache=True)
def challenge_succeeds(rng: np.random.Generator, n: int, p: float) -> np.ndarray:
    """Which of today's decisions go the claimant's way."""
    return rng.random(n) < p


@njit(cache=True)
def last_minute_challenges(rng: np.random.Generator, n: int, wave: float, p: float) -> np.ndarray:
    """Structural alternative (d): on a day of an injunction wave (``injunction_wave`` 1; seed 000:
    the first three planned flights, 15-17 September 2025, left empty after last-minute legal
    challenges), which of ``n`` detainees cleared for a flight bring a challenge now (chance ``p``,
    ``injunction_prob``). Off (0, the default) it draws nothing and nobody challenges."""
    if wave <= 0 or n == 0:
        return np.zeros(n, dtype=np.bool_)
    return rng.random(n) < p
