"""Rule 5, smugglers: networks sell seats, launch boats on sea-viable days, pack more people
into each boat as the police disrupt launches, and set their price by demand and losses.

Numbers: people per boat starts at the 2025 Q1 level (SB01, 55.8) and rises by
``people_per_boat_gain`` for each boat a network loses to the police, which reproduces the rise
to 65 by 2025 Q4 (SB01) and the long climb from 13 in 2020; the number of boats follows the
2025 totals (SB01 672 boats arrived, SB02 845 prevention events). Prices move between
``price_min_gbp`` and the reported ``price_max_gbp`` (GBP 10,000, seed 002).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from ..daybook import day_step, rows_of
from ..draws import below, uniforms

#: The smuggling networks' state, one entry per network (boats held, people per boat, price), and
#: the day's trade (customers, seats offered, boats launched, boats lost to the police).
Networks = namedtuple("Networks", ["boats", "load", "price", "customers", "seats", "launched", "lost"])
#: The day's launches: the rows seated (``seated``), the boat each sits in (``boat_of``), each
#: boat's network (``network``), whether it is a taxi boat (``is_taxi``, picking people up in the
#: water off the beach), and each boat's draw against the police (``police_draw``, uniform on
#: [0, 1): the boat is stopped if it falls below the stop probability of its kind, rule 6).
Launch = namedtuple("Launch", ["seated", "boat_of", "network", "is_taxi", "police_draw"])

#: A network keeps at most this many days of launches in stock (boats and engines are seized
#: when stored on the coast, so stock is kept small).
STOCK_DAYS = 3


@njit(cache=True)
def boats_to_launch(
    customers: np.ndarray, boats: np.ndarray, max_launches: int, load: np.ndarray, min_fill: float
) -> np.ndarray:
    """Boats each network launches today: no more than it holds or can launch in a day, and only
    as many as its customers can fill to at least ``min_fill`` of the load (smugglers wait to fill
    a boat rather than send it half empty)."""
    per_boat = np.maximum(min_fill * np.floor(load), 1.0)
    return np.minimum(np.minimum(boats, max_launches), np.floor(customers / per_boat)).astype(np.int64)


@njit(cache=True)
def allocate_seats(rng, network: np.ndarray, seats: np.ndarray) -> np.ndarray:
    """Which of today's would-be passengers get a seat: a random queue within each network.

    ``network[i]`` is the network of passenger i and ``seats[j]`` the seats network j sells today;
    returns a boolean mask of who is seated. Where a network has more customers than seats, the
    seated are a uniformly random subset of its customers (the front of a shuffled queue).
    ``rng`` is a numpy generator or, in the compiled day, its stream (``draws.below``: the same
    draws, without numba's call of the generator, which made an array for each one).
    """
    n, n_net = len(network), len(seats)
    seated = np.zeros(n, dtype=np.bool_)
    # each network's customers, listed together (in order of passenger number)
    first = np.zeros(n_net + 1, dtype=np.int64)
    for i in range(n):
        first[network[i] + 1] += 1
    first = np.cumsum(first)
    members = np.empty(n, dtype=np.int64)
    filled = first[:-1].copy()
    for i in range(n):
        members[filled[network[i]]] = i
        filled[network[i]] += 1
    for j in range(n_net):
        lo, m = first[j], first[j + 1] - first[j]
        s = min(max(seats[j], 0), m)
        for q in range(s):  # the first s places of a random queue (partial Fisher-Yates shuffle)
            r = q + below(rng, m - q) if s < m else q
            members[lo + q], members[lo + r] = members[lo + r], members[lo + q]
            seated[members[lo + q]] = True
    return seated


@njit(cache=True)
def fill_boats(network: np.ndarray, boats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Spread each network's seated passengers evenly over the boats it launches.

    Returns ``boat_of`` (a boat number per passenger, 0..sum(boats)-1; a network's k-th passenger
    goes to its boat k modulo the number of its boats) and ``boat_network``.
    """
    first_boat = np.cumsum(boats) - boats  # number of each network's first boat
    rank = np.zeros(len(boats), dtype=np.int64)
    boat_of = np.empty(len(network), dtype=np.int64)
    for i in range(len(network)):
        j = network[i]
        boat_of[i] = first_boat[j] + rank[j] % max(boats[j], 1)
        rank[j] += 1
    return boat_of, np.repeat(np.arange(len(boats)), boats)


@njit(cache=True)
def restock(rng: np.random.Generator, boats: np.ndarray, supply_per_week: float, max_launches: int) -> np.ndarray:
    """New boats and engines reach each network (Poisson), up to a few days of launches."""
    new = rng.poisson(supply_per_week / 7.0, size=len(boats))
    return np.minimum(boats + new, STOCK_DAYS * max_launches)


@njit(cache=True)
def boat_supply(per_week: float, factor: float) -> float:
    """Boats and engines a network can acquire per week, after the measures against the supply
    chain: ``boat_supply_per_week`` times ``boat_supply_factor``. The factor stands for Germany's law
    making it a crime to help smuggling towards the UK, storing boats or engines included (passed
    2025-12-19), and the UK-China agreement to share intelligence on the supply of small-boat
    engines (2026-01-29), both EVENTS; their effect on supply is unknown, so the default 1 is no
    effect and the prior (``uncertainty.MECHANISM_PRIORS``) puts half its mass on no effect."""
    return per_week * factor


@njit(cache=True)
def adapt_load(load: np.ndarray, boats_lost: np.ndarray, gain: float, load_max: float) -> np.ndarray:
    """Networks that lose boats to the police pack more people into the next ones."""
    return np.minimum(load + gain * boats_lost, load_max)


@njit(cache=True)
def adapt_price(
    price: np.ndarray,
    customers: np.ndarray,
    seats: np.ndarray,
    lost: np.ndarray,
    launched: np.ndarray,
    response: float,
    lo: float,
    hi: float,
) -> np.ndarray:
    """Prices rise with excess demand (customers per seat above 1) and with the share of boats
    lost, and fall when seats go unsold."""
    pressure = np.clip(customers / np.maximum(seats, 1) - 1.0, -1.0, 1.0)
    losses = lost / np.maximum(launched, 1)
    return np.clip(price * np.exp(response * (pressure + losses)), lo, hi)


# ------------------------------------------------------------------ the steps of the day
@njit(cache=True)
def no_launch():
    empty = np.zeros(0, dtype=np.int64)
    return Launch(empty, empty, empty, np.zeros(0, dtype=np.bool_), np.zeros(0))


@day_step
def launch(t, w, viable, today, rng):
    """The day's trade: each network sells seats to its would-be crossers (``w.tryers``, a
    random queue) and launches as many boats as it can fill to ``min_boat_fill``, spreading the
    seated evenly over them; some boats are taxi boats. Nothing leaves on a day the sea does
    not allow. Returns the :class:`Launch`."""
    net, c, p = w.net, w.c, w.p
    net.lost[:] = 0
    if not viable:  # nobody tries, no boat leaves
        net.customers[:] = 0
        net.launched[:] = 0
        return no_launch()
    tryers = rows_of(w.tryers)
    network = p.network
    net.customers[:] = np.bincount(network[tryers], minlength=c.n_networks)
    launches = boats_to_launch(net.customers, net.boats, c.max_launches_per_day, net.load, c.min_boat_fill)
    whole_load = np.floor(net.load).astype(np.int64)
    net.seats[:] = np.minimum(net.boats, c.max_launches_per_day) * whole_load
    net.launched[:] = launches
    if launches.sum() == 0:
        return no_launch()
    seated = tryers[allocate_seats(w.stream, network[tryers], launches * whole_load)]
    boat_of, boat_network = fill_boats(network[seated], launches)
    n_boats = len(boat_network)
    is_taxi = uniforms(w.stream, n_boats) < w.d.taxi_boat_share[t]
    police_draw = uniforms(w.stream, n_boats)
    net.boats[:] = net.boats - launches
    today.attempts = len(seated)
    return Launch(seated, boat_of, boat_network, is_taxi, police_draw)


@day_step
def adapt(t, w, viable, rng):
    """The end of the day: networks that lost boats pack more people into the next ones, set
    their price by demand and losses (on sea-viable days, when there was trade), and restock."""
    net, c = w.net, w.c
    net.load[:] = adapt_load(net.load, net.lost, c.people_per_boat_gain, c.people_per_boat_max)
    if viable:
        floor = removal_cost_floor(
            c.price_min_gbp, c.price_max_gbp, w.memory.removed, w.memory.arrived, c.price_covers_removals
        )  # alternative (c)
        net.price[:] = adapt_price(
            net.price, net.customers, net.seats, net.lost, net.launched, c.price_response, floor, c.price_max_gbp
        )
    net.boats[:] = restock(
        rng, net.boats, boat_supply(w.d.boat_supply_per_week[t], w.d.boat_supply_factor[t]), c.max_launches_per_day
    )


@njit(cache=True)
def removal_cost_floor(
    price_min: float, price_max: float, removed: np.ndarray, arrived: np.ndarray, on: float
) -> float:
    """Structural alternative (c): the lowest price a network can charge once removals raise its
    cost. A network that re-sends a removed customer for free (the 'guarantee' of a second try)
    must sell ``1 / (1 - q)`` crossings per customer who stays in the UK, ``q`` the share of
    arrivals removed (the community's fading record, all groups), so its floor rises from
    ``price_min`` toward ``price_max`` (GBP 10,000, seed 002) as removals grow. Off
    (``price_covers_removals`` 0, the default) the floor is ``price_min``."""
    if on <= 0:
        return price_min
    q = removed.sum() / max(arrived.sum() + removed.sum(), 1.0)
    return min(price_max, price_min / max(1.0 - q, 1e-6))
