"""runner.simulate, the one way into the model for an analysis: the same figures as the model
itself, bit for bit, by name, as a table and as totals; a bad seed refused before any work."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from deterrence_sim import runner
from deterrence_sim.daybook import DAILY_COLUMNS, EVENT_COLUMNS
from deterrence_sim.errors import ConfigError
from deterrence_sim.model import ChannelModel

KWARGS = {"start": "2025-08-01", "end": "2025-09-30", "flights_per_week": {"2025-09-01": 4.0}}


def test_simulate_gives_the_models_own_figures_by_name_as_a_table_and_as_totals():
    res = runner.simulate(KWARGS, seed=7)
    model = ChannelModel(rng=7, **KWARGS).run()
    assert res.seed == 7 and res.dates == tuple(model.dates) and len(res.dates) == 61
    assert np.array_equal(res.figures, model.figures, equal_nan=True)
    mv = model.datacollector.model_vars
    for name in DAILY_COLUMNS:
        assert np.array_equal(res[name], np.asarray(mv[name], dtype=float), equal_nan=True), name
    expected = pd.DataFrame({name: mv[name] for name in DAILY_COLUMNS})
    expected.insert(0, "date", pd.to_datetime(model.dates))
    pd.testing.assert_frame_equal(res.daily, expected, check_exact=True)
    assert res.totals == {name: int(np.sum(mv[name])) for name in EVENT_COLUMNS}
    assert res.totals["removed"] == model.totals["removed"] > 0


def test_simulate_dates_given_take_precedence():
    res = runner.simulate(KWARGS, seed=7, end="2025-08-10")
    assert len(res.dates) == 10 and res.dates[-1].isoformat() == "2025-08-10"
    # (a shorter run is not the start of a longer one: the newcomers are drawn for the whole run)
    assert np.array_equal(
        res.figures, ChannelModel(rng=7, **{**KWARGS, "end": "2025-08-10"}).run().figures, equal_nan=True
    )


@pytest.mark.parametrize("seed", [-1, 2**63, 1.5, True])
def test_simulate_refuses_a_bad_seed(seed, monkeypatch):
    monkeypatch.setattr(runner, "ChannelModel", None)  # no model may be built
    with pytest.raises(ConfigError, match="seed"):
        runner.simulate(KWARGS, seed=seed)
