"""Rule 5, smugglers: networks sell seats, launch boats on sea-viable days, pack more people
into each boat as the police disrupt launches, and set their price by demand and losses.

Numbers: people per boat starts at the 2025 Q1 level (SB01, 55.8) and rises by
``people_per_boat_gain`` for each boat a network loses to the police, which reproduces the rise
to 65 by 2025 Q4 (SB01) and the long climb from 13 in 2020; the number of boats follows the
2025 totals (SB01 672 boats arrived, SB02 845 prevention events). Prices move between
``price_min_gbp`` and the reported ``price_max_gbp`` (GBP 10,000, seed 002).
"""

from __future__ import annotations

import numpy as np
from numba import njit

#: A network keeps at most this many days of launches in stock (boats and engines are seized
#: when stored on the coast, so stock is kept small).
STOCK_DAYS = 3


@njit(cache=True)
def boats_to_launch(customers: np.ndarray, boats: np.ndarray, max_launches: int, load: np.ndarray,
                    min_fill: float) -> np.ndarray:
    """Boats each network launches today: no more than it holds or can launch in a day, and only
    as many as its customers can fill to at least ``min_fill`` of the load (smugglers wait to fill
    a boat rather than send it half empty)."""
    per_boat = np.maximum(min_fill * np.floor(load), 1.0)
    return np.minimum(np.minimum(boats, max_launches), np.floor(customers / per_boat)).astype(np.int64)


@njit(cache=True)
def allocate_seats(rng: np.random.Generator, network: np.ndarray, seats: np.ndarray) -> np.ndarray:
    """Which of today's would-be passengers get a seat: a random queue within each network.

    ``network[i]`` is the network of passenger i; returns a boolean mask of who is seated.
    """
    n = len(network)
    if n == 0:
        return np.zeros(0, dtype=np.bool_)
    order = rng.permutation(n)
    order = order[np.argsort(network[order], kind="mergesort")]
    net_sorted = network[order]
    first = np.searchsorted(net_sorted, net_sorted, side="left")
    rank = np.arange(n) - first
    seated = np.zeros(n, dtype=np.bool_)
    seated[order] = rank < seats[net_sorted]
    return seated


@njit(cache=True)
def fill_boats(network: np.ndarray, boats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Spread each network's seated passengers evenly over the boats it launches.

    Returns ``boat_of`` (a boat number per passenger, 0..sum(boats)-1) and ``boat_network``.
    """
    first_boat = np.cumsum(boats) - boats  # number of each network's first boat
    order = np.argsort(network, kind="mergesort")
    net_sorted = network[order]
    rank = np.arange(len(network)) - np.searchsorted(net_sorted, net_sorted, side="left")
    boat_of = np.empty(len(network), dtype=np.int64)
    boat_of[order] = first_boat[net_sorted] + rank % np.maximum(boats[net_sorted], 1)
    return boat_of, np.repeat(np.arange(len(boats)), boats)


@njit(cache=True)
def restock(rng: np.random.Generator, boats: np.ndarray, supply_per_week: float, max_launches: int) -> np.ndarray:
    """New boats and engines reach each network (Poisson), up to a few days of launches."""
    new = rng.poisson(supply_per_week / 7.0, size=len(boats))
    return np.minimum(boats + new, STOCK_DAYS * max_launches)


@njit(cache=True)
def adapt_load(load: np.ndarray, boats_lost: np.ndarray, gain: float, load_max: float) -> np.ndarray:
    """Networks that lose boats to the police pack more people into the next ones."""
    return np.minimum(load + gain * boats_lost, load_max)


@njit(cache=True)
def adapt_price(price: np.ndarray, customers: np.ndarray, seats: np.ndarray, lost: np.ndarray,
                launched: np.ndarray, response: float, lo: float, hi: float) -> np.ndarray:
    """Prices rise with excess demand (customers per seat above 1) and with the share of boats
    lost, and fall when seats go unsold."""
    pressure = np.clip(customers / np.maximum(seats, 1) - 1.0, -1.0, 1.0)
    losses = lost / np.maximum(launched, 1)
    return np.clip(price * np.exp(response * (pressure + losses)), lo, hi)
