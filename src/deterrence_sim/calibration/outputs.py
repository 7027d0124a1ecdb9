"""What a finished fit gives: posterior summaries (quantiles, the parameter table, the prior and
posterior figure), the point estimate, the calibrated parameter set and the files
``deterrence-sim calibrate`` writes (``posterior_*.csv``, ``parameters.md``,
``prior_posterior.png``, ``calibrated.toml``)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..runner import simulate
from .fit import generations, posterior
from .month_sd import MONTH_SD_FILE
from .priors import CalibParam
from .setting import SETTINGS, Setting, fitted_params, model_kwargs


def weighted_quantile(x, w, q):
    x, w = np.asarray(x, float), np.asarray(w, float)
    order = np.argsort(x)
    x, w = x[order], w[order]
    cdf = (np.cumsum(w) - 0.5 * w) / w.sum()
    return np.interp(q, cdf, x)


def parameter_table(post, priors: dict[str, CalibParam]) -> list[dict]:
    rows = []
    for name, p in priors.items():
        d = p.prior.scipy()
        lo, hi = d.ppf([0.05, 0.95])
        q = weighted_quantile(post[name], post["weight"], [0.05, 0.5, 0.95])
        rows.append(
            {
                "parameter": name,
                "prior": p.prior.describe(),
                "prior_median": float(d.median()),
                "prior_p05": float(lo),
                "prior_p95": float(hi),
                "post_median": float(q[1]),
                "post_p05": float(q[0]),
                "post_p95": float(q[2]),
                "width_ratio": float((q[2] - q[0]) / (hi - lo)),
            }
        )
    return rows


def _fmt(x: float) -> str:
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    if abs(x) >= 0.1:
        return f"{x:.3f}"
    return f"{x:.2g}"


def parameter_markdown(rows: list[dict]) -> str:
    lines = [
        "| parameter | prior | prior median [90%] | posterior median | posterior 90% interval | "
        "posterior/prior width |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| `{r['parameter']}` | {r['prior']} | {_fmt(r['prior_median'])} "
            f"[{_fmt(r['prior_p05'])}, {_fmt(r['prior_p95'])}] | {_fmt(r['post_median'])} | "
            f"[{_fmt(r['post_p05'])}, {_fmt(r['post_p95'])}] | {r['width_ratio']:.2f} |"
        )
    return "\n".join(lines)


def plot_prior_posterior(posts: dict, priors: dict[str, CalibParam], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(priors)
    cols = 4
    rows = -(-len(names) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 2.8 * rows))
    for ax, name in zip(np.ravel(axes), names):
        d = priors[name].prior.scipy()
        lo, hi = d.ppf([0.005, 0.995])
        xs = np.linspace(lo, hi, 300)
        ax.plot(xs, d.pdf(xs), color="grey", lw=1.5, label="prior")
        for (label, post), colour in zip(posts.items(), ("tab:blue", "tab:orange")):
            ax.hist(
                post[name],
                weights=post["weight"],
                bins=25,
                range=(lo, hi),
                density=True,
                alpha=0.45,
                color=colour,
                label=f"posterior ({label})",
            )
        ax.set_title(name, fontsize=9)
        ax.tick_params(labelsize=7)
    for ax in np.ravel(axes)[len(names) :]:
        ax.axis("off")
    np.ravel(axes)[0].legend(fontsize=7)
    fig.suptitle("Prior (line) and ABC-SMC posterior (histograms)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def point_estimate(post) -> dict:
    """The calibrated parameter set: the posterior median of each parameter."""
    return {k: float(weighted_quantile(post[k], post["weight"], 0.5)) for k in post.columns if k not in ("weight",)}


def state_on(theta: dict, setting: Setting, day: str, seeds=range(8)) -> dict:
    """Mean networks' load and people waiting on the coast at the end of ``day`` in the fit's
    setting: the starting values for runs that begin the day after (the model's default start)."""
    loads, waiting = [], []
    for s in seeds:
        result = simulate(model_kwargs(theta, setting, end=day), seed=1000 + s)
        loads.append(float(result.network_load.mean()))
        waiting.append(int(result["waiting_in_france"][-1]))
    return {"people_per_boat_initial": round(float(np.mean(loads)), 1), "initial_waiting": int(np.mean(waiting))}


def default_values(theta: dict, setting: Setting) -> dict:
    """Model defaults (for runs starting 2025-01-01) from the calibrated parameter set: the values
    of :func:`~deterrence_sim.calibration.setting.fitted_params` (inflow levels rounded to 10, the
    others to 3 significant digits), the fit's inflow shape, and the fitted run's state on
    2024-12-31 in place of the fit's starting state."""
    start_state = state_on(theta, setting, "2024-12-31")
    values = {k: _rounded(k, v) for k, v in fitted_params(theta, setting.start).items() if k != "inflow_month_sd"}
    values["inflow_seasonality"] = list(setting.fixed()["inflow_seasonality"])
    values["initial_waiting"] = start_state["initial_waiting"]
    values["people_per_boat_initial"] = min(start_state["people_per_boat_initial"], 80.0)
    order = (
        "inflow_per_year",
        "inflow_seasonality",
        "initial_waiting",
        "try_prob",
        "deterrence_strength",
        "people_per_boat_initial",
        "people_per_boat_gain",
        "beach_prevention_prob",
        "returnee_recross_daily",
    )
    return {k: values[k] for k in order if k in values} | {k: v for k, v in values.items() if k not in order}


def _rounded(name: str, value):
    """A calibrated value as written into calibrated.toml (schedules rounded entry by entry)."""
    if isinstance(value, dict):
        return {day: _rounded(name, v) for day, v in value.items()}
    if name == "inflow_per_year":
        return round(value, -1)
    return float(f"{value:.3g}")


MONTH_SD_COMMENT = (
    "# inflow_month_sd: method-of-moments estimate (deterrence_sim.calibration.estimate_inflow_month_sd)",
    "#   from the full fit's monthly residuals, {first}..{last}, {weather} weather, {replicates} runs per moment,",
    "#   corrected for the share of a month's inflow that reaches its arrivals (k = {k}); details in {file}.",
    "#   Written by `deterrence-sim calibrate` (alone: `deterrence-sim calibrate --only-inflow-month-sd`). The",
    "#   month multiplier has mean one, so the values above, fitted with it off, stay valid.",
)


def month_sd_toml_lines(estimate: dict) -> list[str]:
    k = estimate.get("transmission")
    text = "\n".join(MONTH_SD_COMMENT).format(
        replicates=estimate["replicates"],
        file=MONTH_SD_FILE,
        k="-" if k is None else f"{k:.2f}",
        first=estimate.get("first_month", "?"),
        last=estimate.get("last_month", "?"),
        weather=estimate.get("weather", "observed"),
    )
    return [*text.splitlines(), f"inflow_month_sd = {_toml_value(float(estimate['sd']))}"]


def set_month_sd_in_toml(path: Path, estimate: dict) -> None:
    """Put the estimate into an existing calibrated.toml: replace its ``inflow_month_sd`` line and
    the comment above it, or add them at the end of ``[params]``."""
    lines, skipping = [], False
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.startswith("# inflow_month_sd:"):
            skipping = True
        elif not (skipping and line.startswith("#   ")):
            skipping = False
            if not line.startswith("inflow_month_sd ="):
                lines.append(line)
    while lines and not lines[-1].strip():
        lines.pop()
    Path(path).write_text("\n".join(lines + month_sd_toml_lines(estimate)) + "\n", encoding="utf-8")


def _toml_value(v) -> str:
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, float) and v.is_integer():
        return f"{v:.1f}"
    return repr(v) if not isinstance(v, str) else json.dumps(v)


def calibrated_toml(values: dict, theta: dict, meta: dict) -> str:
    header = [
        "# The calibrated parameter set: the model's defaults (src/deterrence_sim/params.py) and the",
        "# base of experiments/scenarios/pilot.toml. Written by `deterrence-sim calibrate`.",
        f"#   date of the fit:   {meta['date']}",
        f"#   command:           {meta['command']}",
        f"#   data window:       {meta['window']}",
        f"#   budget:            {meta['budget']} simulations per fit, population {meta['population']}, "
        f"seed {meta['seed']}",
        f"#   full fit:          {meta['generations']} generations, {meta['simulations']} simulations, "
        f"final epsilon {meta['epsilon']:.3g}",
        "#   method:            ABC-SMC (pyabc), posterior median of each parameter; see docs/ODD.md section 10",
        "# people_per_boat_initial and initial_waiting are the calibrated run's state on 2024-12-31, so that",
        "# runs starting 2025-01-01 (the default) carry on from it. For runs starting 2023-01-01 use",
        f"# people_per_boat_initial = {theta['people_per_boat_initial']:.1f} and initial_waiting = 3000.",
        'name = "calibrated"',
        'description = "The calibrated parameter set (ABC-SMC fit to SB01/SB02/pilot data 2023-2025); the '
        "model's defaults.\"",
        "",
        "[params]",
    ]
    body = [f"{k} = {_toml_value(v)}" for k, v in values.items()]
    return "\n".join(header + body) + "\n"


def write_outputs(out: Path, priors, fits: dict, meta: dict, setting: Setting) -> dict:
    """posterior CSVs, parameters.md, prior_posterior.png and calibrated.toml for finished fits."""
    posts = {name: posterior(Path(info["db"])) for name, info in fits.items()}
    for name, post in posts.items():
        post.to_csv(out / f"posterior_{name}.csv", index=False, float_format="%.6g")
    lines = [
        "# Calibration: parameter table",
        "",
        f"Written by `{meta['command']}` on {meta['date']}. ABC-SMC with pyabc; budget {meta['budget']} "
        f"simulations per fit, population {meta['population']}, seed {meta['seed']}.",
        "",
    ]
    tables = {}
    for name, post in posts.items():
        info, s = fits[name], SETTINGS[name]
        pops = generations(Path(info["db"]))
        rows = parameter_table(post, priors)
        tables[name] = rows
        lines += [
            f"## Fit `{name}`: {s.describe()}",
            "",
            f"{info['generations']} generations, {info['simulations']} simulations; epsilon by generation: "
            + ", ".join(f"{e:.3g}" for e in pops.epsilon if np.isfinite(e))
            + ".",
            "",
            parameter_markdown(rows),
            "",
        ]
    lines += [
        "`posterior/prior width` is the width of the posterior 90% interval over the prior's: near 1 means the "
        "data say little about that parameter.",
        "",
    ]
    (out / "parameters.md").write_text("\n".join(lines), encoding="utf-8")
    plot_prior_posterior(posts, priors, out / "prior_posterior.png")
    result = {"tables": tables}
    if "full" in posts:
        theta = point_estimate(posts["full"])
        values = default_values(theta, setting)
        pops = generations(Path(fits["full"]["db"]))
        meta = {
            **meta,
            "generations": fits["full"]["generations"],
            "simulations": fits["full"]["simulations"],
            "epsilon": float(pops.epsilon.iloc[-1]),
        }
        (out / "calibrated.toml").write_text(calibrated_toml(values, theta, meta), encoding="utf-8")
        result["theta"], result["values"] = theta, values
    return result


def draw(post, n: int, seed: int) -> list[dict]:
    """``n`` parameter sets resampled from weighted posterior samples (``post``: a posterior CSV's
    table, a ``weight`` column and one column per parameter) by systematic resampling."""
    rng = np.random.default_rng(seed)
    w = post["weight"].to_numpy(float)
    cum = np.cumsum(w / w.sum())
    idx = np.minimum(np.searchsorted(cum, (rng.random() + np.arange(n)) / n), len(post) - 1)
    idx = rng.permutation(idx)
    names = [c for c in post.columns if c != "weight"]
    return [{k: float(post.iloc[i][k]) for k in names} for i in idx]
