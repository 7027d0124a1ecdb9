"""The backtest's probabilistic baselines reproduce forecasts computed by hand on tiny series."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from deterrence_sim.forecasting import baselines as bl
from deterrence_sim.observed import data


def tiny_monthly() -> pd.Series:
    """2021: 10, 20, ..., 120 a month; 2022 and 2023: twice that."""
    idx = [f"{y}-{m:02d}" for y in (2021, 2022, 2023) for m in range(1, 13)]
    return pd.Series([10.0 * m * (1 if y == 2021 else 2) for y in (2021, 2022, 2023) for m in range(1, 13)], index=idx)


def test_seasonal_level_baseline_by_hand():
    f = bl.seasonal_level(tiny_monthly(), dt.date(2023, 12, 31), ["2024-01", "2024-02", "2024-03"])
    # level: the last 12 months, 2 x 780 = 1560; shares of 2022-2023: m / 78
    assert f["level"] == 1560
    assert f["point"] == pytest.approx([20.0, 40.0, 60.0])
    # one-month-ahead log errors over 2022-2023: in 2022, month m follows 10 x (78 + (m-1) m / 2)
    # people in the 12 months before and is forecast at that times m / 78 against 20 m observed;
    # in 2023 the forecast is exact
    r2022 = [np.log(20 * m / (10 * (78 + (m - 1) * m / 2) * m / 78)) for m in range(1, 13)]
    assert f["sd"] == pytest.approx(np.std(r2022 + [0.0] * 12, ddof=1))
    draws = bl.seasonal_level_samples(
        tiny_monthly(), dt.date(2023, 12, 31), ["2024-01"], 40_000, np.random.default_rng(0)
    )
    assert np.median(draws) == pytest.approx(20.0, rel=0.02)
    assert np.log(draws).std() == pytest.approx(f["sd"], rel=0.02)


def test_seasonal_level_uses_the_last_two_complete_years():
    s = tiny_monthly()
    mid = bl.seasonal_shares(s, dt.date(2023, 6, 30))  # complete years 2021 and 2022: both shares m / 78
    assert mid == pytest.approx(np.arange(1, 13) / 78)


def tiny_daily(seed: int = 0):
    """Two years of daily counts with a mean that depends on the month only."""
    dates = np.arange(np.datetime64("2021-01-01"), np.datetime64("2023-01-01"))
    month = dates.astype("datetime64[M]").astype(int) % 12 + 1
    y = np.random.default_rng(seed).negative_binomial(2, 2 / (2 + 5.0 * month)).astype(float)
    return dates, y, month


def test_count_model_with_month_effects_forecasts_each_month_at_its_observed_mean():
    """With month-of-year effects only, the NB2 maximum-likelihood mean of a month is the mean of
    its observed days, so the forecast of January 2023 is, on average, January 2022's total."""
    dates, y, month = tiny_daily()
    fit = bl.fit_count_model(dates, y, dt.date(2022, 12, 31), features=(), first="2021-04-01")
    in2022 = dates >= np.datetime64("2022-01-01")
    jan, feb = y[in2022 & (month == 1)].sum(), y[in2022 & (month == 2)].sum()
    assert bl.next_day_mean(fit, y[-90:], 1)[0] * 31 == pytest.approx(jan, rel=1e-4)
    draws = bl.simulate_count_model(fit, dt.date(2022, 12, 31), ["2023-01", "2023-02"], 4000, np.random.default_rng(1))
    se = draws.std(axis=0) / np.sqrt(len(draws))
    assert abs(draws[:, 0].mean() - jan) < 4 * se[0] and abs(draws[:, 1].mean() - feb) < 4 * se[1]


def test_count_model_next_day_by_hand_and_as_fitted():
    beta = np.zeros(15)
    beta[0], beta[12], beta[13], beta[14] = 0.5, 0.6, 0.3, 0.4  # intercept, log_mean30, log_mean90, yesterday
    beta[4] = -0.2  # May
    fit = {"beta": beta, "features": bl.LEVEL_FEATURES}
    hist = np.concatenate((np.full(60, 10.0), np.full(29, 40.0), [0.0]))
    m30, m90 = (29 * 40) / 30, (60 * 10 + 29 * 40) / 90
    expected = np.exp(0.5 - 0.2 + 0.6 * np.log1p(m30) + 0.3 * np.log1p(m90) + 0.4 * 0)
    assert bl.next_day_mean(fit, hist, 5)[0] == pytest.approx(expected)
    # the covariates the fit uses for a day are those the simulation computes from the days before
    _, y, month = tiny_daily(3)
    X = bl.design(y, month)
    for t in (90, 200, 500, len(y) - 1):
        assert np.log(bl.next_day_mean(fit, y[:t], month[t])[0]) == pytest.approx(X[t - 90] @ beta)


def test_baselines_use_no_data_after_the_origin():
    d = data.daily_arrivals()
    origin = dt.date(2024, 6, 30)
    cut = {k: v[d["date"] <= np.datetime64(origin)] for k, v in d.items() if k in ("date", "arrivals")}
    months = ["2024-07", "2024-08", "2024-09"]
    a = bl.baseline_samples(d, origin, months, 50, 7)
    b = bl.baseline_samples(cut, origin, months, 50, 7)
    for name in bl.BASELINES:
        np.testing.assert_array_equal(a[name], b[name])
        assert a[name].shape == (50, 3) and (a[name] >= 0).all()
