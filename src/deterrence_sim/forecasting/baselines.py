"""Probabilistic baselines for the backtest: what a forecaster without the model would say.

Each baseline is made at an *origin* from the observed daily arrivals (SB01) up to that day only,
and gives a predictive distribution of the arrivals of each month after the origin, as draws, so
that it is scored exactly as the model's runs are (:mod:`.scores`).

* :func:`seasonal_level` (**seasonal level x lognormal**): the trailing 12-month total times
  each calendar month's mean share of its year's arrivals over the last two complete years,
  times lognormal noise whose log-sd is the standard deviation of the same forecast's log errors
  one month ahead over the :data:`RESIDUAL_MONTHS` months up to the origin (in-sample
  residuals). Its median is the point forecast; its spread does not grow with the horizon.
* :func:`count_model` (**negative-binomial count model of daily arrivals**): a negative-binomial
  (NB2) regression of each day's arrivals, fitted by maximum likelihood (statsmodels) on the days
  from :data:`COUNT_FIT_FIRST` to the origin, on month-of-year effects, a lagged level (the log
  of one plus the mean arrivals of the previous 30 and 90 days) and whether the day before had
  arrivals (the persistence of spells of calm and rough weather). It is simulated forward day by
  day, each path feeding its own simulated days back into the lagged level, and the days are
  summed by month: the predictive distribution carries the day-to-day count noise, the weather
  persistence and the drift of the level that the lags allow. Parameter uncertainty is left out.

Both are the kind of forecast a forecaster of this series would make with standard tools: the
first in three lines, the second with an off-the-shelf count regression.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

#: Months of one-month-ahead log errors that size the seasonal baseline's noise.
RESIDUAL_MONTHS = 24
#: First day of the count model's fit (the years of a large flow; as the weather chain).
COUNT_FIT_FIRST = "2022-01-01"
#: The count model's lagged levels: the mean arrivals over the previous 30 and 90 days.
LAGS = (30, 90)
#: Covariates of the count model besides the intercept and the month-of-year effects.
LEVEL_FEATURES = ("log_mean30", "log_mean90", "crossed_yesterday")
#: Cap on a simulated day's expected arrivals (twice the largest observed day), so that a path
#: whose lagged level runs away cannot overflow.
MAX_DAY_MEAN = 2000.0


# --------------------------------------------------------------------------- seasonal level x lognormal
def _month_shift(month: str, k: int) -> str:
    p = pd.Period(month, "M") + k
    return p.strftime("%Y-%m")


def seasonal_shares(monthly: pd.Series, origin: dt.date) -> np.ndarray:
    """Each calendar month's share of its year's arrivals, averaged over the last two complete
    calendar years up to ``origin`` (``monthly``: arrivals indexed 'YYYY-MM')."""
    last = origin.year if (origin.month, origin.day) == (12, 31) else origin.year - 1
    shares = []
    for year in (last - 1, last):
        row = np.array([monthly[f"{year}-{m:02d}"] for m in range(1, 13)], dtype=float)
        shares.append(row / row.sum())
    return np.mean(shares, axis=0)


def seasonal_level(monthly: pd.Series, origin: dt.date, months: list[str]) -> dict:
    """The seasonal-level baseline's point forecast (its median) of ``months`` ('YYYY-MM') and
    its log-sd, from the complete months of ``monthly`` up to ``origin`` (a month-end)."""
    seen = monthly[monthly.index <= origin.strftime("%Y-%m")].astype(float)
    shares = seasonal_shares(seen, origin)
    level = seen.iloc[-12:].sum()
    point = np.array([level * shares[int(m[5:]) - 1] for m in months])
    resid = []
    for t in seen.index[-RESIDUAL_MONTHS:]:
        before = seen[(seen.index >= _month_shift(t, -12)) & (seen.index < t)]
        if len(before) == 12 and seen[t] > 0:
            resid.append(np.log(seen[t] / (before.sum() * shares[int(t[5:]) - 1])))
    sd = float(np.std(resid, ddof=1))
    return {"point": point, "sd": sd, "level": float(level), "shares": shares}


def seasonal_level_samples(monthly: pd.Series, origin: dt.date, months: list[str], n: int, rng) -> np.ndarray:
    """``n`` draws (rows) of the seasonal-level baseline for ``months`` (columns)."""
    f = seasonal_level(monthly, origin, months)
    return f["point"] * np.exp(f["sd"] * rng.standard_normal((n, len(months))))


# --------------------------------------------------------------------------- negative-binomial count model
def design(y: np.ndarray, month_of_year: np.ndarray, features=LEVEL_FEATURES) -> np.ndarray:
    """Covariates of each day ``t >= max(LAGS)`` of the daily series ``y``: intercept, 11
    month-of-year indicators (February..December), then ``features`` computed from the days
    before ``t`` only."""
    first = max(LAGS)
    n = len(y) - first
    cols = [np.ones(n)]
    moy = month_of_year[first:]
    cols += [(moy == m).astype(float) for m in range(2, 13)]
    c = np.concatenate(([0.0], np.cumsum(y, dtype=float)))
    t = np.arange(first, len(y))
    for name in features:
        if name.startswith("log_mean"):
            k = int(name[len("log_mean") :])
            cols.append(np.log1p((c[t] - c[t - k]) / k))
        elif name == "crossed_yesterday":
            cols.append((y[t - 1] > 0).astype(float))
        else:
            raise ValueError(f"unknown count-model feature {name!r}")
    return np.column_stack(cols)


def fit_count_model(
    dates: np.ndarray, y: np.ndarray, origin: dt.date, features=LEVEL_FEATURES, first: str = COUNT_FIT_FIRST
) -> dict:
    """Maximum-likelihood NB2 regression of daily arrivals (statsmodels) on the days from
    ``first`` to ``origin``; returns the coefficients, the dispersion ``alpha`` (variance
    ``mu + alpha mu^2``) and their standard errors."""
    from statsmodels.discrete.discrete_model import NegativeBinomial

    dates = np.asarray(dates, dtype="datetime64[D]")
    keep = dates <= np.datetime64(origin)
    dates, y = dates[keep], np.asarray(y, dtype=float)[keep]
    start = int(np.searchsorted(dates, np.datetime64(first))) - max(LAGS)
    if start < 0:
        raise ValueError(f"the count model needs {max(LAGS)} days of data before {first}")
    dates, y = dates[start:], y[start:]
    moy = dates.astype("datetime64[M]").astype(int) % 12 + 1
    X = design(y, moy, features)
    res = NegativeBinomial(y[max(LAGS) :], X, loglike_method="nb2").fit(method="newton", maxiter=200, disp=0)
    params = np.asarray(res.params, dtype=float)
    return {
        "beta": params[:-1],
        "alpha": float(params[-1]),
        "se": np.asarray(res.bse, dtype=float),
        "features": tuple(features),
        "history": y[-max(LAGS) :],
        "origin": origin,
        "converged": bool(res.mle_retvals.get("converged", True)),
        "days": int(len(y) - max(LAGS)),
    }


def next_day_mean(fit: dict, history: np.ndarray, month: int) -> np.ndarray:
    """Expected arrivals of the day after ``history`` (paths x days, the last ``max(LAGS)`` days
    at least), in calendar month ``month``: ``exp(x'beta)`` with the covariates of :func:`design`."""
    h = np.atleast_2d(history)
    x = [np.ones(len(h))] + [np.full(len(h), float(month == m)) for m in range(2, 13)]
    for name in fit["features"]:
        if name.startswith("log_mean"):
            k = int(name[len("log_mean") :])
            x.append(np.log1p(h[:, -k:].mean(axis=1)))
        else:  # crossed_yesterday
            x.append((h[:, -1] > 0).astype(float))
    return np.minimum(np.exp(np.column_stack(x) @ fit["beta"]), MAX_DAY_MEAN)


def simulate_count_model(fit: dict, origin: dt.date, months: list[str], n: int, rng) -> np.ndarray:
    """``n`` draws (rows) of the arrivals of ``months`` (columns; consecutive, the first the
    month after the origin's): each path simulated day by day from the observed days before."""
    first = pd.Period(months[0], "M").start_time.date()
    last = pd.Period(months[-1], "M").end_time.date()
    days = pd.date_range(origin + dt.timedelta(days=1), last, freq="D")
    if days[0].date() != first:
        raise ValueError(f"the count model's months must start the month after the origin {origin}")
    k = max(LAGS)
    hist = np.tile(np.asarray(fit["history"], dtype=float)[-k:], (n, 1))
    r = 1.0 / fit["alpha"]
    out = np.zeros((n, len(months)))
    col = {m: j for j, m in enumerate(months)}
    for day in days:
        mu = next_day_mean(fit, hist, day.month)
        draw = rng.negative_binomial(r, r / (r + mu)).astype(float)
        out[:, col[day.strftime("%Y-%m")]] += draw
        hist = np.concatenate((hist[:, 1:], draw[:, None]), axis=1)
    return out


def count_model_samples(dates, y, origin: dt.date, months: list[str], n: int, rng) -> tuple[np.ndarray, dict]:
    """Fit the count model on the days up to ``origin`` and draw ``n`` forecasts of ``months``."""
    fit = fit_count_model(dates, y, origin)
    return simulate_count_model(fit, origin, months, n, rng), fit


# --------------------------------------------------------------------------- both, as the backtest uses them
BASELINES = ("seasonal level x lognormal", "negative-binomial count model")


def baseline_samples(daily: dict, origin: dt.date, months: list[str], n: int, seed: int) -> dict[str, np.ndarray]:
    """Draws of both baselines made at ``origin`` from ``daily`` (SB01 as read by
    :func:`deterrence_sim.observed.data.daily_arrivals`); only the days up to the origin are used."""
    dates = np.asarray(daily["date"], dtype="datetime64[D]")
    keep = dates <= np.datetime64(origin)
    dates, y = dates[keep], np.asarray(daily["arrivals"], dtype=float)[keep]
    s = pd.Series(y, index=pd.to_datetime(dates))
    monthly = s.groupby(s.index.to_period("M")).sum()
    monthly.index = monthly.index.strftime("%Y-%m")
    seasonal = seasonal_level_samples(monthly, origin, months, n, np.random.default_rng([seed, 1]))
    counts, _ = count_model_samples(dates, y, origin, months, n, np.random.default_rng([seed, 2]))
    return {BASELINES[0]: seasonal, BASELINES[1]: counts}
