"""Rule 7, the crossing: a boat that gets past the police either reaches the UK, is rescued
and its people landed back in France, or (rarely) people die.

Numbers: about 10% of boats are rescued back to France (PREMAR: 6,177 of 49,966 people at sea
rescued); the death risk is set from reported deaths (at least 36 in 2025 among ~46,000 people at
sea) and grows with overcrowding.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..daybook import day_step, leave_one
from ..draws import uniform, uniforms
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
def dies_at_sea(rng: np.random.Generator, chance: float) -> bool:
    """Whether a person at sea on a boat whose :func:`death_probability` is ``chance`` dies."""
    return uniform(rng) < chance


@day_step
def cross_sea(t, w, launch, stopped, today, rng):
    """What becomes of today's boats: those ``stopped`` by the police (rules 6, 6a) are lost to
    their networks and their people stay in France; of the others, some are rescued and their
    people landed back in France, and on the rest each person may die (more likely on a crowded
    boat); the survivors arrive in the UK (counted in all and by nationality group), and the
    community hears of their arrival (rule 4). Returns the rows that reached the UK, in seat order."""
    p, net = w.p, w.net
    seated, boat_of, network = launch.seated, launch.boat_of, launch.network
    n_boats = len(network)
    if n_boats == 0:
        return seated
    rescued = ~stopped & boats_rescued(w.stream, n_boats, w.c.rescue_to_france_prob)
    net.lost[:] = 0
    load = np.zeros(n_boats)  # people on each boat
    boats_through = 0  # boats neither stopped nor rescued
    for b in range(n_boats):
        net.lost[network[b]] += stopped[b]
        boats_through += not (stopped[b] or rescued[b])
    for j in range(len(seated)):
        load[boat_of[j]] += 1.0
    chance = death_probability(load, w.c.death_prob, w.c.death_crowding_exponent)
    arrived = np.empty(len(seated), dtype=np.int64)  # the rows that reach the UK, in seat order
    m = prevented = rescued_people = deaths = recrossings = 0
    by_group = np.zeros(N_GROUPS, dtype=np.int64)  # the arrivals of each group
    for j in range(len(seated)):  # in seat order, each person at sea drawing once
        i, b = seated[j], boat_of[j]
        if stopped[b]:
            prevented += 1
        elif rescued[b]:
            rescued_people += 1
        elif dies_at_sea(w.stream, chance[b]):
            leave_one(p, i, DEAD, w.leavers)
            deaths += 1
        else:
            arrived[m] = i
            m += 1
            recrossings += p.times_returned[i] > 0
            by_group[p.group[i]] += 1
    today.prevented = prevented
    today.rescued = rescued_people
    today.deaths = deaths
    today.arrivals = m
    today.boats = boats_through
    today.recrossings = recrossings
    today.arrivals_returnable = by_group[RETURNABLE]
    today.arrivals_protection = by_group[PROTECTION]
    today.arrivals_other = by_group[OTHER]
    arrived_rows = arrived[:m]
    witness(w.memory.arrived, p.group[arrived_rows])
    return arrived_rows
