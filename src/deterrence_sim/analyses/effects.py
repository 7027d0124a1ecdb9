"""From raw daily output to the answer: per-replicate metrics, paired effects, the headline.

Metric names (defined once; the report prints this list):

* ``crossings_YYYY``: people arriving in the UK by small boat in calendar year YYYY (``arrivals``);
* ``effect``: a scenario's crossings over its paired ``no_deal`` run's, minus one (replicate ``i``
  of both shares its parameter draw and its seed): -0.10 means 10% fewer crossings;
* ``effect_p05``, ``effect_p50``, ``effect_p95``: 5th, 50th (median) and 95th percentiles of the
  effect over replicates: the 90% interval spans what is uncertain (the parameter draws) and the
  model's own chance;
* ``prob_cut_over_10pct``, ``prob_cut_over_50pct``: the share of replicates in which crossings
  fall by more than 10%, by more than half;
* ``against``: the comparator of an effect: ``no_deal`` (no deal at all), or ``pilot`` (the deal as
  it runs: the decision to scale up is taken against it);
* ``removed``, ``admitted``, ``recrossings``, ``deaths``, ``attempts`` and the others of
  :func:`replicate_metrics`: totals over the whole run (see the README's ``daily.csv`` columns).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

#: The headline's threshold: a cut of more than 10% in crossings.
CUT_THRESHOLD = -0.10
#: The tail's threshold: crossings more than halved (the collapse regime of strong deterrence).
COLLAPSE_THRESHOLD = -0.50
#: The comparator of the decision: every other scenario is also taken against the pilot.
DECISION_COMPARATOR = "pilot"
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
    "prob_cut_over_50pct": "share of replicates in which crossings fall by more than half",
    "against": "the comparator: no_deal (no deal at all) or pilot (the deal as it runs; the decision to scale up "
    "is taken against it), paired replicate by replicate",
    "in_france_at_end": "people still in northern France on the last day who could cross later: waiting on the "
    "coast, applied to the legal route, or returned to France",
    "removed / admitted / recrossings": "people removed to France, admitted by the legal route, and arrivals of "
    "people removed before, over the whole run",
    "net_flow": "arrivals minus removals plus admissions over the whole run",
}


def replicate_metrics(daily: pd.DataFrame) -> pd.DataFrame:
    """One row per replicate: the report's metrics, computed from the raw daily output."""
    d = daily.copy()
    d["year"] = pd.to_datetime(d["date"]).dt.year
    g = d.groupby("replicate")
    out = pd.DataFrame(
        {
            "arrivals": g["arrivals"].sum(),
            "removed": g["removed"].sum(),
            "admitted": g["admitted_legal_route"].sum(),
            "recrossings": g["recrossings"].sum(),
            "deaths": g["deaths"].sum(),
            "people_detained": g["detentions"].sum(),
            "legal_challenges": g["legal_challenges_filed"].sum(),
            "attempts": g["attempts"].sum(),
            "mean_price_gbp": g["price_gbp"].mean(),
        }
    )
    out["net_flow"] = out["arrivals"] - out["removed"] + out["admitted"]
    out["in_france_at_end"] = in_france_at_end(d)
    per_year = d.pivot_table(index="replicate", columns="year", values="arrivals", aggfunc="sum")
    for year in per_year.columns:
        out[f"crossings_{year}"] = per_year[year]
    return out


#: The daily levels of people in northern France who may still cross (docs/ODD.md, rule 3 and 11).
STILL_IN_FRANCE = ("waiting_in_france", "applied_legal_route", "returned_in_france")


def in_france_at_end(daily: pd.DataFrame) -> pd.Series:
    """Per replicate: the people still in northern France on the run's last day who may cross
    later (waiting on the coast, applied to the legal route, returned to France): the delay
    stock. A cut in crossings that is matched by more people here is delay, not deterrence."""
    last = daily[daily["date"] == daily["date"].max()]
    return last.groupby("replicate")[list(STILL_IN_FRANCE)].sum().sum(axis=1)


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
            row = {
                "scenario": name,
                "metric": metric,
                "mean": v.mean(),
                "p05": v.quantile(0.05),
                "p95": v.quantile(0.95),
            }
            if base is not None and metric in base.columns:
                diff = (v - base[metric]).dropna()
                row.update(diff_mean=diff.mean(), diff_p05=diff.quantile(0.05), diff_p95=diff.quantile(0.95))
            rows.append(row)
    return pd.DataFrame(rows, columns=["scenario", "metric", "mean", "p05", "p95", "diff_mean", "diff_p05", "diff_p95"])


def contrasts(
    metrics: dict[str, pd.DataFrame], baseline: str, comparator: str | None = DECISION_COMPARATOR
) -> pd.DataFrame:
    """Every scenario against ``comparator`` (the decision's contrast: the pilot; every scenario
    but the baseline and the comparator itself) first, then against ``baseline``: the long table
    of :func:`paired_effects` with the column ``against``."""
    parts = []
    if comparator and comparator in metrics and comparator != baseline:
        others = {n: m for n, m in metrics.items() if n != baseline}
        if len(others) > 1:
            parts.append(paired_effects(others, comparator).assign(against=comparator))
    parts.append(paired_effects(metrics, baseline).assign(against=baseline))
    out = pd.concat(parts, ignore_index=True)
    return out[["scenario", "against", *[c for c in out.columns if c not in ("scenario", "against")]]]


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
            rows.append(
                pd.DataFrame(
                    {
                        "scenario": name,
                        "year": year,
                        "replicate": common,
                        "crossings": s.values,
                        "baseline_crossings": b.values,
                        "effect": relative_change(s.values, b.values),
                    }
                )
            )
    if not rows:
        return pd.DataFrame(columns=["scenario", "year", "replicate", "crossings", "baseline_crossings", "effect"])
    return pd.concat(rows, ignore_index=True)


def relative_change(value, reference):
    """value / reference - 1, with 0 where both are zero and NaN where only the reference is."""
    value, reference = np.asarray(value, float), np.asarray(reference, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(
            reference > 0, value / np.where(reference > 0, reference, 1.0) - 1.0, np.where(value == 0, 0.0, np.nan)
        )
    return out


def headline_table(effects: pd.DataFrame) -> pd.DataFrame:
    """headline.csv: per scenario, comparator (``against``) and year, the effect's percentiles,
    mean, P(cut > 10%) and P(cut > 50%)."""
    rows = []
    if "against" not in effects.columns:
        effects = effects.assign(against="no_deal")
    for (name, against, year), g in effects.groupby(["scenario", "against", "year"], sort=False):
        e = g["effect"].dropna()
        rows.append(
            {
                "scenario": name,
                "against": against,
                "year": int(year),
                "effect_p05": e.quantile(0.05),
                "effect_p50": e.quantile(0.5),
                "effect_p95": e.quantile(0.95),
                "effect_mean": e.mean(),
                "prob_cut_over_10pct": float((e < CUT_THRESHOLD).mean()) if len(e) else np.nan,
                "prob_cut_over_50pct": float((e < COLLAPSE_THRESHOLD).mean()) if len(e) else np.nan,
                "prob_any_cut": float((e < 0).mean()) if len(e) else np.nan,
                "crossings_p50": g["crossings"].median(),
                "baseline_crossings_p50": g["baseline_crossings"].median(),
                "n_pairs": int(len(e)),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "scenario",
            "against",
            "year",
            "effect_p05",
            "effect_p50",
            "effect_p95",
            "effect_mean",
            "prob_cut_over_10pct",
            "prob_cut_over_50pct",
            "prob_any_cut",
            "crossings_p50",
            "baseline_crossings_p50",
            "n_pairs",
        ],
    )


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


#: Bands of deterrence strength for the threshold view (the prior's median is 0.77).
STRENGTH_BANDS = (0.0, 0.3, 0.77, 1.5, 3.0, np.inf)


def band_label(lo: float, hi: float) -> str:
    if lo == 0:
        return f"< {hi:g}"
    return f"> {lo:g}" if np.isinf(hi) else f"{lo:g}-{hi:g}"


def by_strength(
    effects: pd.DataFrame,
    draws: pd.DataFrame,
    year: int,
    scenarios,
    bands=STRENGTH_BANDS,
    parameter: str = "deterrence_strength",
) -> pd.DataFrame:
    """The effect in ``year`` by band of the drawn deterrence strength, per scenario and
    comparator: the number of replicates in the band, the median effect, its 90% range, P(cut >
    10%) and P(cut > 50%). Shows where the distribution's tail comes from."""
    if draws is None or parameter not in draws.columns:
        return pd.DataFrame()
    e = effects[(effects["year"] == year) & effects["scenario"].isin(scenarios)].copy()
    if "against" not in e.columns:
        e["against"] = "no_deal"
    s = draws[parameter].reindex(e["replicate"]).to_numpy()
    e["band"] = pd.cut(
        s, bins=list(bands), right=False, labels=[band_label(lo, hi) for lo, hi in itertools.pairwise(bands)]
    )
    rows = []
    for (name, against), g in e.groupby(["scenario", "against"], sort=False):
        for band, b in g.groupby("band", observed=False, sort=True):
            x = b["effect"].dropna()
            rows.append(
                {
                    "scenario": name,
                    "against": against,
                    "year": year,
                    "band": str(band),
                    "n": len(x),
                    "effect_p50": x.median() if len(x) else np.nan,
                    "effect_p05": x.quantile(0.05) if len(x) else np.nan,
                    "effect_p95": x.quantile(0.95) if len(x) else np.nan,
                    "prob_cut_over_10pct": float((x < CUT_THRESHOLD).mean()) if len(x) else np.nan,
                    "prob_cut_over_50pct": float((x < COLLAPSE_THRESHOLD).mean()) if len(x) else np.nan,
                }
            )
    return pd.DataFrame(rows)


def delay_table(
    metrics: dict[str, pd.DataFrame], baseline: str, comparator: str | None = DECISION_COMPARATOR, scenarios=None
) -> pd.DataFrame:
    """Deterrence or delay: per scenario and comparator, the people still in northern France at
    the horizon who may cross later (:func:`in_france_at_end`; mean, and mean difference from the
    comparator's paired run), the effect on the last year's crossings (median), and the same
    effect with those people counted as crossings later ((crossings + still in France) over the
    comparator's, minus one; median); and the share of the whole run's cut in crossings that the
    extra people in France make up (mean extra people over mean cut)."""
    rows = []
    last = max(years(metrics[baseline]))
    col = f"crossings_{last}"
    for against in [a for a in (comparator, baseline) if a and a in metrics]:
        ref = metrics[against]
        for name, m in metrics.items():
            if name in (baseline, against) or (scenarios is not None and name not in scenarios):
                continue
            if against == comparator and name == baseline:
                continue
            idx = m.index.intersection(ref.index)
            a, r = m.loc[idx].astype(float), ref.loc[idx].astype(float)
            extra = a["in_france_at_end"] - r["in_france_at_end"]
            cut = r["arrivals"] - a["arrivals"]
            eff = relative_change(a[col], r[col])
            later = relative_change(a[col] + a["in_france_at_end"], r[col] + r["in_france_at_end"])
            rows.append(
                {
                    "scenario": name,
                    "against": against,
                    "year": last,
                    "in_france_at_end": a["in_france_at_end"].mean(),
                    "comparator_in_france_at_end": r["in_france_at_end"].mean(),
                    "extra_in_france_mean": extra.mean(),
                    "extra_in_france_p05": extra.quantile(0.05),
                    "extra_in_france_p95": extra.quantile(0.95),
                    "effect_p50": np.nanmedian(eff),
                    "effect_counting_later_p50": np.nanmedian(later),
                    "effect_mean": np.nanmean(eff),
                    "effect_counting_later_mean": np.nanmean(later),
                    "cut_whole_run_mean": cut.mean(),
                    "delay_share_of_cut": extra.mean() / cut.mean() if cut.mean() > 0 else np.nan,
                    "n_pairs": len(idx),
                }
            )
    return pd.DataFrame(rows)
