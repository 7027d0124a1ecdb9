"""The joint fit from a reference table (:mod:`.joint`) with the estimator of :mod:`.abc`: the
posterior for the data to 2026-04-30 and for the same data cut at 2025-12-31, the identification
table, and simulation-based calibration (SBC) on synthetic data sets taken from the table.

Files written to ``out``:

* ``posterior_joint.csv``: the posterior sample for the data to 2026-04-30 (one row per accepted
  run, its regression-adjusted parameter values, ``inflow_2026`` and a ``weight``); the main job
  draws from it (:meth:`deterrence_sim.analyses.uncertainty.Uncertainty.full`);
* ``posterior_joint_to_2025.csv``: the same for the data cut at 2025-12-31;
* ``identification.csv``: per parameter the width of the central 90% interval of the prior and of
  the two posteriors;
* ``sbc/coverage.csv``, ``sbc/ranks.csv``, ``sbc/ranks.png``: the calibration check (below);
* ``joint.json``: the table size, the split, the acceptance and the time.

**SBC.** A synthetic data set is a reference run of the table, whose parameters are known; its
posterior is computed from the other reference runs (the run itself left out), exactly as for the
real data. Synthetic sets are taken at deterrence strengths near 0.3, 1 and 2.5 (within 10% on the
log scale; every other parameter is then a draw from its prior) and at random. For each
parameter: how often the true value lies inside the 90% posterior interval (nominal 0.90, with its
binomial standard error), and the rank of the true value in the posterior (uniform when the
posterior is calibrated; Talts et al. 2018).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import norm

from .. import safeio
from ..errors import ConfigError
from ..observed.targets import TargetSet
from .abc import LOG_KINDS, RegressionABC, probit, weighted_quantiles
from .joint import CUT_2025, JOINT_SETTING, joint_params, load_table

#: Deterrence strengths at which SBC takes synthetic data sets, and the half-width of the window
#: around each (on the log scale).
SBC_STRENGTHS = (0.3, 1.0, 2.5)
SBC_WINDOW = 0.1
SBC_PER_STRENGTH = 60
#: Share of the table that trains the summary regression (the rest are reference runs).
TRAIN_SHARE = 0.5


def accept_count(n_reference: int) -> int:
    """Runs kept by the rejection step: 4% of the reference runs, at least 100 and at most 400."""
    return int(min(400, max(100, round(0.04 * n_reference))))


def target_sets() -> dict[str, TargetSet]:
    return {
        "to_2025": TargetSet(JOINT_SETTING.start, JOINT_SETTING.end, CUT_2025),
        "to_2026_04": TargetSet(JOINT_SETTING.start, JOINT_SETTING.end, JOINT_SETTING.fit_end),
    }


def features(values: np.ndarray, targets: TargetSet) -> np.ndarray:
    """The regression's inputs: counts on the log scale, shares and loads as they are."""
    values = np.atleast_2d(np.asarray(values, float)).copy()
    logs = np.array([t.kind in LOG_KINDS for t in targets.targets])
    values[:, logs] = np.log1p(np.maximum(values[:, logs], 0.0))
    return values


class JointFit:
    """The table, split and the estimator of each data cut, trained once."""

    def __init__(self, table: pd.DataFrame, seed: int):
        self.table = table
        self.names = [c[2:] for c in table.columns if c.startswith("u:")]
        params = joint_params()
        if self.names != list(params):
            raise ConfigError("the reference table's parameters differ from the joint fit's; build a new table")
        self.params = params
        self.z = probit(table[[f"u:{n}" for n in self.names]].to_numpy(float))
        runs = table["run"].to_numpy()
        self.train = (runs % int(round(1 / TRAIN_SHARE))) == 0
        self.n_reference = int((~self.train).sum())
        self.accept = accept_count(self.n_reference)
        self.sets = target_sets()
        self.estimators, self.x = {}, {}
        for cut, targets in self.sets.items():
            missing = [n for n in targets.names if f"t:{n}" not in table.columns]
            if missing:
                raise ConfigError(f"the reference table has no column for target {missing[0]!r}; build a new table")
            self.x[cut] = features(table[[f"t:{n}" for n in targets.names]].to_numpy(float), targets)
            self.estimators[cut] = RegressionABC(self.z, self.x[cut], self.train, seed=seed % 2**32, accept=self.accept)

    def values(self, z: np.ndarray) -> np.ndarray:
        """Parameter values from probit-scale draws."""
        u = norm.cdf(z)
        return np.column_stack([[self.params[n].value(x) for x in u[:, j]] for j, n in enumerate(self.names)])

    def posterior(self, cut: str, observed=None, exclude=None):
        targets = self.sets[cut]
        x_obs = features(targets.observed if observed is None else observed, targets)
        return self.estimators[cut].posterior(x_obs, exclude=exclude)

    def posterior_frame(self, cut: str) -> pd.DataFrame:
        z, w = self.posterior(cut)
        df = pd.DataFrame(self.values(z), columns=self.names)
        df["inflow_2026"] = df["inflow_2025"] * np.exp(df["inflow_2026_step"])
        df["weight"] = w
        return df


def width90(values: np.ndarray, weights: np.ndarray | None = None) -> float:
    w = np.ones(len(values)) if weights is None else weights
    lo, hi = weighted_quantiles(values[:, None], w, [0.05, 0.95])[:, 0]
    return float(hi - lo)


def identification(fit: JointFit, posts: dict[str, pd.DataFrame]) -> list[dict]:
    rows = []
    for name in fit.names:
        p = fit.params[name]
        rows.append(
            {
                "parameter": name,
                "prior_width90": p.value(0.95) - p.value(0.05),
                "posterior_width90_to_2025": width90(
                    posts["to_2025"][name].to_numpy(), posts["to_2025"]["weight"].to_numpy()
                ),
                "posterior_width90_to_2026_04": width90(
                    posts["to_2026_04"][name].to_numpy(), posts["to_2026_04"]["weight"].to_numpy()
                ),
            }
        )
    return rows


def sbc_rows(fit: JointFit, n_random: int, seed: int) -> dict[str, np.ndarray]:
    """Reference runs used as synthetic data sets: near each deterrence strength, and at random."""
    ref = np.flatnonzero(~fit.train)
    ds = np.log(fit.table["p:deterrence_strength"].to_numpy(float)[ref])
    out = {}
    for s in SBC_STRENGTHS:
        near = ref[np.abs(ds - np.log(s)) < SBC_WINDOW]
        out[f"deterrence near {s:g}"] = near[:SBC_PER_STRENGTH]
    rng = np.random.default_rng([int(seed) % 2**63, 7])
    out["random"] = np.sort(rng.choice(ref, size=min(n_random, len(ref)), replace=False))
    return out


def run_sbc(fit: JointFit, n_random: int, seed: int, cut: str = "to_2026_04") -> pd.DataFrame:
    """One row per (synthetic data set, parameter): the true value's rank in its posterior (the
    posterior weight below it) and whether the 90% interval covers it, for the estimator as used
    (``covered``, ``rank``) and with the local-linear adjustment forced on (``covered_adjusted``)."""
    rows = []
    est = fit.estimators[cut]
    for group, idx in sbc_rows(fit, n_random, seed).items():
        for i in idx:
            z, w = est.posterior(fit.x[cut][i][None, :], exclude=int(i))
            q = weighted_quantiles(z, w, [0.05, 0.95])
            za, wa = est.posterior(fit.x[cut][i][None, :], exclude=int(i), adjust=True)
            qa = weighted_quantiles(za, wa, [0.05, 0.95])
            for j, name in enumerate(fit.names):
                truth = fit.z[i, j]
                rows.append(
                    {
                        "group": group,
                        "run": int(fit.table["run"].iloc[i]),
                        "parameter": name,
                        "true_probit": truth,
                        "rank": float(w[z[:, j] < truth].sum()),
                        "covered": bool(q[0, j] <= truth <= q[1, j]),
                        "covered_adjusted": bool(qa[0, j] <= truth <= qa[1, j]),
                    }
                )
    return pd.DataFrame(rows)


def coverage_table(sbc: pd.DataFrame) -> pd.DataFrame:
    """Coverage of the 90% interval per parameter (all synthetic sets, and per deterrence group),
    with the binomial standard error at the nominal rate."""
    rows = []
    groups = [("all", sbc)] + list(sbc.groupby("group", sort=False))
    for group, g in groups:
        for name, h in g.groupby("parameter", sort=False):
            n = len(h)
            rows.append(
                {
                    "group": group,
                    "parameter": name,
                    "n": n,
                    "coverage90": h["covered"].mean(),
                    "binomial_se": float(np.sqrt(0.9 * 0.1 / n)),
                    "coverage90_adjusted": h["covered_adjusted"].mean(),
                    "rank_ks_pvalue": _ks_uniform(h["rank"].to_numpy()),
                }
            )
    return pd.DataFrame(rows)


def _ks_uniform(x: np.ndarray) -> float:
    from scipy.stats import kstest

    return float(kstest(x, "uniform").pvalue) if len(x) > 4 else float("nan")


def plot_ranks(sbc: pd.DataFrame, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(dict.fromkeys(sbc["parameter"]))
    cols = 4
    rows = -(-len(names) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 2.4 * rows))
    for ax, name in zip(np.ravel(axes), names):
        r = sbc.loc[sbc["parameter"] == name, "rank"].to_numpy()
        ax.hist(r, bins=10, range=(0, 1), color="tab:blue", alpha=0.7)
        ax.axhline(len(r) / 10, color="grey", lw=1)
        ax.set_title(name, fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in np.ravel(axes)[len(names) :]:
        ax.axis("off")
    fig.suptitle("SBC: rank of the true value in its posterior (flat when calibrated)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def fit_and_check(table_dir: Path, out: Path, seed: int, sbc: int = 300, command: str = "") -> dict:
    """The joint fit on the stored table: posteriors, identification table, SBC; files in ``out``."""
    t0 = time.perf_counter()
    table = load_table(table_dir)
    if len(table) < 400:
        raise ConfigError(f"{table_dir}: {len(table)} runs stored; the joint fit needs at least 400")
    fit = JointFit(table, seed)
    posts = {cut: fit.posterior_frame(cut) for cut in fit.sets}
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    safeio.write_csv(out / "posterior_joint.csv", posts["to_2026_04"])
    safeio.write_csv(out / "posterior_joint_to_2025.csv", posts["to_2025"])
    ident = identification(fit, posts)
    safeio.write_csv(out / "identification.csv", pd.DataFrame(ident))
    result = {
        "runs": len(table),
        "reference": fit.n_reference,
        "accept": fit.accept,
        "local_linear_adjustment": bool(fit.estimators["to_2026_04"].adjusts),
        "identification": ident,
    }
    if sbc:
        (out / "sbc").mkdir(exist_ok=True)
        t1 = time.perf_counter()
        ranks = run_sbc(fit, sbc, seed)
        cov = coverage_table(ranks)
        safeio.write_csv(out / "sbc" / "ranks.csv", ranks)
        safeio.write_csv(out / "sbc" / "coverage.csv", cov)
        plot_ranks(ranks, out / "sbc" / "ranks.png")
        result["sbc_seconds"] = time.perf_counter() - t1
        result["sbc_sets"] = int(ranks[["group", "run"]].drop_duplicates().shape[0])
    result["seconds"] = time.perf_counter() - t0
    meta = {k: v for k, v in result.items() if k != "identification"} | {"command": command}
    (out / "joint.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return result
