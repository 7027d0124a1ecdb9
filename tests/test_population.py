"""The population table's compaction (``population.compact``): the people still in the simulation
keep every column and their order, and the freed rows are zeroed, so results do not depend on
when the table is compacted (``population.COMPACT_SHARE``)."""

import numpy as np

from deterrence_sim import ChannelModel
from deterrence_sim.population import COLUMNS, FIRST_EXIT, Table, compact


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
