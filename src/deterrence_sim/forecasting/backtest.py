"""Rolling-origin backtest of the model against probabilistic baselines: ``deterrence-sim backtest``.

At every month-end from :data:`FIRST_ORIGIN` to :data:`LAST_ORIGIN` (32 origins) three
forecasters forecast the arrivals of each of the next :data:`HORIZON_MONTHS` months that the data
hold, from the data up to the origin only:

* **the model** (:mod:`deterrence_sim.forecasting.forecast`): its runs with posterior draws, stochastic
  weather, month noise and level drift, the pilot's policy path. Fits are reused across origins:
  an origin uses the latest stored fit whose data end on or before it (the committed fits under
  ``experiments/forecast``, one every half-year from 2023-06-30), and a fit is made only where none
  is at most :data:`REFIT_MONTHS` months old (at the half-year end before the origin, into the
  output folder). Between two fits the model knows the months since its fit only as the observed
  weather; the level drift, the weather chain and the data the runs replay are the origin's.
* the two probabilistic baselines of :mod:`deterrence_sim.forecasting.baselines` (seasonal level x lognormal;
  the negative-binomial count model of daily arrivals).

Every forecaster gives the same number of draws per month and is scored on the same months by the
same code (:mod:`deterrence_sim.forecasting.scores`): CRPS, log score, PIT, coverage of the central 50%, 80%
and 90% intervals. The report gives them overall, by horizon and by origin, with the share of
origins at which the model's CRPS is no worse than the better baseline's, and the figures (PIT
histograms, coverage, CRPS by horizon and by origin).

Cost and interruptions: all origins' runs go through one process pool; each origin's draws and
scores are written whole and atomically to ``origins/<origin>.json`` as soon as its runs are
done, and ``--resume`` keeps every origin file made with the same settings and fit, so an
interrupted backtest carries on where it stopped. The late-2025 check (:func:`late_2025`) is part
of the report.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from . import baselines as bl
from .. import calibration as cal
from ..observed import data
from .. import safeio
from . import scores
from . import forecast as fc
from ..errors import ConfigError
from ..limits import check_seed
from ..workers import worker_pool

FIRST_ORIGIN = dt.date(2023, 6, 30)
LAST_ORIGIN = dt.date(2026, 1, 31)
HORIZON_MONTHS = 6
DEFAULT_BUDGET = 1000
DEFAULT_POPULATION = 40
#: Draws per forecaster and origin: 200 model runs of up to 3.5 simulated years each (about 30
#: CPU-seconds an origin), enough for the 5% and 95% quantiles and a kernel log score.
DEFAULT_DRAWS = 200
#: A stored fit older than this at an origin is not reused: a fit is made at the half-year end.
REFIT_MONTHS = 6
MODEL = "model"
FORECASTERS = (MODEL, *bl.BASELINES)
ORIGINS_DIR = "origins"
#: Layout version of the per-origin files (``--resume`` keeps only files of this version).
VERSION = 1
LATE = ("09-18", "12-31")  # the stretch of 2025 after the first pilot returns
OUTPUT_PATTERNS = ("backtest*.md", "backtest*.csv", "backtest*.json", "*.png")


# --------------------------------------------------------------------------- origins, months and fits
def month_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every month-end from ``first``'s month to ``last``'s."""
    out, m = [], dt.date(first.year, first.month, 1)
    while m <= last:
        nxt = dt.date(m.year + m.month // 12, m.month % 12 + 1, 1)
        end = nxt - dt.timedelta(days=1)
        if first <= end <= last:
            out.append(end)
        m = nxt
    return out


def last_complete_month() -> str:
    """The last month the observed daily arrivals cover whole ('YYYY-MM')."""
    last = data.daily_arrivals()["date"][-1].astype(object)
    m = pd.Period(last, "M")
    return (m if (last + dt.timedelta(days=1)).day == 1 else m - 1).strftime("%Y-%m")


def scored_months(origin: dt.date, last_month: str, horizon: int = HORIZON_MONTHS) -> list[str]:
    """The months after ``origin`` a backtest scores: at most ``horizon``, all observed."""
    first = pd.Period(origin, "M") + 1
    return [m for m in ((first + k).strftime("%Y-%m") for k in range(horizon)) if m <= last_month]


def half_year_end(day: dt.date) -> dt.date:
    """The last 30 June or 31 December on or before ``day``."""
    if day >= dt.date(day.year, 12, 31):
        return dt.date(day.year, 12, 31)
    return dt.date(day.year, 6, 30) if day >= dt.date(day.year, 6, 30) else dt.date(day.year - 1, 12, 31)


def fit_for(origin: dt.date, fits: dict[dt.date, Path]) -> dt.date:
    """The fit origin to use at ``origin``: the latest stored fit whose data end on or before it,
    if at most :data:`REFIT_MONTHS` months old; otherwise the half-year end before ``origin``
    (to be fitted)."""
    usable = [d for d in fits if d <= origin]
    if usable:
        latest = max(usable)
        if (origin.year - latest.year) * 12 + origin.month - latest.month <= REFIT_MONTHS:
            return latest
    return max(half_year_end(origin), fc.FIRST_ORIGIN)


def ensure_fits(
    wanted: set[dt.date],
    fits: dict[dt.date, Path],
    out: Path,
    budget: int,
    population: int,
    seed: int,
    workers,
    progress: bool,
    log,
) -> dict[dt.date, Path]:
    """Make the fits in ``wanted`` that are not stored (into ``out/<origin>/fit``)."""
    fits = dict(fits)
    for day in sorted(wanted - set(fits)):
        folder = safeio.prepare_output_dir(out / day.isoformat() / "fit")
        log(f"backtest: no stored fit at most {REFIT_MONTHS} months old; fitting at {day} into {folder}")
        with fc.data_up_to(day):
            fc.fit_at_origin(day, folder, budget, population, seed, workers, progress, log)
        fits[day] = folder
    return fits


# --------------------------------------------------------------------------- one origin
def origin_file(out: Path, origin: dt.date) -> Path:
    return Path(out) / ORIGINS_DIR / f"{origin}.json"


def read_origin(out: Path, origin: dt.date, settings: dict, fit_origin: dt.date) -> dict | None:
    """An origin's stored result if it was made with ``settings`` and the fit at ``fit_origin``."""
    try:
        rec = json.loads(origin_file(out, origin).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return rec if rec.get("settings") == settings and rec.get("fit_origin") == fit_origin.isoformat() else None


def model_runs_table(results: list[dict], months: list[str]) -> dict[str, np.ndarray]:
    """Runs x months arrays of the model's arrivals and crossing days over ``months``."""
    out = {}
    for col in ("arrivals", "crossing_days"):
        rows = []
        for r in results:
            got = dict(zip(pd.to_datetime(r["month"]).strftime("%Y-%m"), r[col]))
            rows.append([got[m] for m in months])
        out[col] = np.array(rows, dtype=float)
    return out


def score_origin(samples: dict[str, np.ndarray], observed: np.ndarray) -> list[dict]:
    """Every forecaster's scores and quantiles for each month of one origin."""
    rows = []
    for name, s in samples.items():
        for j, y in enumerate(observed):
            q = np.percentile(s[:, j], [5, 25, 50, 75, 95])
            rows.append(
                {
                    "forecaster": name,
                    "horizon": j + 1,
                    "observed": float(y),
                    **{f"p{p:02d}": float(v) for p, v in zip((5, 25, 50, 75, 95), q)},
                    **scores.score_all(s[:, j], float(y)),
                }
            )
    return rows


# --------------------------------------------------------------------------- the backtest
def backtest(
    out: Path,
    draws: int = DEFAULT_DRAWS,
    seed: int = fc.DEFAULT_SEED,
    workers: int | None = None,
    budget: int = DEFAULT_BUDGET,
    population: int = DEFAULT_POPULATION,
    first: dt.date = FIRST_ORIGIN,
    last: dt.date = LAST_ORIGIN,
    resume: bool = False,
    progress: bool = False,
    command: str = "deterrence-sim backtest",
    log=print,
    on_origin=None,
    late: bool = True,
) -> dict:
    """Run (or, with ``resume``, carry on) the backtest into ``out``; ``on_origin(origin)`` is called
    after each origin's file is written."""
    from tqdm.auto import tqdm

    fc.check_numbers(draws, budget, population)
    check_seed(seed, "--seed")
    origins, months = origins_and_months(first, last)
    safeio.prepare_output_dir(out)
    safeio.prepare_output_dir(out / ORIGINS_DIR)
    settings = {"version": VERSION, "draws": draws, "seed": seed, "horizon": HORIZON_MONTHS}
    fits = fc.stored_fits(out, fc.FORECAST_DIR)
    use = {o: fit_for(o, fits) for o in origins}
    done = {}
    if resume:
        done = {o: r for o in origins if (r := read_origin(out, o, settings, use[o])) is not None}
        log(f"backtest: resuming, {len(done)} of {len(origins)} origins already done")
    keep = {origin_file(out, o).name for o in done}
    safeio.remove_stale(out / ORIGINS_DIR, keep, ("*.json",))
    safeio.remove_stale(out, set(), OUTPUT_PATTERNS)
    todo = [o for o in origins if o not in done]
    fits = ensure_fits({use[o] for o in todo}, fits, out, budget, population, seed, workers, progress, log)
    t0 = time.perf_counter()
    daily = data.daily_arrivals()
    obs = fc.observed_monthly()
    bar = tqdm(total=len(todo) * draws, desc="backtest", unit="run", disable=not progress, leave=False)
    with tempfile.TemporaryDirectory(prefix="dsim-backtest-") as tmp:
        plans, jobs = {}, []
        for o in todo:
            plans[o], folder = origin_plan(o, months[o], fits[use[o]], Path(tmp), draws, seed)
            jobs += [(fc.run_kwargs(plans[o], i), seed, i, o, str(folder)) for i in range(draws)]
        results, t_origin = [], time.perf_counter()
        with worker_pool(workers, len(jobs)) as pool:
            stream = pool.map(fc._run_job, jobs) if pool is not None else map(_run_here, jobs)
            for r in stream:
                results.append(r)
                bar.update()
                if len(results) < draws:
                    continue
                o = next(x for x in todo if x not in done)
                rec = finish_origin(
                    o,
                    plans[o],
                    results,
                    months[o],
                    obs,
                    daily,
                    draws,
                    seed,
                    settings,
                    use[o],
                    fits[use[o]],
                    time.perf_counter() - t_origin,
                )
                safeio.write_json(origin_file(out, o), rec)
                done[o] = rec
                results, t_origin = [], time.perf_counter()
                log(origin_line(o, rec, len(months[o]), use[o]))
                if on_origin is not None:
                    on_origin(o)
    bar.close()
    recs = [done[o] for o in origins]
    table = results_table(recs)
    per_origin = origin_summary(table)
    overall = overall_measures(table, per_origin)
    meta = run_meta(
        command, settings, origins, len(origins) - len(todo), use, str(daily["date"][-1]), time.perf_counter() - t0
    )
    late_numbers = late_2025(runs_of(done.get(dt.date(2025, 6, 30)))) if late else None
    safeio.write_csv(out / "backtest.csv", table, float_format="%.6g")
    safeio.write_csv(out / "backtest_origins.csv", per_origin, float_format="%.6g")
    safeio.write_json(
        out / "backtest.json",
        {"meta": meta, "overall": overall, "late_2025": late_numbers["numbers"] if late_numbers else None},
    )
    figures(out, table, per_origin, overall)
    report(out, table, per_origin, overall, late_numbers, meta, recs)
    return {"table": table, "per_origin": per_origin, "overall": overall, "meta": meta, "late": late_numbers}


def run_meta(
    command: str, settings: dict, origins: list[dt.date], resumed: int, use: dict, data_end: str, seconds: float
) -> dict:
    """backtest.json's ``meta``: the command, draws and seed, the origins (how many were resumed
    from an earlier call), the fit each used, the data's last day and this call's time."""
    return {
        "command": command,
        "draws": settings["draws"],
        "seed": settings["seed"],
        "origins": len(origins),
        "first_origin": origins[0].isoformat(),
        "last_origin": origins[-1].isoformat(),
        "seconds_this_call": seconds,
        "resumed_origins": resumed,
        "fits": {o.isoformat(): use[o].isoformat() for o in origins},
        "data_end": data_end,
    }


def origins_and_months(first: dt.date | str, last: dt.date | str) -> tuple[list[dt.date], dict]:
    """The backtest's origins (every month-end from ``first`` to ``last``, dates or ISO strings)
    and, for each, the months it is scored on; ConfigError for an empty span or an origin outside
    the data."""
    first, last = (
        fc.parse_date(d, w) if isinstance(d, str) else d
        for d, w in ((first, "--first-origin"), (last, "--last-origin"))
    )
    origins = month_ends(first, last)
    if not origins:
        raise ConfigError(f"--first-origin {first} .. --last-origin {last}: no month-end in between")
    last_month = last_complete_month()
    months = {o: scored_months(o, last_month) for o in origins}
    for o in origins:
        if o < fc.FIRST_ORIGIN or not months[o]:
            raise ConfigError(
                f"origin {o}: must be between {fc.FIRST_ORIGIN} and the month-end before the last "
                f"observed month ({last_month})"
            )
    return origins, months


def origin_plan(o: dt.date, months: list[str], fit_folder: Path, tmp: Path, draws: int, seed: int):
    """The model's forecast plan at origin ``o`` (``forecast.build_plan``) from the fit in
    ``fit_folder``, made on the data cut at ``o`` (written under ``tmp``); returns the plan and the
    folder of the cut data, which the runs read."""
    to = pd.Period(months[-1], "M").end_time.date()
    folder = fc.cut_data(data.seeds_dir(), tmp / o.isoformat(), o)
    post, month_sd, info = fc.read_fit(fit_folder)
    with fc.reading(folder):
        plan = fc.build_plan(o, to, fc.DEFAULT_SCENARIO, post, month_sd, draws, seed, True, info)
    return plan, folder


def origin_line(o: dt.date, rec: dict, n_months: int, fit_origin: dt.date) -> str:
    """The line logged when an origin is done: the model's CRPS beside the best baseline's."""
    best = min(rec["crps"][b] for b in bl.BASELINES)
    return (
        f"backtest {o}: CRPS model {rec['crps'][MODEL]:,.0f}, best baseline {best:,.0f} "
        f"({n_months} months; fit of {fit_origin}; {rec['seconds']:.0f} s)"
    )


def _run_here(job) -> dict:
    """One run in this process, reading its origin's data cut only for the run's length."""
    with fc.reading(Path(job[4])):
        return fc._run_job(job)


def finish_origin(
    o: dt.date,
    plan,
    results: list[dict],
    months: list[str],
    obs: pd.Series,
    daily: dict,
    draws: int,
    seed: int,
    settings: dict,
    fit_origin: dt.date,
    fit_folder: Path,
    seconds: float,
) -> dict:
    """One origin's record: every forecaster's draws of ``months``, the observations and scores."""
    runs = model_runs_table(results, months)
    samples = {MODEL: runs["arrivals"], **bl.baseline_samples(daily, o, months, draws, seed)}
    observed = np.array([obs[m] for m in months], dtype=float)
    rows = score_origin(samples, observed)
    crps = {n: float(np.mean([r["crps"] for r in rows if r["forecaster"] == n])) for n in samples}
    seasonal = bl.seasonal_level(fc.observed_monthly(), o, months)
    return {
        "settings": settings,
        "origin": o.isoformat(),
        "fit_origin": fit_origin.isoformat(),
        "fit_folder": fc.shown_path(fit_folder),
        "months": months,
        "observed": observed.tolist(),
        "crps": crps,
        "rows": rows,
        "seconds": seconds,
        "drift_sd": plan.drift_sd,
        "month_sd": plan.month_sd,
        "seasonal_sd": seasonal["sd"],
        "samples": {n: np.round(s).astype(int).tolist() for n, s in samples.items()},
        "model_crossing_days": runs["crossing_days"].astype(int).tolist(),
    }


def runs_of(rec: dict | None) -> dict | None:
    """The model's runs of a stored origin, as the late-2025 check reads them."""
    if rec is None:
        return None
    month = pd.to_datetime(rec["months"]).to_numpy()
    return {
        "runs": {
            "month": month,
            "arrivals": np.array(rec["samples"][MODEL], dtype=float),
            "crossing_days": np.array(rec["model_crossing_days"], dtype=float),
        }
    }


# --------------------------------------------------------------------------- the measures
def results_table(recs: list[dict]) -> pd.DataFrame:
    """One row per origin, forecaster and month."""
    rows = []
    for rec in recs:
        for r in rec["rows"]:
            rows.append(
                {"origin": rec["origin"], "month": rec["months"][r["horizon"] - 1], "fit": rec["fit_origin"], **r}
            )
    return pd.DataFrame(rows)


def origin_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per origin: each forecaster's mean CRPS and log score over the origin's months, and whether
    the model's CRPS (and log score) is no worse than the better baseline's."""
    g = table.groupby(["origin", "forecaster"])[["crps", "log_score"]].mean().unstack("forecaster")
    out = pd.DataFrame(
        {
            "origin": g.index,
            "months": table.groupby("origin").horizon.max().to_numpy(),
            "fit": table.groupby("origin").fit.first().to_numpy(),
        }
    )
    for n in FORECASTERS:
        out[f"crps {n}"] = g[("crps", n)].to_numpy()
        out[f"log_score {n}"] = g[("log_score", n)].to_numpy()
    out["crps best baseline"] = out[[f"crps {b}" for b in bl.BASELINES]].min(axis=1)
    out["log_score best baseline"] = out[[f"log_score {b}" for b in bl.BASELINES]].min(axis=1)
    out["model no worse (CRPS)"] = out[f"crps {MODEL}"] <= out["crps best baseline"]
    out["model no worse (log score)"] = out[f"log_score {MODEL}"] <= out["log_score best baseline"]
    return out.reset_index(drop=True)


def overall_measures(table: pd.DataFrame, per_origin: pd.DataFrame) -> dict:
    """Per forecaster: mean CRPS and log score, coverage at 50/80/90%, PIT histogram, CRPS by
    horizon; and the share of origins at which the model is no worse than the better baseline."""
    out: dict = {
        "months": int(table[table.forecaster == MODEL].shape[0]),
        "origins": int(len(per_origin)),
        "forecasters": {},
    }
    for n in FORECASTERS:
        t = table[table.forecaster == n]
        out["forecasters"][n] = {
            "crps": float(t.crps.mean()),
            "log_score": float(t.log_score.mean()),
            **{f"coverage_{round(lv * 100)}": float(t[f"in{round(lv * 100)}"].mean()) for lv in scores.LEVELS},
            "pit_histogram": np.histogram(t.pit, bins=10, range=(0, 1))[0].tolist(),
            "crps_by_horizon": {int(h): float(v) for h, v in t.groupby("horizon").crps.mean().items()},
            "origins_no_worse_than_model": None
            if n == MODEL
            else float((per_origin[f"crps {n}"] <= per_origin[f"crps {MODEL}"]).mean()),
        }
    out["share_model_no_worse_crps"] = float(per_origin["model no worse (CRPS)"].mean())
    out["share_model_no_worse_log_score"] = float(per_origin["model no worse (log score)"].mean())
    for b in bl.BASELINES:
        out[f"share_model_no_worse_than {b}"] = float((per_origin[f"crps {MODEL}"] <= per_origin[f"crps {b}"]).mean())
    m = out["forecasters"][MODEL]
    out["goal_share"] = out["share_model_no_worse_crps"] >= 0.6
    out["goal_coverage"] = all(abs(m[f"coverage_{p}"] - p / 100) <= 0.10 for p in (50, 80, 90))
    return out


# --------------------------------------------------------------------------- figures
COLOURS = {MODEL: "tab:blue", bl.BASELINES[0]: "tab:orange", bl.BASELINES[1]: "tab:green"}


def _save(fig, path: Path, ax=None, title: str | None = None) -> None:
    """Write one figure of the backtest (PNG, 110 dpi) and close it; a one-panel figure ``ax`` gets
    its legend and ``title`` first."""
    import matplotlib.pyplot as plt

    if ax is not None:
        ax.legend(fontsize=8)
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    safeio.save_figure(fig, path, dpi=110)
    plt.close(fig)


def figures(out: Path, table: pd.DataFrame, per_origin: pd.DataFrame, overall: dict) -> None:
    """pit_histograms.png, coverage.png, crps_by_horizon.png, crps_by_origin.png, one_month_ahead.png."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6), sharey=True)
    for ax, n in zip(axes, FORECASTERS):
        t = table[table.forecaster == n]
        ax.hist(t.pit, bins=10, range=(0, 1), color=COLOURS[n], alpha=0.8, edgecolor="white")
        ax.axhline(len(t) / 10, color="k", ls="--", lw=1)
        ax.set_title(n, fontsize=9)
        ax.set_xlabel("PIT")
    axes[0].set_ylabel("forecast months")
    fig.suptitle("PIT histograms (flat = calibrated; U = too narrow; hump = too wide; slope = biased)", fontsize=10)
    _save(fig, out / "pit_histograms.png")

    fig, ax = plt.subplots(figsize=(7, 3.8))
    width = 0.25
    for k, n in enumerate(FORECASTERS):
        f = overall["forecasters"][n]
        ax.bar(
            np.arange(3) + (k - 1) * width, [f[f"coverage_{p}"] for p in (50, 80, 90)], width, label=n, color=COLOURS[n]
        )
    for j, p in enumerate((0.5, 0.8, 0.9)):
        ax.plot([j - 0.45, j + 0.45], [p, p], "k--", lw=1)
        ax.fill_between([j - 0.45, j + 0.45], p - 0.1, p + 0.1, color="grey", alpha=0.15)
    ax.set_xticks(range(3), ["50% interval", "80% interval", "90% interval"])
    ax.set_ylabel("share of observed months inside")
    ax.set_ylim(0, 1)
    _save(fig, out / "coverage.png", ax, "Coverage (dashed: nominal; grey: within 10 points)")

    fig, ax = plt.subplots(figsize=(7, 3.8))
    for n in FORECASTERS:
        h = overall["forecasters"][n]["crps_by_horizon"]
        ax.plot(list(h), list(h.values()), "o-", color=COLOURS[n], label=n)
    ax.set_xlabel("horizon (months after the origin)")
    ax.set_ylabel("mean CRPS (people per month)")
    _save(fig, out / "crps_by_horizon.png", ax, "CRPS by horizon (lower is better)")

    fig, ax = plt.subplots(figsize=(10, 3.8))
    x = pd.to_datetime(per_origin.origin)
    for n in FORECASTERS:
        ax.plot(x, per_origin[f"crps {n}"], "o-", ms=3, color=COLOURS[n], label=n)
    ax.set_ylabel("mean CRPS over the origin's months")
    ax.set_xlabel("origin")
    _save(fig, out / "crps_by_origin.png", ax, "CRPS by origin (lower is better)")

    fig, axes = plt.subplots(3, 1, figsize=(10, 8), sharex=True, sharey=True)
    one = table[table.horizon == 1]
    for ax, n in zip(axes, FORECASTERS):
        t = one[one.forecaster == n]
        x = pd.to_datetime(t.month)
        ax.fill_between(x, t.p05, t.p95, color=COLOURS[n], alpha=0.2, label="90% interval")
        ax.fill_between(x, t.p25, t.p75, color=COLOURS[n], alpha=0.4, label="50% interval")
        ax.plot(x, t.p50, color=COLOURS[n], lw=1.5, label="median")
        ax.plot(x, t.observed, "k.-", lw=1, label="observed")
        ax.set_title(f"{n}: one month ahead", fontsize=9)
        ax.set_ylabel("arrivals")
    axes[0].legend(fontsize=7, loc="upper left")
    _save(fig, out / "one_month_ahead.png")


# --------------------------------------------------------------------------- the late-2025 check
def period_figures(year: int, first: str = LATE[0], last: str = LATE[1]) -> dict:
    """Observed crossing days, arrivals, boats and people per boat between two days of a year."""
    d = data.daily_arrivals()
    s = (d["date"] >= np.datetime64(f"{year}-{first}")) & (d["date"] <= np.datetime64(f"{year}-{last}"))
    arr, boats = d["arrivals"][s], d["boats"][s]
    days = int((arr > 0).sum())
    return {
        "year": year,
        "crossing_days": days,
        "arrivals": int(arr.sum()),
        "boats": int(boats.sum()),
        "arrivals_per_crossing_day": float(arr.sum() / days),
        "boats_per_crossing_day": float(boats.sum() / days),
        "people_per_boat": float(arr.sum() / boats.sum()),
    }


def in_sample_late(variant: dict, replicates: int = 20, seed: int = 1) -> dict:
    """In-sample runs of the full fit (posterior draws, observed crossing days replayed as the
    weather: a diagnostic, not a forecast) with ``variant`` parameter changes: arrivals and people
    per crossing day 18 Sep-31 Dec 2024 and 2025, and the monthly MARD of 2023-2024."""
    from ..runner import replicate_seed, simulate
    from ..calibration.outputs import draw

    post = pd.read_csv(cal.CALIBRATED_DIR / "posterior_full.csv")
    month_sd = cal.read_month_sd(cal.CALIBRATED_DIR).get("full", 0.0)
    setting = cal.SETTINGS["full"]
    obs = fc.observed_monthly()
    out: dict[str, list] = {
        "late_2024": [],
        "late_2025": [],
        "per_day_2024": [],
        "per_day_2025": [],
        "ppb_2025": [],
        "mard": [],
    }
    months_2324 = [m for m in obs.index if "2023-01" <= m <= "2024-12"]
    for i, theta in enumerate(draw(post, replicates, seed)):
        kw = {**cal.model_kwargs({**theta, "inflow_month_sd": month_sd}, setting, end="2025-12-31"), **variant}
        result = simulate(kw, seed=replicate_seed(seed, i))
        dates = pd.to_datetime(list(result.dates))
        arr, boats = result["arrivals"], result["boats"]
        for y in (2024, 2025):
            s = (dates >= f"{y}-{LATE[0]}") & (dates <= f"{y}-{LATE[1]}")
            out[f"late_{y}"].append(arr[s].sum())
            out[f"per_day_{y}"].append(arr[s].sum() / max((arr[s] > 0).sum(), 1))
            if y == 2025:
                out["ppb_2025"].append(arr[s].sum() / max(boats[s].sum(), 1))
        monthly = pd.Series(arr, index=dates).groupby(dates.strftime("%Y-%m")).sum()
        sim = monthly[months_2324].to_numpy()
        out["mard"].append(float(np.abs(sim - obs[months_2324].to_numpy()).sum() / obs[months_2324].sum()))
    med = {k: float(np.median(v)) for k, v in out.items()}
    med["change"] = float(np.median(np.array(out["late_2025"]) / np.array(out["late_2024"])) - 1)
    return med


VARIANTS: dict[str, dict | None] = {
    "the calibrated model": {},
    "at most 1 launch per network a day (15 a day in all)": {"max_launches_per_day": 1},
    "boat supply 1 a week per network": {"boat_supply_per_week": 1.0},
    "half the try probability (slower queue)": None,  # filled in from the posterior: try_prob halved
}


def late_2025(res_2025h1: dict | None) -> dict:
    """The numbers behind the late-2025 section of backtest.md."""
    obs = {y: period_figures(y) for y in (2023, 2024, 2025)}
    variants = {}
    for name, change in VARIANTS.items():
        if change is None:
            post = pd.read_csv(cal.CALIBRATED_DIR / "posterior_full.csv")
            change = {"try_prob": 0.5 * cal.point_estimate(post)["try_prob"]}
        variants[name] = {"change": change, **in_sample_late(change)}
    numbers = {"observed": obs, "variants": variants}
    if res_2025h1 is not None:
        runs = res_2025h1["runs"]
        months = [pd.Timestamp(m).strftime("%Y-%m") for m in runs["month"]]
        idx = [j for j, m in enumerate(months) if m >= "2025-10"]
        obs_days = period_figures(2025, "10-01", "12-31")["crossing_days"]
        numbers["forecast_oct_dec"] = {
            "crossing_days_p50": float(np.median(runs["crossing_days"][:, idx].sum(axis=1))),
            "crossing_days_observed": obs_days,
            "arrivals_p50": float(np.median(runs["arrivals"][:, idx].sum(axis=1))),
            "arrivals_observed": period_figures(2025, "10-01", "12-31")["arrivals"],
        }
    return {"numbers": numbers}


# --------------------------------------------------------------------------- report
def _pct(x) -> str:
    return f"{x:+.0%}"


def _fits_text(meta: dict) -> str:
    """Which fit each run of origins used, as 'from A to B: the fit at F'."""
    spans, prev = [], None
    for o, f in meta["fits"].items():
        if prev is not None and prev[2] == f:
            prev[1] = o
        else:
            prev = [o, o, f]
            spans.append(prev)
    return "; ".join(f"{a}..{b}: the fit at {f}" if a != b else f"{a}: the fit at {f}" for a, b, f in spans)


def report(
    out: Path,
    table: pd.DataFrame,
    per_origin: pd.DataFrame,
    overall: dict,
    late: dict | None,
    meta: dict,
    recs: list[dict],
) -> None:
    """backtest.md: how the backtest was made, the result against the goal, the origins one by one,
    the origin 2025-12-31 scored on January-April 2026, and the late-2025 miss."""
    L = (
        _method_lines(overall, meta, recs)
        + _result_lines(overall)
        + _by_origin_lines(per_origin)
        + _origin_2025_12_31_lines(table)
    )
    if late is not None:
        L += late_section(late["numbers"])
    safeio.write_text(out / "backtest.md", "\n".join(L) + "\n")


def _method_lines(overall: dict, meta: dict, recs: list[dict]) -> list[str]:
    """backtest.md's opening: the command, the origins, the forecasters and the scores."""
    total_s = sum(r["seconds"] for r in recs)
    return [
        "# Rolling-origin backtest: the model against probabilistic baselines",
        "",
        f"Made by `{meta['command']}` on {dt.date.today()}, on the data to {meta['data_end']}. "
        f"{meta['origins']} origins, every month-end from {meta['first_origin']} to {meta['last_origin']}; at each, "
        f"the next {HORIZON_MONTHS} months as far as the data go ({overall['months']} origin-months in all; the "
        f"origin 2025-12-31 is scored on January-April 2026). Runs and scoring took {total_s / 60:.0f} minutes "
        f"(the sum over origins"
        + (
            f", {meta['resumed_origins']} of them done by an earlier, interrupted call and resumed with `--resume`"
            if meta["resumed_origins"]
            else ""
        )
        + "). ",
        "",
        f"Each forecaster gives {meta['draws']} draws of each month's arrivals and is scored on the same months by the "
        "same code (`deterrence_sim.forecasting.scores`):",
        "",
        f"* **{MODEL}**: {meta['draws']} runs of `deterrence_sim.forecasting.forecast` per origin (posterior draws, stochastic "
        "weather from the pre-pilot chain, month noise, the level drift of the local-level model, the pilot's policy "
        "path). Fits are reused: each origin takes the latest committed fit whose data end on or before it (ABC-SMC "
        "on the data to that day only), so between two half-yearly fits the model sees the newer months only as the "
        f"observed weather it replays up to the origin. Fits used: {_fits_text(meta)}.",
        f"* **{bl.BASELINES[0]}**: trailing 12-month arrivals x the mean monthly shares of the last two complete "
        f"years, times lognormal noise whose log-sd is that of the same forecast's one-month-ahead log errors over "
        f"the {bl.RESIDUAL_MONTHS} months up to the origin.",
        f"* **{bl.BASELINES[1]}**: a negative-binomial (NB2) regression of daily arrivals from "
        f"{bl.COUNT_FIT_FIRST} to the origin (statsmodels; month-of-year effects, log of the mean of the previous "
        "30 and 90 days, whether the day before had arrivals), simulated forward day by day and summed by month.",
        "",
        "Scores: **CRPS** in people per month (fair ensemble estimator, lower is better); **log score**, minus the "
        "log predictive density at the observation, the density from a Gaussian kernel estimate on log(1 + draws) "
        f"(floored at {scores.LOG_SCORE_FLOOR:g} of its peak; lower is better); **PIT**, the share of draws below the "
        "observation; **coverage**, the share of observed months inside the central 50/80/90% intervals. Origins "
        "one month apart share five of their six months, so the 32 origins are far from 32 independent tests.",
        "",
    ]


def _result_lines(overall: dict) -> list[str]:
    """backtest.md's result: each forecaster's scores, the goal met or not, CRPS by horizon, PIT."""
    F = overall["forecasters"]
    m = F[MODEL]
    share = overall["share_model_no_worse_crps"]
    L = [
        "## Result",
        "",
        "| forecaster | CRPS | log score | coverage 50% | coverage 80% | coverage 90% | origins where the model's "
        "CRPS is no worse |",
        "|---|---|---|---|---|---|---|",
    ]
    for n in FORECASTERS:
        f = F[n]
        vs = "-" if n == MODEL else f"{overall[f'share_model_no_worse_than {n}']:.0%}"
        L.append(
            f"| {n} | {f['crps']:,.0f} | {f['log_score']:.2f} | {f['coverage_50']:.0%} | {f['coverage_80']:.0%} "
            f"| {f['coverage_90']:.0%} | {vs} |"
        )
    cov_ok = overall["goal_coverage"]
    gaps = ", ".join(f"{m[f'coverage_{p}']:.0%} at {p}%" for p in (50, 80, 90))
    L += [
        "",
        f"**The model's CRPS is no worse than the better of the two baselines at {share:.0%} of the "
        f"{overall['origins']} origins** ({int(round(share * overall['origins']))}), by log score at "
        f"{overall['share_model_no_worse_log_score']:.0%}. Its coverage: {gaps}.",
        "",
    ]
    if overall["goal_share"] and cov_ok:
        L.append(
            "**The goal is met**: the model is no worse than the best probabilistic baseline at 60% or more of "
            "the origins, and its coverage is within 10 points of nominal at each level."
        )
    else:
        miss = []
        if not overall["goal_share"]:
            miss.append(f"it is no worse than the better baseline at {share:.0%} of the origins, short of 60%")
        if not cov_ok:
            bad = [f"{p}% ({m[f'coverage_{p}']:.0%})" for p in (50, 80, 90) if abs(m[f"coverage_{p}"] - p / 100) > 0.10]
            miss.append("its coverage is more than 10 points off nominal at " + ", ".join(bad))
        L.append(
            "**The goal is not met** (no worse than the best probabilistic baseline at 60% or more of the "
            "origins, coverage within 10 points of nominal): " + "; and ".join(miss) + ". This is a finding "
            "about the model's forecasts as they stand, not a failure of the backtest."
        )
    L += [
        "",
        "CRPS by horizon (months after the origin; later horizons have fewer origins near the data's end):",
        "",
        "| forecaster | " + " | ".join(str(h) for h in range(1, HORIZON_MONTHS + 1)) + " |",
        "|---|" + "---|" * HORIZON_MONTHS,
    ]
    for n in FORECASTERS:
        h = F[n]["crps_by_horizon"]
        L.append(
            f"| {n} | " + " | ".join(f"{h[k]:,.0f}" if k in h else "-" for k in range(1, HORIZON_MONTHS + 1)) + " |"
        )
    L += ["", "PIT histograms (10 bins of 0.1, counts of origin-months; flat is calibrated):", ""]
    for n in FORECASTERS:
        L.append(f"* {n}: {F[n]['pit_histogram']}")
    L += [
        "",
        "Figures: `pit_histograms.png`, `coverage.png`, `crps_by_horizon.png`, `crps_by_origin.png`, "
        "`one_month_ahead.png`. Tables: `backtest.csv` (one row per origin, forecaster and month: quantiles, "
        "CRPS, log score, PIT, coverage), `backtest_origins.csv` (one row per origin); every origin's draws "
        f"in `{ORIGINS_DIR}/<origin>.json`.",
        "",
    ]
    return L


def _by_origin_lines(per_origin: pd.DataFrame) -> list[str]:
    """backtest.md's table of origins: months scored, the fit used, each forecaster's CRPS and log score."""
    L = [
        "## By origin",
        "",
        "| origin | months | fit | CRPS model | CRPS seasonal | CRPS count model | log score model | seasonal | "
        "count model | model no worse (CRPS) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for _, r in per_origin.iterrows():
        L.append(
            f"| {r.origin} | {r.months} | {r.fit} | {r[f'crps {MODEL}']:,.0f} | "
            f"{r[f'crps {bl.BASELINES[0]}']:,.0f} | {r[f'crps {bl.BASELINES[1]}']:,.0f} | "
            f"{r[f'log_score {MODEL}']:.2f} | {r[f'log_score {bl.BASELINES[0]}']:.2f} | "
            f"{r[f'log_score {bl.BASELINES[1]}']:.2f} | {'yes' if r['model no worse (CRPS)'] else 'no'} |"
        )
    return L


def _origin_2025_12_31_lines(table: pd.DataFrame) -> list[str]:
    """backtest.md's look at the origin 2025-12-31, scored on January-April 2026 (empty without it)."""
    L: list[str] = []
    jan = table[table.origin == "2025-12-31"]
    if len(jan):
        L += [
            "",
            "## The origin 2025-12-31, scored on January-April 2026",
            "",
            "Median [90% interval] of each month's arrivals, and the CRPS over the four months:",
            "",
            "| month | observed | " + " | ".join(FORECASTERS) + " |",
            "|---|---|" + "---|" * len(FORECASTERS),
        ]
        for month in sorted(jan.month.unique()):
            t = jan[jan.month == month].set_index("forecaster")
            L.append(
                f"| {month} | {t.observed.iloc[0]:,.0f} | "
                + " | ".join(f"{t.p50[n]:,.0f} [{t.p05[n]:,.0f}, {t.p95[n]:,.0f}]" for n in FORECASTERS)
                + " |"
            )
        crps = jan.groupby("forecaster").crps.mean()
        L.append("| CRPS | | " + " | ".join(f"{crps[n]:,.0f}" for n in FORECASTERS) + " |")
    L.append("")
    return L


def late_section(n: dict) -> list[str]:
    o = n["observed"]
    L = [
        "## The late-2025 miss",
        "",
        "What the record shows for 18 September - 31 December (SB01; a crossing day is a day with at least one "
        "arrival):",
        "",
        "| year | crossing days | arrivals | per crossing day | boats per crossing day | people per boat |",
        "|---|---|---|---|---|---|",
    ]
    for y, r in o.items():
        L.append(
            f"| {y} | {r['crossing_days']} | {r['arrivals']:,} | {r['arrivals_per_crossing_day']:.0f} | "
            f"{r['boats_per_crossing_day']:.1f} | {r['people_per_boat']:.1f} |"
        )
    a, b = o[2024], o[2025]
    L += [
        "",
        f"From 2024 to 2025 crossing days fell {b['crossing_days'] / a['crossing_days'] - 1:+.0%} and arrivals "
        f"{b['arrivals'] / a['arrivals'] - 1:+.0%}, while arrivals per crossing day rose "
        f"{b['arrivals_per_crossing_day'] / a['arrivals_per_crossing_day'] - 1:+.0%}. The boats per crossing day "
        f"did not change ({a['boats_per_crossing_day']:.1f} and {b['boats_per_crossing_day']:.1f}): the fuller "
        f"days are fuller boats ({a['people_per_boat']:.0f} to {b['people_per_boat']:.0f} people per boat), not "
        f"more boats.",
        "",
        "In-sample runs of the full fit replaying the record's crossing days (20 posterior draws, medians; a "
        "diagnostic, not a forecast), and the same runs with one global change each (all 2023-2025, nothing fitted "
        "to the four months):",
        "",
        "| model | arrivals 18 Sep-31 Dec 2024 | 2025 | change | per crossing day 2025 | people per boat 2025 | "
        "monthly MARD 2023-24 |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, v in n["variants"].items():
        L.append(
            f"| {name} | {v['late_2024']:,.0f} | {v['late_2025']:,.0f} | {_pct(v['change'])} | "
            f"{v['per_day_2025']:.0f} | {v['ppb_2025']:.1f} | {v['mard']:.3f} |"
        )
    L.append("")
    if "forecast_oct_dec" in n:
        f = n["forecast_oct_dec"]
        L += [
            f"The backtest forecast from 2025-06-30 (stochastic weather) expected {f['crossing_days_p50']:.0f} "
            f"crossing "
            f"days in October-December 2025 (median) where the record has {f['crossing_days_observed']}, and "
            f"{f['arrivals_p50']:,.0f} arrivals where {f['arrivals_observed']:,} were observed.",
            "",
        ]
    L += late_reading(n)
    return L


def late_reading(n: dict) -> list[str]:
    """What the late-2025 numbers say (the sentences quote them, so they stay true to the run)."""
    o, v = n["observed"], n["variants"]
    base, cap = v["the calibrated model"], v["at most 1 launch per network a day (15 a day in all)"]
    supply, slow = v["boat supply 1 a week per network"], v["half the try probability (slower queue)"]
    a, b = o[2024], o[2025]
    L = [
        "**Why the model misses.** Replaying the record's crossing days, the calibrated model makes "
        f"{base['late_2024']:,.0f} arrivals in late 2024 (observed {a['arrivals']:,}) and {base['late_2025']:,.0f} in "
        f"late 2025 (observed {b['arrivals']:,}): {_pct(base['change'])} where the record fell "
        f"{_pct(b['arrivals'] / a['arrivals'] - 1)}. Two things add up. (i) Its inflow level for 2025 is fitted "
        "to the "
        "whole year, and 2025 ran well ahead of 2024 until September (January to 17 September: "
        f"{period_figures(2025, '01-01', '09-17')['arrivals']:,} against "
        f"{period_figures(2024, '01-01', '09-17')['arrivals']:,}); the model has no way for a year's level to turn "
        "down in its last months other than the month-to-month noise. (ii) Its queue: people who cannot cross on a "
        "rough day wait and cross on the next viable one, and nothing limits how many boats go on that day, so fewer "
        "viable days barely lower the total; they only make each viable day fuller. With "
        f"{b['crossing_days']} crossing days the model puts {base['per_day_2025']:.0f} people on each (observed "
        f"{b['arrivals_per_crossing_day']:.0f}), "
        f"with {base['ppb_2025']:.0f} people per boat (observed {b['people_per_boat']:.0f}): it fills the days with "
        "more boats, the record with fuller ones.",
        "",
        "**Mechanisms that give fewer crossing days with fuller boats.** (1) Weather: a stormier autumn means "
        "fewer viable days; but 2023 had fewer crossing days still "
        f"({o[2023]['crossing_days']}) with fewer people per crossing day, and fewer viable days with an unlimited "
        "queue is exactly what the model already does. (2) French interventions: stopping launches on marginal "
        "days removes those days from the record, since a day without an arrival counts as rough (beach "
        "prevention fell in 2025 H2, by SB02, and at-sea interventions were announced only on 28 November, so "
        "this does not fit the timing well). (3) Smugglers' supply and loading: networks short of boats and "
        "engines launch what they have on the best days and pack more into each boat; with a fixed number of "
        "boats per crossing day the total falls with the crossing days, which is what the record shows "
        f"({a['boats_per_crossing_day']:.1f} and {b['boats_per_crossing_day']:.1f} boats per crossing day). "
        "(4) Deterrence after the pilot began: fewer people ready to cross, so networks take longer to fill a boat "
        "to its minimum load and launch on fewer days, each boat full; at the pilot's scale (under 1% of 2025's "
        "arrivals removed) the model's deterrence is far too weak for this, and these data cannot tell (4) "
        "from (3).",
        "",
        "**What the model would need, and whether it still fits 2023-2024.** The variants test (3) with global "
        "changes, not fitted to anything. A cap of one launch per network a day turns the late-2025 rise from "
        f"{_pct(base['change'])} to {_pct(cap['change'])}, and its 2023-2024 monthly MARD is {cap['mard']:.3f} "
        f"against {base['mard']:.3f} for the calibrated model, without refitting: "
        + (
            "a binding launch capacity does not spoil the fit of 2023-2024. "
            if cap["mard"] <= 1.05 * base["mard"]
            else "a binding launch capacity, unrefitted, fits 2023-2024 worse. "
        )
        + ("It still does not give a fall, and " if cap["change"] > 0 else "It gives a fall, but ")
        + "it lowers both periods' levels "
        f"({cap['late_2024']:,.0f} and {cap['late_2025']:,.0f}), so a refit would raise the inflow again. A tight "
        f"boat supply does less ({_pct(supply['change'])}) and fits 2023-2024 worse (MARD {supply['mard']:.3f}); a "
        f"slower queue (half the try probability) changes nothing ({_pct(slow['change'])}). So the model would "
        "need: a launch capacity fitted over 2023-2025, so that a lost viable day is lost capacity rather than "
        "deferred demand; loads that rise with the queue per boat, not only after boats lost to the police; an "
        "inflow level that can change within a year (say per half-year, fitted to all years alike); and weather "
        "from a record that is not an outcome of the behaviour (sea state and wind, which the project does not "
        "hold). Nothing was fitted to the four months.",
        "",
        "**Why the crossing-day record is only an in-sample diagnostic.** A day with no arrival is a day when the "
        "sea did not allow crossing, *or* when nobody launched, or when every launch was stopped. Replaying the "
        "record as the weather makes the model take whatever cut crossings on the margin (French interventions, "
        "deterrence, smugglers' choices) for weather, and so hides it; and a forecast cannot know the record of "
        "days still to come. Forecasts and backtests therefore use the stochastic weather chain fitted per "
        "calendar month to the days before the origin (docs/ODD.md, section 11).",
    ]
    return L
