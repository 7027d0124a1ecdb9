"""Shared fixtures and helpers of the test suite.

``hand_world`` builds a small world by hand for the tests of each rule's step
(``tests/test_rules_*.py``): a model with nobody in it (no inflow, nobody on the coast), into
whose population table the test writes a few people with the columns it cares about. The step
is then called on ``model.world()`` and ``today`` (the record of day ``t``'s figures), exactly as
the compiled day calls it, so the expected result can be worked out by hand.
"""

from __future__ import annotations

import numpy as np
import pytest

from deterrence_sim.daybook import as_records, rows_of
from deterrence_sim.model import ChannelModel

#: A Monday, so that day t of a hand-built world is weekday t % 7 (0 = Monday).
MONDAY = "2025-09-01"


class HandWorld:
    """A model with the people of a test and nobody else; ``w`` is its World record."""

    def __init__(self, people: dict, start: str = MONDAY, days: int = 30, **params):
        params = {"initial_waiting": 0, "inflow_per_year": 0.0, "inflow_month_sd": 0.0} | params
        end = np.datetime64(start) + np.timedelta64(days - 1, "D")
        self.model = ChannelModel(rng=0, start=start, end=str(end), **params)
        n = len(next(iter(people.values()))) if people else 0
        pop = self.model.population
        pop.add(n, 0, **{name: np.asarray(value) for name, value in people.items()})
        self.w = self.model.world()
        self.rng = np.random.default_rng(12345)

    @property
    def p(self):
        """The population table (every column; rows 0..n-1 are the test's people)."""
        return self.w.p

    @property
    def n(self) -> int:
        return self.model.population.n

    def today(self, t: int):
        """The record of day ``t``'s figures."""
        return as_records(self.model.figures)[t]

    def leavers(self) -> list[int]:
        return rows_of(self.w.leavers).tolist()

    def rows(self, *rows) -> np.ndarray:
        return np.array(rows, dtype=np.int64)


@pytest.fixture
def hand_world():
    """``hand_world(people, start=..., days=..., **params)``: see :class:`HandWorld`."""
    return HandWorld


def pytest_sessionstart(session):
    """Compile the model once, before the test processes start (pytest-xdist's controller only):
    otherwise each worker, and the command-line runs the tests start, compile the same day at the
    same time on a fresh machine, three times the minute it takes, and a command-line test can run
    past its time limit. Later runs load the cache in about a second."""
    if hasattr(session.config, "workerinput"):
        return
    import subprocess
    import sys

    subprocess.run(
        [
            sys.executable,
            "-c",
            "from deterrence_sim import ChannelModel; ChannelModel(rng=0, start='2025-01-01', end='2025-01-03').run()",
        ],
        check=True,
    )
