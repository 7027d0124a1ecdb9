"""From raw daily output to the answer: per-replicate metrics, paired effects, the headline.

Metric names (defined once; the report prints this list):

* ``crossings_YYYY``: people arriving in the UK by small boat in calendar year YYYY (``arrivals``);
* ``effect``: a scenario's crossings over its paired ``no_deal`` run's, minus one (replicate ``i``
  of both shares its parameter draw and its seed): -0.10 means 10% fewer crossings;
* ``effect_p05``, ``effect_p50``, ``effect_p95``: 5th, 50th (median) and 95th percentiles of the
  effect over replicates: the 90% interval spans what is uncertain (the parameter draws) and the
  model's own chance;
* ``prob_cut_over_10pct``: the share of replicates in which crossings fall by more than 10%;
* ``removed``, ``admitted``, ``recrossings``, ``deaths``, ``attempts`` and the others of
  :func:`replicate_metrics`: totals over the whole run (see the README's ``daily.csv`` columns).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The headline's threshold: a cut of more than 10% in crossings.
CUT_THRESHOLD = -0.10
#: Fewer pairs than this and the report warns that the 90% intervals are rough (the 5th and 95th
#: percentiles then rest on fewer than 10 pairs beyond each end).
MIN_PAIRS = 200
METRIC_DEFINITIONS = {
    "crossings_YYYY": "people arriving in the UK by small boat in calendar year YYYY",
    "effect": "crossings in the scenario over crossings in its paired no_deal run, minus one (same parameter "
              "draw, same seed); -10% means one in ten crossings fewer",
    "effect_p05 / effect_p50 / effect_p95": "5th percentile, median and 95th percentile of the effect over the "
                                            "replicates (the 90% interval covers the parameter uncertainty and "
                                            "the model's own chance)",
    "prob_cut_over_10pct": "share of replicates in which crossings fall by more than 10%",
    "removed / admitted / recrossings": "people removed to France, admitted by the legal route, and arrivals of "
                                        "people removed before, over the whole run",
    "net_flow": "arrivals minus removals plus admissions over the whole run",
}


def replicate_metrics(daily: pd.DataFrame) -> pd.DataFrame:
    """One row per replicate: the report's metrics, computed from the raw daily output."""
    d = daily.copy()
    d["year"] = pd.to_datetime(d["date"]).dt.year
    g = d.groupby("replicate")
    out = pd.DataFrame({
        "arrivals": g["arrivals"].sum(),
        "removed": g["removed"].sum(),
        "admitted": g["admitted_legal_route"].sum(),
        "recrossings": g["recrossings"].sum(),
        "deaths": g["deaths"].sum(),
        "people_detained": g["detentions"].sum(),
        "legal_challenges": g["legal_challenges_filed"].sum(),
        "attempts": g["attempts"].sum(),
        "mean_price_gbp": g["price_gbp"].mean(),
    })
    out["net_flow"] = out["arrivals"] - out["removed"] + out["admitted"]
    per_year = d.pivot_table(index="replicate", columns="year", values="arrivals", aggfunc="sum")
    for year in per_year.columns:
        out[f"crossings_{year}"] = per_year[year]
    return out


def years(metrics: pd.DataFrame) -> list[int]:
    return sorted(int(c[-4:]) for c in metrics.columns if c.startswith("crossings_"))


def summarise(metrics: dict[str, pd.DataFrame], baseline: str) -> pd.DataFrame:
    """summary.csv rows: mean and 90% interval of each metric, and of its difference from the
    baseline taken replicate by replicate (common random numbers, same draws)."""
    rows = []
    base = metrics.get(baseline)
    for name, m in metrics.items():
        for metric in m.columns:
            v = m[metric]
            row = {"scenario": name, "metric": metric, "mean": v.mean(), "p05": v.quantile(0.05),
                   "p95": v.quantile(0.95)}
            if base is not None and metric in base.columns:
                diff = (v - base[metric]).dropna()
                row.update(diff_mean=diff.mean(), diff_p05=diff.quantile(0.05), diff_p95=diff.quantile(0.95))
            rows.append(row)
    return pd.DataFrame(rows, columns=["scenario", "metric", "mean", "p05", "p95", "diff_mean", "diff_p05",
                                       "diff_p95"])


def paired_effects(metrics: dict[str, pd.DataFrame], baseline: str) -> pd.DataFrame:
    """Long table, one row per scenario, year and replicate: crossings, the paired baseline's and
    the relative effect. Replicates are paired by number (same draw, same seed)."""
    base = metrics[baseline]
    rows = []
    for name, m in metrics.items():
        if name == baseline:
            continue
        common = m.index.intersection(base.index)
        for year in years(m):
            col = f"crossings_{year}"
            s, b = m.loc[common, col].astype(float), base.loc[common, col].astype(float)
            rows.append(pd.DataFrame({"scenario": name, "year": year, "replicate": common, "crossings": s.values,
                                      "baseline_crossings": b.values,
                                      "effect": relative_change(s.values, b.values)}))
    if not rows:
        return pd.DataFrame(columns=["scenario", "year", "replicate", "crossings", "baseline_crossings", "effect"])
    return pd.concat(rows, ignore_index=True)


def relative_change(value, reference):
    """value / reference - 1, with 0 where both are zero and NaN where only the reference is."""
    value, reference = np.asarray(value, float), np.asarray(reference, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(reference > 0, value / np.where(reference > 0, reference, 1.0) - 1.0,
                       np.where(value == 0, 0.0, np.nan))
    return out


def headline_table(effects: pd.DataFrame) -> pd.DataFrame:
    """headline.csv: per scenario and year, the effect's percentiles, mean and P(cut > 10%)."""
    rows = []
    for (name, year), g in effects.groupby(["scenario", "year"], sort=False):
        e = g["effect"].dropna()
        rows.append({"scenario": name, "year": int(year), "effect_p05": e.quantile(0.05),
                     "effect_p50": e.quantile(0.5), "effect_p95": e.quantile(0.95), "effect_mean": e.mean(),
                     "prob_cut_over_10pct": float((e < CUT_THRESHOLD).mean()) if len(e) else np.nan,
                     "prob_any_cut": float((e < 0).mean()) if len(e) else np.nan,
                     "crossings_p50": g["crossings"].median(), "baseline_crossings_p50": g["baseline_crossings"].median(),
                     "n_pairs": int(len(e))})
    return pd.DataFrame(rows, columns=["scenario", "year", "effect_p05", "effect_p50", "effect_p95", "effect_mean",
                                       "prob_cut_over_10pct", "prob_any_cut", "crossings_p50",
                                       "baseline_crossings_p50", "n_pairs"])


def drivers(effects: pd.DataFrame, draws: pd.DataFrame, scenarios, year: int) -> pd.DataFrame:
    """Which drawn parameter moves the effect most: Spearman rank correlation of each scenario's
    effect in ``year`` with each parameter drawn (rows: parameters; columns: scenarios)."""
    out = {}
    for name in scenarios:
        e = effects[(effects["scenario"] == name) & (effects["year"] == year)].set_index("replicate")["effect"]
        if e.empty:
            continue
        d = draws.loc[draws.index.intersection(e.index)]
        out[name] = {c: e.loc[d.index].corr(d[c], method="spearman") for c in d.columns if d[c].nunique() > 1}
    return pd.DataFrame(out)
