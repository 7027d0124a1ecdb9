"""Where the effect comes from: removals themselves, deterrence by removals, the legal route.

Two causes are switched on and off on top of each decomposed scenario (:data:`CAUSES`):
**deterrence** (``deterrence_strength`` as drawn, or 0: perceived removal risk changes nobody's
choice) and the **legal route** (open as in the scenario, or never opened). The four worlds, run
on every replicate's draw and seed, shared with the scenario's own run and its paired ``no_deal``
run (common random numbers), are the scenario itself and the three :data:`VARIANTS`.

The estimand is the headline's: the effect on a year's crossings (and over the whole run),
per replicate, against the paired ``no_deal`` run, in people and in per cent of the ``no_deal``
crossings. It splits exactly, replicate by replicate (:func:`parts`), into

* **removals themselves** = the world with neither cause: removals with nobody deterred and no
  legal route (removed people who come back and cross again add to crossings; anything else the
  scenario changes beyond removals and the legal route, none in the standard ramp-ups, lands
  here too);
* **deterrence by removals** and **legal route**: the exact Shapley values of the two causes
  (:mod:`deterrence_sim.analyses.shapley`) over the rest. They do not depend on an order: what the two
  do only together (deterrence keeps people waiting longer, so more of them can apply to the
  legal route) is the **interaction**, shown on its own row and shared equally between them.

A ramp-up's split **against the pilot** is the difference of its parts and the pilot's on the
same replicates (Shapley values are linear in the outcomes), in per cent of the pilot's
crossings. Each mean, its per-cent form and its share of the total carry a bootstrap interval
over the replicates (:func:`bootstrap`).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .shapley import interaction, shapley

#: Scenarios whose effect is decomposed: the pilot (the comparator) and the headline ramp-ups.
DECOMPOSED = ("pilot", "rampup_x5", "parity")
#: The two causes switched on and off, and the overrides that switch each off.
CAUSES = {"deterrence by removals": {"deterrence_strength": 0.0}, "legal route": {"legal_route_open": 0.0}}
#: The counterfactual runs: each world with one or both causes off (overrides applied on top of
#: every replicate's draw). The world with both on is the scenario's own run.
VARIANTS = {
    "legal_closed": {"legal_route_open": 0.0},
    "no_deterrence": {"deterrence_strength": 0.0},
    "no_deterrence_legal_closed": {"legal_route_open": 0.0, "deterrence_strength": 0.0},
}
#: Which causes are on in each world.
WORLDS = {
    "scenario": frozenset(CAUSES),
    "legal_closed": frozenset({"deterrence by removals"}),
    "no_deterrence": frozenset({"legal route"}),
    "no_deterrence_legal_closed": frozenset(),
}
PARTS = ("removals themselves", "deterrence by removals", "legal route")
INTERACTION = "interaction (deterrence x legal route, shared equally)"
#: Bootstrap resamples and the interval's coverage.
BOOTSTRAP = 2000
LEVEL = 0.90
#: The comparator of a ramp-up's split beside no_deal.
COMPARATOR = "pilot"


def _crossings(m: pd.DataFrame, year) -> pd.Series:
    if year == "all":
        return m[[c for c in m.columns if c.startswith("crossings_")]].sum(axis=1).astype(float)
    return m[f"crossings_{year}"].astype(float)


def parts(worlds: dict[str, pd.DataFrame], baseline: pd.DataFrame, year) -> pd.DataFrame:
    """Per replicate (those every world and the baseline have), in people: removals themselves,
    the Shapley values of deterrence and the legal route, their interaction, the total, and the
    baseline's crossings. ``worlds`` maps each name of :data:`WORLDS` to its metrics."""
    idx = baseline.index
    for m in worlds.values():
        idx = idx.intersection(m.index)
    b = _crossings(baseline.loc[idx], year)
    v = {WORLDS[name]: (_crossings(m.loc[idx], year) - b).to_numpy() for name, m in worlds.items()}
    phi = shapley(tuple(CAUSES), v)
    out = pd.DataFrame(
        {
            "removals themselves": v[frozenset()],
            **phi,
            INTERACTION: interaction(tuple(CAUSES), v),
            "total": v[frozenset(CAUSES)],
            "baseline": b.to_numpy(),
        },
        index=idx,
    )
    return out


def bootstrap(
    values: pd.DataFrame, total: str = "total", n: int = BOOTSTRAP, level: float = LEVEL, seed: int = 0
) -> pd.DataFrame:
    """Mean of each column and of each column's share of ``total``, with percentile bootstrap
    intervals (replicates resampled with replacement, the same resamples for every column, so
    the shares of one resample add up to one). Rows: the columns; columns: mean, lo, hi,
    share, share_lo, share_hi."""
    x = values.to_numpy(float)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(x), size=(n, len(x)))
    means = x[idx].mean(axis=1)  # (n, columns)
    tot = means[:, list(values.columns).index(total)]
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = means / tot[:, None]
    a = (1 - level) / 2
    mean = x.mean(axis=0)
    t = mean[list(values.columns).index(total)]
    with warnings.catch_warnings():  # no share where the total is zero in every resample (before a ramp-up)
        warnings.simplefilter("ignore", RuntimeWarning)
        share_lo, share_hi = np.nanquantile(shares, a, axis=0), np.nanquantile(shares, 1 - a, axis=0)
    return pd.DataFrame(
        {
            "mean": mean,
            "lo": np.quantile(means, a, axis=0),
            "hi": np.quantile(means, 1 - a, axis=0),
            "share": mean / t if t else np.nan,
            "share_lo": share_lo,
            "share_hi": share_hi,
        },
        index=values.columns,
    )


def _rows(name, against, period, people: pd.DataFrame, reference: pd.Series) -> list[dict]:
    cols = [*PARTS, INTERACTION, "total"]
    rel = people[cols].div(reference.where(reference > 0), axis=0).dropna()
    bp, br = bootstrap(people[cols]), bootstrap(rel)
    return [
        {
            "scenario": name,
            "against": against,
            "period": str(period),
            "part": part,
            "change_mean": bp.loc[part, "mean"],
            "change_lo": bp.loc[part, "lo"],
            "change_hi": bp.loc[part, "hi"],
            "effect_mean": br.loc[part, "mean"],
            "effect_lo": br.loc[part, "lo"],
            "effect_hi": br.loc[part, "hi"],
            "share_of_total": np.nan if part == "total" else br.loc[part, "share"],
            "share_lo": np.nan if part == "total" else br.loc[part, "share_lo"],
            "share_hi": np.nan if part == "total" else br.loc[part, "share_hi"],
            "n_pairs": len(rel),
        }
        for part in cols
    ]


COLUMNS = [
    "scenario",
    "against",
    "period",
    "part",
    "change_mean",
    "change_lo",
    "change_hi",
    "effect_mean",
    "effect_lo",
    "effect_hi",
    "share_of_total",
    "share_lo",
    "share_hi",
    "n_pairs",
]


def table(metrics: dict[str, pd.DataFrame], runs: dict[tuple, pd.DataFrame], baseline: str) -> pd.DataFrame:
    """decomposition.csv: per scenario, comparator (``against``: ``no_deal``, and the pilot for
    the others), period (each year and ``all``) and part, the mean change in crossings in people
    and in per cent of the comparator's crossings, each with its bootstrap interval, and the
    part's share of the total with its interval (shares computed on the per-cent parts)."""
    rows = []
    base = metrics[baseline]
    names = sorted({k[0] for k in runs}, key=lambda n: DECOMPOSED.index(n) if n in DECOMPOSED else 99)
    years = sorted(int(c[-4:]) for c in base.columns if c.startswith("crossings_"))
    split = {}
    for name in names:
        worlds = {v: runs.get((name, v)) for v in VARIANTS}
        if any(w is None for w in worlds.values()) or name not in metrics:
            continue
        worlds["scenario"] = metrics[name]
        for year in [*years, "all"]:
            p = parts(worlds, base, year)
            split[(name, year)] = p
            rows += _rows(name, baseline, year, p, p["baseline"])
    for name in names:
        if name == COMPARATOR:
            continue
        for year in [*years, "all"]:
            if (name, year) not in split or (COMPARATOR, year) not in split:
                continue
            p, q = split[(name, year)], split[(COMPARATOR, year)]
            idx = p.index.intersection(q.index)
            diff = p.loc[idx].drop(columns="baseline") - q.loc[idx].drop(columns="baseline")
            rows += _rows(name, COMPARATOR, year, diff, q.loc[idx, "baseline"] + q.loc[idx, "total"])
    return pd.DataFrame(rows, columns=COLUMNS)
