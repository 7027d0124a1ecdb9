"""The deterrence prior, re-derived by simulating the anchor episodes in the model itself.

The prior of ``deterrence_strength`` (``uncertainty.PRIORS``) used to be read off the formula
"crossings fall by exp(-s x change in removal probability)". The model does not work on that
scale: a person's perceived risk follows the group's removal signal, removal_salience x R/(A+R)
(docs/ODD.md 7.4), which is 0.5 x salience for a certain removal before clipping, builds up as
removals are seen and remembered, and acts only on people already on the coast. So the strengths
that reproduce an episode must be found by simulating the episode in the model:

* **Australia 2013-14** (seeds/SOURCES.md): about 300 boats with 20,587 people in 2013, then one
  boat with 157 people in the year after turnbacks began in December 2013, a fall of 99.2%.
  In the model (:func:`australia_regime`): from 1 December every arrival, whatever the group, is
  detained and removed (turnback close to certain; no challenges; capacity never binds), and the
  next calendar year's crossings are set against the paired run without the regime (same seed,
  same strength).
* **Albania 2022-23** (seeds/albania_analogue.csv): read from the Albania check's own simulation
  (``experiments/albania/albania.csv``, ``deterrence-sim albania``): the model's returnable group
  facing removal with chance 90%; the observed fall is 88-99%.

Both episodes are confounded (offshore processing in Australia; police action, grant rates and
other routes for Albania), so the strength that reproduces each *if the policy alone caused the
fall* is an upper anchor. The lower anchor stays the US border build-up (about 0.2: tripled
enforcement, about 10% fewer crossings; no episode series is in ``seeds/``, so it is not
simulated). The prior (:func:`derive`) is lognormal with its median the geometric middle of the
lower anchor and the upper one (the geometric mean of the episodes' strengths), its 95th
percentile at the upper anchor, truncated at twice the largest episode strength.

``deterrence-sim prior [--out experiments/prior]`` writes ``prior.csv`` (the grid), ``prior.json``
(the derived prior) and ``prior.md``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from .. import resources, runner, safeio, scenario
from ..analyses.albania import removal_regime
from ..limits import check_seed

SCENARIO_DIR = resources.path("experiments/scenarios")
#: The turnbacks start at the episode's point in the year (December 2013).
REGIME_START = "2025-12-01"
#: The year after the turnbacks began, and the run's end.
YEAR = ("2026-01-01", "2026-12-31")
END = "2026-12-31"
#: Australian boat arrivals: 20,587 people in 2013, 157 in the year after (seeds/SOURCES.md).
AUSTRALIA = {"before": 20587, "after": 157}
#: The lower anchor (US border build-up, s x change in risk about 0.1 with the change 0.35-1).
US_ANCHOR = 0.2
STRENGTHS = (0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 12.0, 20.0)
Z95 = 1.6448536269514722


def australia_regime(strength: float) -> dict:
    """From :data:`REGIME_START`, every arrival of every group detained and removed (turnback
    close to certain), no challenges, capacity never binding; at ``strength``."""
    return removal_regime(REGIME_START, strength, 1.0, 1.0)


def _year_arrivals(args) -> float:
    daily = runner.run_one(*args)
    d = pd.to_datetime(daily["date"])
    return float(daily.loc[(d >= YEAR[0]) & (d <= YEAR[1]), "arrivals"].sum())


def simulate_australia(replicates: int = 2, seed: int = 20131219, workers=None, strengths=STRENGTHS) -> pd.DataFrame:
    """Per strength: the next year's crossings with and without the turnback regime (paired by
    seed), the fall (mean, min, max over replicates)."""
    base = scenario.load(SCENARIO_DIR / "no_deal.toml").with_overrides(end=END).model_kwargs()
    jobs = [({**base, "deterrence_strength": s}, seed, i) for s in strengths for i in range(replicates)]
    jobs += [({**base, **australia_regime(s)}, seed, i) for s in strengths for i in range(replicates)]
    with runner.worker_pool(workers, len(jobs)) as pool:
        res = list(pool.map(_year_arrivals, jobs)) if pool is not None else [_year_arrivals(j) for j in jobs]
    n = len(strengths) * replicates
    rows = []
    for k, s in enumerate(strengths):
        without = np.array(res[k * replicates : (k + 1) * replicates])
        with_ = np.array(res[n + k * replicates : n + (k + 1) * replicates])
        fall = 1.0 - with_ / np.maximum(without, 1.0)
        rows.append(
            {
                "episode": "australia",
                "deterrence_strength": s,
                "crossings_without": without.mean(),
                "crossings_with": with_.mean(),
                "fall_mean": fall.mean(),
                "fall_min": fall.min(),
                "fall_max": fall.max(),
                "observed_fall": observed_falls()["australia"],
                "replicates": replicates,
            }
        )
    return pd.DataFrame(rows)


def observed_falls() -> dict[str, float]:
    """The falls the episodes recorded: Australia 1 - 157/20,587; Albania the lower end of the
    Albania check's range (against Q1 2022)."""
    from ..analyses import albania

    return {"australia": 1.0 - AUSTRALIA["after"] / AUSTRALIA["before"], "albania": albania.observed()["fall_low"]}


def albania_table(path=None) -> pd.DataFrame:
    """The Albania check's grid at its highest removal chance: per strength, the larger fall of
    its two quarters (the episode's window)."""
    t = pd.read_csv(path or resources.path("experiments/albania/albania.csv"))
    t = t[t["removal_chance"] == t["removal_chance"].max()]
    g = t.groupby("deterrence_strength").agg(
        fall_mean=("fall_mean", "max"),
        fall_min=("fall_min", "max"),
        fall_max=("fall_max", "max"),
        replicates=("replicates", "max"),
    )
    return g.reset_index().assign(episode="albania", observed_fall=observed_falls()["albania"])


def reproducing_strength(grid: pd.DataFrame) -> tuple[float, bool]:
    """The smallest strength at which the model reproduces the observed fall: the top of the
    simulated range over replicates (``fall_max``) reaches it, interpolated on log strength against
    -log(1 - fall) between the grid points around it; (largest strength, False) when none does.
    The range, not the mean, because in the model the fall levels off (people who cross before the
    removals are seen and remembered) and a stronger response no longer changes it: the mean may
    never reach an extreme fall that a replicate does reach."""
    g = grid.sort_values("deterrence_strength")
    x = np.log(g["deterrence_strength"].to_numpy(float))
    y = -np.log(np.clip(1.0 - g["fall_max"].to_numpy(float), 1e-9, None))
    target = -np.log(1.0 - float(g["observed_fall"].iloc[0]))
    hit = np.nonzero(y >= target)[0]
    if len(hit) == 0:
        return float(np.exp(x[-1])), False
    i = hit[0]
    if i == 0:
        return float(np.exp(x[0])), True
    return float(np.exp(np.interp(target, [y[i - 1], y[i]], [x[i - 1], x[i]]))), True


def from_table(table: pd.DataFrame) -> dict:
    """The prior from the episodes' grid (:func:`reproducing_strength` for each, then :func:`derive`)."""
    anchors, reached = {}, {}
    for name, g in table.groupby("episode", sort=False):
        anchors[name], reached[name] = reproducing_strength(g)
    out = derive(anchors)
    out["reached"] = reached
    return out


def derive(anchors: dict[str, float]) -> dict:
    """The lognormal prior from the upper anchors (episode -> strength) and :data:`US_ANCHOR`."""
    upper = float(np.exp(np.mean(np.log(list(anchors.values())))))
    median = float(np.sqrt(US_ANCHOR * upper))
    sigma = float(np.log(upper / median) / Z95)
    return {
        "median": round(median, 2),
        "sigma": round(sigma, 2),
        "high": round(2 * max(anchors.values()), 1),
        "upper_anchor": upper,
        "lower_anchor": US_ANCHOR,
        "anchors": anchors,
    }


def run(out: Path, replicates: int = 2, seed: int = 20131219, workers=None) -> dict:
    check_seed(seed, "--seed")
    aus = simulate_australia(replicates, seed, workers)
    alb = albania_table()
    table = pd.concat([aus, alb], ignore_index=True)
    prior = from_table(table)
    write(out, table, prior)
    return prior


def write(out: Path, table: pd.DataFrame, prior: dict) -> None:
    cols = [
        "episode",
        "deterrence_strength",
        "crossings_without",
        "crossings_with",
        "fall_mean",
        "fall_min",
        "fall_max",
        "observed_fall",
        "replicates",
    ]
    lines = [
        "# The deterrence prior from the anchor episodes, simulated in the model",
        "",
        "Written by `deterrence-sim prior` (method: `src/deterrence_sim/calibration/deterrence_prior.py`, docs/ODD.md section 8). "
        "Fall of crossings against the paired run without the policy, at each strength (mean and range over "
        "replicates); other parameters at their calibrated values.",
        "",
        "| episode | strength | crossings without | with | fall (mean) | fall (range) | observed |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for _, r in table.iterrows():
        cw = "" if pd.isna(r.get("crossings_without")) else f"{r['crossings_without']:,.0f}"
        cp = "" if pd.isna(r.get("crossings_with")) else f"{r['crossings_with']:,.0f}"
        lines.append(
            f"| {r['episode']} | {r['deterrence_strength']:g} | {cw} | {cp} | {r['fall_mean']:.1%} | "
            f"{r['fall_min']:.1%} to {r['fall_max']:.1%} | {r['observed_fall']:.1%} |"
        )
    lines += ["", "## The strengths that reproduce each episode", ""]
    for name, s in prior["anchors"].items():
        lines.append(
            f"- **{name}**: "
            + (
                f"about {s:.2g} (the smallest strength at which the simulated range "
                "reaches the observed fall, interpolated)"
                if prior["reached"][name]
                else f"no tested strength up to {s:g} reaches it; {s:g} is a lower bound"
            )
        )
    lines += [
        "",
        "## The prior",
        "",
        f"Upper anchor (geometric mean of the episodes, each read as caused by the policy alone): "
        f"{prior['upper_anchor']:.2f}. Lower anchor (US border build-up, not simulated): {US_ANCHOR:g}. "
        f"Prior: lognormal with median sqrt({US_ANCHOR:g} x {prior['upper_anchor']:.2f}) = {prior['median']:g}, "
        f"sigma {prior['sigma']:g} (95th percentile at the upper anchor), truncated at {prior['high']:g}.",
        "",
    ]
    safeio.write_csv(out / "prior.csv", table[cols], index=False, float_format="%.6g")
    safeio.write_json(out / "prior.json", prior)
    safeio.write_text(out / "prior.md", "\n".join(lines))


def load(path=None) -> dict:
    """The derived prior (``experiments/prior/prior.json``)."""
    return json.loads(Path(path or resources.path("experiments/prior/prior.json")).read_text(encoding="utf-8"))
