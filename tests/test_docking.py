"""Docking (Axtell et al. 1996): the fast ChannelModel against the plain per-agent reference.

``deterrence_sim.reference`` restates every rule person by person, in the same daily order,
as ordinary Mesa agents stepped one by one. Its random draws differ from the fast model's, so
the two agree in distribution, not draw for draw. These tests run both models, at full scale
(default inflow, one agent per person), over ``REPLICATES`` = 30 replicates each, with
independent seeds (``replicate_seed(FAST_SEED, i)`` and ``replicate_seed(REFERENCE_SEED, i)``),
in four settings:

* ``pilot_2025``: the default parameters (the pilot as it happened), 2025;
* ``no_deal_2025``: ``experiments/scenarios/no_deal.toml``, 2025, without the month-to-month
  inflow noise (``inflow_month_sd = 0``): with the calibrated noise (0.43) a year's arrivals vary
  by about 6% between replicates, which hides rule errors of that size; this setting docks the
  other rules with that noise removed, and is the one the broken try rule is tested on;
* ``parity_2026``: ``parity.toml`` run to 2026-12-31 (from 2026-07-01 every scheme-eligible
  arrival is detained; thousands of removals and hundreds of re-crossings in the second half of 2026);
* ``strong_deterrence_2026``: ``rampup_x5.toml`` run to 2026-12-31 with France's weekly cap
  kept at 50 (the UK scales up, France does not), ``deterrence_strength = 3`` and the
  biometric fast track from 2025-11-10: removals feed back strongly on tries and leaving,
  the weekly cap binds from July (about 2,100 removals in 2026, with 1,000 places and 180 seats a week), and
  fast-tracked re-crossers are detained and flown first;
* ``mechanisms_2026``: the pilot to 2026-06-30 with the rules and mechanisms added for 2026 and
  issue 21 all on: people the scheme cannot remove weighing half the risk, structure (a) tied to
  the strength (2), structure (c) against the lowest price, the interception on the water (gain
  0.1), the asylum reform's factor (0.7 from 2026-03-02) and the boat supply factor (0.5 from
  2025-12-19).

For every calendar year simulated, the yearly totals of ``METRICS`` (arrivals, removals,
re-crossings, attempts, legal-route admissions, people leaving the route) are compared by
:func:`compare`. A comparison passes when both hold:

* a two-sided Mann-Whitney U test does not reject at ``alpha_each`` = 0.01 / K, where K = 48 is
  the number of comparisons over all scenarios (Bonferroni: a family-wise error of at most 1%
  for the whole docking test);
* the means differ by at most ``max(3% of the reference mean, z x SE)``, where SE is the
  standard error of the difference of the two means and z = 3.64 is the two-sided normal
  quantile at the same ``alpha_each``. The z x SE term is what chance alone can produce at that
  level; the 3% term lets through differences too small to matter for any question the model
  is used for, which is what decides for nearly constant totals such as removals capped by
  flight seats in 2025.

Two samples that are both constant and equal (no removals at all without the deal) pass. The
year 2025 of ``parity_2026`` has the same parameters and seeds as ``pilot_2025``, so its six
comparisons repeat those of the pilot exactly: they count in K (which only makes the level
stricter) but add no evidence.

The power of the test is shown on the fast model with a deliberately broken rule, through
the same :func:`compare` and the same reference runs: tries 15% more likely than the rule says
(``rules.decision.try_probability``), and France's weekly cap read 5 lower than it is
(``rules.france.within_weekly_cap``). Each must fail the comparison of the total it acts on
most directly: people leaving the route (who now cross sooner) and removals.

The docking and power tests are marked slow (``./dsim test -m slow -k docking``); the replicates
run in a process pool over the available CPUs, and take about 10 minutes on 2 free cores. Two
quick checks of the reference itself (it never calls ``deterrence_sim.rules``; it accounts for
everyone and is reproducible) run in the default suite.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from numba import njit
from numba.core.dispatcher import Dispatcher
from scipy import stats

from deterrence_sim import scenario as scenarios
from deterrence_sim.runner import default_workers, replicate_seed
from deterrence_sim.workers import worker_pool

ROOT = Path(__file__).resolve().parents[1]

SCENARIO_DIR = ROOT / "experiments" / "scenarios"
REPLICATES = 30
FAST_SEED, REFERENCE_SEED = 20_250_101, 20_250_102  # different: the two samples are independent
METRICS = ("arrivals", "removed", "recrossings", "attempts", "admitted_legal_route", "left_route")
FAMILY_ALPHA = 0.01
RELATIVE_TOLERANCE = 0.03

#: name -> (scenario file, end date or None for the file's, extra parameters)
SCENARIOS = {
    "pilot_2025": ("pilot.toml", None, {}),
    "no_deal_2025": ("no_deal.toml", None, {"inflow_month_sd": 0.0}),
    "parity_2026": ("parity.toml", "2026-12-31", {}),
    "strong_deterrence_2026": (
        "rampup_x5.toml",
        "2026-12-31",
        {
            "france_weekly_cap": {"2025-08-06": 50.0},
            "deterrence_strength": 3.0,
            "biometric_fast_track": {"2025-11-10": 1.0},
        },
    ),
    "mechanisms_2026": (
        "pilot.toml",
        "2026-06-30",
        {
            "deterrence_strength": 2.0,
            "ineligible_risk_weight": 0.5,
            "inflow_outcome_elasticity": 1.0,
            "sunk_cost_weight": 1.0,
            "at_sea_interception_gain": 0.1,
            "asylum_reform_inflow_factor": {"2026-03-02": 0.7},
            "boat_supply_factor": {"2025-12-19": 0.5},
        },
    ),
}


def scenario_kwargs(name: str) -> dict:
    """Model keyword arguments of one docking setting (without ``rng``)."""
    path, end, extra = SCENARIOS[name]
    return scenarios.load(SCENARIO_DIR / path).with_overrides(end=end, overrides=extra).model_kwargs()


def n_years(name: str) -> int:
    kwargs = scenario_kwargs(name)
    return int(kwargs["end"][:4]) - int(kwargs["start"][:4]) + 1


N_COMPARISONS = sum(n_years(name) for name in SCENARIOS) * len(METRICS)
ALPHA_EACH = FAMILY_ALPHA / N_COMPARISONS
Z_EACH = float(stats.norm.isf(ALPHA_EACH / 2))


# --------------------------------------------------------------------------- deliberately broken rules
# The rules are compiled (numba), and a compiled function binds the functions it calls when it is
# compiled. So a broken rule is a compiled function put in place of the rule in its module, and
# the model's compiled day is then compiled afresh (once per process and break) so that it calls it.
def _tries_15_percent_more(original):
    @njit
    def broken(base, impatience_per_month, days_waited, factor):
        return np.minimum(1.0, 1.15 * original(base, impatience_per_month, days_waited, factor))

    return broken


def _weekly_cap_5_lower(original):
    @njit
    def broken(n_accepting, accepted_this_week, weekly_cap):
        return original(n_accepting, accepted_this_week, weekly_cap - 5)

    return broken


#: name -> (module, function, wrapper of the original function)
BREAKS = {
    "try_probability_x1.15": ("deterrence_sim.rules.decision", "try_probability", _tries_15_percent_more),
    "france_weekly_cap_minus_5": ("deterrence_sim.rules.france", "within_weekly_cap", _weekly_cap_5_lower),
}


@contextlib.contextmanager
def broken_rule(name: str):
    """The fast model with rule ``name`` of BREAKS broken, for the duration of the context."""
    import importlib

    module_name, function, wrap = BREAKS[name]
    module = importlib.import_module(module_name)
    with contextlib.ExitStack() as stack:
        if ("rule", name) not in _FRESH:
            _FRESH[("rule", name)] = wrap(getattr(module, function))
        stack.enter_context(mock.patch.object(module, function, _FRESH[("rule", name)]))
        # every compiled function of the day (the model's and the rules' steps), uncompiled again
        # (and not cached), so that each binds the broken rule and the fresh versions of the
        # others when it is first called
        for compiled in _compiled_modules():
            for attr, value in list(vars(compiled).items()):
                if isinstance(value, Dispatcher) and value.py_func.__module__ == compiled.__name__:
                    stack.enter_context(mock.patch.object(compiled, attr, _fresh(value.py_func, name)))
        yield


def _compiled_modules() -> list:
    """The modules whose compiled functions make up the day: the model, its book-keeping, the
    population table and every rule."""
    import importlib
    import pkgutil

    import deterrence_sim.rules as rules

    names = ["deterrence_sim.model", "deterrence_sim.daybook", "deterrence_sim.population"]
    names += [f"deterrence_sim.rules.{info.name}" for info in pkgutil.iter_modules(rules.__path__)]
    return [importlib.import_module(n) for n in names]


_FRESH: dict = {}


def _fresh(py_func, break_name):
    key = (py_func.__module__, py_func.__name__, break_name)
    if key not in _FRESH:  # compile once per process and break
        _FRESH[key] = njit(py_func)
    return _FRESH[key]


# --------------------------------------------------------------------------- running replicates
def yearly_totals(model) -> dict[str, int]:
    """``{"metric_year": total}`` from a model's daily records."""
    df = model.datacollector.get_model_vars_dataframe()
    years = pd.Index([d.year for d in model.dates[: len(df)]])
    totals = df[list(METRICS)].groupby(years).sum()
    return {f"{metric}_{year}": int(totals.loc[year, metric]) for year in totals.index for metric in METRICS}


def run_replicate(job: tuple) -> dict[str, int]:
    """One replicate of one model (``"fast"``, ``"reference"`` or ``"fast:<break>"``)."""
    which, name, replicate = job
    kwargs = scenario_kwargs(name)
    if which == "reference":
        from deterrence_sim.reference import ReferenceModel

        return yearly_totals(ReferenceModel(rng=replicate_seed(REFERENCE_SEED, replicate), **kwargs).run())
    from deterrence_sim.model import ChannelModel

    seed = replicate_seed(FAST_SEED, replicate)
    if which == "fast":
        return yearly_totals(ChannelModel(rng=seed, **kwargs).run())
    with broken_rule(which.split(":", 1)[1]):
        return yearly_totals(ChannelModel(rng=seed, **kwargs).run())


_RESULTS: dict[tuple[str, str], pd.DataFrame] = {}


def simulate(wanted: list[tuple[str, str]]) -> dict[tuple[str, str], pd.DataFrame]:
    """Yearly totals (one row per replicate) for each ``(model, scenario)``; runs what is not
    cached yet in one process pool, longest runs first."""
    missing = [key for key in wanted if key not in _RESULTS]
    jobs = [(which, name, i) for which, name in missing for i in range(REPLICATES)]
    jobs.sort(key=lambda job: (job[0] != "reference", -n_years(job[1])))
    if jobs:
        with worker_pool(default_workers(), len(jobs)) as pool:  # forkserver: forking a threaded process is unsafe
            rows = list((pool.map if pool else map)(run_replicate, jobs))
        for key in missing:
            _RESULTS[key] = pd.DataFrame([row for job, row in zip(jobs, rows) if job[:2] == key])
    return {key: _RESULTS[key] for key in wanted}


# --------------------------------------------------------------------------- the comparison
def compare(
    fast: pd.DataFrame,
    reference: pd.DataFrame,
    alpha_each: float = ALPHA_EACH,
    z_each: float = Z_EACH,
    relative_tolerance: float = RELATIVE_TOLERANCE,
) -> pd.DataFrame:
    """Compare two samples of yearly totals, column by column (see the module docstring).

    Returns one row per column: both means, the difference, its tolerance, the Mann-Whitney
    p-value, and ``ok`` when the p-value is at least ``alpha_each`` and the difference is within
    the tolerance.
    """
    rows = []
    for column in reference.columns:
        f, r = fast[column].to_numpy(float), reference[column].to_numpy(float)
        diff = f.mean() - r.mean()
        se = float(np.sqrt(f.var(ddof=1) / len(f) + r.var(ddof=1) / len(r)))
        tolerance = max(relative_tolerance * abs(r.mean()), z_each * se)
        if np.ptp(np.concatenate([f, r])) == 0:
            p = 1.0  # both constant and equal: nothing to test
        else:
            p = float(stats.mannwhitneyu(f, r, alternative="two-sided").pvalue)
        rows.append(
            {
                "column": column,
                "fast_mean": f.mean(),
                "reference_mean": r.mean(),
                "difference": diff,
                "tolerance": tolerance,
                "p_mann_whitney": p,
                "ok": bool(p >= alpha_each and abs(diff) <= tolerance),
            }
        )
    return pd.DataFrame(rows).set_index("column")


def report(title: str, table: pd.DataFrame) -> str:
    text = table.to_string(float_format=lambda x: f"{x:.4g}")
    return (
        f"{title} ({REPLICATES} replicates each; pass if p >= {ALPHA_EACH:.2g} and |difference| <= tolerance)\n{text}"
    )


# --------------------------------------------------------------------------- quick checks of the reference
def _is_function(obj) -> bool:
    """A Python function or a compiled (numba) one."""
    import inspect

    return inspect.isfunction(obj) or isinstance(obj, Dispatcher)


def test_reference_never_calls_the_fast_rules():
    """The reference restates the rules itself: with every function of deterrence_sim.rules made
    to fail, it still runs the pilot's busiest months (detention, flights, courts, re-crossings,
    the legal route, the fast track)."""
    import importlib
    import inspect
    import pkgutil

    import deterrence_sim.rules as rules
    from deterrence_sim.reference import ReferenceModel

    def refuse(*args, **kwargs):
        raise AssertionError("the reference called a function of deterrence_sim.rules")

    with contextlib.ExitStack() as stack:
        for info in pkgutil.iter_modules(rules.__path__):
            module = importlib.import_module(f"deterrence_sim.rules.{info.name}")
            for name, function in inspect.getmembers(module, _is_function):
                if getattr(function, "py_func", function).__module__ == module.__name__:
                    stack.enter_context(mock.patch.object(module, name, refuse))
        model = ReferenceModel(rng=3, start="2025-08-01", end="2025-11-30", biometric_fast_track=1).run()
    totals = model.datacollector.get_model_vars_dataframe().sum()
    assert totals["arrivals"] > 0 and totals["removed"] > 0 and totals["admitted_legal_route"] > 0
    assert totals["legal_challenges_won"] > 0 and totals["detentions"] > 0


def test_reference_refuses_the_switches_it_does_not_state():
    """Structural alternatives (b), the price floor of (c) and (d) are not in the reference: a run
    asking for them is refused with one line, not run without them."""
    from deterrence_sim.errors import ConfigError
    from deterrence_sim.reference import ReferenceModel

    for switch in ({"comeback_share": 0.5}, {"price_covers_removals": 1.0}, {"injunction_wave": {"2025-09-15": 1.0}}):
        with pytest.raises(ConfigError, match="reference model does not implement") as info:
            ReferenceModel(rng=1, start="2025-09-01", end="2025-09-30", **switch)
        assert "\n" not in str(info.value)
    ReferenceModel(rng=1, start="2025-09-01", end="2025-09-30", injunction_wave={"2025-09-15": 0.0})  # off: runs


def test_reference_accounts_for_everyone_and_is_reproducible():
    """Everyone who entered is in the simulation or in one exit, every day; the Migrant agents
    registered with Mesa are exactly the people in the simulation; same seed, same output."""
    from deterrence_sim.reference import Migrant, ReferenceModel

    def run():
        model = ReferenceModel(rng=5, start="2025-09-01", end="2025-10-31")
        while model.running:
            model.step()
            inside = sum(model.in_simulation().values())
            t = model.totals
            exits = t["in_uk_asylum"] + t["admitted"] + t["left_route"] + t["dead"]
            assert t["initial"] + t["newcomers"] == inside + exits
            assert len(model.agents_by_type[Migrant]) == inside
        return model.datacollector.get_model_vars_dataframe()

    first, second = run(), run()
    assert first["removed"].sum() > 0
    pd.testing.assert_frame_equal(first, second)


# --------------------------------------------------------------------------- the tests
@pytest.fixture(scope="module")
def docked():
    """Both models over every docking setting (run once, in one pool)."""
    keys = [(which, name) for name in SCENARIOS for which in ("reference", "fast")]
    return simulate(keys)


@pytest.mark.slow
def test_number_of_comparisons_is_the_bonferroni_divisor():
    assert N_COMPARISONS == 48
    assert ALPHA_EACH == pytest.approx(0.01 / 48)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_fast_model_docks_with_the_reference(docked, name):
    table = compare(docked[("fast", name)], docked[("reference", name)])
    print(report(f"docking, {name}", table))
    assert len(table) == n_years(name) * len(METRICS)
    assert table["ok"].all(), report(f"docking failed, {name}", table)


@pytest.mark.slow
@pytest.mark.parametrize(
    "broken, name, must_flag",
    [
        ("try_probability_x1.15", "no_deal_2025", ["left_route_2025"]),
        ("france_weekly_cap_minus_5", "strong_deterrence_2026", ["removed_2026"]),
    ],
)
def test_docking_detects_a_broken_rule(docked, broken, name, must_flag):
    results = simulate([(f"fast:{broken}", name)])
    table = compare(results[(f"fast:{broken}", name)], docked[("reference", name)])
    print(report(f"broken rule {broken}, {name}", table))
    assert not table.loc[must_flag, "ok"].any(), report(f"broken rule {broken} not detected, {name}", table)
