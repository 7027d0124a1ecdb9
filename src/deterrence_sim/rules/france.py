"""Rule 6, the French authorities: stopping launches on the beaches and, from 2026, taxi boats
at sea; answering the UK's referrals within a weekly cap, preferring nationalities France can
itself remove.

Numbers: beach and taxi-boat prevention are set so that about 35% of attempts are stopped
(SB02: 37% in 2024, 35% in 2025), with taxi boats succeeding about 81% of the time (PREMAR).
The Defender of Rights' recommendation to stop rubber bullets and tear gas (seed 001) is the
``force_restraint`` switch. The weekly cap of about 50 returns was spoken of by French
officials, never confirmed (SOURCES). The preference for removable nationalities follows seed
000 (France asked for an Indian national).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def prevention_probabilities(beach: float, taxi: float, restraint: float, restraint_effect: float,
                             interception: float, interception_gain: float) -> tuple[float, float]:
    """Chance of stopping a beach launch and a taxi-boat launch today, given the policies in force."""
    p_beach = beach * (1.0 - restraint_effect * restraint)
    p_taxi = min(1.0, taxi + interception_gain * interception)
    return p_beach, p_taxi


@njit(cache=True)
def boats_stopped(rng: np.random.Generator, is_taxi: np.ndarray, p_beach: float, p_taxi: float) -> np.ndarray:
    """Which launched boats the police stop (all on board are 'prevented' and stay in France)."""
    return rng.random(len(is_taxi)) < np.where(is_taxi, p_taxi, p_beach)


@njit(cache=True)
def acceptance_probability(group: np.ndarray, returnable_group: int, p_returnable: float,
                           p_other: float) -> np.ndarray:
    """France's chance of accepting each referral, higher for nationalities it can remove."""
    return np.where(group == returnable_group, p_returnable, p_other)


@njit(cache=True)
def within_weekly_cap(n_accepting: int, accepted_this_week: int, weekly_cap: float) -> int:
    """How many of today's acceptances fit under the weekly cap; the rest wait for next week."""
    return int(max(0, min(n_accepting, np.floor(weekly_cap) - accepted_this_week)))
