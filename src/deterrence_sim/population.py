"""The state of every simulated person, one row each, held as columns (numpy arrays).

Each person is also a Mesa agent (:class:`deterrence_sim.agents.Migrant`): the agent says *who*
the person is; this table holds *where they are and what they believe*, so that each daily
rule is one array operation over everyone, run by the compiled day (``model.simulate_day``),
instead of a Python loop over agents (the reason a full-scale year runs in a fraction of a
second).

Rows are appended as people reach France. People who leave the simulation (enter the UK
asylum system, are admitted by the legal route, leave the route, die) keep their row until the
table is compacted, which happens when more than half of the rows are such leavers; the order
of the remaining rows is kept, so results do not depend on when compaction happens.
"""

from __future__ import annotations

import operator
from collections import namedtuple

import numpy as np

_unique_id = operator.attrgetter("unique_id")
#: Rows of people who left are dropped once they are more than this share of the table.
COMPACT_SHARE = 0.5

# Where a person is. Values below IN_UK_ASYLUM are "in the simulation"; the others are exits.
WAITING = 0  # in northern France, on the route
APPLIED = 1  # in northern France, waiting for a decision on a legal-route application
DETAINED = 2  # in the UK, held for return to France under the scheme
RETURNED = 3  # returned to France, housed in an accommodation centre (not detained)
IN_UK_ASYLUM = 4  # in the UK asylum system (arrived and not removed)
ADMITTED = 5  # admitted to the UK by the legal route
LEFT_ROUTE = 6  # gave up on the UK (asylum in France, moved on)
DEAD = 7  # died at sea
FIRST_EXIT = IN_UK_ASYLUM

STATE_NAMES = ("waiting", "applied", "detained", "returned", "in_uk_asylum", "admitted", "left_route", "dead")

# Nationality groups.
RETURNABLE = 0  # nationalities France can itself remove (it prefers to accept them)
PROTECTION = 1  # nationalities with high asylum grant rates
OTHER = 2
N_GROUPS = 3
GROUP_NAMES = ("returnable", "protection", "other")

# Progress of a detained person's case.
CHALLENGE_NONE, CHALLENGE_PENDING, CHALLENGE_LOST = 0, 1, 2
ANSWER_PENDING, ANSWER_ACCEPTED = 0, 1

COLUMNS: dict[str, np.dtype] = {
    "pid": np.int64,  # the Mesa agent's unique_id
    "state": np.int64,
    "group": np.int64,  # nationality group
    "network": np.int64,  # smuggling network the person is in contact with
    "ties": np.bool_,  # family ties in the UK (legal-route eligible)
    "eligible": np.bool_,  # may be detained for return under the scheme
    "budget": np.float64,  # GBP available on arrival in France
    "since": np.int64,  # day the current wait in France began
    "belief": np.float64,  # perceived removal risk, 0..1
    "times_returned": np.int64,
    "barred": np.bool_,  # barred from the legal route (returned before)
    "fast_track": np.bool_,  # re-crosser recognised by biometrics
    "arrived_day": np.int64,  # day of arrival in the UK (detained people)
    "referral_day": np.int64,  # day the UK refers the case to France
    "answer_day": np.int64,  # day France answers
    "answer": np.int64,
    "challenge": np.int64,
    "challenge_day": np.int64,  # day the court decides
    "application_day": np.int64,  # day the legal-route application is decided
}

#: The columns as one record, the form in which the compiled day (``model.simulate_day``) takes
#: the table: ``table.state[i]`` is row i's state. Each field is the whole allocated column.
Table = namedtuple("Table", list(COLUMNS))


class Population:
    """Column store of people; ``n`` rows are in use.

    Each column is readable as an attribute (``pop.state``, ``pop.belief``, ...): a view of its
    first ``n`` entries. ``table`` holds the whole
    allocated columns (rows beyond ``n`` are kept zeroed) for the compiled day, which appends the
    day's newcomers itself; ``agent`` is the Mesa agent of each row.
    """

    def __init__(self, capacity: int = 4096):
        self.n = 0
        self.n_exited = 0
        self._cols = {name: np.zeros(capacity, dtype=dtype) for name, dtype in COLUMNS.items()}
        self._agents = np.empty(capacity, dtype=object)  # the Mesa agent of each row
        self.exited = np.zeros(capacity, dtype=np.int64)  # scratch: rows that left today
        self._refresh_views()

    def _refresh_views(self) -> None:
        """Rebuild ``table`` (after the columns were reallocated)."""
        self.table = Table(**self._cols)

    def __getattr__(self, name: str) -> np.ndarray:
        # pop.state, pop.belief, ...: the rows in use of a column; made on demand, because the
        # compiled day changes the number of rows daily and reads the columns through ``table``
        cols = self.__dict__.get("_cols")
        if cols is not None and name in cols:
            return cols[name][: self.n]
        raise AttributeError(name)

    @property
    def agent(self) -> np.ndarray:
        """The Mesa agent of each row in use."""
        return self._agents[: self.n]

    @property
    def capacity(self) -> int:
        return len(self._agents)

    def reserve(self, extra: int) -> None:
        """Make room for ``extra`` more rows."""
        if self.n + extra > self.capacity:
            self._grow(self.n + extra)

    def add(self, agents: list, **values) -> slice:
        """Append one row per agent; ``values`` gives a scalar or an array per column."""
        k = len(agents)
        self.reserve(k)
        rows = slice(self.n, self.n + k)
        for name, value in values.items():  # rows beyond n are kept zeroed, so 0 needs no writing
            self._cols[name][rows] = value
        self.n += k
        self.attach(agents, rows)
        return rows

    def attach(self, agents: list, rows: slice) -> None:
        """Record the Mesa agents (and their unique ids) of rows the compiled day appended."""
        k = len(agents)
        if k == 0:
            return
        # fromiter: numpy would otherwise probe every agent for array-likeness
        self._agents[rows] = np.fromiter(agents, dtype=object, count=k)
        first = agents[0].unique_id  # Mesa numbers agents consecutively as they are created
        if agents[-1].unique_id - first == k - 1:
            self._cols["pid"][rows] = np.arange(first, first + k)
        else:
            self._cols["pid"][rows] = np.fromiter(map(_unique_id, agents), dtype=np.int64, count=k)

    def _grow(self, needed: int):
        size = max(needed, 2 * self.capacity)
        for name, column in self._cols.items():
            new = np.zeros(size, dtype=column.dtype)
            new[: self.n] = column[: self.n]
            self._cols[name] = new
        agents = np.empty(size, dtype=object)
        agents[: self.n] = self._agents[: self.n]
        self._agents = agents
        self.exited = np.zeros(size, dtype=np.int64)
        self._refresh_views()

    def rows_in(self, state: int) -> np.ndarray:
        """Row numbers of everyone in ``state``, in row order."""
        return np.flatnonzero(self.state == state)

    def count(self, state: int) -> int:
        return int(np.count_nonzero(self.state == state))

    def maybe_compact(self) -> None:
        """Drop the rows of people who left, once they are more than ``COMPACT_SHARE`` of the table."""
        if self.n_exited <= COMPACT_SHARE * self.n or self.n < 1024:
            return
        keep = np.flatnonzero(self.state < FIRST_EXIT)
        m = len(keep)
        for column in (*self._cols.values(), self._agents):
            column[:m] = column[keep]
            column[m: self.n] = None if column.dtype == object else 0  # zero the freed rows, let go of agents
        self.n = m
        self.n_exited = 0

    def row_of(self, pid: int) -> int:
        """Row of the person with Mesa ``unique_id`` ``pid`` (rows stay sorted by pid)."""
        i = int(np.searchsorted(self.pid, pid))
        if i >= self.n or self.pid[i] != pid:
            raise KeyError(pid)
        return i
