"""Rule 6a, interception at sea: French vessels stopping taxi boats, the small boats that pick
people up in the water off the beach, out of reach of the beach patrols.

The police stop a taxi boat with probability ``taxi_prevention_prob``; interventions on the water
against taxi boats (``at_sea_interception``, 0 or 1, in force from 2026-01-15) add
``at_sea_interception_gain``. Numbers: taxi boats succeeded about 81% of the time in 2025
(PREMAR), hence 0.19. The doctrine was announced on 2025-11-28 and its documented scale is a
handful of interceptions (EVENTS: an empty taxi boat on the Aa canal at Gravelines on
2026-01-17, a second near Dunkirk on 2026-03-03; officers may act only before people board), so
the gain's default is 0, no effect, and its prior (``uncertainty.MECHANISM_PRIORS``) puts half
its mass on no effect and the rest on gains up to the scale of a few interceptions a month.

Each launched boat carries one draw against the police (``Launch.police_draw``, rule 5): a taxi
boat is stopped when it falls below the taxi-boat probability, a beach launch when it falls
below the beach probability (rule 6). A taxi boat whose draw falls in the band the interception
adds (at or above ``taxi_prevention_prob``, below the raised probability) is one intercepted on
the water: its people are counted in the day's ``intercepted_at_sea``, a part of ``prevented``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..daybook import day_step


@njit(cache=True)
def taxi_stop_probability(taxi: float, interception: float, interception_gain: float) -> float:
    """Chance of stopping a taxi boat today, raised while at-sea interception is in force."""
    return min(1.0, taxi + interception_gain * interception)


@njit(cache=True)
def intercepted_on_the_water(is_taxi, police_draw, taxi: float, p_taxi: float):
    """Which boats are stopped by the interventions on the water: taxi boats the ordinary
    prevention would have let go (draw at or above ``taxi``) but the raised probability stops."""
    return is_taxi & (police_draw >= taxi) & (police_draw < p_taxi)


@day_step
def stop_at_sea(t, w, launch, today):
    """Which of today's boats are taxi boats stopped at sea; the people on those stopped by the
    interventions on the water are recorded as ``today.intercepted_at_sea``."""
    d = w.d
    p_taxi = taxi_stop_probability(d.taxi_prevention_prob[t], d.at_sea_interception[t], w.c.at_sea_interception_gain)
    stopped = launch.is_taxi & (launch.police_draw < p_taxi)
    water = intercepted_on_the_water(launch.is_taxi, launch.police_draw, d.taxi_prevention_prob[t], p_taxi)
    if water.any():
        load = np.bincount(launch.boat_of, minlength=len(launch.network))
        today.intercepted_at_sea = load[water].sum()
    return stopped
