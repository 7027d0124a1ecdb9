"""Structural alternatives: how the headline moves if the model's structure is other than assumed.

Each alternative is a switch (a model parameter, ``params.py``) whose default leaves today's
model exactly as it is; the mechanism it switches on is a named rule in ``rules/`` with its
docstring and sources. The main job runs ``no_deal`` and the scenarios of
:data:`ALTERNATIVE_SCENARIOS` with each switch on, on the first replicates' draws and seeds, and
:func:`table` sets their effects beside the effects of the same replicates with every switch off.

One more row needs no extra runs: the headline restricted to the replicates whose ``pilot`` run
(the world as it happened) reproduces the observed 2025 arrivals within
:data:`FIT_TOLERANCE`: a check that the priors of the unidentified parameters, drawn
independently of the calibration, do not carry the answer into worlds the data rule out.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from . import effects

#: Scenarios run under every alternative (with their baseline ``no_deal``).
ALTERNATIVE_SCENARIOS = ("no_deal", "pilot", "rampup_x5", "parity")
#: Relative distance of the pilot's simulated 2025 arrivals from the observed total within which a
#: replicate counts as reproducing 2025 (about twice the calibrated model's own 90% spread, ~7%).
FIT_TOLERANCE = 0.15
#: The decision's comparator: effects are also taken against it under each structure.
COMPARATOR = effects.DECISION_COMPARATOR


@dataclasses.dataclass(frozen=True)
class Alternative:
    """One structural alternative: the parameter values that switch it on and what it means."""

    name: str
    label: str
    overrides: dict
    meaning: str
    affects_baseline: bool  # False: no_deal (no removals, no announcement) runs exactly as today


#: The structural alternatives run by the main job (docs/ODD.md section 8.3; the rules are in rules/).
ALTERNATIVES: tuple[Alternative, ...] = (
    Alternative(
        "inflow_responds",
        "(a) inflow responds to removals",
        {"inflow_outcome_elasticity": 1.0},
        "people further up the route stay away when they hear of removals: each newcomer turns back with "
        "chance 1 - exp(-e x s x r), e the elasticity, s the deterrence strength, r the perceived removal "
        "risk of their group (rules/inflow.py, stays_away), so strength 0 deters nobody; today's model: "
        "e = 0",
        affects_baseline=False,
    ),
    Alternative(
        "leavers_come_back",
        "(b) leavers may come back",
        {"comeback_share": 0.5, "comeback_daily": 0.01},
        "half of the people leaving the route are only away and come back to the coast after about 100 "
        "days (rules/decision.py, only_away, comes_back); today's model: leaving is for good",
        affects_baseline=True,
    ),
    Alternative(
        "price_and_sunk_cost",
        "(c) price covers removals; fees lost weigh",
        {"price_covers_removals": 1.0, "sunk_cost_weight": 1.0},
        "smugglers' lowest price rises as price_min / (1 - share removed), up to GBP 10,000 "
        "(rules/smugglers.py, removal_cost_floor), and the fee at stake scales the perceived risk "
        "(rules/belief.py, fee_weighted; seed 002); today's model: neither",
        affects_baseline=False,
    ),
    Alternative(
        "mass_injunctions",
        "(d) first flights emptied by injunctions",
        {"injunction_wave": {"2025-09-15": 1.0, "2025-10-01": 0.0}},
        "from 15 September to 1 October 2025 detainees cleared for a flight bring last-minute challenges "
        "(chance 0.9) that keep them off it until a court decides (rules/courts.py, "
        "last_minute_challenges; seed 000); returns by 19 October about 46 against 42 reported (63 "
        "without)",
        affects_baseline=False,
    ),
)


def _effect_rows(label, scen: dict, base: pd.DataFrame, year: int, replicates=None, against: str = "no_deal"):
    rows = []
    for name, m in scen.items():
        if name == against:
            continue
        idx = m.index.intersection(base.index)
        if replicates is not None:
            idx = idx.intersection(replicates)
        col = f"crossings_{year}"
        e = pd.Series(effects.relative_change(m.loc[idx, col], base.loc[idx, col]), index=idx).dropna()
        rows.append(
            {
                "alternative": label,
                "scenario": name,
                "against": against,
                "year": year,
                "effect_p05": e.quantile(0.05),
                "effect_p50": e.quantile(0.5),
                "effect_p95": e.quantile(0.95),
                "prob_cut_over_10pct": float((e < effects.CUT_THRESHOLD).mean()) if len(e) else np.nan,
                "prob_cut_over_50pct": float((e < effects.COLLAPSE_THRESHOLD).mean()) if len(e) else np.nan,
                "n_pairs": len(e),
            }
        )
    return rows


def table(
    metrics: dict[str, pd.DataFrame], runs: dict[tuple, pd.DataFrame], baseline: str, draws, observed_2025
) -> pd.DataFrame:
    """alternatives.csv: per alternative and scenario, the effect in the last year (median, 90%
    interval, P(cut > 10%)), beside the same replicates with today's structure."""
    base = metrics[baseline]
    year = max(effects.years(base))
    shown = [n for n in ALTERNATIVE_SCENARIOS if n != baseline and n in metrics]
    rows = []
    if runs:
        n_alt = max(len(m) for m in runs.values())
        reps = base.index[:n_alt]
        today = {n: metrics[n] for n in shown}
        if COMPARATOR in today:
            rows += _effect_rows(
                "today's structure (same replicates)", today, today[COMPARATOR], year, reps, COMPARATOR
            )
        rows += _effect_rows("today's structure (same replicates)", today, base, year, reps)
        for alt in ALTERNATIVES:
            b = runs.get((alt.name, baseline), None if alt.affects_baseline else base)
            if b is None:
                continue
            scen = {n: runs[(alt.name, n)] for n in shown if (alt.name, n) in runs}
            if COMPARATOR in scen:
                rows += _effect_rows(alt.label, scen, scen[COMPARATOR], year, against=COMPARATOR)
            rows += _effect_rows(alt.label, scen, b, year)
    if observed_2025 and "pilot" in metrics and draws is not None:
        sim = metrics["pilot"]["crossings_2025"].astype(float)
        ok = sim.index[(sim / observed_2025 - 1.0).abs() <= FIT_TOLERANCE]
        rows += _effect_rows(f"all replicates ({len(base)})", {n: metrics[n] for n in shown}, base, year)
        rows += _effect_rows(
            f"replicates whose pilot 2025 is within {FIT_TOLERANCE:.0%} of the observed {observed_2025:,} ({len(ok)})",
            {n: metrics[n] for n in shown},
            base,
            year,
            ok,
        )
    return pd.DataFrame(
        rows,
        columns=[
            "alternative",
            "scenario",
            "against",
            "year",
            "effect_p05",
            "effect_p50",
            "effect_p95",
            "prob_cut_over_10pct",
            "prob_cut_over_50pct",
            "n_pairs",
        ],
    )
