"""The state of every simulated person, one row each, held as columns (numpy arrays).

Each person in the simulation is also a Mesa agent (:class:`deterrence_sim.agents.Migrant`): the
agent says *who* the person is; this table holds *where they are and what they believe*, so
that the compiled day (``model.simulate_day``) runs the rules over plain columns instead of
Python objects (the reason a full-scale year runs in a fraction of a second). Each person gets an
entry number (0, 1, ... in order of reaching the coast) and a Mesa unique id on arrival; the
agent objects are kept here by entry number, made and let go by ``ChannelModel.sync_agents``.

Rows are appended as people reach France. People who leave the simulation (enter the UK
asylum system, are admitted by the legal route, leave the route, die) keep their row until the
table is compacted (by the compiled day, ``model.compact``), which happens when more than half
of the rows are such leavers; the order of the remaining rows is kept, so results do not depend
on when compaction happens. Their entry numbers are listed in ``left``.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import literal_unroll, njit

#: Rows of people who left are dropped once they are more than this share of the table. Each
#: day's passes over the table (``model.people_day``, ``daybook.record_levels``) skip such a row
#: at some 16 ns (a branch the processor cannot guess), and compacting costs about 19 ns a row
#: kept: at a fifth, about 290 rows of a full-scale year's 3,560 are gone on an average day and
#: the table is compacted 47 times; at a half, 1,380 of 4,640 and 14 times, some 4 ms a year more.
COMPACT_SHARE = 0.2
#: ... unless the table is smaller than this.
COMPACT_MIN_ROWS = 1024

#: Rows a new table has room for. A full-scale year of the calibrated model peaks at 5,400 to 6,800
#: rows (seeds 1 to 3, leavers awaiting compaction included), so its table never has to grow, which
#: copies every column and stops and restarts the compiled days (about half a millisecond).
INITIAL_ROWS = 8192

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
    "entry": np.int64,  # order of entering the simulation (0, 1, ...): where the agent is kept
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

#: A list of row numbers filled by the compiled day: ``rows[:n[0]]`` (``daybook.push``, ``rows_of``,
#: ``leave``).
RowList = namedtuple("RowList", ["rows", "n"])


def row_list(size: int) -> RowList:
    return RowList(np.zeros(size, dtype=np.int64), np.zeros(1, dtype=np.int64))


class Population:
    """Column store of people; ``n`` rows are in use.

    Each column is readable as an attribute (``pop.state``, ``pop.belief``, ...): a view of its
    first ``n`` entries. ``table`` holds the whole
    allocated columns (rows beyond ``n`` are kept zeroed) for the compiled day, which appends the
    day's newcomers itself; ``agent`` is the Mesa agent of each row.
    """

    def __init__(self, capacity: int = INITIAL_ROWS):
        self.n = 0
        self.n_exited = 0
        self.n_initial = 0  # people on the coast at the start (entry numbers 0..n_initial-1)
        self.n_entered = 0  # people who entered so far (the next entry number); the model keeps it
        self.n_with_agents = 0  # entries below this were given agents, if still present then
        self.left = np.zeros(capacity, dtype=np.int64)  # entry numbers of people who left, in order
        self.n_left = 0
        self.n_left_synced = 0  # left[:n_left_synced] have had their agents let go
        self._cols = {name: np.zeros(capacity, dtype=dtype) for name, dtype in COLUMNS.items()}
        # the Mesa agent of each person in the simulation who has one, by entry number; it never
        # moves, so compaction copies only numbers. A dictionary of those present (a few thousand),
        # not a list over everyone who ever entered (some 50,000 a year), nor a numpy object array:
        # Python's garbage collector cannot see into the latter, so a finished model, whose
        # agents refer back to it, would never be freed
        self._agents: dict = {}
        self._scratch(capacity)
        self._refresh_views()

    def _scratch(self, size: int) -> None:
        """Lists of rows the compiled day fills (:class:`RowList`): who left today, who tries,
        who is approved, who is detained."""
        self.scratch = (row_list(size), row_list(size), row_list(size), row_list(size))

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
    def agent(self) -> list:
        """The Mesa agent of each row in use as of the last sync: None for people who left, and for
        people who entered since (they get theirs at the next sync)."""
        return list(map(self._agents.get, self.entry.tolist()))

    @property
    def capacity(self) -> int:
        return len(self._cols["state"])

    def reserve(self, extra: int) -> None:
        """Make room for ``extra`` more rows."""
        if self.n + extra > self.capacity:
            self._grow(self.n + extra)

    def add(self, k: int, first_id: int, **values) -> slice:
        """Append the ``k`` people on the coast at the start, with unique ids from ``first_id``;
        ``values`` gives a scalar or an array per column."""
        self.reserve(k)
        rows = slice(self.n, self.n + k)
        for name, value in values.items():  # rows beyond n are kept zeroed, so 0 needs no writing
            self._cols[name][rows] = value
        self._cols["entry"][rows] = np.arange(self.n_initial, self.n_initial + k)
        self._cols["pid"][rows] = np.arange(first_id, first_id + k)
        self.n += k
        self.n_initial += k
        self.n_entered += k
        return rows

    def expect(self, n_people: int) -> None:
        """Make room in ``left`` for everyone who will ever enter (``n_people``)."""
        if n_people > len(self.left):
            left = np.zeros(n_people, dtype=np.int64)
            left[: self.n_left] = self.left[: self.n_left]
            self.left = left

    def take_leavers_agents(self) -> list:
        """The Mesa agents of people who left since the last sync, no longer kept here (people
        who came and went between two syncs never had one)."""
        entries = self.left[self.n_left_synced : self.n_left]
        self.n_left_synced = self.n_left
        entries = entries[entries < self.n_with_agents].tolist()
        return list(map(self._agents.pop, entries))

    def rows_without_agents(self) -> np.ndarray:
        """Rows of people in the simulation who entered since the last sync (no agent yet)."""
        return np.flatnonzero((self.entry >= self.n_with_agents) & (self.state < FIRST_EXIT))

    def give_agents(self, rows: np.ndarray, agents: list) -> None:
        """Keep the Mesa agents of ``rows`` (from :meth:`rows_without_agents`); ends a sync."""
        self._agents.update(zip(self.entry[rows].tolist(), agents))
        self.n_with_agents = self.n_entered

    def _grow(self, needed: int):
        size = max(needed, 2 * self.capacity)
        for name, column in self._cols.items():
            new = np.zeros(size, dtype=column.dtype)
            new[: self.n] = column[: self.n]
            self._cols[name] = new
        self._scratch(size)
        self._refresh_views()

    def rows_in(self, state: int) -> np.ndarray:
        """Row numbers of everyone in ``state``, in row order."""
        return np.flatnonzero(self.state == state)

    def count(self, state: int) -> int:
        return int(np.count_nonzero(self.state == state))

    def row_of(self, pid: int) -> int:
        """Row of the person with Mesa ``unique_id`` ``pid`` (rows stay sorted by pid)."""
        i = int(np.searchsorted(self.pid, pid))
        if i >= self.n or self.pid[i] != pid:
            raise KeyError(pid)
        return i


@njit(cache=True)
def compact(p, n):
    """Drop the rows of people who left from table ``p``, keeping the others in order (so results
    do not depend on when compaction happens); the freed rows are zeroed. Returns the rows in use."""
    keep = np.flatnonzero(p.state[:n] < FIRST_EXIT)
    m = len(keep)
    for column in literal_unroll(p):
        for j in range(m):  # in place, front to back: row keep[j] is at or after row j
            column[j] = column[keep[j]]
        column[m:n] = 0
    return m
