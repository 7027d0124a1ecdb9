"""The limbo fix and the structural alternatives (issue 14): each mechanism does what its rule
says, and each switch, when on, moves the figures in the direction its rule implies."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from deterrence_sim import ChannelModel, runner, scenario
from deterrence_sim.population import ANSWER_ACCEPTED, APPLIED

ROOT = Path(__file__).resolve().parents[1]
SCEN = ROOT / "experiments" / "scenarios"


def _parity(end="2026-12-31", **extra):
    sc = scenario.load(SCEN / "parity.toml").with_overrides(end=end, overrides=extra)
    return sc.model_kwargs()


def test_no_approved_applicant_waits_beyond_the_bound_and_the_limbo_stays_small():
    """When parity binds, approved applicants pile up without the bound; with it nobody waits
    limbo_max_days or more, and the waiting stock stays under half of the unbounded one. (Since the
    pilot's 2026 pace, returns leave room for every approval at the treaty's ratio, so the test makes
    parity bind with a ratio of one admission for four returns.)"""
    bound = 60
    stocks, worst = {}, {}
    for label, lim in (
        ("bounded", dict(limbo_max_days=bound, limbo_give_up_daily=0.0, parity_ratio=0.25)),
        ("unbounded", dict(limbo_max_days=0, limbo_give_up_daily=0.0, parity_ratio=0.25)),
    ):
        kw = scenario.load(SCEN / "pilot.toml").with_overrides(end="2026-12-31", overrides=lim).model_kwargs()
        model = ChannelModel(rng=3, **kw)
        worst[label], stocks[label] = 0, []
        while model.running:
            model.step()
            tab, n = model.population.table, model.population.n
            waiting = (tab.state[:n] == APPLIED) & (tab.answer[:n] == ANSWER_ACCEPTED)
            if waiting.any():
                worst[label] = max(worst[label], int((model.day - 1 - tab.application_day[:n][waiting]).max()))
            stocks[label].append(int(waiting.sum()))
    assert worst["bounded"] < bound < worst["unbounded"]
    assert max(stocks["bounded"]) < 0.5 * max(stocks["unbounded"])


def _totals(kw, reps=3, seed=8):
    changes = {k: v for k, v in kw.items() if k not in ("start", "end", "values")}
    sc = scenario.Scenario(
        name="t",
        values=kw["values"].replace(changes),
        start=scenario.parse_date(kw["start"], "s"),
        end=scenario.parse_date(kw["end"], "e"),
    )
    d = runner.gather(runner.submit_replicates(sc, reps, seed))
    return d.groupby("replicate").sum(numeric_only=True)


def test_each_structural_alternative_moves_the_figures_its_way():
    base = _totals(_parity())
    # (a) people further up the route stay away when they hear of removals (its elasticity is now a
    # multiple of the deterrence strength, so both are set high enough to stand out from chance)
    a = _totals(_parity(inflow_outcome_elasticity=10.0))
    assert (a["arrivals"] < base["arrivals"]).all() and (a["left_route"] > base["left_route"]).all()
    # (b) people who leave may come back: fewer leave for good (those left are returnees settling), more cross
    b = _totals(_parity(comeback_share=1.0, comeback_daily=0.02))
    assert (b["left_route"] < 0.6 * base["left_route"]).all() and (b["arrivals"] > base["arrivals"]).all()
    # (c) the fee at stake weighs on the perceived risk: fewer cross. Prices are held where they
    # start (GBP 2,500, 1.7 times the lowest price) so that the fee at stake stays above the
    # reference: with prices free to move they fall to within a few per cent of the lowest price
    # in this scenario, (c) then raises the risk by under 10%, and the networks' price cuts for the
    # customers it deters more than offset it (arrivals +0.2% on these replicates; docs/ODD.md 8.3)
    held = dict(price_response=0.0)
    c = _totals(_parity(sunk_cost_weight=2.0, **held))
    assert (c["arrivals"] < _totals(_parity(**held))["arrivals"]).all()


def test_an_injunction_wave_empties_the_first_flights():
    """Seed 000: the first planned flights (15-17 September 2025) left empty after last-minute
    challenges. With the wave on from 2025-09-15 to 2025-10-01, the flights of those days carry
    fewer people than without it, and the returns by 19 October come closer to the
    42 reported (PILOT) than the 63 of today's model."""
    import datetime as dt

    kw = scenario.load(SCEN / "pilot.toml").with_overrides(end="2025-10-19").model_kwargs()
    without = np.array(ChannelModel(rng=4, **kw).run().datacollector.model_vars["removed"])
    wave = np.array(
        ChannelModel(rng=4, **kw, injunction_wave={"2025-09-15": 1, "2025-10-01": 0})
        .run()
        .datacollector.model_vars["removed"]
    )
    first, october = ((dt.date(2025, m, d) - dt.date(2025, 1, 1)).days for m, d in ((9, 15), (10, 1)))
    # the flights of the wave's days (15-30 September)
    # (they carried at most a third before the people the scheme cannot remove stopped being deterred;
    # with more detainees to clear, the wave now about halves them)
    assert wave[first:october].sum() < without[first:october].sum() and without[first:october].sum() > 0
    assert abs(wave.sum() - 42) < abs(without.sum() - 42)


def test_alternatives_said_not_to_touch_the_baseline_leave_no_deal_exactly_as_it_is():
    """The main job reuses the headline's no_deal runs for alternatives (a), (c) and (d): without
    removals or announcements each of them must change nothing, figure for figure."""
    from deterrence_sim.analyses.alternatives import ALTERNATIVES

    kw = scenario.load(SCEN / "no_deal.toml").with_overrides(end="2025-12-31").model_kwargs()
    today = ChannelModel(rng=6, **kw).run().figures
    for alt in ALTERNATIVES:
        other = ChannelModel(rng=6, **{**kw, **alt.overrides}).run().figures
        if alt.affects_baseline:
            assert not np.array_equal(other, today, equal_nan=True), alt.name
        else:
            assert np.array_equal(other, today, equal_nan=True), alt.name


def test_albania_check_reads_each_groups_arrivals_off_the_model():
    """The Albania check counts one group's crossings from the run's daily arrivals of that group
    (``arrivals_<group>``); summed over the groups, in each window, they are the arrivals the
    model reports, and the check's group is the returnable one."""
    import datetime as dt

    from deterrence_sim.analyses import albania
    from deterrence_sim.population import N_GROUPS, RETURNABLE

    kw = scenario.load(SCEN / "no_deal.toml").with_overrides(end=albania.END).model_kwargs()
    by_group = [albania.group_arrivals(kw, 5, 0, group=g) for g in range(N_GROUPS)]
    assert albania.group_arrivals(kw, 5, 0) == by_group[RETURNABLE]
    daily = runner.run_one(kw, 5, 0)
    for q, (lo, hi) in albania.WINDOWS.items():
        days = (daily["date"].dt.date >= dt.date.fromisoformat(lo)) & (
            daily["date"].dt.date <= dt.date.fromisoformat(hi)
        )
        assert sum(g[q] for g in by_group) == daily.loc[days, "arrivals"].sum() > 0
        assert by_group[RETURNABLE][q] == daily.loc[days, "arrivals_returnable"].sum() > 0


def test_albania_figures_come_from_the_seeds_file(tmp_path):
    """The check's observed fall is computed from seeds/albania_analogue.csv (and SB01's seasons),
    not written into the code: the shipped file gives 88%-99%; a copy with another Q1 2023 gives
    another fall; a copy without the row is refused in one line naming the file."""
    import shutil

    from deterrence_sim.analyses import albania
    from deterrence_sim.observed import data
    from deterrence_sim.errors import ConfigError

    seen = albania.observed()
    assert (seen["q1_2022"], seen["q3_2022"], seen["q1_2023"]) == (235, 9037, 29)
    assert 0.3 < seen["seasonal_ratio"] < 0.6
    assert round(seen["fall_low"], 2) == 0.88 and round(seen["fall_high"], 2) == 0.99
    folder = tmp_path / "seeds"
    shutil.copytree(data.seeds_dir(), folder)
    csv = folder / data.ALBANIA
    text = csv.read_text()
    row = "2023-01-01,2023-03-31,albanian_small_boat_arrivals,29,"
    assert row in text
    try:
        data.use_folder(str(folder))
        csv.write_text(text.replace(row, "2023-01-01,2023-03-31,albanian_small_boat_arrivals,117.5,"))
        data.albania_analogue.cache_clear()
        assert albania.observed()["fall_low"] == pytest.approx(0.5)
        csv.write_text(text.replace(row, "2023-01-01,2023-03-30,albanian_small_boat_arrivals,29,"))
        data.albania_analogue.cache_clear()
        with pytest.raises(
            ConfigError, match=r"albania_analogue\.csv: no albanian_small_boat_arrivals row for 2023-01-01"
        ):
            albania.observed()
    finally:
        data.use_folder(None)
