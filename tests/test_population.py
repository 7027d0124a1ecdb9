"""The population table's compaction (``population.compact``): the people still in the simulation
keep every column and their order, and the freed rows are zeroed, so results do not depend on
when the table is compacted (``population.COMPACT_SHARE``); nor on the room it starts with."""

import numpy as np

from deterrence_sim import ChannelModel
from deterrence_sim.agents import Migrant
from deterrence_sim.population import COLUMNS, FIRST_EXIT, INITIAL_ROWS, Population, Table, compact


def test_compaction_keeps_the_people_in_the_simulation_in_order_and_zeroes_the_rest():
    model = ChannelModel(rng=5, start="2025-06-01", end="2025-07-31")
    pop = model.population
    while model.running and not (pop.table.state[: pop.n] >= FIRST_EXIT).any():
        model.step()
    n = pop.n
    table = Table(*[column.copy() for column in pop.table])
    present = table.state[:n] < FIRST_EXIT
    assert 0 < present.sum() < n  # some people left since the last compaction
    want = {name: getattr(table, name)[:n][present].copy() for name in COLUMNS}
    m = compact(table, n)
    assert m == present.sum()
    for name in COLUMNS:
        column = getattr(table, name)
        assert np.array_equal(column[:m], want[name]), name
        assert not column[m:n].any(), name
    assert np.all(np.diff(table.entry[:m]) > 0)  # in order of entry


def test_the_figures_do_not_depend_on_the_room_the_table_starts_with(monkeypatch):
    """A table that starts small grows as people arrive (the compiled days stop, every column is
    copied into a larger one, the days go on): the year is the same, figure for figure and person
    for person, as with the default room, in which the calibrated full-scale year never grows."""
    default = ChannelModel(rng=1).run()
    assert default.population.capacity == INITIAL_ROWS
    monkeypatch.setattr(Population.__init__, "__defaults__", (512,))
    small = ChannelModel(rng=1).run()
    assert small.population.capacity > 512  # it grew
    assert np.array_equal(small.figures, default.figures, equal_nan=True)
    for name in COLUMNS:
        assert np.array_equal(getattr(small.population, name), getattr(default.population, name)), name


def test_the_table_holds_the_agents_of_the_people_in_the_simulation_and_no_others():
    """Whenever the agents are looked at, each row's agent (``Population.agent``) is the Mesa
    agent with that row's id if the person is in the simulation, and None if they left (their
    agent let go, not kept alive by the table): the same set as Mesa's Migrant agents."""
    model = ChannelModel(rng=2, start="2025-08-01", end="2025-10-31")
    pop = model.population
    left_rows_seen = 0
    for _ in range(4):
        for _ in range(20):
            model.step()
        migrants = set(model.agents_by_type[Migrant])
        present = (pop.state < FIRST_EXIT).tolist()
        agents = pop.agent
        left_rows_seen += present.count(False)
        assert [a is not None for a in agents] == present
        assert {a for a in agents if a is not None} == migrants
        assert [a.unique_id for a in agents if a is not None] == pop.pid[np.array(present)].tolist()
    assert left_rows_seen > 0  # rows of people who left, not yet compacted away, were looked at
