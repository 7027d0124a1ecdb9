"""Calibration and validation: parameter recovery, resumption, determinism, reports, inputs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deterrence_sim import calibration as cal
from deterrence_sim.observed import data
from deterrence_sim.calibration import validation
from deterrence_sim.errors import ConfigError
from deterrence_sim.observed.targets import TargetSet, mard, monthly_seasonality

ROOT = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- a cheap synthetic problem
class OneTarget:
    """A one-number target set for synthetic simulators (y observed = 2)."""

    names = ["y"]
    observed = np.array([2.0])

    def distance(self, s):
        return float(abs(s[0] - 2.0))


def noisy_identity(theta, seed):
    """y = a + N(0, 0.1): the posterior of a is close to N(2, 0.1)."""
    return np.array([theta["a"] + np.random.default_rng(seed).normal(0, 0.1)])


PRIORS_A = {"a": cal.CalibParam("a", cal.Prior("a", "uniform", 0.0, 5.0), "test")}


def fit_synthetic(out, generations=None, budget=400, workers=1, simulator=noisy_identity):
    return cal.run_fit(
        cal.SETTINGS["full"],
        out,
        budget=budget,
        population=40,
        seed=3,
        workers=workers,
        priors=PRIORS_A,
        progress=False,
        simulator=simulator,
        targets=OneTarget(),
        max_generations=generations,
        log=lambda *a: None,
    )


def test_synthetic_fit_recovers_and_does_not_depend_on_workers(tmp_path):
    one = fit_synthetic(tmp_path / "one", generations=4)
    two = fit_synthetic(tmp_path / "two", generations=4, workers=2)
    p1, p2 = cal.posterior(Path(one["db"])), cal.posterior(Path(two["db"]))
    pd.testing.assert_frame_equal(p1, p2)  # same seed, same posterior, whatever the worker count
    lo, hi = cal.weighted_quantile(p1["a"], p1["weight"], [0.05, 0.95])
    assert lo < 2.0 < hi and hi - lo < 1.0


def test_resume_after_interrupt_gives_the_same_posterior(tmp_path):
    straight = fit_synthetic(tmp_path / "straight", generations=4)
    calls = {"n": 0}

    def flaky(theta, seed):
        calls["n"] += 1
        if calls["n"] == 130:  # in the middle of the third generation
            raise KeyboardInterrupt
        return noisy_identity(theta, seed)

    flaky.__name__ = noisy_identity.__name__  # the same problem, so the stored run may be continued
    with pytest.raises(KeyboardInterrupt):
        fit_synthetic(tmp_path / "resumed", generations=4, simulator=flaky)
    kept = cal.generations(tmp_path / "resumed" / "full.db")
    assert 1 <= kept.t.max() < 3  # finished generations were kept
    done = kept.t.max() + 1
    again = fit_synthetic(tmp_path / "resumed", generations=4 - done)
    assert again["generations"] == straight["generations"] == 4
    pd.testing.assert_frame_equal(cal.posterior(Path(again["db"])), cal.posterior(Path(straight["db"])))


def test_resume_refuses_different_settings(tmp_path):
    fit_synthetic(tmp_path, generations=1)
    other = {"a": cal.CalibParam("a", cal.Prior("a", "uniform", 0.0, 9.0), "test")}
    with pytest.raises(ConfigError, match="different settings"):
        cal.run_fit(
            cal.SETTINGS["full"],
            tmp_path,
            budget=400,
            population=40,
            seed=3,
            workers=1,
            priors=other,
            progress=False,
            simulator=noisy_identity,
            targets=OneTarget(),
            log=lambda *a: None,
        )
    assert (tmp_path / "full.db").exists()  # nothing computed was lost


def test_budget_bounds_the_number_of_simulations(tmp_path):
    res = fit_synthetic(tmp_path, budget=150)
    assert res["simulations"] <= 150 and res["generations"] >= 2


# --------------------------------------------------------------------------- parameter recovery with the model
# From December 2024, so that the French preventions of 2025 H1 (SB02 weeks, the first ending in
# early January) are among the targets: they are what informs beach_prevention_prob.
RECOVERY = cal.Setting("recovery", "2024-12-01", "2025-06-30", "2025-06-30", (2023, 2025))
TRUE = {"inflow_2025": 44_000.0, "beach_prevention_prob": 0.5}


def _recovery(budget, population, names, workers=2):
    """Synthetic data from the model at known parameters; ABC-SMC on a short window."""
    truth = {k: TRUE[k] for k in names}
    targets = RECOVERY.targets()
    targets.observed = targets.simulated(cal.simulate(truth, RECOVERY, seed=99))  # the synthetic "observations"

    def simulator(theta, seed):
        return targets.simulated(cal.simulate(theta, RECOVERY, seed))

    simulator.__name__ = "recovery"
    priors = {k: cal.CALIBRATED[k] for k in names}
    return truth, priors, simulator, targets


def test_parameter_recovery_small_budget(tmp_path):
    truth, priors, simulator, targets = _recovery(150, 30, ["inflow_2025", "beach_prevention_prob"])
    res = cal.run_fit(
        RECOVERY,
        tmp_path,
        budget=150,
        population=30,
        seed=5,
        workers=1,
        priors=priors,
        progress=False,
        simulator=simulator,
        targets=targets,
        log=lambda *a: None,
    )
    post = cal.posterior(Path(res["db"]))
    rows = {r["parameter"]: r for r in cal.parameter_table(post, priors)}
    for name, value in truth.items():
        r = rows[name]
        assert r["post_p05"] <= value <= r["post_p95"], r
        assert r["width_ratio"] < 0.8, r  # the data did narrow it


@pytest.mark.slow
def test_parameter_recovery_three_parameters(tmp_path):
    names = ["inflow_2025", "beach_prevention_prob", "try_prob"]
    TRUE["try_prob"] = 0.3
    truth, priors, simulator, targets = _recovery(600, 60, names)
    res = cal.run_fit(
        RECOVERY,
        tmp_path,
        budget=600,
        population=60,
        seed=5,
        workers=2,
        priors=priors,
        progress=False,
        simulator=simulator,
        targets=targets,
        log=lambda *a: None,
    )
    post = cal.posterior(Path(res["db"]))
    for r in cal.parameter_table(post, priors):
        assert r["post_p05"] <= truth[r["parameter"]] <= r["post_p95"], r


# --------------------------------------------------------------------------- targets
def test_targets_match_the_observed_headlines():
    ts = TargetSet()
    obs = dict(zip(ts.names, ts.observed))
    assert obs["arrivals 2023"] == 29_437 and obs["arrivals 2024"] == 36_816 and obs["arrivals 2025"] == 41_472
    assert obs["arrivals 2025-03"] == 4_586
    assert sum(obs[f"arrivals 2025-{m:02d}"] for m in range(1, 13)) == 41_472
    assert obs["returns by 2026-01-27"] == 281 and obs["admissions by 2026-01-27"] == 350
    assert abs(ts.weights.sum() - 1) < 1e-12
    held = TargetSet(end="2025-06-30", fit_end="2025-06-30")
    assert "arrivals 2025" not in held.names and "arrivals 2025-06" in held.names
    assert "arrivals 2025-07" not in held.names and not any(n.startswith("returns") for n in held.names)
    assert ts.distance(ts.observed) == 0.0


def test_mard_and_seasonality():
    assert mard([110, 90], [100, 100]) == pytest.approx(0.1)
    s = monthly_seasonality(2023, 2025)
    assert len(s) == 12 and abs(sum(s) - 100) < 0.1


# --------------------------------------------------------------------------- priors and bad input
def test_prior_file_errors(tmp_path):
    f = tmp_path / "p.toml"
    f.write_text('[no_such]\ndist = "uniform"\nlow = 0\nhigh = 1\n')
    with pytest.raises(ConfigError, match="unknown parameter 'no_such'"):
        cal.load_priors(f)
    f.write_text('[try_prob]\ndist = "uniform"\nlow = 0.5\nhigh = 0.1\n')
    with pytest.raises(ConfigError, match="try_prob"):
        cal.load_priors(f)
    f.write_text('[try_prob]\ndist = "beta"\n')
    with pytest.raises(ConfigError, match="uniform, loguniform or lognormal"):
        cal.load_priors(f)
    f.write_text('[deterrence_strength]\ndist = "lognormal"\nmedian = 1\nsigma = 0.5\n')
    prior = cal.load_priors(f)["deterrence_strength"].prior
    assert prior.name == "deterrence_strength" and prior.as_dict() == {"dist": "lognormal", "a": 1.0, "b": 0.5}


def test_one_prior_class_for_the_fit_and_the_main_job():
    """The calibrated parameters' priors and the main job's are the same class, and a calibrated
    prior reads and draws as the fit's own prior did (scipy's lognormal at median, sigma)."""
    from deterrence_sim.analyses import uncertainty

    assert cal.Prior is uncertainty.Prior
    strength = cal.CALIBRATED["deterrence_strength"].prior
    assert strength.name == "deterrence_strength" and strength.describe() == "lognormal(median 0.77, sigma 1)"
    assert strength.scipy().median() == pytest.approx(0.77) and strength.quantile(0.5) == pytest.approx(0.77)
    assert cal.CALIBRATED["try_prob"].prior.describe() == "uniform(0.05, 0.6)"
    with pytest.raises(ValueError, match="deterrence_strength"):
        uncertainty.PRIORS["deterrence_strength"].scipy()  # truncated: scipy's form would drop the truncation


def run_cli(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "deterrence_sim", *args], capture_output=True, text=True, cwd=ROOT, timeout=300, env=env
    )


@pytest.mark.parametrize(
    "args, needle",
    [
        (["calibrate", "--budget", "10"], "--budget 10 is out of range"),
        (["calibrate", "--priors", "no/such/file.toml"], "prior file"),
        (["validate", "--replicates", "5"], "at least 30"),
        (["validate", "--calibration", "no/such/folder"], "posterior_full.csv"),
        (["validate", "--inflow-month-sd", "2"], "--inflow-month-sd: 2.0 is out of range; allowed: a number in [0, 1]"),
        (["calibrate", "--month-sd-replicates", "3"], "--month-sd-replicates 3 is out of range"),
        (["calibrate", "--only-inflow-month-sd"], "no posterior_full.csv or posterior_holdout.csv"),
    ],
)
def test_cli_bad_input_is_one_line(args, needle, tmp_path, capsys):
    """Run in this process (the command line's own entry point is run as a process below, with
    the missing data file): the same ``cli.main`` the ``deterrence-sim`` command calls."""
    from deterrence_sim import cli

    try:
        status = cli.main([*args, "--out", str(tmp_path / "o")])
    except SystemExit as exc:  # argparse's errors
        status = exc.code
    err = capsys.readouterr().err
    assert status == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("deterrence-sim: error:") and needle in lines[0], err


def test_cli_missing_data_file_is_one_line(tmp_path):
    import os

    env = {**os.environ, "DETERRENCE_SIM_SEEDS": str(tmp_path)}
    res = run_cli("calibrate", "--budget", "400", "--out", str(tmp_path / "o"), env=env)
    assert res.returncode == 2
    assert res.stderr.strip().count("\n") == 0 and "missing data file" in res.stderr
    assert not (tmp_path / "o" / "full.db").exists()


# --------------------------------------------------------------------------- malformed CSVs
@pytest.mark.parametrize(
    "file, line_no, text, needle",
    [
        (data.WEEKLY, 4, "2018-01-2x,0,0,,", r"small_boats_weekly_with_french_preventions\.csv:4: week_ending"),
        (data.PILOT, 3, "2025-10-19,forty,18,,reported,x", r"one_in_one_out_observations\.csv:3: returned_to_france"),
        (data.DAILY, 10, "2018-01-09", r"small_boats_daily\.csv:10: row is too short"),
        (data.DAILY, 7, "2018-01-06,-3,0,", r"small_boats_daily\.csv:7: migrants_arrived = '-3'"),
    ],
)
def test_loaders_reject_malformed_csv_naming_file_and_line(tmp_path, file, line_no, text, needle):
    for name in (data.DAILY, data.WEEKLY, data.PILOT, data.EVENTS):
        (tmp_path / name).write_bytes((data.seeds_dir() / name).read_bytes())
    lines = (tmp_path / file).read_text().splitlines()
    lines[line_no - 1] = text
    (tmp_path / file).write_text("\n".join(lines) + "\n")
    loader = {
        data.DAILY: data.daily_arrivals,
        data.WEEKLY: data.weekly_preventions,
        data.PILOT: data.pilot_observations,
    }[file]
    with pytest.raises(ConfigError, match=needle):
        loader(str(tmp_path))


def test_loader_names_missing_column(tmp_path):
    (tmp_path / data.PILOT).write_text("date,returned\n2025-09-18,1\n")
    with pytest.raises(ConfigError, match=r"one_in_one_out_observations\.csv:1: missing column"):
        data.pilot_observations(str(tmp_path))


# --------------------------------------------------------------------------- validation report
def _fake_runset(label, setting, end, targets, rng, reps=30):
    n = (pd.Timestamp(end) - pd.Timestamp(setting.start)).days + 1
    sb = data.daily_arrivals()
    idx = np.searchsorted(sb["date"], np.datetime64(setting.start))
    base = np.concatenate([sb["arrivals"][idx : idx + n], np.zeros(max(0, n - (len(sb["arrivals"]) - idx)))])
    boats = np.concatenate([sb["boats"][idx : idx + n], np.zeros(max(0, n - (len(sb["boats"]) - idx)))])
    rs = validation.RunSet(label, setting, end, "observed", [], targets)
    for _ in range(reps):
        arr = rng.poisson(base * rng.uniform(0.9, 1.1))
        rs.daily.append(
            {
                "arrivals": arr,
                "boats": boats,
                "prevented": rng.poisson(0.6 * arr),
                "removed": rng.poisson(0.5, n),
                "admitted_legal_route": rng.poisson(0.5, n),
                "recrossings": rng.poisson(0.01, n),
                "sea_viable": (base > 0).astype(float),
            }
        )
    rs.sims = np.array([targets.simulated(d) for d in rs.daily])
    return rs


def test_validation_report_has_its_sections(tmp_path):
    rng = np.random.default_rng(0)
    full, hold = cal.SETTINGS["full"], cal.SETTINGS["holdout"]
    sets = {k: _fake_runset(k, full, full.end, full.targets(), rng) for k in ("obs", "markov")}
    for k in ("holdout_obs", "holdout_markov"):
        sets[k] = _fake_runset(k, hold, "2025-12-31", TargetSet(hold.start, "2025-12-31", "2025-12-31"), rng)
    post = pd.DataFrame({"deterrence_strength": rng.lognormal(np.log(0.77), 1.0, 200), "weight": 1 / 200})
    res = validation.report(tmp_path, tmp_path, sets, post, 30, 1)
    text = (tmp_path / "validation.md").read_text()
    for heading in (
        "## Identifiability",
        "## Summary",
        "## Arrivals per year",
        "## Arrivals per month",
        "## Share of crossing days per month",
        "## People per boat, per quarter",
        "## Share of attempts prevented",
        "## Pilot: returns and admissions",
        "## Re-crossings",
        "## Held-out check: forecast of 2025-07-01..2025-12-31",
    ):
        assert heading in text, heading
    assert "cannot pin down the deterrence strength" in text
    assert (tmp_path / "validation_monthly.png").stat().st_size > 0
    assert res["month"]["obs"]["mard_median"] < 0.15  # the fake runs are the observations +-10%
    assert res["month"]["obs"]["n"] == 37  # SB01 months inside the full fit's window, 2023-01..2026-01


@pytest.mark.slow
def test_validate_command_end_to_end(tmp_path):
    res = run_cli(
        "validate", "--calibration", str(cal.CALIBRATED_DIR), "--replicates", "30", "--out", str(tmp_path), "--quiet"
    )
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "validation.md").is_file() and "monthly MARD" in res.stdout
