"""Rule 7, the crossing: a boat that gets past the police either reaches the UK, is rescued
and its people landed back in France, or (rarely) people die.

Numbers: about 10% of boats are rescued back to France (PREMAR: 6,177 of 49,966 people at sea
rescued); the death risk is set from reported deaths (at least 36 in 2025 among ~46,000 people at
sea) and grows with overcrowding.
"""

from __future__ import annotations

import numpy as np
from numba import njit

REFERENCE_LOAD = 60.0  # people per boat at which death_prob applies


@njit(cache=True)
def boats_rescued(rng: np.random.Generator, n_boats: int, p: float) -> np.ndarray:
    """Which boats at sea are rescued and taken back to France."""
    return rng.random(n_boats) < p


@njit(cache=True)
def deaths_at_sea(rng: np.random.Generator, load: np.ndarray, death_prob: float, exponent: float) -> np.ndarray:
    """Who dies at sea, given the load of the boat each person is on."""
    p = np.minimum(1.0, death_prob * (load / REFERENCE_LOAD) ** exponent)
    return rng.random(len(load)) < p
