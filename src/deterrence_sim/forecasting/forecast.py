"""Forecasts with honest uncertainty: ``deterrence-sim forecast --origin DATE --to DATE [SCENARIO]``.

A forecast made at an *origin* uses the observed data up to that day only. Every data file is
cut at the origin into a folder of its own (:func:`data_up_to`), and the whole forecast (the fit,
the month-noise estimate, the weather chain, the model runs) reads that folder: nothing after the
origin can leak in (a test hides the later data and checks the forecast does not change).

What the forecast is made of (docs/ODD.md, section 11):

1. **A fit at the origin**: ABC-SMC (:mod:`deterrence_sim.calibration`) on the data up to the
   origin, simulated from 2023-01-01 with the observed crossing days as weather (inside the fit
   window only). Only the parameters those data can inform are fitted
   (:func:`~deterrence_sim.calibration.setting.informed_priors`). Of the others, the pilot's own
   (deterrence strength, re-crossing by returnees: :data:`FROM_PRIOR`) are drawn from their
   priors; the French beach prevention carries on at its fitted value, and the inflow level of a
   year not yet seen carries on from the last one, with the drift of point 3.
2. **Parameter uncertainty**: run ``i`` takes parameter set ``i`` resampled from the posterior
   (``--no-parameter-uncertainty``: every run takes the posterior medians and the prior medians).
3. **Inflow noise**: the month-to-month noise ``inflow_month_sd``, estimated at the origin by the
   method of moments (:mod:`~deterrence_sim.calibration.month_sd`); and the drift of the inflow's
   level after the origin, a random walk in log level whose size is estimated as a time-series
   parameter: the level disturbance of a local-level model (statsmodels ``UnobservedComponents``,
   a random-walk level, fixed monthly seasonal effects and an irregular) fitted by maximum
   likelihood to the log monthly arrivals from 2021 up to the origin (:func:`level_drift`). Each
   run draws its own drift size from the estimate's sampling distribution, so the drift's own
   uncertainty is in the bands. The fit knows a level only for the years it has seen; the drift is
   what the next months may bring.
4. **Stochastic weather**: after the origin the sea-viable days come from the monthly Markov
   chain, fitted per calendar month to the crossing days from 2022 up to the origin, and never
   beyond 2024, the last year before the pilot's first returns (:func:`weather_chain`): the record
   (days with at least one arrival) is partly an outcome of the behaviour being forecast, and a
   chain re-estimated from the pilot's months would learn a deterrence-driven fall in crossing
   days as weather (docs/ODD.md, section 11, measures how much).
5. **The scenario's policy path** (``pilot.toml`` by default): its policy levers are kept; the
   values it takes from the calibrated parameter set are replaced by the fit's.

Writes ``forecast.csv`` (per month after the origin: p05, p25, p50, p75, p95 of arrivals and of
returns, and the observed arrivals where they exist), ``forecast_draws.csv`` (each run's monthly
figures), ``forecast.md`` (totals and how it was made), ``forecast.json`` and ``fan_chart.png``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import shutil
import tempfile
import time
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd

from .. import calibration as cal
from ..observed import data
from .. import safeio
from ..errors import ConfigError
from ..limits import check_seed
from ..schedule import parse_date
from ..workers import worker_pool

QUANTILES = (5, 25, 50, 75, 95)
DEFAULT_DRAWS = 100
DEFAULT_BUDGET = 1000
DEFAULT_POPULATION = 40
DEFAULT_SEED = 20250710
MONTH_SD_REPLICATES = 20
FIRST_ORIGIN = dt.date(2023, 6, 30)  # six observed months of the 2023-01-01 fit start
MAX_HORIZON_DAYS = 5 * 366
WEATHER_FIRST_YEAR = 2022  # as the model's default chain (rules/weather.py)
#: The last year of crossing days the forecast's weather chain may learn from: 2024, the last
#: complete year before the pilot's first returns (18 September 2025) and the dated French and UK
#: measures of late 2025 and 2026, which remove crossing days the chain would take for weather.
WEATHER_LAST_YEAR = 2024
DRIFT_FIRST_MONTH = "2021-01"  # log monthly arrivals from 2021 on: the years of a large flow
DRIFT_MIN_MONTHS = 24
SCENARIO_DIR = cal.CALIBRATED_DIR.parent / "scenarios"
#: The project's committed forecasts (their fits are reused by a forecast or backtest at the same origin).
FORECAST_DIR = cal.CALIBRATED_DIR.parent / "forecast"
DEFAULT_SCENARIO = SCENARIO_DIR / "pilot.toml"
DATA_FILES = (data.DAILY, data.WEEKLY, data.PILOT, data.EVENTS)
#: Calibrated parameters drawn from their priors when the data up to the origin hold nothing on
#: them (before the pilot's first returns).
FROM_PRIOR = ("deterrence_strength", "returnee_recross_daily")
#: What each run records per month after the origin (returns: people removed to France).
RUN_COLUMNS = ("arrivals", "returns", "crossing_days", "boats")


# --------------------------------------------------------------------------- the data up to the origin
def cut_data(source: Path, folder: Path, origin: dt.date) -> Path:
    """Copy each data file of ``source`` into ``folder`` keeping only the rows dated up to
    ``origin`` (every file's first column is its date)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in DATA_FILES:
        path = Path(source) / name
        if not path.is_file():
            raise ConfigError(
                f"missing data file {path}; it ships in the repository's seeds/ folder "
                f"(or set DETERRENCE_SIM_SEEDS to the folder holding it)"
            )
        lines = path.read_text(encoding="utf-8").splitlines()
        kept = [lines[0]] + [ln for ln in lines[1:] if ln.split(",", 1)[0].strip() <= origin.isoformat()]
        (folder / name).write_text("\n".join(kept) + "\n", encoding="utf-8")
    return folder


@contextlib.contextmanager
def reading(folder: Path):
    """Inside this block every reader of the observed data reads ``folder``."""
    before = os.environ.get("DETERRENCE_SIM_SEEDS")
    try:
        data.use_folder(str(folder))
        yield Path(folder)
    finally:
        data.use_folder(before)


@contextlib.contextmanager
def data_up_to(origin: dt.date):
    """Inside this block every reader of the observed data sees the data up to ``origin`` only;
    yields the folder holding that cut. Worker processes get the folder with their job."""
    tmp = Path(tempfile.mkdtemp(prefix=f"dsim-data-{origin}-"))
    try:
        cut_data(data.seeds_dir(), tmp, origin)
        with reading(tmp):
            yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --------------------------------------------------------------------------- what is drawn per run
def complete_months_up_to(origin: dt.date, first: str = DRIFT_FIRST_MONTH) -> pd.Series:
    """Observed arrivals of each complete month from ``first`` up to ``origin`` ('YYYY-MM')."""
    d = data.daily_arrivals()
    sel = d["date"] <= np.datetime64(origin)
    s = pd.Series(d["arrivals"][sel], index=pd.to_datetime(d["date"][sel]))
    m = s.groupby(s.index.to_period("M")).sum()
    m.index = m.index.strftime("%Y-%m")
    if (origin + dt.timedelta(days=1)).day != 1:
        m = m.iloc[:-1]  # the origin's month is not complete
    return m[m.index >= first].astype(float)


def local_level(log_monthly: np.ndarray) -> dict:
    """Maximum-likelihood local-level model of a log monthly series (statsmodels
    ``UnobservedComponents``): ``y_t = level_t + season_month(t) + irregular_t``, ``level_t =
    level_t-1 + eta_t``, fixed seasonal effects. Returns the variances, the standard error of the
    level variance, and the year-on-year drift sd ``sqrt(12 * sigma2_level)`` with a 90% interval
    (delta method on log sigma2_level)."""
    import warnings

    from statsmodels.tsa.statespace.structural import UnobservedComponents

    model = UnobservedComponents(
        np.asarray(log_monthly, dtype=float), level="local level", seasonal=12, stochastic_seasonal=False
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter of the optimiser; the result is checked below
        res = model.fit(disp=0)
    names = list(model.param_names)
    s2, se = float(res.params[names.index("sigma2.level")]), float(res.bse[names.index("sigma2.level")])
    s2 = max(s2, 1e-8)
    log_se = se / s2 if np.isfinite(se) else 1.0
    band = [float(np.sqrt(12 * s2 * np.exp(min(z * log_se, 50.0)))) for z in (-1.645, 1.645)]  # no overflow
    return {
        "sigma2_level": s2,
        "sigma2_level_se": se,
        "log_sigma2_level_se": float(log_se),
        "sigma2_irregular": float(res.params[names.index("sigma2.irregular")]),
        "sd_year": float(np.sqrt(12 * s2)),
        "sd_year_90": band,
        "months": int(len(log_monthly)),
        "converged": bool(res.mle_retvals.get("converged", True)),
    }


def level_drift(origin: dt.date) -> dict:
    """The drift of the inflow's level estimated on the data up to ``origin``: the local-level
    model (:func:`local_level`) of the log arrivals of every complete month from 2021 to the
    origin (at least :data:`DRIFT_MIN_MONTHS` months)."""
    m = complete_months_up_to(origin)
    if len(m) < DRIFT_MIN_MONTHS or (m <= 0).any():
        raise ConfigError(
            f"--origin {origin}: need {DRIFT_MIN_MONTHS} complete months of arrivals from "
            f"{DRIFT_FIRST_MONTH} to estimate the drift of the inflow level"
        )
    return {**local_level(np.log(m.to_numpy())), "first_month": m.index[0], "last_month": m.index[-1]}


def drift_draws(drift: dict, n: int, seed: int, uncertainty: bool = True) -> list[float]:
    """Each run's year-on-year drift sd: drawn from the estimate's sampling distribution (lognormal
    in the level variance, by the delta method), or the point estimate for every run."""
    if not uncertainty:
        return [drift["sd_year"]] * n
    z = np.random.default_rng([seed, 13]).standard_normal(n)
    s2 = drift["sigma2_level"] * np.exp(np.minimum(drift["log_sigma2_level_se"] * z, 50.0))
    return [float(v) for v in np.sqrt(12 * s2)]


def weather_chain(origin: dt.date) -> tuple:
    """The forecast's monthly weather chain: crossing days from :data:`WEATHER_FIRST_YEAR` to the
    origin, and at most to the end of :data:`WEATHER_LAST_YEAR` (call inside :func:`data_up_to`)."""
    return data.weather_chain_from_daily(WEATHER_FIRST_YEAR, min(origin.year, WEATHER_LAST_YEAR))


def month_starts(after: dt.date, to: dt.date) -> list[dt.date]:
    """The first day of each month from the month after ``after``'s to ``to``'s."""
    out = []
    m = dt.date(after.year + after.month // 12, after.month % 12 + 1, 1)
    while m <= to:
        out.append(m)
        m = dt.date(m.year + m.month // 12, m.month % 12 + 1, 1)
    return out


def drifted_inflow(schedule: dict, origin: dt.date, to: dt.date, sd_year: float, rng) -> dict:
    """``schedule`` (``{date: people/year}``) with each month after the origin multiplied by
    ``exp(W)``, ``W`` a Gaussian random walk with step sd ``sd_year / sqrt(12)`` per month from 0
    at the origin (so its sd after 12 months is ``sd_year``)."""
    days = sorted((parse_date(k, "inflow_per_year"), float(v)) for k, v in schedule.items())

    def level(day):
        vals = [v for k, v in days if k <= day]
        return vals[-1] if vals else days[0][1]

    out = {k.isoformat(): v for k, v in days if k <= origin}
    starts = month_starts(origin, to)
    walk = np.cumsum(rng.normal(0.0, sd_year / np.sqrt(12), len(starts)))
    for m, w in zip(starts, walk):
        out[m.isoformat()] = float(min(level(m) * np.exp(w), 1e6))
    return out


def prior_draw(prior: cal.Prior, rng) -> float:
    return float(prior.scipy().ppf(rng.random()))


@dataclasses.dataclass
class Plan:
    """Everything a forecast's runs need, fixed before the first run."""

    origin: dt.date
    to: dt.date
    setting: cal.Setting
    policy: dict
    thetas: list
    drift: dict
    drift_sds: list
    month_sd: float
    chain: tuple
    seed: int
    parameter_uncertainty: bool
    fitted: list
    from_prior: list
    fit: dict

    @property
    def drift_sd(self) -> float:
        """The drift's point estimate (year-on-year sd of the log level)."""
        return self.drift["sd_year"]


def scenario_policy(path: Path) -> tuple[str, dict, list]:
    """The scenario's parameters without the values it takes from the calibrated parameter set:
    returns its name, its own levers, and the calibrated names it overrides itself (kept)."""
    from .. import scenario

    sc = scenario.load(path)
    calibrated = tomllib.loads(cal.CALIBRATED_FILE.read_text(encoding="utf-8"))["params"]
    base = scenario.load(cal.CALIBRATED_FILE).params
    own = [k for k in calibrated if k in sc.params and sc.params[k] != base.get(k)]
    policy = {k: v for k, v in sc.params.items() if k not in calibrated or k in own}
    return sc.name, policy, own


def draw_thetas(post: pd.DataFrame, priors_used, n: int, seed: int, uncertainty: bool) -> list[dict]:
    """``n`` calibrated parameter sets: resampled from the posterior (or its medians), with the
    parameters the fit did not see drawn from their priors (or their prior medians)."""
    from ..calibration.outputs import draw

    rng = np.random.default_rng([seed, 7])
    fitted = draw(post, n, seed) if uncertainty else [cal.point_estimate(post)] * n
    out = []
    for theta in fitted:
        extra = {
            k: (prior_draw(p.prior, rng) if uncertainty else float(p.prior.scipy().median()))
            for k, p in cal.CALIBRATED.items()
            if k in FROM_PRIOR and k not in priors_used
        }
        out.append({**theta, **extra})
    return out


def run_kwargs(plan: Plan, i: int) -> dict:
    """ChannelModel keyword arguments of run ``i``: the scenario's levers, the calibrated values
    through the one mapping, the weather chain up to the origin, the drifted inflow level."""
    theta = {**plan.thetas[i], "inflow_month_sd": plan.month_sd}
    kw = {**plan.policy, **cal.model_kwargs(theta, plan.setting, end=plan.to.isoformat())}
    kw["calm_after_calm"], kw["calm_after_rough"] = plan.chain
    rng = np.random.default_rng([plan.seed, i, 11])
    kw["inflow_per_year"] = drifted_inflow(kw["inflow_per_year"], plan.origin, plan.to, plan.drift_sds[i], rng)
    return kw


def _run_job(args) -> dict:
    """Worker: one forecast run's monthly arrivals and returns after the origin."""
    from ..runner import replicate_seed, simulate

    kwargs, seed, i, origin, folder = args
    if os.environ.get("DETERRENCE_SIM_SEEDS") != folder:
        data.use_folder(folder)
    result = simulate(kwargs, seed=replicate_seed(seed, i))
    months = np.array(result.dates, dtype="datetime64[D]").astype("datetime64[M]")
    keep = np.array(result.dates) > origin
    arrivals = result["arrivals"][keep]
    df = pd.DataFrame(
        {
            "month": months[keep],
            "arrivals": arrivals,
            "returns": result["removed"][keep],
            "crossing_days": arrivals > 0,
            "boats": result["boats"][keep],
        }
    )
    g = df.groupby("month").sum()
    return {"month": g.index.to_numpy(), **{c: g[c].to_numpy(float) for c in RUN_COLUMNS}}


def run_plan(plan: Plan, n: int, workers: int, folder: str, progress: bool = False) -> dict:
    """All runs of a forecast: arrays runs x months of arrivals and of returns."""
    from tqdm.auto import tqdm

    jobs = [(run_kwargs(plan, i), plan.seed, i, plan.origin, folder) for i in range(n)]
    bar = tqdm(total=n, desc=f"forecast from {plan.origin}", unit="run", disable=not progress, leave=False)
    results = []
    if workers <= 1:
        for j in jobs:
            results.append(_run_job(j))
            bar.update()
    else:
        with worker_pool(workers, n) as pool:
            for r in pool.map(_run_job, jobs):
                results.append(r)
                bar.update()
    bar.close()
    return {"month": results[0]["month"], **{c: np.array([r[c] for r in results]) for c in RUN_COLUMNS}}


# --------------------------------------------------------------------------- checks before any work
def check_dates(origin, to) -> tuple[dt.date, dt.date]:
    origin, to = parse_date(origin, "--origin"), parse_date(to, "--to")
    last = data.daily_arrivals()["date"][-1].astype(object)
    if origin < FIRST_ORIGIN or origin > last:
        raise ConfigError(
            f"--origin {origin}: must be between {FIRST_ORIGIN} (six observed months after the fit "
            f"start 2023-01-01) and {last} (the last observed day)"
        )
    if to <= origin:
        raise ConfigError(f"--to {to}: must be after --origin {origin}")
    if (to - origin).days > MAX_HORIZON_DAYS:
        raise ConfigError(f"--to {to}: at most {MAX_HORIZON_DAYS} days after --origin {origin}")
    if not month_starts(origin, to):
        raise ConfigError(f"--to {to}: the forecast must reach into the month after the origin's")
    return origin, to


def check_numbers(draws: int, budget: int, population: int) -> None:
    if not 10 <= draws <= 10_000:
        raise ConfigError(f"--draws {draws} is out of range; allowed: 10..10000")
    if not 10 <= population <= 10_000:
        raise ConfigError(f"--population {population} is out of range; allowed: 10..10000")
    if budget < 2 * population or budget > 10_000_000:
        raise ConfigError(
            f"--budget {budget} is out of range; allowed: {2 * population}..10000000 simulations "
            f"(at least two generations of --population {population})"
        )


# --------------------------------------------------------------------------- fits at an origin
FIT_FILES = ("posterior.csv", "inflow_month_sd.json")
#: Copied with a reused fit, where present (how large the fit was).
FIT_RECORD = "fit.json"


def fit_origin_of(folder: Path) -> dt.date | None:
    """The origin (data end) of the fit stored in ``folder``, from its setup record's name
    (``origin-YYYY-MM-DD_setup.json``), or None if it holds no complete stored fit."""
    folder = Path(folder)
    records = sorted(folder.glob("origin-*_setup.json"))
    if len(records) != 1 or not all((folder / f).is_file() for f in FIT_FILES):
        return None
    try:
        return dt.date.fromisoformat(records[0].name[len("origin-") : -len("_setup.json")])
    except ValueError:
        return None


def stored_fits(*roots: Path) -> dict[dt.date, Path]:
    """Every stored fit (a ``fit`` folder with a posterior and a month-noise estimate) under
    ``roots`` (default: the project's committed forecasts), by its origin; the first root wins."""
    out: dict[dt.date, Path] = {}
    for root in roots or (FORECAST_DIR,):
        for folder in sorted(Path(root).glob("**/fit")):
            day = fit_origin_of(folder)
            if day is not None and day not in out:
                out[day] = folder
    return out


def shown_path(folder: Path) -> str:
    """``folder`` as a path relative to the working folder where it lies inside it (links resolved)."""
    real = Path(folder).resolve()
    try:
        return str(real.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(real)


def read_fit(folder: Path) -> tuple[pd.DataFrame, float, dict]:
    """A stored fit's posterior, month-noise size and what is known of how it was made."""
    folder = Path(folder)
    post = pd.read_csv(folder / "posterior.csv")
    month = json.loads((folder / "inflow_month_sd.json").read_text(encoding="utf-8"))
    setup = json.loads(next(folder.glob("origin-*_setup.json")).read_text(encoding="utf-8"))
    info = {"folder": shown_path(folder), "population": setup.get("population"), "seed": setup.get("seed")}
    for made in (folder / "fit.json", folder.parent / "forecast.json"):  # the fit's size, where recorded
        if made.is_file():
            rec = json.loads(made.read_text(encoding="utf-8"))
            rec = rec.get("fit", rec) if isinstance(rec.get("fit"), dict) else rec
            info.update({k: rec[k] for k in ("generations", "simulations", "budget") if k in rec})
            break
    return post, float(month["sd"]), info


def fit_at_origin(
    origin: dt.date,
    fit_dir: Path,
    budget: int,
    population: int,
    seed: int,
    workers: int,
    progress: bool = False,
    log=print,
) -> tuple[pd.DataFrame, float, dict]:
    """The ABC-SMC fit on the data up to ``origin`` and its month-noise estimate, written to
    ``fit_dir`` (call inside :func:`data_up_to`). A fit already in ``fit_dir`` is continued."""
    setting = cal.origin_setting(origin)
    priors = cal.informed_priors(setting)
    fit = cal.run_fit(setting, fit_dir, budget, population, seed, workers, priors, progress=progress, log=log)
    post = cal.posterior(Path(fit["db"]))
    safeio.write_csv(fit_dir / "posterior.csv", post, float_format="%.6g")
    msd_file = fit_dir / "inflow_month_sd.json"
    if msd_file.is_file():  # made by an earlier call on the same fit
        month = json.loads(msd_file.read_text(encoding="utf-8"))
    else:
        month = cal.estimate_inflow_month_sd(
            cal.point_estimate(post), setting, replicates=MONTH_SD_REPLICATES, seed=seed, workers=workers, log=log
        )
        safeio.write_json(msd_file, month)
    fit = {**fit, "population": population, "budget": budget}
    safeio.write_json(
        fit_dir / "fit.json", {k: fit[k] for k in ("fit", "generations", "simulations", "budget", "population")}
    )
    return post, float(month["sd"]), fit


def reuse_fit(origin: dt.date, fit_dir: Path, log=print) -> tuple[pd.DataFrame, float, dict] | None:
    """A committed fit made at ``origin`` (or one already stored in ``fit_dir`` without its ABC
    history), copied into ``fit_dir`` and read; None if there is none, or if ``fit_dir`` holds an
    ABC history to continue."""
    if any(Path(fit_dir).glob("*.db")):
        return None
    source = Path(fit_dir) if fit_origin_of(fit_dir) == origin else stored_fits().get(origin)
    if source is None:
        return None
    if source.resolve() != Path(fit_dir).resolve():
        for f in (*FIT_FILES, FIT_RECORD, f"origin-{origin}_setup.json"):
            if (source / f).is_file():
                shutil.copyfile(source / f, Path(fit_dir) / f)
    post, month_sd, info = read_fit(source)
    size = (
        f"{info['generations']} generations, {info['simulations']} simulations, population {info['population']}"
        if "simulations" in info
        else f"population {info['population']}"
    )
    log(f"reusing the committed fit at {origin} ({shown_path(source)}: {size}); --refit fits anew")
    return post, month_sd, {**info, "reused": True}


# --------------------------------------------------------------------------- making a forecast
def prepare(
    origin: dt.date,
    to: dt.date,
    scenario_path: Path,
    fit_dir: Path,
    draws: int,
    budget: int,
    population: int,
    seed: int,
    workers: int,
    parameter_uncertainty: bool = True,
    progress: bool = False,
    log=print,
    refit: bool = False,
) -> Plan:
    """The fit at the origin, its month-noise estimate and everything drawn for the runs (call
    inside :func:`data_up_to`). A committed fit at the same origin is reused (unless ``refit``);
    a fit already in ``fit_dir`` is continued, not redone."""
    found = None if refit else reuse_fit(origin, fit_dir, log)
    post, month_sd, fit = found or fit_at_origin(origin, fit_dir, budget, population, seed, workers, progress, log)
    return build_plan(origin, to, scenario_path, post, month_sd, draws, seed, parameter_uncertainty, fit)


def build_plan(
    origin: dt.date,
    to: dt.date,
    scenario_path: Path,
    post: pd.DataFrame,
    month_sd: float,
    draws: int,
    seed: int,
    parameter_uncertainty: bool = True,
    fit: dict | None = None,
) -> Plan:
    """The runs' plan from a posterior fitted at ``origin`` (its columns: the fitted parameters and
    ``weight``) and a month-noise size (call inside :func:`data_up_to`)."""
    name, policy, own = scenario_policy(scenario_path)
    setting = cal.origin_setting(origin)
    fitted = [c for c in post.columns if c != "weight"]
    chain = weather_chain(origin)
    thetas = draw_thetas(post, fitted, draws, seed, parameter_uncertainty)
    fit = {**(fit or {}), "scenario": name, "scenario_own_calibrated": own}
    drift = level_drift(origin)
    return Plan(
        origin,
        to,
        setting,
        policy,
        thetas,
        drift,
        drift_draws(drift, draws, seed, parameter_uncertainty),
        month_sd,
        chain,
        seed,
        parameter_uncertainty,
        fitted,
        [k for k in FROM_PRIOR if k not in fitted],
        fit,
    )


def quantile_table(runs: dict) -> pd.DataFrame:
    out = pd.DataFrame({"month": pd.to_datetime(runs["month"]).strftime("%Y-%m")})
    for col in ("arrivals", "returns"):
        q = np.percentile(runs[col], QUANTILES, axis=0)
        for p, row in zip(QUANTILES, q):
            out[f"{col}_p{p:02d}"] = np.round(row, 1)
    return out


def observed_monthly(first: str | None = None) -> pd.Series:
    """Observed arrivals per complete month (SB01), indexed by 'YYYY-MM'."""
    d = data.daily_arrivals()
    s = pd.Series(d["arrivals"], index=pd.to_datetime(d["date"]))
    m = s.groupby(s.index.to_period("M")).sum()
    m.index = m.index.strftime("%Y-%m")
    return m[m.index >= first] if first else m


def make_forecast(
    origin,
    to,
    scenario_path=None,
    out: Path | None = None,
    draws: int = DEFAULT_DRAWS,
    budget: int = DEFAULT_BUDGET,
    population: int = DEFAULT_POPULATION,
    seed: int = DEFAULT_SEED,
    workers: int | None = None,
    parameter_uncertainty: bool = True,
    progress: bool = False,
    log=print,
    fit_dir: Path | None = None,
    refit: bool = False,
) -> dict:
    """A forecast from ``origin`` to ``to``; returns the plan, the runs and the quantile table.
    Nothing is written except the fit (``fit_dir``) unless :func:`write_forecast` is called."""
    from ..workers import default_workers

    origin, to = check_dates(origin, to)
    check_numbers(draws, budget, population)
    check_seed(seed, "--seed")
    scenario_path = Path(scenario_path or DEFAULT_SCENARIO)
    scenario_policy(scenario_path)  # a bad scenario fails here, before any work
    workers = default_workers() if workers is None else workers
    if out is not None:
        safeio.prepare_output_dir(out)
    fit_dir = safeio.prepare_output_dir(fit_dir or (out / "fit" if out else tempfile.mkdtemp(prefix="dsim-fit-")))
    t0 = time.perf_counter()
    with data_up_to(origin) as folder, safeio.os_errors_as_config(fit_dir):
        plan = prepare(
            origin,
            to,
            scenario_path,
            fit_dir,
            draws,
            budget,
            population,
            seed,
            workers,
            parameter_uncertainty,
            progress,
            log,
            refit,
        )
        runs = run_plan(plan, draws, workers, str(folder), progress)
    return {"plan": plan, "runs": runs, "table": quantile_table(runs), "seconds": time.perf_counter() - t0}


def forecast_from_posterior(
    origin,
    to,
    post: pd.DataFrame,
    month_sd: float,
    scenario_path=None,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    workers: int = 1,
    parameter_uncertainty: bool = True,
) -> dict:
    """The runs of a forecast from a posterior already fitted on the data up to ``origin`` (no
    fit, no month-noise estimate): as :func:`make_forecast` otherwise."""
    origin, to = check_dates(origin, to)
    t0 = time.perf_counter()
    with data_up_to(origin) as folder:
        plan = build_plan(
            origin, to, Path(scenario_path or DEFAULT_SCENARIO), post, month_sd, draws, seed, parameter_uncertainty
        )
        runs = run_plan(plan, draws, workers, str(folder))
    return {"plan": plan, "runs": runs, "table": quantile_table(runs), "seconds": time.perf_counter() - t0}


def totals(runs: dict, col: str = "arrivals") -> np.ndarray:
    return runs[col].sum(axis=1)


def write_forecast(out: Path, res: dict, command: str) -> dict:
    """forecast.csv, forecast_draws.csv, forecast.json, forecast.md and fan_chart.png."""
    plan, runs, table = res["plan"], res["runs"], res["table"].copy()
    obs = observed_monthly()
    last = data.daily_arrivals()["date"][-1].astype(object)
    complete = obs.index if (last + dt.timedelta(days=1)).day == 1 else obs.index[:-1]
    table["observed_arrivals"] = [obs.get(m) if m in complete else np.nan for m in table.month]
    safeio.prepare_output_dir(out)
    safeio.write_csv(out / "forecast.csv", table)
    months = list(table.month)
    draws = pd.DataFrame(runs["arrivals"], columns=[f"arrivals {m}" for m in months])
    draws = pd.concat([draws, pd.DataFrame(runs["returns"], columns=[f"returns {m}" for m in months])], axis=1)
    draws.insert(0, "run", range(len(draws)))
    safeio.write_csv(out / "forecast_draws.csv", draws, float_format="%.0f")
    tot = {
        c: dict(zip(("p05", "p25", "p50", "p75", "p95"), np.percentile(totals(runs, c), QUANTILES).tolist()))
        for c in ("arrivals", "returns")
    }
    summary = {
        "command": command,
        "origin": plan.origin.isoformat(),
        "to": plan.to.isoformat(),
        "scenario": plan.fit["scenario"],
        "draws": len(runs["arrivals"]),
        "parameter_uncertainty": plan.parameter_uncertainty,
        "seed": plan.seed,
        "inflow_month_sd": plan.month_sd,
        "level_drift_sd_per_year": plan.drift_sd,
        "level_drift": plan.drift,
        "fitted": plan.fitted,
        "from_prior": plan.from_prior,
        "fit": {k: v for k, v in plan.fit.items() if k not in ("db",)},
        "totals": tot,
        "first_month": months[0],
        "last_month": months[-1],
        "seconds": res["seconds"],
    }
    safeio.write_json(out / "forecast.json", summary)
    fan_chart(out / "fan_chart.png", table, obs, plan)
    a, r = tot["arrivals"], tot["returns"]
    lines = [
        f"# Forecast from {plan.origin} to {plan.to} ({plan.fit['scenario']})",
        "",
        f"Made by `{command}` on {dt.date.today()}.",
        "",
        f"**Arrivals {months[0]}..{months[-1]}: median {a['p50']:,.0f}, 90% band "
        f"{a['p05']:,.0f}-{a['p95']:,.0f}** "
        f"(50% band {a['p25']:,.0f}-{a['p75']:,.0f}). Returns to France: median {r['p50']:,.0f}, 90% band "
        f"{r['p05']:,.0f}-{r['p95']:,.0f}.",
        "",
        "How it was made (docs/ODD.md, section 11):",
        "",
        f"* a fit on the data up to {plan.origin} only"
        + (" (a committed fit at the same origin, reused)" if plan.fit.get("reused") else "")
        + f": ABC-SMC, {plan.fit.get('generations', '?')} generations, {plan.fit.get('simulations', '?')} "
        f"simulations (budget {plan.fit.get('budget', '?')}, population {plan.fit.get('population', '?')}); "
        f"fitted: {', '.join(plan.fitted)}"
        + (
            f"; from their priors (nothing before the origin informs them): {', '.join(plan.from_prior)}"
            if plan.from_prior
            else ""
        ),
        f"* {len(runs['arrivals'])} runs, each with "
        + (
            "its own parameter set resampled from the posterior"
            if plan.parameter_uncertainty
            else "the posterior medians (parameter uncertainty off)"
        ),
        f"* month-to-month inflow noise `inflow_month_sd` = {plan.month_sd:g} (method of moments at the origin); "
        f"drift of the inflow level after the origin: a random walk in log level, {plan.drift_sd:.3f} per year "
        f"(90% interval {plan.drift['sd_year_90'][0]:.2f}-{plan.drift['sd_year_90'][1]:.2f}; local-level model "
        f"of the log monthly arrivals {plan.drift['first_month']}..{plan.drift['last_month']}"
        + ("; each run draws its own size from that uncertainty)" if plan.parameter_uncertainty else ")"),
        f"* stochastic weather after the origin: the monthly Markov chain fitted to the crossing days "
        f"{WEATHER_FIRST_YEAR}-01-01..{min(plan.origin, dt.date(WEATHER_LAST_YEAR, 12, 31))} (never the pilot's "
        f"months); the observed crossing days before the origin",
        f"* the policy path of scenario `{plan.fit['scenario']}`"
        + (
            f" (its own values kept for {', '.join(plan.fit['scenario_own_calibrated'])})"
            if plan.fit["scenario_own_calibrated"]
            else ""
        ),
        "",
        "| month | arrivals p05 | p25 | p50 | p75 | p95 | observed | returns p50 [p05, p95] |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for _, row in table.iterrows():
        o = row["observed_arrivals"]
        lines.append(
            f"| {row['month']} | {row['arrivals_p05']:,.0f} | {row['arrivals_p25']:,.0f} | "
            f"{row['arrivals_p50']:,.0f} | {row['arrivals_p75']:,.0f} | {row['arrivals_p95']:,.0f} | "
            f"{'-' if pd.isna(o) else f'{o:,.0f}'} | {row['returns_p50']:,.0f} [{row['returns_p05']:,.0f}, "
            f"{row['returns_p95']:,.0f}] |"
        )
    safeio.write_text(out / "forecast.md", "\n".join(lines) + "\n")
    return summary


def fan_chart(path: Path, table: pd.DataFrame, obs: pd.Series, plan: Plan, title: str | None = None) -> None:
    """Monthly arrivals and returns: 50% and 90% bands, median, observed series where it exists."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = pd.to_datetime(table.month)
    fig, axes = plt.subplots(2, 1, figsize=(10, 7), sharex=False, height_ratios=(2, 1))
    first = (pd.Timestamp(plan.origin) - pd.DateOffset(months=24)).strftime("%Y-%m")
    seen = obs[(obs.index >= first)]
    for ax, col, label in (
        (axes[0], "arrivals", "Arrivals per month"),
        (axes[1], "returns", "Returns to France per month"),
    ):
        ax.fill_between(x, table[f"{col}_p05"], table[f"{col}_p95"], color="tab:blue", alpha=0.2, label="90% band")
        ax.fill_between(x, table[f"{col}_p25"], table[f"{col}_p75"], color="tab:blue", alpha=0.35, label="50% band")
        ax.plot(x, table[f"{col}_p50"], color="tab:blue", lw=2, label="median")
        ax.axvline(pd.Timestamp(plan.origin), color="grey", ls="--", lw=1)
        ax.set_title(label, fontsize=10)
        ax.set_ylabel("people")
    axes[0].plot(pd.to_datetime(seen.index), seen.values, "k.-", lw=1, label="observed (SB01)")
    axes[0].text(pd.Timestamp(plan.origin), axes[0].get_ylim()[1] * 0.95, " origin", color="grey", fontsize=8)
    axes[0].legend(fontsize=8, loc="upper left")
    fig.suptitle(title or f"Forecast from {plan.origin} ({plan.fit['scenario']}), data up to the origin only")
    fig.tight_layout()
    safeio.save_figure(fig, path, dpi=110)
    plt.close(fig)
