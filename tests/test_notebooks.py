"""The notebooks in ``notebooks/`` run from top to bottom without an error, the committed files are
the ones ``notebooks/build_notebooks.py`` writes (without outputs), and every figure they draw
shows what it should: its data inside the axes, labelled axes, and the expected tick labels
(months, scenario names, parameter names).

Each notebook is run in a fresh kernel by nbclient; a failing cell fails the test. To read the
figures, the test runs one cell of its own first (keep figures open after each cell) and one last
(describe every open figure as JSON, and save each as a PNG in results/test-artifacts/notebooks/). Notebooks 02 and 03 run many replicates and are marked slow
(``./dsim test -m slow``; CI runs them)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "notebooks"))
import build_notebooks

NOTEBOOKS = Path(build_notebooks.__file__).resolve().parent

KEEP_FIGURES = 'get_ipython().run_line_magic("config", "InlineBackend.close_figures = False")'
DESCRIBE_FIGURES = r"""
import json as _json
import numpy as _np
import matplotlib.pyplot as _plt


def _describe(ax):
    ax.figure.canvas.draw()
    x0, x1 = sorted(ax.get_xlim())
    y0, y1 = sorted(ax.get_ylim())
    ticks = [(float(v), t.get_text()) for v, t in zip(ax.get_xticks(), ax.get_xticklabels())]
    points = []
    for line in ax.get_lines():
        if line.get_transform() is not ax.transData:  # axhline/axvline: partly in axes coordinates
            continue
        xy = _np.asarray(line.get_xydata(), dtype=float)
        points.append(xy[_np.isfinite(xy).all(axis=1)].tolist())
    for coll in ax.collections:
        offsets = _np.asarray(coll.get_offsets(), dtype=float)
        if len(offsets) > 1:
            points.append(offsets[_np.isfinite(offsets).all(axis=1)].tolist())
    bars = [[float(v) for v in (p.get_x(), p.get_x() + p.get_width(), p.get_y(), p.get_y() + p.get_height())]
            for p in ax.patches if hasattr(p, "get_width")]
    return {"xlim": [x0, x1], "ylim": [y0, y1], "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel(),
            "xticks": [[v, t] for v, t in ticks if x0 <= v <= x1], "points": points, "bars": bars,
            "xaxis_dates": "dates" in type(ax.xaxis.get_major_formatter()).__module__}


import pathlib as _pathlib
_out = _pathlib.Path(FIGURE_DIR)
_out.mkdir(parents=True, exist_ok=True)
for _n in _plt.get_fignums():
    _plt.figure(_n).savefig(_out / (_plt.figure(_n).get_label().replace(" ", "_") + ".png"), dpi=80,
                            bbox_inches="tight")
print("FIGURES=" + _json.dumps({_plt.figure(n).get_label(): [_describe(ax) for ax in _plt.figure(n).axes]
                                for n in _plt.get_fignums()}))
"""

#: Where the test saves every figure of each notebook (README's notebook figure comes from here).
ARTIFACTS = NOTEBOOKS.parent / "results" / "test-artifacts" / "notebooks"
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

#: What each figure's x axis must say: the tick labels expected (in order), or for the figures
#: with years on the axis, that it is a date axis.
EXPECTED_TICKS = {
    "monthly arrivals": MONTHS + ["Jan"],  # the axis runs to 1 January 2026
    "pilot returns": ["Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb"],
    "seasonality": MONTHS,
    "crossing days": MONTHS,
    "pilot timeline": ["Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul"],
    "change by scenario": ["pilot", "rampup_x5", "parity"],
    "sweep": ["x1", "x2", "x5", "x10"],
    "sobol": ["deterrence_strength", "returnee_recross_daily", "challenge_success_prob", "try_prob"],
}
DATE_AXES = {"people per boat", "one seed"}

#: Figures each notebook must draw.
FIGURES = {
    "01_first_run.ipynb": {"monthly arrivals", "pilot returns", "beliefs"},
    "02_does_removal_deter.ipynb": {"one seed", "change by scenario", "change by strength"},
    "03_what_matters.ipynb": {"sweep", "sobol"},
    "04_the_data.ipynb": {"seasonality", "crossing days", "people per boat", "pilot timeline"},
}
SLOW = {"02_does_removal_deter.ipynb", "03_what_matters.ipynb"}


def run_and_describe(name: str):
    """Run the notebook as built, with the two cells of the test around it; return the executed
    notebook, its figures' descriptions and the seconds it took."""
    nb = build_notebooks.build(name, build_notebooks.NOTEBOOKS[name])
    nb.cells.insert(0, nbformat.v4.new_code_cell(KEEP_FIGURES))
    figure_dir = ARTIFACTS / Path(name).stem
    nb.cells.append(nbformat.v4.new_code_cell(f"FIGURE_DIR = {str(figure_dir)!r}\n" + DESCRIBE_FIGURES))
    t0 = time.perf_counter()
    build_notebooks.execute(nb)  # raises CellExecutionError on the first failing cell
    seconds = time.perf_counter() - t0
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    return nb, json.loads(text.split("FIGURES=", 1)[1]), seconds


def check_figure(label: str, axes: list[dict]) -> None:
    assert axes, f"{label}: no axes"
    for ax in axes:
        assert ax["ylabel"], f"{label}: the y axis has no label"
        x0, x1 = ax["xlim"]
        y0, y1 = ax["ylim"]
        slack_x, slack_y = 1e-6 * (abs(x1 - x0) + 1), 1e-6 * (abs(y1 - y0) + 1)
        drawn = 0
        for series in ax["points"]:
            for x, y in series:
                assert x0 - slack_x <= x <= x1 + slack_x and y0 - slack_y <= y <= y1 + slack_y, (
                    f"{label}: a point ({x:g}, {y:g}) lies outside the axes {ax['xlim']} x {ax['ylim']}"
                )
                drawn += 1
        for left, right, bottom, top in ax["bars"]:
            assert x0 - slack_x <= min(left, right) and max(left, right) <= x1 + slack_x, (
                f"{label}: a bar at x = {left:g}..{right:g} lies outside the axes {ax['xlim']}"
            )
            assert y0 - slack_y <= min(bottom, top) and max(bottom, top) <= y1 + slack_y, (
                f"{label}: a bar's height lies outside the axes {ax['ylim']}"
            )
            drawn += 1
        assert drawn, f"{label}: nothing is drawn"
        labels = [t for _, t in ax["xticks"] if t]
        assert labels, f"{label}: the x axis shows no tick labels"
        xs = [x for series in ax["points"] for x, _ in series] + [v for b in ax["bars"] for v in b[:2]]
        assert (max(xs) - min(xs)) >= 0.4 * (x1 - x0), (
            f"{label}: the data fill {min(xs):g}..{max(xs):g}, a sliver of the x axis {x0:g}..{x1:g}"
        )
    main = axes[0]
    labels = [t for _, t in main["xticks"] if t]
    if label in EXPECTED_TICKS:
        assert labels == EXPECTED_TICKS[label], f"{label}: x tick labels {labels}"
    if label in DATE_AXES:
        assert main["xaxis_dates"], f"{label}: the x axis is not dates"


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in build_notebooks.NOTEBOOKS]
)
def test_notebook_runs_and_its_figures_show_their_data(name):
    nb, figures, seconds = run_and_describe(name)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code)
    assert FIGURES[name] <= set(figures), f"{name} draws {sorted(figures)}"
    for label, axes in figures.items():
        check_figure(label, axes)
    print(f"{name}: ran in {seconds:.0f} s")  # the target is under 3 minutes (build_notebooks.py --check prints it too)


def test_committed_notebooks_are_the_built_ones_without_outputs():
    committed = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
    assert committed == sorted(build_notebooks.NOTEBOOKS), "run notebooks/build_notebooks.py"
    for name, cells in build_notebooks.NOTEBOOKS.items():
        on_disk = nbformat.read(NOTEBOOKS / name, as_version=4)
        built = build_notebooks.build(name, cells)
        assert [c.source for c in on_disk.cells] == [c.source for c in built.cells], (
            f"{name} differs from notebooks/build_notebooks.py: run that script"
        )
        assert not any(c.get("outputs") for c in on_disk.cells), f"{name} is committed with outputs"


def test_every_notebook_explains_first_and_ends_with_exercises():
    for name, cells in build_notebooks.NOTEBOOKS.items():
        assert cells[0][0] == "md" and "plain words" in cells[0][1], f"{name} does not start by explaining"
        assert cells[-1][0] == "md" and "## Exercises" in cells[-1][1], f"{name} does not end with exercises"
