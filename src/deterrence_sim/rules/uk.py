"""Rule 8, the UK authority: screen small-boat arrivals for the scheme, detain as many as there
are places, refer them to France within 3 days, fly those France accepts, and release into
the asylum system whoever is not removed within the window.

Numbers: about 100 detention places from 2025-08-06 (SOURCES, EVENTS); referral within 3 days
and transfer within 3 months (SOURCES); 13 flights by about 2025-11-20 carrying 113 people
(PILOT), hence ~1.5 flights a week of ~9 seats.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def flights_today(credit: float, flights_per_week: float) -> tuple[int, float]:
    """Number of removal flights today, spreading the weekly number evenly over the days.

    ``credit`` carries the fractional flight from day to day (so 1.5 a week is 3 every 14 days).
    """
    credit += flights_per_week / 7.0
    n = int(np.floor(credit + 1e-9))
    return n, credit - n


@njit(cache=True)
def detention_order(rng: np.random.Generator, fast_track: np.ndarray) -> np.ndarray:
    """Order in which eligible arrivals get detention places: recognised re-crossers first
    (when biometric fast-tracking is on), then at random."""
    order = rng.permutation(len(fast_track))
    return order[np.argsort(~fast_track[order], kind="mergesort")]


@njit(cache=True)
def boarding_order(fast_track: np.ndarray, arrived_day: np.ndarray) -> np.ndarray:
    """Order in which people cleared for removal board: fast-tracked first, then by arrival."""
    by_arrival = np.argsort(arrived_day, kind="mergesort")
    return by_arrival[np.argsort(~fast_track[by_arrival], kind="mergesort")]


@njit(cache=True)
def flights_used(n_removed: int, n_flights: int, seats_per_flight: float) -> int:
    """Flights that actually carried someone (an injunction can empty a flight)."""
    if n_removed == 0 or seats_per_flight <= 0:
        return 0
    return min(n_flights, int(np.ceil(n_removed / seats_per_flight)))


@njit(cache=True)
def window_expired(arrived_day: np.ndarray, today: int, window_days: int) -> np.ndarray:
    """Whose time for removal has run out (they enter the asylum system)."""
    return today - arrived_day >= window_days
