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


@dataclasses.dataclass(frozen=True)
class Alternative:
    """One structural alternative: the parameter values that switch it on and what it means."""

    name: str
    label: str
    overrides: dict
    meaning: str


#: The structural alternatives run by the main job (see docs/ODD.md section 8).
ALTERNATIVES: tuple[Alternative, ...] = ()


def _effect_rows(label, scen: dict, base: pd.DataFrame, year: int, replicates=None):
    rows = []
    for name, m in scen.items():
        idx = m.index.intersection(base.index)
        if replicates is not None:
            idx = idx.intersection(replicates)
        col = f"crossings_{year}"
        e = pd.Series(effects.relative_change(m.loc[idx, col], base.loc[idx, col]), index=idx).dropna()
        rows.append({"alternative": label, "scenario": name, "year": year, "effect_p05": e.quantile(0.05),
                     "effect_p50": e.quantile(0.5), "effect_p95": e.quantile(0.95),
                     "prob_cut_over_10pct": float((e < effects.CUT_THRESHOLD).mean()) if len(e) else np.nan,
                     "n_pairs": len(e)})
    return rows


def table(metrics: dict[str, pd.DataFrame], runs: dict[tuple, pd.DataFrame], baseline: str, draws,
          observed_2025) -> pd.DataFrame:
    """alternatives.csv: per alternative and scenario, the effect in the last year (median, 90%
    interval, P(cut > 10%)), beside the same replicates with today's structure."""
    base = metrics[baseline]
    year = max(effects.years(base))
    shown = [n for n in ALTERNATIVE_SCENARIOS if n != baseline and n in metrics]
    rows = []
    if runs:
        n_alt = max(len(m) for m in runs.values())
        reps = base.index[:n_alt]
        rows += _effect_rows("today's structure (same replicates)", {n: metrics[n] for n in shown}, base, year, reps)
        for alt in ALTERNATIVES:
            b = runs.get((alt.name, baseline))
            if b is None:
                continue
            rows += _effect_rows(alt.label, {n: runs[(alt.name, n)] for n in shown if (alt.name, n) in runs}, b, year)
    if observed_2025 and "pilot" in metrics and draws is not None:
        sim = metrics["pilot"]["crossings_2025"].astype(float)
        ok = sim.index[(sim / observed_2025 - 1.0).abs() <= FIT_TOLERANCE]
        rows += _effect_rows(f"all replicates ({len(base)})", {n: metrics[n] for n in shown}, base, year)
        rows += _effect_rows(f"replicates whose pilot 2025 is within {FIT_TOLERANCE:.0%} of the observed "
                             f"{observed_2025:,} ({len(ok)})", {n: metrics[n] for n in shown}, base, year, ok)
    return pd.DataFrame(rows, columns=["alternative", "scenario", "year", "effect_p05", "effect_p50", "effect_p95",
                                       "prob_cut_over_10pct", "n_pairs"])
