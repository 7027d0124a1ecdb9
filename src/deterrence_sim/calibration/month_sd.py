"""The month-to-month inflow noise: ``inflow_month_sd`` estimated by the method of moments
from a fit's monthly residuals (the last step of ``deterrence-sim calibrate``;
docs/ODD.md, section 10), and reading the stored estimates back."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path

import numpy as np

from ..errors import ConfigError
from ..workers import worker_pool
from .setting import DEFAULT_SEED, Setting, simulate

MONTH_SD_REPLICATES = 30
MONTH_SD_FILE = "inflow_month_sd.json"


def _monthly_arrivals_job(args) -> np.ndarray:
    """Worker: one run's arrivals in each observed month of the fit window."""
    theta, setting, end, weather, seed, months = args
    arrivals = simulate(theta, setting, seed, end=end, weather=weather)["arrivals"]
    return np.array([arrivals[days].sum() for days in months])


def _monthly_runs(theta, setting, sd, replicates, seed, workers, weather, months, end) -> np.ndarray:
    """log monthly arrivals, replicates x months, with the month noise set to ``sd``. Replicate i
    has seed ``replicate_seed(seed, i)`` whatever ``sd`` is (common random numbers)."""
    from ..observed.data import use_folder
    from ..runner import replicate_seed

    jobs = [
        ({**theta, "inflow_month_sd": float(sd)}, setting, end, weather, replicate_seed(seed, i), months)
        for i in range(replicates)
    ]
    seeds = os.environ.get("DETERRENCE_SIM_SEEDS")  # the workers read the data folder the parent reads
    with worker_pool(workers, len(jobs), use_folder, (seeds,)) as pool:
        out = list((pool.map if pool else map)(_monthly_arrivals_job, jobs))
    return np.log(np.maximum(np.array(out), 1.0))


def month_residual_variance(log_x: np.ndarray, center: np.ndarray, year: np.ndarray) -> np.ndarray:
    """The moment matched by :func:`estimate_inflow_month_sd`, for one series or each row of many.

    ``d = log_x - center`` by month; each year's mean of ``d`` is taken out (the yearly inflow
    levels are calibrated, so a year's mean residual is a misfit of its level, not month-to-month
    variation) and the sum of squares is divided by (months - years), the degrees of freedom
    left after removing one mean per year."""
    d = np.atleast_2d(log_x) - center
    r = d.copy()
    for y in np.unique(year):
        cols = year == y
        r[:, cols] -= d[:, cols].mean(axis=1, keepdims=True)
    out = (r * r).sum(axis=1) / (len(year) - len(np.unique(year)))
    return out if np.ndim(log_x) == 2 else float(out[0])


def estimate_inflow_month_sd(
    theta: dict,
    setting: Setting,
    replicates: int = MONTH_SD_REPLICATES,
    seed: int = DEFAULT_SEED,
    workers: int = 1,
    weather: str = "observed",
    log=None,
) -> dict:
    """Estimate ``inflow_month_sd`` by the (simulated) method of moments: a step of ``calibrate``.

    The ABC fit sets the inflow's yearly levels and everything else with the month noise off
    (:meth:`Setting.fixed`). What the fitted model does not produce is the month-to-month
    scatter of the observed arrivals around it: this step sizes the noise so that the model's
    scatter matches the data's. For the fit's point estimate ``theta`` (posterior medians):

    1. ``replicates`` runs with ``inflow_month_sd = 0`` give ``log S[r, m]``, the log arrivals of
       replicate r in observed month m (2023-01..2025-12 for the full fit, 36 months; to
       2025-06 for the held-out fit), and the centre ``c[m]``, their mean over replicates.
    2. Observed moment: ``V_obs = month_residual_variance(log O, c)``, the variance over months
       of ``log(O[m]) - c[m]`` after taking out each year's mean (divided by months - years).
    3. The model's own scatter at sd = 0, ``T0``: the same statistic for each replicate as if it
       were the observations (with a leave-one-out centre), averaged over replicates. It holds
       what the model already produces: Poisson newcomers, behavioural draws, queues carried
       from month to month.
    4. First estimate, ``sd1 = sqrt(max(0, V_obs - T0))``: right if a month's inflow factor
       passed one for one into that month's arrivals.
    5. It does not: people who reach the coast late in a month, or wait for a calm spell, cross
       the next month, so part of a month's surge is spread over its neighbours and the scatter
       of arrivals grows by less than ``sd^2``. The same replicates (same seeds) are run with
       ``inflow_month_sd = sd1``; their statistic ``T1`` gives the transmission
       ``k = (T1 - T0) / sd1^2``, and the estimate is ``sd = sqrt((V_obs - T0) / k)``, capped at
       the parameter's upper bound 1.
    6. Check: runs at ``sd`` give ``T(sd)``, which should be close to ``V_obs``.

    The plain version, ``var_m(log(O / mean S)) - mean_m var_r(log S)`` with no year means taken
    out and no transmission, is reported as ``simple_sd`` for comparison.

    **Why observed weather** (the default, as in the fit and in the in-sample validation): with
    the observed crossing days replayed, the residual ``log O - c`` is what the weather record
    does not explain, which is what a month-to-month inflow term is for; the model's own scatter
    (step 3) then holds no weather variance either. With stochastic weather both the observed
    residual and the model's scatter contain the whole weather variance, and the estimate is the
    small difference of two large numbers, right only if the Markov chain and the model's
    response to it reproduced the real months. They do not: with stochastic weather this
    estimator gives 0 for the calibrated model, whose Markov weather alone scatters the months
    more than the data do, because the model responds to the crossing-day record about 1.5
    times too strongly. That over-response leaves a little of the weather in the observed-weather
    residual too; taking it out would move the estimate by about -0.01, well inside its sampling
    error, so it is not corrected for (docs/ODD.md section 10).

    ``sd`` is rounded to two decimals: the 36 months pin it down only to about +-0.1 (the rough
    90% interval ``approx_90`` reflects the sampling error of ``V_obs`` alone). Returns a dict with
    ``sd`` and the moments behind it.
    """
    from ..observed.targets import TargetSet

    say = log or (lambda *a: None)
    targets = TargetSet(setting.start, setting.end, setting.fit_end)
    monthly = [t for t in targets.targets if t.group == "monthly"]
    if len(monthly) < 6:
        raise ConfigError(f"{setting.name}: only {len(monthly)} observed months in the fit window; need at least 6")
    if replicates < 10 or replicates > 10_000:
        raise ConfigError(f"--month-sd-replicates {replicates} is out of range; allowed: 10..10000")
    months = [t.days for t in monthly]
    end = (dt.date.fromisoformat(setting.start) + dt.timedelta(days=int(max(d[-1] for d in months)))).isoformat()
    year = np.array([int(t.name[-7:-3]) for t in monthly])
    log_obs = np.log(np.array([t.observed for t in monthly]))
    theta = {k: v for k, v in theta.items() if k != "inflow_month_sd"}

    def run(sd):
        return _monthly_runs(theta, setting, sd, replicates, seed, workers, weather, months, end)

    t0 = time.perf_counter()
    out = {
        "setting": setting.name,
        "weather": weather,
        "months": len(monthly),
        "first_month": monthly[0].name[-7:],
        "last_month": monthly[-1].name[-7:],
        "replicates": replicates,
        "seed": seed,
        "theta": {k: float(v) for k, v in theta.items()},
    }
    out.update(moment_estimate(log_obs, year, run))
    out["seconds"] = time.perf_counter() - t0
    say(
        f"inflow_month_sd ({setting.name}, {weather} weather): observed moment {out['observed_moment']:.4f}, model "
        f"at sd = 0 {out['model_moment_sd0']:.4f}; first estimate {out['first_sd']:.3f}"
        + (
            f"; transmission to arrivals k = {out['transmission']:.3f}; estimate {out['sd_unrounded']:.3f} (rough 90% "
            f"interval {out['approx_90'][0]:.2f}-{out['approx_90'][1]:.2f}), model moment there "
            f"{out['model_moment_at_sd']:.4f}"
            if out["transmission"]
            else "; estimate 0"
        )
    )
    return out


def moment_estimate(log_obs: np.ndarray, year: np.ndarray, run) -> dict:
    """Steps 2-6 of :func:`estimate_inflow_month_sd`: ``log_obs`` are the observed log monthly
    arrivals, ``year`` each month's year, and ``run(sd)`` returns the simulated log monthly
    arrivals (replicates x months) with the month noise at ``sd``, the same seeds for every sd."""
    from scipy import stats

    s0 = run(0.0)
    replicates = len(s0)
    center = s0.mean(axis=0)
    v_obs = month_residual_variance(log_obs, center, year)
    loo = (center * replicates - s0) / (replicates - 1)  # leave-one-out centre of each replicate
    t_0 = float(np.mean([month_residual_variance(s0[r], loo[r], year) for r in range(replicates)]))
    simple_var = float(np.var(log_obs - np.log(np.exp(s0).mean(axis=0)), ddof=1) - np.var(s0, axis=0, ddof=1).mean())
    out = {
        "observed_moment": v_obs,
        "model_moment_sd0": t_0,
        "simple_sd": float(np.sqrt(max(0.0, simple_var))),
        "first_sd": float(np.sqrt(max(0.0, v_obs - t_0))),
    }
    if v_obs <= t_0:
        out.update(
            sd=0.0, sd_unrounded=0.0, approx_90=None, transmission=None, model_moment_sd1=None, model_moment_at_sd=t_0
        )
        return out
    sd1 = out["first_sd"]
    t_1 = float(np.mean(month_residual_variance(run(sd1), center, year)))
    k = (t_1 - t_0) / sd1**2
    if k <= 0:
        raise ConfigError(
            f"inflow_month_sd: the month noise did not add to the model's monthly scatter "
            f"(moment {t_1:.4f} at sd {sd1:.3f} against {t_0:.4f} at 0); use more replicates"
        )
    sd = float(min(1.0, np.sqrt((v_obs - t_0) / k)))
    t_sd = float(np.mean(month_residual_variance(run(sd), center, year)))
    # sampling error of V_obs alone (months - years degrees of freedom, residuals taken as
    # independent and normal): a rough 90% interval for sd
    dof = len(year) - len(np.unique(year))
    v_lo, v_hi = v_obs * dof / stats.chi2.ppf([0.95, 0.05], dof)
    interval = [float(min(1.0, np.sqrt(max(0.0, v - t_0) / k))) for v in (v_lo, v_hi)]
    out.update(
        sd=round(sd, 2),
        sd_unrounded=sd,
        approx_90=interval,
        transmission=float(k),
        model_moment_sd1=t_1,
        model_moment_at_sd=t_sd,
    )
    return out


def read_month_sd(folder: Path) -> dict[str, float]:
    """The estimated ``inflow_month_sd`` of each fit stored in ``folder`` (``{}`` if none)."""
    path = Path(folder) / MONTH_SD_FILE
    if not path.is_file():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {name: float(r["sd"]) for name, r in raw.items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ConfigError(
            f"{path}: not a valid inflow_month_sd estimate; rerun `deterrence-sim calibrate "
            f"--only-inflow-month-sd --out {folder}`"
        ) from None
