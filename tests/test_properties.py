"""Property-based tests (hypothesis): random valid parameter sets keep the model's invariants,
random invalid ones give the one-line error.

Valid sets draw about thirty parameters at once anywhere in their allowed ranges (with the
flows kept at most a few times today's, so that a 60-day run stays cheap), with dated schedules
for the policy levers, and run 60 days from a date in the pilot. Each run must keep: everyone in
exactly one state and conserved day by day; no negative count; detention only into free places;
removals within the seats flown; admissions within parity; boats within their maximum load;
prices within their band; beliefs and perceived risk within [0, 1].

The default suite draws 60 valid and 120 invalid sets; ``-m slow`` draws 500 valid ones.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deterrence_sim import cli, params, runner
from deterrence_sim.errors import ConfigError
from deterrence_sim.model import ChannelModel
from deterrence_sim.population import FIRST_EXIT, STATE_NAMES

PILOT = Path(__file__).resolve().parents[1] / "experiments" / "scenarios" / "pilot.toml"
DAYS = 60
STARTS = [dt.date(2025, 1, 1), dt.date(2025, 8, 4), dt.date(2025, 11, 1), dt.date(2026, 2, 28)]
# upper bounds for the draws where the allowed range is far beyond a cheap 60-day run
CHEAP_HIGH = {
    "inflow_per_year": 150_000,
    "initial_waiting": 8_000,
    "detention_capacity": 2_000,
    "flights_per_week": 30,
    "seats_per_flight": 200,
    "france_weekly_cap": 2_000,
    "n_networks": 60,
    "boats_initial": 50,
    "boat_supply_per_week": 30,
    "max_launches_per_day": 20,
    "budget_median_gbp": 20_000,
    "savings_per_day_gbp": 200,
    "removal_salience": 10,
    "impatience_per_month": 3,
}
SCALARS = [
    "share_returnable_nationality",
    "share_family_ties",
    "share_scheme_eligible",
    "budget_median_gbp",
    "budget_spread",
    "savings_per_day_gbp",
    "try_prob",
    "impatience_per_month",
    "leave_route_daily",
    "deterrence_strength",
    "memory_half_life_days",
    "social_weight",
    "removal_salience",
    "n_networks",
    "boats_initial",
    "boat_supply_per_week",
    "max_launches_per_day",
    "min_boat_fill",
    "people_per_boat_gain",
    "taxi_boat_share",
    "price_response",
    "beach_prevention_prob",
    "taxi_prevention_prob",
    "france_accept_returnable",
    "france_accept_other",
    "france_answer_days",
    "rescue_to_france_prob",
    "death_prob",
    "referral_days",
    "removal_window_days",
    "biometric_fast_track",
    "challenge_prob",
    "challenge_days",
    "challenge_success_prob",
    "returnee_recross_daily",
    "returnee_settle_daily",
    "awareness_growth",
    "application_rate",
    "legal_processing_days",
    "legal_approval_prob",
    "parity_ratio",
    "initial_waiting",
    "inflow_per_year",
    "inflow_month_sd",
]
SCHEDULED = ["detention_capacity", "flights_per_week", "france_weekly_cap", "legal_route_open", "challenge_prob"]


def value_of(name: str):
    """A strategy for one valid value of parameter ``name``, anywhere in its range."""
    p = params.PARAMS[name]
    high = min(p.high, CHEAP_HIGH.get(name, p.high))
    if p.kind == "int":
        return st.integers(int(p.low), int(high))
    return st.floats(p.low, high, allow_nan=False)


@st.composite
def valid_sets(draw):
    """A random valid parameter set, its start date, and the run's end (60 days on)."""
    start = draw(st.sampled_from(STARTS))
    chosen = draw(st.lists(st.sampled_from(SCALARS), min_size=5, max_size=30, unique=True))
    values = {name: draw(value_of(name)) for name in chosen}
    for name in draw(st.lists(st.sampled_from(SCHEDULED), max_size=4, unique=True)):
        days = draw(st.lists(st.integers(-30, DAYS), min_size=1, max_size=4, unique=True))
        values[name] = {(start + dt.timedelta(days=d)).isoformat(): draw(value_of(name)) for d in days}
    # the bands that tie parameters together (params.check_consistency)
    lo = draw(st.floats(0, 20_000))
    hi = draw(st.floats(lo, 30_000))
    values |= {"price_min_gbp": lo, "price_max_gbp": hi, "price_initial_gbp": draw(st.floats(lo, hi))}
    ppb_max = draw(st.floats(1, 200))
    values |= {"people_per_boat_max": ppb_max, "people_per_boat_initial": draw(st.floats(1, ppb_max))}
    a_max = draw(st.floats(0, 1))
    values |= {
        "awareness_max": a_max,
        "awareness_initial": draw(st.floats(0, a_max)),
        "parity": draw(st.booleans()),
        "weather_mode": draw(st.sampled_from(["markov", "observed"])),
    }
    return start, start + dt.timedelta(days=DAYS - 1), values


def check_invariants(start, end, values, seed):
    m = ChannelModel(rng=seed, start=start.isoformat(), end=end.isoformat(), **values).run()
    f = m.datacollector.get_model_vars_dataframe()
    d = m.daily
    # no negative count, finite figures
    counts = f.drop(columns=["people_per_boat"])
    assert (counts >= 0).all().all(), counts.min()
    assert np.isfinite(counts.to_numpy()).all()
    # everyone in exactly one state, and conserved every day
    state = m.population.state
    assert ((state >= 0) & (state < len(STATE_NAMES))).all()
    cum = f[["newcomers", "entered_asylum", "admitted_legal_route", "left_route", "deaths"]].cumsum()
    entered = m.c.initial_waiting + cum["newcomers"]
    inside = f["waiting_in_france"] + f["applied_legal_route"] + f["detained"] + f["returned_in_france"]
    assert (entered == inside + cum.drop(columns="newcomers").sum(axis=1)).all()
    assert inside.iloc[-1] == int((state < FIRST_EXIT).sum())
    # caps
    # detention takes people only while places are free (a cut in capacity releases nobody)
    held_before = np.concatenate(([0], f["detained"].to_numpy()[:-1]))
    assert (f["detentions"] <= np.maximum(0, np.floor(d.detention_capacity) - held_before)).all()
    assert (f["removed"] <= np.floor(f["flights"] * d.seats_per_flight + 1e-9)).all()
    if m.c.parity:
        assert f["admitted_legal_route"].sum() <= math.floor(m.c.parity_ratio * f["removed"].sum())
    boats = f["boats"].to_numpy()
    assert (f["arrivals"] <= boats * math.floor(m.c.people_per_boat_max)).all()
    # bands
    assert (f["price_gbp"] >= m.c.price_min_gbp - 1e-6).all() and (f["price_gbp"] <= m.c.price_max_gbp + 1e-6).all()
    assert ((f["perceived_removal_risk"] >= 0) & (f["perceived_removal_risk"] <= 1)).all()
    belief = m.population.belief
    assert ((belief >= 0) & (belief <= 1)).all()


COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@settings(max_examples=60, **COMMON)
@given(valid_sets(), st.integers(0, 2**32))
def test_random_valid_parameter_sets_keep_the_invariants(case, seed):
    check_invariants(*case, seed)


@pytest.mark.slow
@settings(max_examples=500, **COMMON)
@given(valid_sets(), st.integers(0, 2**32))
def test_500_random_valid_parameter_sets_keep_the_invariants(case, seed):
    check_invariants(*case, seed)


# ---------------------------------------------------------------------------------------- invalid input
NUMERIC = [n for n, p in params.PARAMS.items() if p.kind in ("float", "int")]


@st.composite
def invalid_values(draw):
    """One parameter name and a value it must refuse, with how it would be written after --set."""
    name = draw(st.sampled_from(NUMERIC))
    p = params.PARAMS[name]
    kind = draw(
        st.sampled_from(
            ["below", "above", "text", "bool", "nan", "fraction", "schedule_bad_date", "schedule_empty", "list"]
        )
    )
    if kind == "below" and p.low is not None:
        return name, p.low - draw(st.floats(1e-3, 1e6)), kind
    if kind == "above" and p.high is not None:
        return name, p.high + draw(st.floats(1e-3, 1e6)) * max(1.0, p.high), kind
    if kind == "bool":
        return name, draw(st.booleans()), kind
    if kind == "nan":
        return name, draw(st.sampled_from([math.nan, math.inf, -math.inf])), kind
    if kind == "fraction" and p.kind == "int":
        return name, draw(st.integers(int(p.low), int(min(p.high, 1000)) - 1)) + 0.5, kind
    if kind == "schedule_bad_date":
        return name, {draw(st.sampled_from(["2025-02-30", "someday", "2025-13-01", "25-01-01"])): p.low or 0}, kind
    if kind == "schedule_empty":
        return name, {}, kind
    if kind == "list":
        return name, [1, 2], kind
    return name, draw(st.sampled_from(["many", "", "1,5", "0x"])), "text"


def toml_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return "{" + ", ".join(f'"{k}" = {v}' for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    if isinstance(value, str):
        return value
    return repr(value)


@settings(max_examples=120, **COMMON)
@given(invalid_values())
def test_random_invalid_values_are_refused_in_one_line_naming_the_key(case):
    name, value, kind = case
    with pytest.raises(ConfigError) as err:
        ChannelModel(rng=0, end="2025-01-02", **{name: value})
    message = str(err.value)
    assert "\n" not in message and name in message, (kind, message)


@pytest.fixture(scope="module")
def no_simulation():
    """Simulations made to fail: the command line must refuse the input before any work."""
    mp = pytest.MonkeyPatch()

    def refuse(*a, **k):
        raise AssertionError("a simulation started before the input was checked")

    mp.setattr(runner, "run_replicates", refuse)
    yield
    mp.undo()


@settings(max_examples=40, **COMMON)
@given(invalid_values())
def test_random_invalid_set_options_give_the_one_line_error(no_simulation, case):
    name, value, kind = case
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        try:
            status = cli.main(["run", str(PILOT), "--replicates", "1", "--set", f"{name}={toml_text(value)}"])
        except SystemExit as exc:
            status = exc.code
    lines = err.getvalue().strip().splitlines()
    assert status == 2, (kind, value, lines)
    assert len(lines) == 1 and lines[0].startswith("deterrence-sim: error:") and name in lines[0], lines
