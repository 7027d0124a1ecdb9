"""The day's book-keeping, named in one place: the figures a run records each day, the
institutions' running counters, the lists of rows the steps of the day hand on, and the record
of everything the compiled day works on.

* :data:`DAILY_COLUMNS`: the daily figures, in output order (the columns of ``daily.csv``).
  The model keeps them as a float array, one row per day (``model.figures``); the compiled day
  sees each row as a record with one named field per figure (:data:`FIGURES`), so a rule writes
  ``today.arrivals = ...``. The reference model (``deterrence_sim.reference``) imports these names.
* :data:`COUNTERS`: the institutions' running figures (legal-route awareness, the flight credit,
  removals so far, France's week and its acceptances that week, ...), kept the same way in
  ``model.counters`` and seen by the compiled day as the record ``w.k`` (``w.k.removed_total``).
* :class:`RowList`: a list of row numbers that the compiled day fills as it goes (today's
  leavers, the would-be crossers, the approved applicants), with :func:`push`, :func:`leave`
  and :func:`leave_one`.
* :class:`World`: everything the compiled day works on, passed to every step as one record ``w``.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from .population import APPLIED, DETAINED, FIRST_EXIT, RETURNED, WAITING

#: The daily figures a run records (one row per day), in output order.
DAILY_COLUMNS = (
    "arrivals", "boats", "attempts", "prevented", "deaths", "waiting_in_france", "detained",
    "referred_to_france", "removed", "admitted_legal_route", "recrossings", "legal_challenges_filed",
    "legal_challenges_won", "flights", "perceived_removal_risk", "price_gbp", "people_per_boat",
    "newcomers", "left_route", "rescued", "entered_asylum", "returned_in_france", "legal_applications",
    "applied_legal_route", "sea_viable", "detentions", "intercepted_at_sea",
)
#: Daily figures that are not whole numbers (the others are counts, output as integers).
FLOAT_COLUMNS = ("perceived_removal_risk", "price_gbp", "people_per_boat")
#: Daily figures that are counts of events (summed into yearly totals); the others are levels.
EVENT_COLUMNS = tuple(c for c in DAILY_COLUMNS if c not in (
    "waiting_in_france", "detained", "perceived_removal_risk", "price_gbp", "people_per_boat",
    "returned_in_france", "applied_legal_route", "sea_viable"))
#: One day's figures as a record (a row of ``model.figures`` seen through this dtype).
FIGURES = np.dtype([(name, np.float64) for name in DAILY_COLUMNS])

#: The institutions' running figures, as one record.
COUNTERS = (
    "awareness",  # rule 11: share of eligible people who know of the legal route
    "flight_credit",  # rule 8: the fraction of a flight carried to the next day
    "removed_total",  # rule 8: people removed so far (parity counts them)
    "flights_total",  # rule 8: flights that carried someone
    "admitted_total",  # rule 11: people admitted by the legal route so far
    "france_week",  # rule 6: the current Monday-to-Sunday week (-1 before the first day)
    "accepted_this_week",  # rule 6: acceptances France has given this week
    "filed_total",  # rule 9: challenges filed so far
    "won_total",  # rule 9: challenges won so far
)
COUNTER_RECORD = np.dtype([(name, np.float64) for name in COUNTERS])


def new_figures(n_days: int) -> np.ndarray:
    """The figures of a run: one row of zeros per day, one column per DAILY_COLUMNS name."""
    return np.zeros((n_days, len(DAILY_COLUMNS)))


def as_records(figures: np.ndarray) -> np.ndarray:
    """The rows of ``figures`` as records with named fields (same memory): ``days[t].arrivals``."""
    return figures.view(FIGURES).view(np.recarray)[:, 0]


def new_counters() -> np.ndarray:
    """The counters at the start of a run (France's week not begun yet)."""
    counters = np.zeros(len(COUNTERS))
    counters[COUNTERS.index("france_week")] = -1
    return counters


def counter_record(counters: np.ndarray):
    """The counters as one record with named fields (same memory): ``k.removed_total``."""
    return counters.view(COUNTER_RECORD).view(np.recarray)[0]


#: The decorator of a step of the day (a function that takes the record ``w``): compiled, cached, and
#: inlined into its caller (``model.simulate_day``) by numba. A compiled call that takes ``w``
#: counts a reference to each of its some 70 arrays on the way in and again on the way out, about
#: 3 us a call when the step itself calls anything; with some 20 steps a day that made the
#: refactored day (steps taking ``w`` instead of long argument lists) about 20% slower than the day
#: before it. Inlined, the steps cost what they did as code written out in one function.
day_step = njit(cache=True, inline="always")

#: A list of row numbers filled by the compiled day: ``rows[:n[0]]``.
RowList = namedtuple("RowList", ["rows", "n"])


def row_list(size: int) -> RowList:
    return RowList(np.zeros(size, dtype=np.int64), np.zeros(1, dtype=np.int64))


#: Everything the compiled day works on: the population table ``p`` (``population.Table``), the
#: constants ``c`` and day-by-day values ``d`` of the parameters (``params.Constants``,
#: ``params.Daily``), the networks (``rules.smugglers.Networks``), the counters ``k``, the
#: community's memory (``rules.belief.Memory``), the newcomers of the run
#: (``rules.inflow.Newcomers``), the pre-drawn weather, the weekday of the first day, and the row
#: lists of today's leavers, would-be crossers and approved applicants.
World = namedtuple("World", ["p", "c", "d", "net", "k", "memory", "new", "sea_viable", "weekday0",
                             "leavers", "tryers", "ready"])


@njit(cache=True)
def push(lst, i):
    """Append row ``i`` to a row list."""
    lst.rows[lst.n[0]] = i
    lst.n[0] += 1


@njit(cache=True)
def rows_of(lst):
    """The rows listed so far."""
    return lst.rows[:lst.n[0]]


@njit(cache=True)
def leave(p, rows, state, leavers):
    """Move ``rows`` to the exit ``state`` and list them among today's leavers."""
    m = len(rows)
    p.state[rows] = state
    n = leavers.n[0]
    leavers.rows[n:n + m] = rows
    leavers.n[0] = n + m


@njit(cache=True)
def leave_one(p, i, state, leavers):
    """Move row ``i`` to the exit ``state`` and list it among today's leavers."""
    p.state[i] = state
    push(leavers, i)


@njit(cache=True)
def still_held(p, rows):
    """Those of ``rows`` still detained."""
    return rows[p.state[rows] == DETAINED]


@day_step
def record_levels(w, n, today):
    """The day's levels, after every step: people in each state, the mean perceived risk of
    those waiting, the mean price, and people per arriving boat."""
    state, beliefs, times_returned = w.p.state, w.p.belief, w.p.times_returned
    counts = np.zeros(FIRST_EXIT, dtype=np.int64)
    risk = 0.0
    away = 0  # alternative (b): people away from the route share the RETURNED state but were never removed
    for i in range(n):
        s = state[i]
        if s < FIRST_EXIT:
            counts[s] += 1
            if s == WAITING:
                risk += beliefs[i]
            elif s == RETURNED and times_returned[i] == 0:
                away += 1
    n_waiting = counts[WAITING]
    today.waiting_in_france = n_waiting
    today.applied_legal_route = counts[APPLIED]
    today.detained = counts[DETAINED]
    today.returned_in_france = counts[RETURNED] - away
    today.perceived_removal_risk = risk / n_waiting if n_waiting else 0.0
    today.price_gbp = w.net.price.sum() / len(w.net.price)
    today.people_per_boat = today.arrivals / today.boats if today.boats else np.nan
