"""Rule 6a, interception at sea: French vessels stopping taxi boats, the small boats that pick
people up in the water off the beach, out of reach of the beach patrols.

The police stop a taxi boat with probability ``taxi_prevention_prob``; interventions at sea
against taxi boats (``at_sea_interception``, 0 or 1; announced 2025-11-28, the first early in
2026, EVENTS) add ``at_sea_interception_gain``. Numbers: taxi boats succeeded about 81% of the
time in 2025 (PREMAR), hence 0.19; the gain is an assumption.

Each launched boat carries one draw against the police (``Launch.police_draw``, rule 5): a taxi
boat is stopped when it falls below the taxi-boat probability, a beach launch when it falls
below the beach probability (rule 6).
"""

from __future__ import annotations

from numba import njit

from ..daybook import day_step


@njit(cache=True)
def taxi_stop_probability(taxi: float, interception: float, interception_gain: float) -> float:
    """Chance of stopping a taxi boat today, raised while at-sea interception is in force."""
    return min(1.0, taxi + interception_gain * interception)


@day_step
def stop_at_sea(t, w, launch):
    """Which of today's boats are taxi boats stopped at sea."""
    d = w.d
    p_taxi = taxi_stop_probability(d.taxi_prevention_prob[t], d.at_sea_interception[t], w.c.at_sea_interception_gain)
    return launch.is_taxi & (launch.police_draw < p_taxi)
