"""The dated mechanisms that may explain the fall in crossings of 2026 (docs/ODD.md section 7.13):
the UK asylum reform as a factor on the inflow to the coast (rule 1), the measures against the
supply of boats and engines (rule 5) and the interventions on the water against taxi boats (rule
6a, its people counted apart); each is "no effect" by default, and its prior
(``uncertainty.MECHANISM_PRIORS``) has mass on no effect.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from deterrence_sim import params
from deterrence_sim.model import ChannelModel
from deterrence_sim.rules import inflow, smugglers
from deterrence_sim.analyses.uncertainty import MECHANISM_PRIORS, Prior, apply_draw

SHORT = {"start": "2026-01-01", "end": "2026-04-30", "inflow_month_sd": 0.0}


def daily(**kwargs) -> pd.DataFrame:
    model = ChannelModel(rng=kwargs.pop("rng", 3), **(SHORT | kwargs)).run()
    df = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    df.index = pd.to_datetime([d.isoformat() for d in model.dates])
    return df


# --------------------------------------------------------------------------- rule 1: the UK asylum reform
def test_reform_factor_keeps_newcomers_whose_draw_is_below_it():
    assert not inflow.turned_away_by_uk_policy(0.69, 0.7) and inflow.turned_away_by_uk_policy(0.7, 0.7)
    assert not inflow.turned_away_by_uk_policy(0.999, 1.0)  # 1: nobody turned away


def test_reform_factor_thins_the_same_newcomers_from_its_date_and_changes_nothing_before():
    """From 2026-03-02 a factor of 0.6 keeps about 60% of the newcomers of the run without it (a
    subset of the same people: common random numbers); before that day every figure is identical."""
    base = daily()
    reform = daily(asylum_reform_inflow_factor={"2026-03-02": 0.6})
    before = base.index < "2026-03-02"
    pd.testing.assert_frame_equal(base[before], reform[before])
    ratio = reform.loc[~before, "newcomers"].sum() / base.loc[~before, "newcomers"].sum()
    assert 0.55 < ratio < 0.65
    assert (
        reform.loc[~before, "left_route"].sum() < base.loc[~before, "left_route"].sum() + 50
    )  # not counted as leavers


def test_reform_factor_of_one_is_the_model_without_it():
    pd.testing.assert_frame_equal(daily(), daily(asylum_reform_inflow_factor={"2026-03-02": 1.0}))


# --------------------------------------------------------------------------- rule 5: boat and engine supply
def test_boat_supply_is_the_weekly_supply_times_the_factor():
    assert smugglers.boat_supply(3.0, 0.5) == 1.5 and smugglers.boat_supply(3.0, 1.0) == 3.0


def test_no_boats_reach_the_networks_with_a_supply_factor_of_zero():
    """With the factor at 0 from the first day, networks only launch the boats they started with."""
    df = daily(boat_supply_factor=0.0, n_networks=2, boats_initial=3)
    launched = df["boats"].sum() + (df["prevented"] > 0).sum()  # at least one boat per day with preventions
    assert df["boats"].sum() <= 6 and launched <= 6 + 1
    assert daily(n_networks=2, boats_initial=3)["boats"].sum() > 6


# --------------------------------------------------------------------------- rule 6a: interception on the water
def test_intercepted_at_sea_is_part_of_prevented_and_zero_by_default():
    base = daily()
    assert base["intercepted_at_sea"].sum() == 0  # the gain's default is 0: no effect
    on = daily(at_sea_interception_gain=0.3)
    assert 0 < on["intercepted_at_sea"].sum() <= on["prevented"].sum()
    assert (on["intercepted_at_sea"] <= on["prevented"]).all()
    assert on.loc[:"2026-01-14", "intercepted_at_sea"].sum() == 0  # in force from 2026-01-15


# --------------------------------------------------------------------------- the priors
def test_point_mass_prior_draws_no_effect_at_its_rate_and_otherwise_the_slab():
    prior = Prior("boat_supply_factor", "uniform", 0.5, 1.0, "test", p_none=0.4, none_value=1.0)
    rng = np.random.default_rng(0)
    draws = np.array([prior.sample(rng) for _ in range(4000)])
    assert (draws == 1.0).mean() == pytest.approx(0.4, abs=0.03)
    assert ((draws >= 0.5) & (draws <= 1.0)).all() and np.median(draws[draws < 1.0]) == pytest.approx(0.75, abs=0.02)
    assert prior.quantile(0.05) == pytest.approx(0.5 + 0.5 * 0.05 / 0.6) and prior.quantile(0.7) == 1.0
    low = Prior("at_sea_interception_gain", "uniform", 0.0, 0.1, "test", p_none=0.5, none_value=0.0)
    assert low.quantile(0.3) == 0.0 and low.quantile(0.75) == pytest.approx(0.05)
    assert "no effect" in low.describe()
    with pytest.raises(ValueError):
        Prior("x", "uniform", 0.0, 1.0, "test", p_none=0.5, none_value=0.5)  # mass inside the slab


def test_mechanism_priors_include_no_effect_and_are_dated_schedules_of_real_parameters():
    rng = np.random.default_rng(1)
    for name, prior in MECHANISM_PRIORS.items():
        param = params.PARAMS[name]
        assert prior.p_none > 0 and prior.none_value == param.default, name  # the default is no effect
        value = prior.sample(rng)
        if prior.from_date:
            assert param.schedulable and list(value) == [prior.from_date]
        params.validate({name: value})
        assert apply_draw({}, {}, {name: value}, pd.Timestamp("2025-01-01").date())[name] == value


# --------------------------------------------------------------------------- rule 2: weather replayed to 2025 only
def test_observed_to_2025_replays_crossing_days_to_2025_and_the_chain_after():
    """A fit can replay the observed crossing days up to 2025-12-31 only, so that a fall in crossing
    days in 2026 (deterrence among its possible causes) is not read as weather."""
    kw = dict(rng=8, start="2025-11-01", end="2026-02-28")
    markov = ChannelModel(**kw).sea_viable
    observed = ChannelModel(weather_mode="observed", **kw).sea_viable
    cut = ChannelModel(weather_mode="observed_to_2025", **kw).sea_viable
    dates = pd.date_range("2025-11-01", "2026-02-28")
    in_2025 = np.asarray(dates.year == 2025)
    assert (cut[in_2025] == observed[in_2025]).all() and (cut[~in_2025] == markov[~in_2025]).all()
    assert (observed[~in_2025] != markov[~in_2025]).any()  # the record of 2026 differs from the chain
