"""Rule 7, the crossing: a boat that gets past the police either reaches the UK, is rescued
and its people landed back in France, or (rarely) people die.

Numbers: about 10% of boats are rescued back to France (PREMAR: 6,177 of 49,966 people at sea
rescued); the death risk is set from reported deaths (at least 36 in 2025 among ~46,000 people at
sea) and grows with overcrowding.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..daybook import day_step, leave
from ..draws import uniforms
from ..population import DEAD, N_GROUPS, OTHER, PROTECTION, RETURNABLE
from .belief import witness

REFERENCE_LOAD = 60.0  # people per boat at which death_prob applies


@njit(cache=True)
def boats_rescued(rng: np.random.Generator, n_boats: int, p: float) -> np.ndarray:
    """Which boats at sea are rescued and taken back to France."""
    return uniforms(rng, n_boats) < p


@njit(cache=True)
def death_probability(load: np.ndarray, death_prob: float, exponent: float) -> np.ndarray:
    """The chance that a person on a boat carrying ``load`` people dies at sea: ``death_prob`` at
    the reference load, growing with crowding."""
    return np.minimum(1.0, death_prob * (load / REFERENCE_LOAD) ** exponent)


@njit(cache=True)
def deaths_at_sea(
    rng: np.random.Generator, boat_load: np.ndarray, boat_of: np.ndarray, death_prob: float, exponent: float
) -> np.ndarray:
    """Who dies at sea: person j is on boat ``boat_of[j]``, which carries ``boat_load`` of
    that boat (the chance is worked out once per boat, :func:`death_probability`)."""
    p = death_probability(boat_load, death_prob, exponent)
    return uniforms(rng, len(boat_of)) < p[boat_of]


@day_step
def cross_sea(t, w, launch, stopped, today, rng):
    """What becomes of today's boats: those ``stopped`` by the police (rules 6, 6a) are lost to
    their networks and their people stay in France; of the others, some are rescued and their
    people landed back in France, and on the rest each person may die (more likely on a crowded
    boat); the survivors arrive in the UK (counted in all and by nationality group), and the
    community hears of their arrival (rule 4). Returns the rows that reached the UK, in seat order."""
    p, net = w.p, w.net
    seated, boat_of = launch.seated, launch.boat_of
    n_boats = len(launch.network)
    if n_boats == 0:
        return seated
    rescued = ~stopped & boats_rescued(w.stream, n_boats, w.c.rescue_to_france_prob)
    net.lost[:] = np.bincount(launch.network[stopped], minlength=w.c.n_networks)
    at_sea = np.flatnonzero(~stopped[boat_of] & ~rescued[boat_of])  # positions in `seated`
    load = np.bincount(boat_of, minlength=n_boats)
    dies = np.zeros(len(seated), dtype=np.bool_)
    dies[at_sea] = deaths_at_sea(
        w.stream, load.astype(np.float64), boat_of[at_sea], w.c.death_prob, w.c.death_crowding_exponent
    )
    arrived = np.zeros(len(seated), dtype=np.bool_)
    arrived[at_sea] = True
    arrived &= ~dies
    leave(p, seated[dies], DEAD, w.leavers)
    arrived_rows = seated[arrived]
    today.prevented = stopped[boat_of].sum()
    today.rescued = rescued[boat_of].sum()
    today.deaths = dies.sum()
    today.arrivals = len(arrived_rows)
    today.boats = (~stopped & ~rescued).sum()
    today.recrossings = (p.times_returned[arrived_rows] > 0).sum()
    by_group = np.bincount(p.group[arrived_rows], minlength=N_GROUPS)  # the arrivals of each group
    today.arrivals_returnable = by_group[RETURNABLE]
    today.arrivals_protection = by_group[PROTECTION]
    today.arrivals_other = by_group[OTHER]
    witness(w.memory.arrived, p.group[arrived_rows])
    return arrived_rows
