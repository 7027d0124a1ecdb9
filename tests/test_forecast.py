"""Forecasts: no data after the origin, bands that widen with horizon, parameter uncertainty that is
really in, the level drift as a time-series estimate, reuse of a committed fit, and bad input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deterrence_sim.observed import data
from deterrence_sim.forecasting import forecast as fc

ROOT = Path(__file__).resolve().parents[1]
SMALL = {"budget": 40, "population": 20, "workers": 1, "log": lambda *a: None}


def hide_after(day: str, folder: Path) -> Path:
    """A copy of seeds/ without any row dated after ``day`` (written here, not by the code under test)."""
    folder.mkdir()
    for name in (data.DAILY, data.WEEKLY, data.PILOT, data.EVENTS):
        df = pd.read_csv(data.seeds_dir() / name, dtype=str, keep_default_na=False)
        df[df.iloc[:, 0] <= day].to_csv(folder / name, index=False)
    return folder


def _forecast_cli(out: Path, seeds: Path | None, monkeypatch) -> None:
    from deterrence_sim.cli import main

    if seeds is not None:
        monkeypatch.setenv("DETERRENCE_SIM_SEEDS", str(seeds))
    data.use_folder(str(seeds) if seeds else None)
    try:
        assert (
            main(
                [
                    "forecast",
                    "--origin",
                    "2023-06-30",
                    "--to",
                    "2023-09-30",
                    "--draws",
                    "10",
                    "--budget",
                    "40",
                    "--population",
                    "20",
                    "--workers",
                    "1",
                    "--quiet",
                    "--refit",
                    "--out",
                    str(out),
                ]
            )
            == 0
        )
    finally:
        monkeypatch.delenv("DETERRENCE_SIM_SEEDS", raising=False)
        data.use_folder(None)


def test_forecast_never_reads_data_after_the_origin(tmp_path, monkeypatch):
    _forecast_cli(tmp_path / "full", None, monkeypatch)
    _forecast_cli(tmp_path / "hidden", hide_after("2023-06-30", tmp_path / "seeds"), monkeypatch)
    a, b = (pd.read_csv(tmp_path / f / "forecast.csv") for f in ("full", "hidden"))
    assert list(a.month) == ["2023-07", "2023-08", "2023-09"]
    pd.testing.assert_frame_equal(a.drop(columns="observed_arrivals"), b.drop(columns="observed_arrivals"))
    assert a.observed_arrivals.notna().all() and b.observed_arrivals.isna().all()  # the chart's series only
    pd.testing.assert_frame_equal(
        pd.read_csv(tmp_path / "full" / "forecast_draws.csv"), pd.read_csv(tmp_path / "hidden" / "forecast_draws.csv")
    )
    for name in ("fan_chart.png", "forecast.md", "forecast.json"):
        assert (tmp_path / "full" / name).stat().st_size > 0


@pytest.fixture(scope="module")
def two_year_forecasts():
    """From 2023-06-30 for eighteen months, with and without parameter uncertainty, from a posterior
    as wide as the prior on the parameters the first half of 2023 informs (the least a fit can
    learn; enough to test the forecast's machinery without a fit) and the calibrated month noise."""
    from deterrence_sim import calibration as cal

    priors = cal.informed_priors(cal.origin_setting("2023-06-30"))
    rng = np.random.default_rng(5)
    post = pd.DataFrame({k: p.prior.scipy().ppf(rng.random(200)) for k, p in priors.items()}).assign(weight=1 / 200)
    kw = {"draws": 60, "workers": 1, "month_sd": 0.43}
    on = fc.forecast_from_posterior("2023-06-30", "2024-12-31", post, **kw)
    off = fc.forecast_from_posterior("2023-06-30", "2024-12-31", post, parameter_uncertainty=False, **kw)
    return on, off


def log_spread(res) -> np.ndarray:
    """sd over runs of log monthly arrivals, one value per month."""
    return np.log(np.maximum(res["runs"]["arrivals"], 1.0)).std(axis=0)


def test_bands_widen_with_horizon(two_year_forecasts):
    on, off = two_year_forecasts
    s_on, s_off = log_spread(on), log_spread(off)
    assert len(s_on) == 18
    # the same calendar months one year further ahead (so that the season does not count)
    assert s_off[12:18].mean() > 1.1 * s_off[0:6].mean()
    assert s_on[12:18].mean() > s_on[0:6].mean()
    t = off["table"]
    width = np.log(t.arrivals_p95 / t.arrivals_p05).to_numpy()
    assert width[12:18].mean() > width[0:6].mean()


def test_parameter_uncertainty_widens_the_bands(two_year_forecasts):
    on, off = two_year_forecasts
    assert log_spread(on).mean() > 1.1 * log_spread(off).mean()
    assert len({round(t["try_prob"], 9) for t in on["plan"].thetas}) > 5
    assert len({round(t["try_prob"], 9) for t in off["plan"].thetas}) == 1
    t_on, t_off = on["table"], off["table"]
    assert (t_on.arrivals_p95 - t_on.arrivals_p05).sum() > (t_off.arrivals_p95 - t_off.arrivals_p05).sum()


def test_fit_at_an_origin_sees_only_what_it_can_inform():
    from deterrence_sim import calibration as cal

    early = cal.informed_priors(cal.origin_setting("2023-06-30"))
    assert "inflow_2023" in early and "inflow_2024" not in early and "deterrence_strength" not in early
    late = cal.informed_priors(cal.origin_setting("2025-12-31"))
    assert set(late) == set(cal.CALIBRATED)
    assert cal.origin_setting("2024-06-30").seasonality_years == (2022, 2023)
    assert cal.origin_setting("2024-12-31").seasonality_years == (2023, 2024)


def test_level_drift_is_a_local_level_estimate_on_complete_months_up_to_the_origin():
    d = data.daily_arrivals()
    s = pd.Series(d["arrivals"], index=pd.to_datetime(d["date"]))
    m = s.groupby(s.index.to_period("M")).sum()["2021-01":"2024-06"]
    want = fc.local_level(np.log(m.to_numpy(float)))
    got = fc.level_drift(dt.date(2024, 6, 30))
    assert got["sd_year"] == pytest.approx(want["sd_year"]) and got["months"] == 42
    assert got["first_month"] == "2021-01" and got["last_month"] == "2024-06"
    assert got["sd_year_90"][0] < got["sd_year"] < got["sd_year_90"][1]
    # a month not finished at the origin does not count
    assert fc.level_drift(dt.date(2024, 7, 15))["sd_year"] == got["sd_year"]


def test_local_level_recovers_a_known_drift():
    """Log monthly series with a random-walk level of 0.1 a month (0.35 a year), fixed seasonal
    effects and irregular noise of 0.3: the estimate and its interval hold the truth."""
    rng = np.random.default_rng(11)
    n = 240
    season = np.tile(rng.normal(0, 0.5, 12), n // 12)
    y = 8 + np.cumsum(rng.normal(0, 0.1, n)) + season + rng.normal(0, 0.3, n)
    est = fc.local_level(y)
    truth = 0.1 * np.sqrt(12)
    assert est["sd_year_90"][0] < truth < est["sd_year_90"][1]
    assert est["sd_year"] == pytest.approx(truth, rel=0.35)
    assert est["sigma2_irregular"] == pytest.approx(0.09, rel=0.35)
    flat = fc.local_level(8 + season + rng.normal(0, 0.3, n))  # no drift at all
    assert flat["sd_year"] < 0.1


def test_each_run_draws_its_own_drift_from_the_estimates_uncertainty():
    drift = {"sd_year": 0.5, "sigma2_level": 0.25**2 / 12 * 4, "log_sigma2_level_se": 0.6}
    drift["sd_year"] = float(np.sqrt(12 * drift["sigma2_level"]))
    sds = np.array(fc.drift_draws(drift, 4000, 1))
    assert np.median(sds) == pytest.approx(drift["sd_year"], rel=0.05)
    assert np.log(sds**2).std() == pytest.approx(0.6, rel=0.05)
    assert fc.drift_draws(drift, 3, 1, uncertainty=False) == [drift["sd_year"]] * 3


def test_weather_chain_never_learns_from_the_pilots_months():
    with fc.data_up_to(dt.date(2026, 4, 30)):
        late = fc.weather_chain(dt.date(2026, 4, 30))
        assert late == data.weather_chain_from_daily(2022, 2024)
        assert late != data.weather_chain_from_daily(2022, 2026)
    with fc.data_up_to(dt.date(2023, 9, 30)):
        assert fc.weather_chain(dt.date(2023, 9, 30)) == data.weather_chain_from_daily(2022, 2023)


def test_a_committed_fit_at_the_origin_is_reused_and_said_so(tmp_path):
    said = []
    res = fc.make_forecast("2025-12-31", "2026-02-28", out=tmp_path / "f", draws=10, workers=1, log=said.append)
    assert any("reusing the committed fit at 2025-12-31" in s and "1292 simulations" in s for s in said), said
    assert not list((tmp_path / "f" / "fit").glob("*.db"))  # no new fit
    committed = fc.stored_fits()[dt.date(2025, 12, 31)]
    assert (tmp_path / "f" / "fit" / "posterior.csv").read_bytes() == (committed / "posterior.csv").read_bytes()
    assert res["plan"].fit["reused"] and list(res["table"].month) == ["2026-01", "2026-02"]


def test_the_data_to_2026_04_30_are_accepted_and_a_later_origin_refused():
    assert fc.check_dates("2026-04-30", "2026-08-31") == (dt.date(2026, 4, 30), dt.date(2026, 8, 31))


@pytest.mark.parametrize(
    "args, needle",
    [
        (["--origin", "2022-12-31", "--to", "2023-06-30"], "--origin 2022-12-31: must be between 2023-06-30"),
        (
            ["--origin", "2026-05-01", "--to", "2026-08-31"],
            "--origin 2026-05-01: must be between 2023-06-30 (six "
            "observed months after the fit start 2023-01-01) and "
            "2026-04-30 (the last observed day)",
        ),
        (["--origin", "2024-06-30", "--to", "2024-06-01"], "--to 2024-06-01: must be after --origin"),
        (["--origin", "2024-06-3x", "--to", "2024-12-31"], "--origin: '2024-06-3x' is not a date"),
        (["--origin", "2024-06-30", "--to", "2024-12-31", "--draws", "3"], "--draws 3 is out of range"),
        (["no/such.toml", "--origin", "2024-06-30", "--to", "2024-12-31"], "scenario file no/such.toml not found"),
    ],
)
def test_forecast_bad_input_is_one_line_before_any_work(args, needle, tmp_path, capsys):
    from deterrence_sim.cli import main

    assert main(["forecast", *args, "--out", str(tmp_path / "o")]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("deterrence-sim: error:") and needle in lines[0], lines
    assert not (tmp_path / "o").exists()
