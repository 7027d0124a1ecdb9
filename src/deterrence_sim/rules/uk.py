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

from ..daybook import day_step, leave_one, still_held
from ..draws import permutation
from ..population import ANSWER_ACCEPTED, ANSWER_PENDING, DETAINED, IN_UK_ASYLUM, RETURNED
from .belief import witness
from .courts import injunction, last_minute_challenges_filed
from .returns import recognised


@njit(cache=True)
def flights_today(credit: float, flights_per_week: float) -> tuple[int, float]:
    """Number of removal flights today, spreading the weekly number evenly over the days.

    ``credit`` carries the fractional flight from day to day (so 1.5 a week is 3 every 14 days).
    """
    credit += flights_per_week / 7.0
    n = int(np.floor(credit + 1e-9))
    return n, credit - n


@njit(cache=True)
def detention_order(rng, fast_track: np.ndarray) -> np.ndarray:
    """Order in which eligible arrivals get detention places: recognised re-crossers first
    (when biometric fast-tracking is on), then at random. ``rng`` is a numpy generator or, in the
    compiled day, its stream (``draws.permutation``: the same order)."""
    order = permutation(rng, len(fast_track))
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


# ------------------------------------------------------------------ the steps of the day
@day_step
def screen(t, w, arrived, held, today, rng):
    """Today's arrivals are screened: with the biometric fast track on, arriving returnees may
    be recognised; the eligible and the recognised are detained while places last (recognised
    first, then at random), and each case is referred to France (referral within
    ``referral_days``, France's answer within ``france_answer_days`` after that); everyone else
    enters the asylum system. ``held`` are the rows detained before today. Returns the newly
    detained rows, in the order they got their places."""
    p, c, d = w.p, w.c, w.d
    m = len(arrived)
    if m == 0:
        return arrived
    fast = np.zeros(m, dtype=np.bool_)  # recognised re-crossers
    if d.biometric_fast_track[t] > 0:
        recrossers = np.flatnonzero(p.times_returned[arrived] > 0)  # positions in `arrived`
        if len(recrossers):
            fast[recrossers] = recognised(w.stream, len(recrossers), c.biometric_match_prob)
    candidates = np.empty(m, dtype=np.int64)  # positions in `arrived` of those who may be detained
    n_candidates = 0
    for j in range(m):
        if p.eligible[arrived[j]] or fast[j]:
            candidates[n_candidates] = j
            n_candidates += 1
    candidates = candidates[:n_candidates]
    free = int(max(0.0, np.floor(d.detention_capacity[t]) - len(held)))
    chosen = candidates[detention_order(w.stream, fast[candidates])[:free]]
    new = arrived[chosen]
    detained = np.zeros(m, dtype=np.bool_)
    detained[chosen] = True
    for j in range(m):  # the others enter the asylum system, in order of arrival
        if not detained[j]:
            leave_one(p, arrived[j], IN_UK_ASYLUM, w.leavers)
    h = len(new)
    today.entered_asylum += m - h
    if h == 0:
        return new
    today.detentions = h
    p.state[new] = DETAINED
    p.fast_track[new] = fast[chosen]
    p.arrived_day[new] = t
    referral = t + rng.integers(1, c.referral_days + 1, size=h)
    p.referral_day[new] = referral
    p.answer_day[new] = referral + rng.integers(1, c.france_answer_days + 1, size=h)
    p.answer[new] = ANSWER_PENDING
    return new


@njit(cache=True)
def all_held(held, new):
    """Everyone detained now, in row order: those held before today and today's ``new``."""
    return np.sort(np.concatenate((held, new)))


@day_step
def fly(t, w, held, today, rng):
    """Today's removal flights (``flights_per_week`` spread evenly over the days) take those
    cleared for removal: accepted by France and not kept off the flight by a pending challenge
    (rule 9); fast-tracked first, then by day of arrival, as far as the seats go. The removed
    are housed in France (rule 10), barred from the legal route, know the risk first-hand
    (belief 1), and the community hears of their removal (rule 4). Returns the rows still held."""
    p, d, k = w.p, w.d, w.k
    n_flights, credit = flights_today(k.flight_credit, d.flights_per_week[t])
    k.flight_credit = credit
    if n_flights == 0:
        return held
    cleared = held[(p.answer[held] == ANSWER_ACCEPTED) & ~injunction(p.challenge[held])]
    cleared = last_minute_challenges_filed(t, w, cleared, today, rng)  # rule 9, alternative (d)
    seats = int(np.floor(n_flights * d.seats_per_flight[t]))
    board = cleared[boarding_order(p.fast_track[cleared], p.arrived_day[cleared])][:seats]
    p.state[board] = RETURNED
    p.times_returned[board] = p.times_returned[board] + 1
    p.barred[board] = True
    p.belief[board] = 1.0
    p.fast_track[board] = False
    p.since[board] = t
    m = len(board)
    flights = flights_used(m, n_flights, d.seats_per_flight[t])
    k.removed_total += m
    k.flights_total += flights
    today.removed = m
    today.flights = flights
    witness(w.memory.removed, p.group[board])
    return still_held(p, held)


@day_step
def expire_window(t, w, held, today):
    """Whoever is still held when their removal window has run out enters the asylum system."""
    p, window = w.p, w.c.removal_window_days
    for j in range(len(held)):
        if window_expired(p.arrived_day[held[j]], t, window):
            leave_one(p, held[j], IN_UK_ASYLUM, w.leavers)
            today.entered_asylum += 1
