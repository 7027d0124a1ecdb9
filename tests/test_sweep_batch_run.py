"""mesa.batch_run gives yearly totals directly: the collector's running totals per year."""

from __future__ import annotations

import multiprocessing

import mesa
import numpy as np

from deterrence_sim import ChannelModel
from deterrence_sim.model import EVENT_COLUMNS


def test_batch_run_reports_yearly_totals_on_the_last_day():
    method = multiprocessing.get_start_method(allow_none=True)
    try:
        rows = mesa.batch_run(
            ChannelModel,
            parameters={
                "deterrence_strength": [0.72],
                "detention_capacity": [{"2025-08-06": 100, "2025-12-15": 300}],  # a schedule, wrapped in a list
                "start": "2025-11-01",
                "end": "2026-01-31",
            },
            max_steps=10_000,
            number_processes=1,
            display_progress=False,
            rng=[5],
        )
    finally:  # batch_run forces the "spawn" start method process-wide
        multiprocessing.set_start_method(method, force=True)
    assert len(rows) == 1
    row = rows[0]
    model = ChannelModel(
        rng=5,
        start="2025-11-01",
        end="2026-01-31",
        deterrence_strength=0.72,
        detention_capacity={"2025-08-06": 100, "2025-12-15": 300},
    ).run()
    daily = model.datacollector.get_model_vars_dataframe()
    years = np.array([d.year for d in model.dates])
    for name in EVENT_COLUMNS:
        assert row[f"{name}_2025"] == daily.loc[years == 2025, name].sum(), name
        assert row[f"{name}_2026"] == daily.loc[years == 2026, name].sum(), name
        assert row[f"{name}_total"] == daily[name].sum(), name
    assert row["arrivals_2025"] > 1000 and row["arrivals_2026"] > 0 and row["removed_total"] > 0
    # the plain figure is the last day's count, as Mesa collects it: not the total
    assert row["arrivals"] == daily["arrivals"].iloc[-1] < row["arrivals_total"]
