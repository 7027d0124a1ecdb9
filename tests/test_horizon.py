"""Long horizons: newcomers drawn in blocks (memory that does not grow with the horizon), the
admission queue taken without sorting it daily, and the limits on horizon and replicates."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from deterrence_sim import limits, model
from deterrence_sim.errors import ConfigError
from deterrence_sim.model import DAILY_COLUMNS, ChannelModel
from deterrence_sim.population import FIRST_EXIT
from deterrence_sim.rules.legal_route import first_in_line


@pytest.fixture
def short_blocks(monkeypatch):
    """Newcomers drawn 40 days at a time, so that short runs cross several blocks."""
    monkeypatch.setattr(model, "NEWCOMER_BLOCK_DAYS", 40)


def test_a_run_within_one_block_is_unchanged_by_the_block_size(monkeypatch):
    whole = ChannelModel(rng=3, end="2025-03-31").run().figures
    monkeypatch.setattr(model, "NEWCOMER_BLOCK_DAYS", 90)  # = the run's 90 days: still one block
    np.testing.assert_array_equal(ChannelModel(rng=3, end="2025-03-31").run().figures, whole)


def test_blocks_keep_people_ids_and_conservation(short_blocks):
    m = ChannelModel(rng=4, start="2025-08-01", end="2025-12-31", detention_capacity=300, flights_per_week=3).run()
    assert m._newcomers_base > 0  # several blocks were drawn
    t = m.totals
    assert t["removed"] > 0 and t["admitted"] > 0
    exits = t["admitted"] + t["in_uk_asylum"] + t["left_route"] + t["dead"]  # the removed are back in France
    assert t["initial"] + t["newcomers"] - exits == sum(m.in_simulation().values())
    # everyone who entered got the next entry number and unique id, in order
    assert m.population.n_entered == t["initial"] + t["newcomers"]
    pids = m.population.pid
    assert np.all(np.diff(pids) > 0) and np.all(np.diff(m.population.entry) > 0)
    agents = m.agents_by_type[model.Migrant]
    assert len(agents) == sum(m.in_simulation().values())
    in_simulation = pids[m.population.state < FIRST_EXIT]
    assert sorted(a.unique_id for a in agents) == in_simulation.tolist()


def test_the_first_block_of_a_long_run_is_a_run_of_one_block(short_blocks):
    long = ChannelModel(rng=8, end="2025-05-31").run().figures  # 151 days: four blocks
    one = ChannelModel(rng=8, end="2025-02-09").run().figures  # 40 days: one block
    np.testing.assert_array_equal(long[:40], one)


def test_stepping_and_running_agree_across_blocks(short_blocks):
    ran = ChannelModel(rng=6, end="2025-04-15").run()
    stepped = ChannelModel(rng=6, end="2025-04-15")
    while stepped.running:
        stepped.step()
        if stepped.day % 17 == 0:
            len(stepped.agents)  # look at the agents now and then, as the app does
    np.testing.assert_array_equal(stepped.figures, ran.figures)


def test_memory_held_for_newcomers_does_not_grow_with_the_horizon(monkeypatch):
    monkeypatch.setattr(model, "NEWCOMER_BLOCK_DAYS", 365)
    short = ChannelModel(rng=1, end="2025-12-31")
    long = ChannelModel(rng=1, end="2044-12-31")  # twenty years
    assert len(long.newcomers.group) < 1.5 * len(short.newcomers.group)


@pytest.mark.parametrize("seed", range(20))
def test_first_in_line_is_the_stable_sort(seed):
    rng = np.random.default_rng(seed)
    days = rng.integers(0, 6, size=int(rng.integers(1, 60))).astype(np.int64)  # many ties
    for k in range(0, len(days) + 2):
        np.testing.assert_array_equal(first_in_line(days, k), np.argsort(days, kind="mergesort")[:k])


def test_parity_queue_is_admitted_earliest_decision_first():
    # a long queue under parity: admissions never exceed ratio x returns, and the day's figures add up
    m = ChannelModel(rng=2, end="2026-12-31", parity_ratio=0.5, application_rate=0.5).run()
    v = m.datacollector.model_vars
    assert sum(v["admitted_legal_route"]) <= np.floor(0.5 * sum(v["removed"]))
    assert max(v["applied_legal_route"]) > 500  # the queue is long, so the selection is exercised


def test_horizon_limit():
    start = dt.date(2025, 1, 1)
    limits.check_horizon(start, dt.date(2124, 12, 31))
    with pytest.raises(ConfigError, match="at most 100 years"):
        limits.check_horizon(start, dt.date(2125, 1, 1))
    assert limits.max_end(dt.date(2024, 2, 29)) == dt.date(2124, 2, 28)


def test_replicate_limit_and_memory_estimate():
    limits.check_replicates(limits.MAX_REPLICATES)
    with pytest.raises(ConfigError, match=r"1\.\.10000"):
        limits.check_replicates(limits.MAX_REPLICATES + 1)
    one = limits.estimate(10, 365, 2)
    assert limits.estimate(10, 3650, 2)["seconds"] == pytest.approx(10 * one["seconds"])
    assert limits.estimate(20, 365, 2)["bytes"] > one["bytes"]
    with pytest.raises(ConfigError, match=r"more than the 1\.0 GB of memory available"):
        limits.check_fits(10_000, 36_500, 2, available=2**30)
    assert limits.check_fits(10, 365, 2, available=2**40)["bytes"] == one["bytes"]


def test_daily_columns_fit_the_memory_estimate():
    # the estimate counts 32 numbers a day (the daily columns, replicate and date) at ~3 copies
    assert (len(DAILY_COLUMNS) + 2) * 8 * 3 <= limits.BYTES_PER_RESULT_DAY
