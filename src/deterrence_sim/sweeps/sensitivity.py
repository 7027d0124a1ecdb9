"""Global sensitivity analysis of a sweep's results with SALib: Morris screening, Sobol indices.

The design decides the method: a ``morris`` design gives Morris elementary effects (``mu_star``,
the mean absolute effect of a factor over its range, with a bootstrap confidence interval, and
``sigma``, their spread: interactions or non-linearity); a ``sobol`` design (Saltelli's scheme)
gives Sobol first-order (``S1``: the share of the output's variance due to the factor alone) and
total indices (``ST``: including all its interactions), each with a bootstrap 95% interval.

The replicates of each design point are averaged first, so that the model's own noise is not
taken for sensitivity (with common random numbers across the design the noise that remains
moves every point alike). Failed runs are left out of a point's mean; a point with no
successful run stops the analysis with one line.

``rank_for_screening`` (in :mod:`.spec`, which uses it) orders a Morris table's factors for a following Sobol study: by the
largest ``mu_star`` over the chosen outputs, each output's ``mu_star`` divided by its largest, so
that outputs on different scales count alike.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .. import safeio
from ..errors import ConfigError
from . import design as designs
from . import store
from .spec import Spec

CONF_LEVEL = 0.95
RESAMPLES = 1000


def point_means(spec: Spec, results: pd.DataFrame, output: str) -> np.ndarray:
    """The output averaged over each design point's successful replicates, in point order."""
    ok = results[results["error"].isna()] if "error" in results else results
    means = ok.groupby("point")[output].mean()
    n_points = int(results["point"].max()) + 1 if len(results) else 0
    means = means.reindex(range(n_points))
    missing = means.index[means.isna()]
    if len(missing):
        raise ConfigError(
            f"{spec.name}: {len(missing)} design point(s) have no successful run of {output!r} "
            f"(first: point {missing[0]}); see the error column of results.parquet"
        )
    return means.to_numpy(dtype=float)


def morris_indices(problem: dict, X: np.ndarray, Y: np.ndarray, levels: int, seed: int) -> pd.DataFrame:
    """Morris indices of one output (SALib ``morris.analyze``), largest ``mu_star`` first."""
    from SALib.analyze import morris

    res = morris.analyze(problem, X, Y, num_resamples=RESAMPLES, conf_level=CONF_LEVEL, num_levels=levels, seed=seed)
    df = pd.DataFrame(
        {
            "parameter": problem["names"],
            "mu": res["mu"],
            "mu_star": res["mu_star"],
            "mu_star_conf": res["mu_star_conf"],
            "sigma": res["sigma"],
        }
    )
    return df.sort_values("mu_star", ascending=False, ignore_index=True)


def sobol_indices(problem: dict, Y: np.ndarray, seed: int) -> pd.DataFrame:
    """Sobol first-order and total indices of one output (SALib ``sobol.analyze``, Saltelli's
    scheme without second order), with bootstrap 95% half-widths, largest ``ST`` first."""
    from SALib.analyze import sobol

    res = sobol.analyze(problem, Y, calc_second_order=False, num_resamples=RESAMPLES, conf_level=CONF_LEVEL, seed=seed)
    df = pd.DataFrame(
        {
            "parameter": problem["names"],
            "S1": res["S1"],
            "S1_conf": res["S1_conf"],
            "ST": res["ST"],
            "ST_conf": res["ST_conf"],
        }
    )
    return df.sort_values("ST", ascending=False, ignore_index=True)


def analyse(spec: Spec, results: pd.DataFrame, outputs: list[str]) -> tuple[str, pd.DataFrame]:
    """The sensitivity table of every output (``method``, table with an ``output`` column)."""
    kind = spec.design["kind"]
    if kind not in ("morris", "sobol"):
        raise ConfigError(f"{spec.path}: sensitivity needs a morris or sobol design (design.kind is {kind!r})")
    table = designs.design_table(spec)
    problem = designs.problem(spec)
    X = table[[f"x:{f.name}" for f in spec.factors]].to_numpy()
    frames = []
    for o in outputs:
        Y = point_means(spec, results, o)
        if len(Y) != len(X):
            raise ConfigError(f"{spec.name}: {len(Y)} design points have results, the design has {len(X)}")
        if kind == "morris":
            t = morris_indices(problem, X, Y, int(spec.design.get("levels", 4)), spec.seed)
        else:
            t = sobol_indices(problem, Y, spec.seed)
        t.insert(0, "output", o)
        frames.append(t)
    return kind, pd.concat(frames, ignore_index=True)


def chart(kind: str, table: pd.DataFrame, path: Path, title: str, top: int | None = 15) -> None:
    """Bar chart of the indices with their intervals, one panel per output, largest first."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    outputs = list(dict.fromkeys(table["output"]))
    n_rows = min(top or len(table), table.groupby("output").size().max())
    fig, axes = plt.subplots(1, len(outputs), figsize=(6.2 * len(outputs), 0.38 * n_rows + 1.6), squeeze=False)
    for ax, o in zip(axes[0], outputs):
        t = table[table["output"] == o].head(n_rows).iloc[::-1]
        y = np.arange(len(t))
        if kind == "morris":
            ax.barh(
                y,
                t["mu_star"],
                xerr=t["mu_star_conf"],
                color="tab:blue",
                alpha=0.8,
                capsize=3,
                label="mu* (mean |elementary effect|), 95% CI",
            )
            ax.plot(t["sigma"], y, "o", color="tab:orange", label="sigma (interactions, non-linearity)")
            ax.set_xlabel("elementary effect on the output (output units per full range)")
        else:
            ax.barh(
                y + 0.2,
                t["ST"],
                height=0.4,
                xerr=t["ST_conf"],
                color="tab:red",
                alpha=0.8,
                capsize=3,
                label="total index ST, 95% CI",
            )
            ax.barh(
                y - 0.2,
                t["S1"],
                height=0.4,
                xerr=t["S1_conf"],
                color="tab:blue",
                alpha=0.8,
                capsize=3,
                label="first-order index S1, 95% CI",
            )
            ax.axvline(0, color="k", lw=0.6)
            ax.set_xlabel("share of the output's variance")
        ax.set_yticks(y, t["parameter"])
        ax.set_title(o, fontsize=10)
        ax.legend(fontsize=8, loc="lower right")
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    safeio.save_figure(fig, path, dpi=110)
    plt.close(fig)


def write(spec: Spec, out: Path, outputs: list[str] | None = None) -> dict:
    """Analyse the finished sweep in ``out``: write ``<method>.csv`` and ``<method>.png``."""
    outputs = outputs or list(spec.sensitivity.get("outputs", [])) or [spec.output_columns()[-1]]
    missing = [o for o in outputs if o not in spec.output_columns()]
    if missing:
        raise ConfigError(
            f"--output {missing[0]!r} is not an output of {spec.name}; e.g. {spec.output_columns()[-1]!r}"
        )
    results = store.load_results(out)
    kind, table = analyse(spec, results, outputs)
    safeio.write_csv(out / f"{kind}.csv", table, float_format="%.6g")
    chart(
        kind,
        table,
        out / f"{kind}.png",
        f"{spec.name}: {'Morris screening' if kind == 'morris' else 'Sobol indices'} "
        f"({len(designs.design_table(spec))} points x {spec.replicates} replicates, averaged per point)",
    )
    return {"method": kind, "table": table, "csv": out / f"{kind}.csv", "png": out / f"{kind}.png"}
