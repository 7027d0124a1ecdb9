"""The day's book-keeping, named in one place: the figures a run records each day, the
institutions' running counters, the lists of rows the steps of the day hand on, and the record
of everything the compiled day works on.

* :data:`OUTPUTS`: the daily figures, in output order (the columns of ``daily.csv``), each declared
  once with its kind (event or level), type, the rule that writes it and its meaning;
  :data:`DAILY_COLUMNS`, :data:`EVENT_COLUMNS` and :data:`FLOAT_COLUMNS` are made from it.
  The model keeps them as a float array, one row per day (``model.figures``); the compiled day
  sees each row as a record with one named field per figure (:data:`FIGURES`), so a rule writes
  ``today.arrivals = ...``. The reference model (``deterrence_sim.reference``) imports these names.
* :data:`COUNTERS`: the institutions' running figures (legal-route awareness, the flight credit,
  removals so far, France's week and its acceptances that week, ...), kept the same way in
  ``model.counters`` and seen by the compiled day as the record ``w.k`` (``w.k.removed_total``).
* the work on ``population.RowList``, a list of row numbers that the compiled day fills as it
  goes (today's leavers, the would-be crossers, the approved applicants, the detained): :func:`push`,
  :func:`leave` and :func:`leave_one`.
* :class:`World`: everything the compiled day works on, passed to every step as one record ``w``.
"""

from __future__ import annotations

from collections import namedtuple
from typing import NamedTuple

import numpy as np
from numba import njit

from .population import APPLIED, DETAINED, GROUP_NAMES, RETURNED, WAITING

#: The two kinds of daily figure: a count of what happened that day (summed into totals), or the
#: state of things at the end of the day (never summed).
EVENT, LEVEL = "event", "level"


class Output(NamedTuple):
    """One daily figure (a column of ``daily.csv``): its name, its kind (:data:`EVENT` or
    :data:`LEVEL`), its type (``int`` for counts, ``float`` otherwise), the rule that writes it
    (a module of ``rules/``, or ``records`` for the end-of-day levels of :func:`record_levels`)
    and what it means. ``tests/test_outputs.py`` checks each against the code that writes it."""

    name: str
    kind: str
    dtype: str
    rule: str
    meaning: str


#: The daily figures a run records (one row per day), in output order: the one declaration every
#: list of columns below is made from.
OUTPUTS = (
    Output("arrivals", EVENT, "int", "crossing", "people who landed in the UK"),
    Output("boats", EVENT, "int", "crossing", "boats that reached the UK (neither stopped nor rescued)"),
    Output("attempts", EVENT, "int", "smugglers", "people seated on a boat that launched"),
    Output(
        "prevented",
        EVENT,
        "int",
        "crossing",
        "people on boats stopped by the police, on the beach or at sea (person-attempts, as SB02)",
    ),
    Output("deaths", EVENT, "int", "crossing", "people who died at sea"),
    Output("waiting_in_france", LEVEL, "int", "records", "people waiting on the French coast"),
    Output("detained", LEVEL, "int", "records", "people held in UK detention for removal"),
    Output("referred_to_france", EVENT, "int", "france", "detainees referred to France for a decision"),
    Output("removed", EVENT, "int", "uk", "people removed to France"),
    Output("admitted_legal_route", EVENT, "int", "legal_route", "people admitted to the UK by the legal route"),
    Output("recrossings", EVENT, "int", "crossing", "arrivals who had been removed before"),
    Output("legal_challenges_filed", EVENT, "int", "courts", "legal challenges to removal filed"),
    Output("legal_challenges_won", EVENT, "int", "courts", "legal challenges that succeeded"),
    Output("flights", EVENT, "int", "uk", "removal flights that carried someone"),
    Output("perceived_removal_risk", LEVEL, "float", "records", "mean perceived chance of removal of those waiting"),
    Output("price_gbp", LEVEL, "float", "records", "mean price of a seat over the networks (GBP)"),
    Output("people_per_boat", LEVEL, "float", "records", "arrivals per arriving boat (NaN on days without)"),
    Output("newcomers", EVENT, "int", "inflow", "people who reached the French coast"),
    Output("left_route", EVENT, "int", "decision", "people who gave up the route (the returnees who gave up too)"),
    Output("rescued", EVENT, "int", "crossing", "people on boats rescued back to France"),
    Output(
        "entered_asylum",
        EVENT,
        "int",
        "uk",
        "arrivals placed in the asylum system (not detained, released, refused by France, or out of time)",
    ),
    Output("returned_in_france", LEVEL, "int", "records", "people removed to France and housed there"),
    Output("legal_applications", EVENT, "int", "legal_route", "applications to the legal route"),
    Output("applied_legal_route", LEVEL, "int", "records", "people with an application pending or approved"),
    Output("sea_viable", LEVEL, "int", "weather", "1 if the sea allowed crossings that day, else 0"),
    Output("detentions", EVENT, "int", "uk", "arrivals detained for removal"),
    Output(
        "intercepted_at_sea",
        EVENT,
        "int",
        "interception",
        "people on taxi boats stopped by the interventions on the water (a part of prevented)",
    ),
    Output(
        "arrivals_returnable",
        EVENT,
        "int",
        "crossing",
        "arrivals of the returnable nationality group (a part of arrivals)",
    ),
    Output(
        "arrivals_protection",
        EVENT,
        "int",
        "crossing",
        "arrivals of the protection nationality group (a part of arrivals)",
    ),
    Output(
        "arrivals_other",
        EVENT,
        "int",
        "crossing",
        "arrivals of the other nationality group (neither returnable nor protection; a part of arrivals)",
    ),
)
#: The daily figures of arrivals by nationality group, in the order of ``population.GROUP_NAMES``
#: (they add up to ``arrivals`` every day).
GROUP_ARRIVALS = tuple(f"arrivals_{name}" for name in GROUP_NAMES)
#: The daily figures, in output order (the columns of ``daily.csv``).
DAILY_COLUMNS = tuple(o.name for o in OUTPUTS)
#: Daily figures that are not whole numbers (the others are counts, output as integers).
FLOAT_COLUMNS = tuple(o.name for o in OUTPUTS if o.dtype == "float")
#: Daily figures that are counts of events (summed into yearly totals); the others are levels.
EVENT_COLUMNS = tuple(o.name for o in OUTPUTS if o.kind == EVENT)
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


def named(values: np.ndarray, record: np.dtype) -> np.recarray:
    """``values`` (floats, one per field of ``record`` along the last axis) seen as records with
    named fields, in the same memory: what the compiled day writes by name lands in ``values``."""
    return values.view(record).view(np.recarray)


def as_records(figures: np.ndarray) -> np.ndarray:
    """The rows of ``figures`` as records with named fields (same memory): ``days[t].arrivals``."""
    return named(figures, FIGURES)[:, 0]


def new_counters() -> np.ndarray:
    """The counters at the start of a run (France's week not begun yet)."""
    counters = np.zeros(len(COUNTERS))
    counters[COUNTERS.index("france_week")] = -1
    return counters


def counter_record(counters: np.ndarray):
    """The counters as one record with named fields (same memory): ``k.removed_total``."""
    return named(counters, COUNTER_RECORD)[0]


#: The decorator of a step of the day (a function that takes the record ``w``): compiled, cached, and
#: inlined into its caller (``model.simulate_day``) by numba. A compiled call that takes ``w``
#: counts a reference to each of its some 70 arrays on the way in and again on the way out, about
#: 3 us a call when the step itself calls anything; with some 20 steps a day that made the
#: refactored day (steps taking ``w`` instead of long argument lists) about 20% slower than the day
#: before it. Inlined, the steps cost what they did as code written out in one function.
day_step = njit(cache=True, inline="always")

#: The decorator of a person's step (a function of one row ``i`` that takes ``w``, such as
#: ``returns.returnee_step``): what one rule does to one person, written in its rule's module and
#: inlined into the person-by-person pass (``model.people_day``).
person_step = njit(cache=True, inline="always")

#: The decorator of the person-by-person pass: compiled, cached, and without numba's reference
#: counting (numba's ``_nrt`` switch). A pass over people allocates nothing (its lists of rows and
#: memo are in ``w``), and with reference counting each person step inlined into it, taking ``w``,
#: counted a reference to each of the arrays it reaches on every call, some twenty million calls
#: a simulated year: 1,150 us a sea-viable day for 2,900 people instead of 42 (measured with one
#: such step). Without it the steps cost what they would as code written out in the pass. A
#: function so compiled cannot make arrays: numba refuses to compile it if it tries.
person_pass = njit(cache=True, _nrt=False)

#: Everything the compiled day works on: the population table ``p`` (``population.Table``), the
#: constants ``c`` and day-by-day values ``d`` of the parameters (``params.Constants``,
#: ``params.Daily``), the networks (``rules.smugglers.Networks``), the counters ``k``, the
#: community's memory (``rules.belief.Memory``), the newcomers of the run
#: (``rules.inflow.Newcomers``), the pre-drawn weather, the weekday of the first day, and the row
#: lists of today's leavers, would-be crossers, approved applicants and the detained (in row order,
#: listed by ``model.people_day``), and ``stream``, the model's random state (``draws.Stream``), from which
#: the rules take their uniform draws fast (``draws.uniform(w.stream)``: the same draws as
#: ``rng.random()`` on the model's generator, which the steps are also given), and ``memo``, the
#: day's deterrence factors remembered per nationality group and eligibility
#: (``decision.remembered_factor``).
World = namedtuple(
    "World",
    [
        "p",
        "c",
        "d",
        "net",
        "k",
        "memory",
        "new",
        "sea_viable",
        "weekday0",
        "leavers",
        "tryers",
        "ready",
        "held",
        "stream",
        "memo",
    ],
)


@day_step
def push(lst, i):
    """Append row ``i`` to a row list."""
    lst.rows[lst.n[0]] = i
    lst.n[0] += 1


@day_step
def rows_of(lst):
    """The rows listed so far."""
    return lst.rows[: lst.n[0]]


@day_step
def leave(p, rows, state, leavers):
    """Move ``rows`` to the exit ``state`` and list them among today's leavers."""
    for j in range(len(rows)):
        leave_one(p, rows[j], state, leavers)


@day_step
def leave_one(p, i, state, leavers):
    """Move row ``i`` to the exit ``state`` and list it among today's leavers."""
    p.state[i] = state
    push(leavers, i)


@day_step
def still_held(p, rows):
    """Those of ``rows`` still detained, in their order: moved to the front of ``rows`` (in place,
    so the day's steps on the detained allocate nothing), and returned."""
    m = 0
    for j in range(len(rows)):
        i = rows[j]
        if p.state[i] == DETAINED:
            rows[m] = i
            m += 1
    return rows[:m]


@day_step
def record_levels(w, n, today):
    """The day's levels, after every step: people in each state, the mean perceived risk of
    those waiting, the mean price, and people per arriving boat."""
    state, beliefs, times_returned = w.p.state, w.p.belief, w.p.times_returned
    n_waiting = n_applied = n_detained = n_returned = 0  # counted in registers, not in an array
    risk = 0.0
    away = 0  # alternative (b): people away from the route share the RETURNED state but were never removed
    for i in range(n):
        s = state[i]
        if s == WAITING:
            n_waiting += 1
            risk += beliefs[i]
        elif s == APPLIED:
            n_applied += 1
        elif s == DETAINED:
            n_detained += 1
        elif s == RETURNED:
            n_returned += 1
            away += times_returned[i] == 0
    today.waiting_in_france = n_waiting
    today.applied_legal_route = n_applied
    today.detained = n_detained
    today.returned_in_france = n_returned - away
    today.perceived_removal_risk = risk / n_waiting if n_waiting else 0.0
    today.price_gbp = w.net.price.sum() / len(w.net.price)
    today.people_per_boat = today.arrivals / today.boats if today.boats else np.nan
