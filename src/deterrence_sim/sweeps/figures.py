"""Figures a sweep spec asks for (``[[figures]]`` tables), drawn from its results by ``sweep``.

* ``kind = "heatmap"``, ``x``, ``y`` (two factors of a grid), ``outputs``: the mean over
  replicates of each output at every grid cell, with the values written in the cells;
* ``kind = "partial_dependence"``, ``outputs``: for each factor, the output averaged over the
  design within ``bins`` equal-count bins of that factor (the other factors vary over their
  whole ranges, as a Latin hypercube spreads them), with a 90% band of the replicate-level
  mean (normal approximation). With independent factors this is the partial dependence of the
  output on that factor.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .. import safeio
from ..errors import ConfigError
from .spec import Spec


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def check(spec: Spec) -> None:
    """Refuse a figure that names an unknown factor or output (one line, before any run)."""
    names = [f.name for f in spec.factors]
    columns = spec.output_columns()
    for i, fig in enumerate(spec.figures):
        kind = fig.get("kind")
        where = f"{spec.path}: figures[{i}]"
        if kind not in ("heatmap", "partial_dependence"):
            raise ConfigError(f"{where}: kind {kind!r} is not allowed; use heatmap or partial_dependence")
        for o in fig.get("outputs", []):
            if o not in columns:
                raise ConfigError(f"{where}: {o!r} is not an output of this sweep; e.g. {columns[-1]!r}")
        if not fig.get("outputs"):
            raise ConfigError(f"{where}: give outputs = [...]")
        if kind == "heatmap":
            for axis in ("x", "y"):
                if fig.get(axis) not in names:
                    raise ConfigError(f"{where}: {axis} must be one of the factors {', '.join(names)}")
            if spec.design["kind"] != "grid":
                raise ConfigError(f"{where}: a heatmap needs a grid design")


def heatmap(spec: Spec, results: pd.DataFrame, fig_spec: dict, path: Path) -> None:
    plt = _plt()
    x, y, outputs = fig_spec["x"], fig_spec["y"], fig_spec["outputs"]
    ok = results[results["error"].isna()]
    fig, axes = plt.subplots(1, len(outputs), figsize=(5.6 * len(outputs), 4.6), squeeze=False)
    for ax, o in zip(axes[0], outputs):
        grid = ok.groupby([y, x])[o].mean().unstack(x)
        im = ax.imshow(
            grid.to_numpy(),
            origin="lower",
            aspect="auto",
            cmap="RdBu_r" if "-" in o.split("/")[0] else "viridis",
            **_centred(grid.to_numpy()) if "-" in o.split("/")[0] else {},
        )
        ax.set_xticks(range(grid.shape[1]), [f"{v:g}" for v in grid.columns])
        ax.set_yticks(range(grid.shape[0]), [f"{v:g}" for v in grid.index])
        ax.set_xlabel(x)
        ax.set_ylabel(y)
        for i in range(grid.shape[0]):
            for j in range(grid.shape[1]):
                ax.text(
                    j,
                    i,
                    f"{grid.iat[i, j]:,.0f}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="w",
                    path_effects=_outline(),
                )
        ax.set_title(_title(o), fontsize=9)
        fig.colorbar(im, ax=ax, shrink=0.85)
    fig.suptitle(f"{spec.name}: mean of {spec.replicates} replicates per cell", fontsize=10)
    fig.tight_layout()
    safeio.save_figure(fig, path, dpi=110)
    plt.close(fig)


def _centred(values: np.ndarray) -> dict:
    m = float(np.nanmax(np.abs(values))) or 1.0
    return {"vmin": -m, "vmax": m}


def _outline():
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=1.5, foreground="k")]


def _title(output: str) -> str:
    label, figure = output.split("/", 1)
    if "-" in label:
        base, contrast = label.split("-", 1)
        return f"{figure}: {base} minus {contrast} (same seeds)"
    return f"{figure}: {label}"


def partial_dependence(spec: Spec, results: pd.DataFrame, fig_spec: dict, path: Path) -> pd.DataFrame:
    """Draw the partial-dependence panels; returns the binned table (also written as CSV)."""
    plt = _plt()
    outputs = fig_spec["outputs"]
    bins = int(fig_spec.get("bins", 6))
    ok = results[results["error"].isna()]
    rows = []
    fig, axes = plt.subplots(
        len(outputs),
        len(spec.factors),
        figsize=(4.0 * len(spec.factors), 3.2 * len(outputs)),
        squeeze=False,
        sharey="row",
    )
    for r, o in enumerate(outputs):
        for c, f in enumerate(spec.factors):
            edges = np.unique(np.quantile(ok[f.name], np.linspace(0, 1, bins + 1)))
            which = np.clip(np.searchsorted(edges, ok[f.name], side="right") - 1, 0, len(edges) - 2)
            g = ok.groupby(which)
            centre = g[f.name].median()
            mean, sd, n = g[o].mean(), g[o].std(ddof=1), g[o].size()
            half = 1.645 * sd / np.sqrt(n)
            ax = axes[r, c]
            ax.plot(centre, mean, "o-", color="tab:blue")
            ax.fill_between(centre, mean - half, mean + half, color="tab:blue", alpha=0.2)
            if f.scale == "log":
                from matplotlib import ticker

                ax.set_xscale("log")
                ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
                ax.xaxis.set_minor_formatter(ticker.NullFormatter())
            ax.axhline(0, color="k", lw=0.5)
            ax.set_xlabel(f.name)
            if c == 0:
                ax.set_ylabel(_title(o), fontsize=8)
            for b in centre.index:
                rows.append(
                    {
                        "output": o,
                        "parameter": f.name,
                        "bin": int(b),
                        "value": float(centre[b]),
                        "mean": float(mean[b]),
                        "half_width_90": float(half[b]),
                        "runs": int(n[b]),
                    }
                )
    fig.suptitle(
        f"{spec.name}: partial dependence ({len(ok)} runs, {bins} equal-count bins per parameter, 90% band)",
        fontsize=10,
    )
    fig.tight_layout()
    safeio.save_figure(fig, path, dpi=110)
    plt.close(fig)
    table = pd.DataFrame(rows)
    safeio.write_csv(path.with_suffix(".csv"), table, float_format="%.6g")
    return table


def draw_all(spec: Spec, results: pd.DataFrame, out: Path) -> list[Path]:
    """Every figure of the spec, into ``out`` (``<kind>_<n>.png``, or ``name = "..."``)."""
    paths = []
    for i, fig_spec in enumerate(spec.figures):
        name = fig_spec.get("name", f"{fig_spec['kind']}_{i + 1}")
        path = out / f"{name}.png"
        (heatmap if fig_spec["kind"] == "heatmap" else partial_dependence)(spec, results, fig_spec, path)
        paths.append(path)
    return paths
