"""Where the effect comes from: removals themselves, deterrence by removals, the legal route.

For each scenario of :data:`DECOMPOSED`, two counterfactual runs share every replicate's draw and
seed with the scenario's own run and its paired ``no_deal`` run (:data:`VARIANTS`):

* ``legal_closed``: the legal route ("one in") never opens;
* ``no_deterrence_legal_closed``: the legal route never opens and ``deterrence_strength`` is 0,
  so perceived removal risk (from removals and from announcements) changes nobody's choice.

The total effect on crossings, ``scenario - no_deal``, then splits exactly, replicate by replicate,
into three parts measured one after another (:func:`parts`):

* **removals themselves** = ``no_deterrence_legal_closed - no_deal``: what removing people does
  when nobody is deterred and nobody uses the legal route (removed people who come back and cross
  again add to crossings; everything else the scenario changes beyond removals and the legal route,
  none in the standard ramp-ups, also lands here);
* **deterrence by removals** = ``legal_closed - no_deterrence_legal_closed``: the fall in tries and
  the rise in leaving caused by perceived removal risk;
* **legal route** = ``scenario - legal_closed``: people with UK family ties who leave the coast for
  the legal route instead of crossing, with deterrence in place.

The order matters where the mechanisms interact (deterrence keeps people waiting longer, so more
of them can apply to the legal route): the legal route is credited last, in the world as it is.
The parts are in crossings (people) and in per cent of the paired ``no_deal`` crossings; their
means add up to the mean total.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Scenarios whose effect is decomposed: the pilot and each ramp-up.
DECOMPOSED = ("pilot", "rampup_x2", "rampup_x5", "rampup_x10", "parity", "rampup_flights_only")
#: The counterfactual runs: overrides applied on top of every replicate's draw.
VARIANTS = {
    "legal_closed": {"legal_route_open": 0.0},
    "no_deterrence_legal_closed": {"legal_route_open": 0.0, "deterrence_strength": 0.0},
}
PARTS = ("removals themselves", "deterrence by removals", "legal route")


def _crossings(m: pd.DataFrame, year) -> pd.Series:
    if year == "all":
        return m[[c for c in m.columns if c.startswith("crossings_")]].sum(axis=1).astype(float)
    return m[f"crossings_{year}"].astype(float)


def parts(scenario: pd.DataFrame, legal_closed: pd.DataFrame, no_det: pd.DataFrame, baseline: pd.DataFrame,
          year) -> pd.DataFrame:
    """Per replicate (the replicates all four runs have): the three parts and the total, in people."""
    idx = no_det.index.intersection(legal_closed.index).intersection(baseline.index).intersection(scenario.index)
    s, lc, nd, b = (_crossings(t.loc[idx], year) for t in (scenario, legal_closed, no_det, baseline))
    return pd.DataFrame({"removals themselves": nd - b, "deterrence by removals": lc - nd, "legal route": s - lc,
                         "total": s - b, "baseline": b})


def table(metrics: dict[str, pd.DataFrame], runs: dict[tuple, pd.DataFrame], baseline: str) -> pd.DataFrame:
    """decomposition.csv: per scenario, period (each year and ``all``) and part, the mean change in
    crossings, its 90% interval, the mean change in per cent of ``no_deal`` crossings and the
    part's share of the total effect."""
    rows = []
    base = metrics[baseline]
    names = sorted({k[0] for k in runs}, key=lambda n: DECOMPOSED.index(n) if n in DECOMPOSED else 99)
    for name in names:
        lc, nd = runs.get((name, "legal_closed")), runs.get((name, "no_deterrence_legal_closed"))
        if lc is None or nd is None or name not in metrics:
            continue
        years = sorted(int(c[-4:]) for c in base.columns if c.startswith("crossings_"))
        for year in [*years, "all"]:
            p = parts(metrics[name], lc, nd, base, year)
            total = p["total"].mean()
            for part in [*PARTS, "total"]:
                rel = p[part] / p["baseline"].where(p["baseline"] > 0)
                rows.append({"scenario": name, "period": str(year), "part": part, "change_mean": p[part].mean(),
                             "change_p05": p[part].quantile(0.05), "change_p95": p[part].quantile(0.95),
                             "change_se": p[part].std(ddof=1) / np.sqrt(len(p)) if len(p) > 1 else np.nan,
                             "effect_mean": rel.mean(),
                             "share_of_total": p[part].mean() / total if total else np.nan,
                             "n_pairs": len(p)})
    return pd.DataFrame(rows, columns=["scenario", "period", "part", "change_mean", "change_p05", "change_p95",
                                       "change_se", "effect_mean", "share_of_total", "n_pairs"])
