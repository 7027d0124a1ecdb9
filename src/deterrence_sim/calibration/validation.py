"""Checking the calibrated model against what was observed: ``deterrence-sim validate``.

Replicate ``i`` (at least 30) draws parameter set ``i`` from the posterior (weighted resampling
with a fixed seed) and runs with seed ``replicate_seed(seed, i)``. Four sets of runs:

* **in-sample, observed weather**: the full fit's posterior, 2023-01-01..2026-01-31, replaying the
  observed crossing days (the setting the model was fitted in);
* **in-sample, stochastic weather**: the same parameter sets with the Markov weather, to show how
  much of the fit the weather replay carries;
* **held-out forecast**: the posterior of the fit on data up to 2025-06-30, run on to 2025-12-31
  with the pilot's policy path, with the observed weather of 2025 H2 (a forecast conditional on
  the weather) and with stochastic weather (a forecast proper).

Every run has the month-to-month inflow noise on: ``inflow_month_sd`` is each fit's own
method-of-moments estimate (``inflow_month_sd.json`` in the calibration folder, written by
``deterrence-sim calibrate``), so the held-out forecast uses the estimate from the data up to
2025-06-30 only; ``--inflow-month-sd`` overrides it for every run.

Every observed-vs-simulated comparison uses :class:`deterrence_sim.observed.targets.TargetSet`, the same
definitions the calibration fits. Writes ``validation.md``, ``validation_*.png`` and
``validation_summary.csv`` into ``--out``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from .. import calibration as cal
from ..observed import data
from .outputs import draw
from ..errors import ConfigError
from ..runner import default_workers, replicate_seed
from ..safeio import read_csv
from ..observed.targets import TargetSet, mard
from ..workers import worker_pool

COLUMNS = ("arrivals", "boats", "prevented", "removed", "admitted_legal_route", "recrossings", "sea_viable")
DEFAULT_REPLICATES = 40
H2_FIRST, H2_LAST = "2025-07", "2025-12"


@dataclasses.dataclass
class RunSet:
    label: str
    setting: cal.Setting
    end: str
    weather: str
    thetas: list
    targets: TargetSet
    daily: list = dataclasses.field(default_factory=list)  # one dict of arrays per replicate
    sims: np.ndarray | None = None  # replicates x targets


def find_calibration(folder: str | None) -> Path:
    """The folder with the posterior samples: the one given, else results/calibration if it has
    them, else the committed experiments/calibration."""
    if folder is not None:
        path = Path(folder)
        if not (path / "posterior_full.csv").is_file():
            raise ConfigError(
                f"calibration: no posterior_full.csv in {path}; run the calibration with its output there first"
            )
        return path
    for path in (Path("results") / "calibration", cal.CALIBRATED_DIR):
        if (path / "posterior_full.csv").is_file():
            return path
    raise ConfigError(
        "no calibration found (results/calibration or experiments/calibration); run `deterrence-sim calibrate` first"
    )


def month_sd_for(folder: Path, override: float | None = None) -> dict[str, tuple[float, str]]:
    """``inflow_month_sd`` for the runs of each fit, and where it comes from: ``override`` if given,
    else the fit's estimate stored in ``folder`` (``inflow_month_sd.json``), else the model default."""
    from ..params import PARAMS

    if override is not None:
        value = PARAMS["inflow_month_sd"].check("inflow_month_sd", override)
        return dict.fromkeys(cal.FITS, (value, "--inflow-month-sd"))
    stored = cal.read_month_sd(folder)
    default = float(PARAMS["inflow_month_sd"].default)
    return {
        fit: (stored[fit], f"estimated from the {fit} fit's residuals, `{Path(folder) / cal.MONTH_SD_FILE}`")
        if fit in stored
        else (default, "the model default")
        for fit in cal.FITS
    }


def _one(args):
    theta, setting, end, weather, seed = args
    result = cal.simulate(theta, setting, seed, end=end, weather=weather)
    return {c: result[c] for c in COLUMNS}


def run_set(rs: RunSet, seed: int, workers: int, progress: bool) -> RunSet:
    from tqdm.auto import tqdm

    jobs = [(theta, rs.setting, rs.end, rs.weather, replicate_seed(seed, i)) for i, theta in enumerate(rs.thetas)]
    bar = tqdm(total=len(jobs), desc=f"validate {rs.label}", unit="rep", disable=not progress, leave=False)
    with worker_pool(workers, len(jobs)) as pool:  # forkserver workers, safe with threads
        for d in (pool.map if pool else map)(_one, jobs):
            rs.daily.append(d)
            bar.update()
    bar.close()
    rs.sims = np.array([rs.targets.simulated(d) for d in rs.daily])
    return rs


# --------------------------------------------------------------------------- measures
def band(x: np.ndarray, axis=0):
    return np.percentile(x, [5, 50, 95], axis=axis)


def rows_for(rs: RunSet, group: str, prefix: str = "") -> pd.DataFrame:
    idx = [i for i in rs.targets.select(group) if rs.targets.names[i].startswith(prefix)]
    p05, p50, p95 = band(rs.sims[:, idx])
    obs = rs.targets.observed[idx]
    return pd.DataFrame(
        {
            "target": [rs.targets.names[i] for i in idx],
            "observed": obs,
            "sim_median": p50,
            "sim_p05": p05,
            "sim_p95": p95,
            "inside_90": (obs >= p05) & (obs <= p95),
        }
    )


def monthly_measures(rs: RunSet, months: tuple[str, str] | None = None) -> dict:
    m = rows_for(rs, "monthly")
    if months:
        keep = (m.target.str[-7:] >= months[0]) & (m.target.str[-7:] <= months[1])
        m = m[keep.to_numpy()]
    idx = [rs.targets.names.index(t) for t in m.target]
    per_rep = [mard(rs.sims[r, idx], m.observed) for r in range(len(rs.sims))]
    return {
        "table": m,
        "mard_median": mard(m.sim_median, m.observed),
        "mard_replicates": float(np.mean(per_rep)),
        "coverage": float(m.inside_90.mean()),
        "n": len(m),
    }


def crossing_day_share(rs: RunSet) -> pd.DataFrame:
    """Share of days with at least one arrival, per month: simulated (median) and observed."""
    start = np.datetime64(rs.setting.start)
    n = len(rs.daily[0]["arrivals"])
    dates = start + np.arange(n)
    month = dates.astype("datetime64[M]")
    sb = data.daily_arrivals()
    obs = pd.Series(sb["arrivals"] > 0, index=sb["date"].astype("datetime64[M]")).groupby(level=0).mean()
    sim = np.array([pd.Series(d["arrivals"] > 0).groupby(month).mean().to_numpy() for d in rs.daily])
    months = np.unique(month)
    p05, p50, p95 = band(sim)
    out = pd.DataFrame({"month": months, "sim_median": p50, "sim_p05": p05, "sim_p95": p95})
    out["observed"] = obs.reindex(months).to_numpy()
    return out.dropna()


def cumulative_recrossings(rs: RunSet, day: str) -> np.ndarray:
    k = (dt.date.fromisoformat(day) - dt.date.fromisoformat(rs.setting.start)).days + 1
    return np.array([d["recrossings"][:k].sum() for d in rs.daily])


def h2_total(rs: RunSet) -> tuple[np.ndarray, float]:
    m = rows_for(rs, "monthly")
    keep = (m.target.str[-7:] >= H2_FIRST) & (m.target.str[-7:] <= H2_LAST)
    idx = [rs.targets.names.index(t) for t in m.target[keep.to_numpy()]]
    return rs.sims[:, idx].sum(axis=1), float(rs.targets.observed[idx].sum())


# --------------------------------------------------------------------------- report
def _n(x) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def _md_table(df: pd.DataFrame, cols: list[str], fmt=_n) -> str:
    head = "| " + " | ".join(cols) + " |\n|" + "---|" * len(cols)
    body = []
    for _, r in df.iterrows():
        cells = []
        for c in cols:
            v = r[c]
            cells.append(
                ("yes" if v else "no")
                if isinstance(v, (bool, np.bool_))
                else (fmt(v) if isinstance(v, (int, float, np.number)) else str(v))
            )
        body.append("| " + " | ".join(cells) + " |")
    return head + "\n" + "\n".join(body)


def _interval_rows(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    df["simulated median [90%]"] = [
        f"{_n(a)} [{_n(b)}, {_n(c)}]" for a, b, c in zip(df.sim_median, df.sim_p05, df.sim_p95)
    ]
    df["error of median"] = [f"{(a - o) / o:+.1%}" if o else "-" for a, o in zip(df.sim_median, df.observed)]
    return df


def figures(out: Path, sets: dict[str, RunSet]) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = []
    fig, axes = plt.subplots(2, 1, figsize=(11, 7.5))
    for ax, key, title in (
        (axes[0], "obs", "in-sample, observed weather"),
        (axes[1], "markov", "in-sample, stochastic weather"),
    ):
        m = monthly_measures(sets[key])["table"]
        x = pd.to_datetime(m.target.str[-7:])
        ax.fill_between(x, m.sim_p05, m.sim_p95, color="tab:blue", alpha=0.25, label="simulated 90% interval")
        ax.plot(x, m.sim_median, color="tab:blue", label="simulated median")
        ax.plot(x, m.observed, "k.-", label="observed (SB01)")
        if key == "obs" and "holdout_obs" in sets:
            h = monthly_measures(sets["holdout_obs"], (H2_FIRST, H2_LAST))["table"]
            xh = pd.to_datetime(h.target.str[-7:])
            ax.fill_between(xh, h.sim_p05, h.sim_p95, color="tab:orange", alpha=0.3, label="held-out forecast 90%")
            ax.plot(xh, h.sim_median, color="tab:orange", label="held-out forecast median")
        ax.set_title(f"Arrivals per month, {title}")
        ax.set_ylabel("people")
        ax.legend(fontsize=8, ncol=2)
    fig.tight_layout()
    fig.savefig(out / "validation_monthly.png", dpi=110)
    plt.close(fig)
    names.append("validation_monthly.png")

    rs = sets["obs"]
    fig, axes = plt.subplots(2, 3, figsize=(14, 7.5))
    y = rows_for(rs, "yearly")
    ax = axes[0, 0]
    xs = np.arange(len(y))
    ax.bar(xs - 0.2, y.observed, 0.4, color="k", label="observed")
    ax.bar(
        xs + 0.2,
        y.sim_median,
        0.4,
        yerr=[y.sim_median - y.sim_p05, y.sim_p95 - y.sim_median],
        color="tab:blue",
        label="simulated",
    )
    ax.set_xticks(xs, [t[-4:] for t in y.target])
    ax.set_title("Arrivals per year")
    ax.legend(fontsize=8)
    for ax, group, title in (
        (axes[0, 1], "ppb", "People per boat, per quarter"),
        (axes[0, 2], "prevented", "Share of attempts prevented (SB02)"),
    ):
        d = rows_for(rs, group)
        xs = np.arange(len(d))
        ax.errorbar(
            xs,
            d.sim_median,
            yerr=[d.sim_median - d.sim_p05, d.sim_p95 - d.sim_median],
            fmt="o",
            color="tab:blue",
            label="simulated",
        )
        ax.plot(xs, d.observed, "ks", label="observed")
        ax.set_xticks(xs, [t.split()[-1] for t in d.target], rotation=60, fontsize=7)
        ax.set_title(title)
    for ax, group, title in (
        (axes[1, 0], "returns", "Pilot: cumulative returns"),
        (axes[1, 1], "admissions", "Pilot: cumulative admissions"),
    ):
        d = rows_for(rs, group)
        x = pd.to_datetime(d.target.str[-10:])
        ax.fill_between(x, d.sim_p05, d.sim_p95, color="tab:blue", alpha=0.25)
        ax.plot(x, d.sim_median, "o-", color="tab:blue", label="simulated")
        ax.plot(x, d.observed, "ks", label="reported")
        ax.set_title(title)
        ax.tick_params(axis="x", labelrotation=30, labelsize=7)
    c = crossing_day_share(rs)
    ax = axes[1, 2]
    x = pd.to_datetime(c.month)
    ax.fill_between(x, c.sim_p05, c.sim_p95, color="tab:blue", alpha=0.25)
    ax.plot(x, c.sim_median, color="tab:blue", label="simulated")
    ax.plot(x, c.observed, "k.", label="observed")
    ax.set_title("Share of days with arrivals, per month")
    ax.tick_params(axis="x", labelrotation=30, labelsize=7)
    fig.suptitle("Observed vs simulated (median and 90% interval), observed weather")
    fig.tight_layout()
    fig.savefig(out / "validation_targets.png", dpi=110)
    plt.close(fig)
    names.append("validation_targets.png")
    return names


def _width_ratio(post: pd.DataFrame, lo: float, hi: float) -> tuple[np.ndarray, float]:
    q = cal.weighted_quantile(post["deterrence_strength"], post["weight"], [0.05, 0.5, 0.95])
    return q, float((q[2] - q[0]) / (hi - lo))


def identifiability_sentence(post: pd.DataFrame, post_holdout: pd.DataFrame | None = None) -> tuple[str, dict]:
    """One plain sentence on what the data say about the deterrence strength.

    The held-out fit sees no data after 2025-06-30, before the pilot's announcement, so the
    deterrence strength cannot affect anything it is fitted to: whatever narrowing its posterior
    shows there is the sampler's (few particles), which gives a yardstick for the full fit."""
    p = cal.CALIBRATED["deterrence_strength"].prior.scipy()
    lo, med, hi = p.ppf([0.05, 0.5, 0.95])
    q, ratio = _width_ratio(post, lo, hi)
    null = _width_ratio(post_holdout, lo, hi)[1] if post_holdout is not None else None
    informed = ratio < 0.6 and (null is None or ratio < 0.6 * null)
    how = (
        "differs from its prior from outside evidence"
        if informed
        else "is no better pinned down than its prior from outside evidence"
    )
    text = (
        f"The data cannot pin down the deterrence strength: its posterior (median {q[1]:.2f}, 90% interval "
        f"{q[0]:.2f}-{q[2]:.2f}) {how} (median {med:.2f}, {lo:.2f}-{hi:.2f}), because the pilot removed 281 "
        f"people by 2026-01-27, under 1% of the 41,472 who arrived in 2025, too few to change crossings by more "
        f"than the weather does."
    )
    if informed:
        text = text.replace("The data cannot pin down", "The data only partly pin down")
    detail = f"The posterior 90% interval is {ratio:.0%} of the prior's width" + (
        f"; in the held-out fit, which sees nothing after 2025-06-30 so that the deterrence strength cannot "
        f"affect any of its targets, the same interval is {null:.0%} of the prior's width, so narrowing of "
        f"this size comes from the sampler (few particles, few generations), not from the data."
        if null is not None
        else "."
    )
    return text, {"post": q, "prior": (lo, med, hi), "ratio": ratio, "null_ratio": null, "detail": detail}


def validate(
    out: Path,
    calibration: str | None = None,
    replicates: int = DEFAULT_REPLICATES,
    seed: int = 1,
    workers: int | None = None,
    progress: bool = True,
    with_holdout: bool = True,
    inflow_month_sd: float | None = None,
) -> dict:
    if replicates < 30 or replicates > 10_000:
        raise ConfigError(f"replicates: {replicates} is out of range; allowed: 30..10000 (at least 30)")
    folder = find_calibration(calibration)
    month_sd = month_sd_for(folder, inflow_month_sd)
    workers = default_workers() if workers is None else workers
    post_full = read_csv(folder / "posterior_full.csv", "posterior sample")
    missing = [k for k in cal.CALIBRATED if k not in post_full.columns]
    if missing or "weight" not in post_full.columns:
        raise ConfigError(f"{folder / 'posterior_full.csv'}: missing column(s) {', '.join(missing or ['weight'])}")
    thetas = [{**theta, "inflow_month_sd": month_sd["full"][0]} for theta in draw(post_full, replicates, seed)]
    full = cal.SETTINGS["full"]
    sets = {}
    for key, weather in (("obs", None), ("markov", "markov")):
        sets[key] = run_set(
            RunSet(
                f"in-sample ({weather or 'observed'} weather)",
                full,
                full.end,
                weather or "observed",
                thetas,
                full.targets(),
            ),
            seed,
            workers,
            progress,
        )
    hold_file = folder / "posterior_holdout.csv"
    if with_holdout and hold_file.is_file():
        hs = cal.SETTINGS["holdout"]
        h_thetas = [
            {**theta, "inflow_month_sd": month_sd["holdout"][0]}
            for theta in draw(read_csv(hold_file, "posterior sample"), replicates, seed)
        ]
        for key, weather in (("holdout_obs", None), ("holdout_markov", "markov")):
            sets[key] = run_set(
                RunSet(
                    f"held-out forecast ({weather or 'observed'} weather)",
                    hs,
                    "2025-12-31",
                    weather or "observed",
                    h_thetas,
                    TargetSet(hs.start, "2025-12-31", "2025-12-31"),
                ),
                seed,
                workers,
                progress,
            )
    out.mkdir(parents=True, exist_ok=True)
    post_hold = read_csv(hold_file, "posterior sample") if hold_file.is_file() else None
    return report(out, folder, sets, post_full, replicates, seed, post_hold, month_sd=month_sd)


def _holdout_measures(sets: dict[str, RunSet]) -> dict | None:
    """The held-out check's figures (forecast of 2025 H2 from the fit to 2025-06-30, with both
    weathers, against the in-sample fit), or None when the held-out runs were not made."""
    if "holdout_obs" not in sets:
        return None
    holdout = {}
    for key in ("holdout_obs", "holdout_markov"):
        tot, obs = h2_total(sets[key])
        p05, p50, p95 = band(tot)
        mm = monthly_measures(sets[key], (H2_FIRST, H2_LAST))
        holdout[key] = {
            "obs": obs,
            "p05": p05,
            "p50": p50,
            "p95": p95,
            "error": (p50 - obs) / obs,
            "mard": mm["mard_median"],
            "coverage": mm["coverage"],
            "table": mm["table"],
        }
    rs = sets["obs"]
    ins_tot, ins_obs = h2_total(rs)
    holdout["in_sample"] = {
        "p50": float(np.median(ins_tot)),
        "error": (np.median(ins_tot) - ins_obs) / ins_obs,
        "mard": monthly_measures(rs, (H2_FIRST, H2_LAST))["mard_median"],
    }
    return holdout


def _summary_table(
    year: dict, month: dict, share: pd.DataFrame, share_markov: pd.DataFrame, holdout: dict | None
) -> pd.DataFrame:
    """The summary: one row per measure, with both weathers and the criterion it is held to."""
    summary = []

    def add(measure, observed, obs_weather, markov_weather, criterion=""):
        summary.append(
            {
                "measure": measure,
                "observed": observed,
                "observed weather": obs_weather,
                "stochastic weather": markov_weather,
                "criterion": criterion,
            }
        )

    for i, target in enumerate(year["obs"].target):
        o = year["obs"].observed.iloc[i]
        a, b = year["obs"].sim_median.iloc[i], year["markov"].sim_median.iloc[i]
        add(
            target,
            f"{o:,.0f}",
            f"{a:,.0f} ({(a - o) / o:+.1%})",
            f"{b:,.0f} ({(b - o) / o:+.1%})",
            "within 10%" if target[-4:] in ("2024", "2025") else "",
        )
    add(
        "monthly MARD (36 months, median)",
        "-",
        f"{month['obs']['mard_median']:.3f}",
        f"{month['markov']['mard_median']:.3f}",
        "<= 0.25",
    )
    add(
        "monthly MARD (mean over replicates)",
        "-",
        f"{month['obs']['mard_replicates']:.3f}",
        f"{month['markov']['mard_replicates']:.3f}",
        "",
    )
    add(
        "months with observed value inside 90% interval",
        "-",
        f"{month['obs']['coverage']:.0%}",
        f"{month['markov']['coverage']:.0%}",
        ">= 80%",
    )
    add(
        "crossing-day share: mean absolute difference per month",
        "-",
        f"{np.mean(np.abs(share.sim_median - share.observed)):.3f}",
        f"{np.mean(np.abs(share_markov.sim_median - share_markov.observed)):.3f}",
        "",
    )
    if holdout is not None:
        ho, hm = holdout["holdout_obs"], holdout["holdout_markov"]
        add(
            "held-out 2025 H2 arrivals (forecast error)",
            f"{ho['obs']:,.0f}",
            f"{ho['p50']:,.0f} ({ho['error']:+.1%})",
            f"{hm['p50']:,.0f} ({hm['error']:+.1%})",
            "reported",
        )
        add("held-out 2025 H2 monthly MARD", "-", f"{ho['mard']:.3f}", f"{hm['mard']:.3f}", "reported")
    return pd.DataFrame(summary)


def _intro_lines(
    folder: Path, replicates: int, seed: int, rs: RunSet, month_sd: dict[str, tuple[float, str]] | None
) -> list[str]:
    """The report's title and what was run."""
    return [
        "# Validation of the calibrated model",
        "",
        f"Posterior samples from `{folder}`; {replicates} replicates, each with its own parameter set drawn from "
        f"the posterior and its own seed (`--seed {seed}`). In-sample runs: {rs.setting.start} to {rs.setting.end}, "
        "the pilot's policy path (the model defaults). *Observed weather* replays the Home Office record of "
        "crossing days (the days with at least one arrival) as the sea-viable days: the weather is an exogenous "
        "driver, and the fit was made in this setting. *Stochastic weather* uses the model's monthly Markov "
        "chain instead, as scenario runs do.",
        "",
        *(
            [
                f"Month-to-month inflow noise: `inflow_month_sd` = {month_sd['full'][0]:g} in the in-sample runs "
                f"({month_sd['full'][1]}) and {month_sd['holdout'][0]:g} in the held-out forecast "
                f"({month_sd['holdout'][1]}).",
                "",
            ]
            if month_sd
            else []
        ),
    ]


def _in_sample_lines(
    rs: RunSet, year: dict, month: dict, share: pd.DataFrame, share_markov: pd.DataFrame, recross: dict
) -> list[str]:
    """The in-sample sections: arrivals per year and month, crossing days, people per boat,
    preventions, the pilot's returns and admissions, re-crossings."""
    return [
        "## Arrivals per year",
        "",
        _md_table(_interval_rows(year["obs"]), ["target", "observed", "simulated median [90%]", "error of median"]),
        "",
        "With stochastic weather:",
        "",
        _md_table(_interval_rows(year["markov"]), ["target", "observed", "simulated median [90%]", "error of median"]),
        "",
        "## Arrivals per month",
        "",
        f"Monthly averaged relative difference (MARD, sum |sim - obs| / sum obs) of the simulated median: "
        f"{month['obs']['mard_median']:.3f} with observed weather, {month['markov']['mard_median']:.3f} with "
        f"stochastic weather; averaged over replicates {month['obs']['mard_replicates']:.3f} and "
        f"{month['markov']['mard_replicates']:.3f}. Posterior predictive check: {month['obs']['coverage']:.0%} of "
        f"the {month['obs']['n']} observed monthly values fall inside the simulated 90% interval with observed "
        f"weather ({month['markov']['coverage']:.0%} with stochastic weather).",
        "",
        _md_table(
            _interval_rows(month["obs"]["table"]),
            ["target", "observed", "simulated median [90%]", "error of median", "inside_90"],
        ),
        "",
        "## Share of crossing days per month",
        "",
        "With observed weather a day can have arrivals only if it had arrivals in the record, so this share is "
        "largely an input; it falls short of the record only when nobody is ready to cross on a viable day. With "
        "stochastic weather it is a test of the weather chain.",
        "",
        _md_table(
            share.assign(
                month=share.month.astype(str).str[:7], **{"stochastic weather": share_markov.sim_median.to_numpy()}
            ),
            ["month", "observed", "sim_median", "stochastic weather"],
            fmt=lambda v: f"{v:.2f}",
        ),
        "",
        "## People per boat, per quarter",
        "",
        _md_table(_interval_rows(rows_for(rs, "ppb")), ["target", "observed", "simulated median [90%]", "inside_90"]),
        "",
        "## Share of attempts prevented by the French (SB02 weeks)",
        "",
        _md_table(
            _interval_rows(rows_for(rs, "prevented")), ["target", "observed", "simulated median [90%]", "inside_90"]
        ),
        "",
        "## Pilot: returns and admissions on each reported date",
        "",
        _md_table(
            _interval_rows(pd.concat([rows_for(rs, "returns"), rows_for(rs, "admissions")])),
            ["target", "observed", "simulated median [90%]", "inside_90"],
        ),
        "",
        "## Re-crossings by returnees",
        "",
        f"Observed: 2 by November 2025 (18 October and 10 November). Simulated cumulative re-crossings by "
        f"2025-11-30: median {recross['2025-11-30'][1]:.0f} [90% interval {recross['2025-11-30'][0]:.0f}-"
        f"{recross['2025-11-30'][2]:.0f}]; by 2026-01-27: median {recross['2026-01-27'][1]:.0f} "
        f"[{recross['2026-01-27'][0]:.0f}-{recross['2026-01-27'][2]:.0f}].",
        "",
    ]


def _holdout_lines(holdout: dict | None, folder: Path) -> list[str]:
    """The held-out check's section (or why it was not run)."""
    if not holdout:
        return ["## Held-out check", "", f"Not run: no `posterior_holdout.csv` in `{folder}`.", ""]
    ho, hm, ins = holdout["holdout_obs"], holdout["holdout_markov"], holdout["in_sample"]
    return [
        "## Held-out check: forecast of 2025-07-01..2025-12-31",
        "",
        "The model was refitted on data up to 2025-06-30 only (`--fit holdout`: yearly 2023-24, monthly to June "
        "2025, people per boat to 2025 Q2, preventions to 2025 H1, no pilot data), and run on to 2025-12-31 with "
        "the pilot's policy path. Parameters the first half of 2025 says nothing about (the second-half beach "
        "prevention, re-crossing, deterrence) come from their priors.",
        "",
        "| | observed | forecast median [90%] | error of median | monthly MARD Jul-Dec | months inside 90% |",
        "|---|---|---|---|---|---|",
        f"| held-out forecast, observed weather | {ho['obs']:,.0f} | {ho['p50']:,.0f} [{ho['p05']:,.0f}, "
        f"{ho['p95']:,.0f}] | {ho['error']:+.1%} | {ho['mard']:.3f} | {ho['coverage']:.0%} |",
        f"| held-out forecast, stochastic weather | {hm['obs']:,.0f} | {hm['p50']:,.0f} [{hm['p05']:,.0f}, "
        f"{hm['p95']:,.0f}] | {hm['error']:+.1%} | {hm['mard']:.3f} | {hm['coverage']:.0%} |",
        f"| in-sample fit (all data), observed weather | {ho['obs']:,.0f} | {ins['p50']:,.0f} | "
        f"{ins['error']:+.1%} | {ins['mard']:.3f} | - |",
        "",
        _md_table(_interval_rows(ho["table"]), ["target", "observed", "simulated median [90%]", "inside_90"]),
        "",
    ]


def report(
    out: Path,
    folder: Path,
    sets: dict[str, RunSet],
    post_full: pd.DataFrame,
    replicates: int,
    seed: int,
    post_holdout: pd.DataFrame | None = None,
    month_sd: dict[str, tuple[float, str]] | None = None,
) -> dict:
    """Write validation.md, validation_summary.csv and the figures from the runs; return the measures."""
    rs = sets["obs"]
    month = {k: monthly_measures(sets[k]) for k in ("obs", "markov")}
    year = {k: rows_for(sets[k], "yearly") for k in ("obs", "markov")}
    share = crossing_day_share(rs)
    share_markov = crossing_day_share(sets["markov"])
    recross = {day: band(cumulative_recrossings(rs, day)) for day in ("2025-11-30", "2026-01-27")}
    ident, ident_numbers = identifiability_sentence(post_full, post_holdout)
    holdout = _holdout_measures(sets)
    summary = _summary_table(year, month, share, share_markov, holdout)
    summary.to_csv(out / "validation_summary.csv", index=False)
    figs = figures(out, sets)
    L = [
        *_intro_lines(folder, replicates, seed, rs, month_sd),
        "## Identifiability",
        "",
        ident,
        "",
        ident_numbers["detail"],
        "",
        "## Summary",
        "",
        _md_table(summary, list(summary.columns)),
        "",
        f"Figures: {', '.join(f'`{f}`' for f in figs)}.",
        "",
        *_in_sample_lines(rs, year, month, share, share_markov, recross),
        *_holdout_lines(holdout, folder),
    ]
    (out / "validation.md").write_text("\n".join(L), encoding="utf-8")
    return {
        "summary": summary,
        "month": month,
        "year": year,
        "holdout": holdout,
        "identifiability": ident,
        "ident_numbers": ident_numbers,
        "folder": folder,
    }


__all__ = ["validate", "report", "draw", "find_calibration", "month_sd_for", "DEFAULT_REPLICATES"]
