"""The command line, scenario files, data loaders and parameter validation."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deterrence_sim import cli, data, params, runner, scenario
from deterrence_sim.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
PILOT = ROOT / "experiments" / "scenarios" / "pilot.toml"
REQUIRED_COLUMNS = ("replicate, date, arrivals, boats, attempts, prevented, deaths, waiting_in_france, detained, "
                    "referred_to_france, removed, admitted_legal_route, recrossings, legal_challenges_filed, "
                    "legal_challenges_won, flights, perceived_removal_risk, price_gbp, people_per_boat").split(", ")


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "deterrence_sim", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)


def test_run_writes_daily_and_summary(tmp_path):
    out = tmp_path / "run"
    res = run_cli("run", str(PILOT), "--replicates", "2", "--seed", "7", "--end", "2025-10-31",
                  "--set", "deterrence_strength=2", "--out", str(out), "--workers", "1")
    assert res.returncode == 0, res.stderr
    daily = pd.read_csv(out / "daily.csv")
    assert list(daily.columns[: len(REQUIRED_COLUMNS)]) == REQUIRED_COLUMNS
    assert len(daily) == 2 * 304  # two replicates, 2025-01-01..2025-10-31
    assert daily["date"].iloc[-1] == "2025-10-31"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["seed"] == 7 and summary["replicates"] == 2
    assert summary["parameters"]["deterrence_strength"] == 2.0
    assert summary["scenario"]["name"] == "pilot" and summary["version"]
    rep0 = summary["totals_per_replicate"]["0"]
    assert rep0["arrivals"] == daily.loc[daily.replicate == 0, "arrivals"].sum()


def test_results_do_not_depend_on_worker_count():
    sc = scenario.load(PILOT).with_overrides(end="2025-03-31")
    one = runner.run_replicates(sc, 3, seed=11, workers=1, progress=False)
    two = runner.run_replicates(sc, 3, seed=11, workers=2, progress=False)
    pd.testing.assert_frame_equal(one, two)
    # and replicate i does not depend on how many replicates were asked for
    first = runner.run_replicates(sc, 1, seed=11, workers=1, progress=False)
    pd.testing.assert_frame_equal(first, one[one.replicate == 0].reset_index(drop=True))


@pytest.mark.parametrize("args, needle", [
    (["--set", "no_such_parameter=1"], "no_such_parameter"),
    (["--set", "try_prob=1.5"], "try_prob: 1.5 is out of range; allowed: a number in [0, 1]"),
    (["--set", "flights_per_week={2025-02-30=1}"], "flights_per_week"),
    (["--set", "weather_mode=sunny"], "markov, observed"),
    (["--end", "2025-13-01"], "--end"),
    (["--set", "initial_waiting=2.5"], "whole number"),
])
def test_bad_input_is_one_line_and_exit_2(args, needle):
    res = run_cli("run", str(PILOT), "--replicates", "1", *args)
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("deterrence-sim: error:") and needle in lines[0]
    assert "Traceback" not in res.stderr


def test_missing_scenario_file():
    assert cli.main(["run", "experiments/scenarios/does_not_exist.toml"]) == 2


def test_scenario_errors_name_file_and_key(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\n[params]\nflights_per_week = { 2025-09-15 = -1 }\n')
    with pytest.raises(ConfigError, match=r"bad\.toml: flights_per_week \(from 2025-09-15\): -1"):
        scenario.load(bad)
    bad.write_text('name = "x"\nflights = 3\n')
    with pytest.raises(ConfigError, match="unknown key 'flights'"):
        scenario.load(bad)
    bad.write_text('name = "x\n')
    with pytest.raises(ConfigError, match="not valid TOML"):
        scenario.load(bad)
    bad.write_text('[params]\nparity = { 2025-01-01 = true }\n')
    with pytest.raises(ConfigError, match="cannot be a dated schedule"):
        scenario.load(bad)


def test_extends_merges_parameters(tmp_path):
    child = tmp_path / "child.toml"
    child.write_text(f'extends = "{PILOT.as_posix()}"\nend = 2026-06-30\n[params]\nflights_per_week = 4\n')
    sc = scenario.load(child)
    assert sc.end.isoformat() == "2026-06-30" and sc.params["flights_per_week"] == 4
    no_deal = scenario.load(ROOT / "experiments" / "scenarios" / "no_deal.toml")
    assert no_deal.params["detention_capacity"] == 0 and no_deal.end == scenario.load(PILOT).end


def test_every_standard_scenario_loads():
    files = sorted((ROOT / "experiments" / "scenarios").glob("*.toml"))
    assert files
    for f in files:
        sc = scenario.load(f)
        assert sc.description, f"{f.name} needs a description"


def test_data_loader_names_file_and_line(tmp_path):
    src = data.seeds_dir() / data.DAILY
    lines = src.read_text().splitlines()
    lines[5] = "2018-01-05,many,0,"
    (tmp_path / data.DAILY).write_text("\n".join(lines) + "\n")
    with pytest.raises(ConfigError, match=r"small_boats_daily\.csv:6: migrants_arrived = 'many' is not valid"):
        data.daily_arrivals(str(tmp_path))
    with pytest.raises(ConfigError, match="missing data file"):
        data.pilot_observations(str(tmp_path / "nowhere"))


def test_weather_defaults_are_what_the_data_give():
    cc, cr = data.weather_chain_from_daily(2022, 2025)
    assert cc == params.PARAMS["calm_after_calm"].default
    assert cr == params.PARAMS["calm_after_rough"].default


def test_observed_headline_figures_of_2025():
    obs = data.observed_year(2025)
    assert obs["arrivals"] == 41_472
    assert round(obs["people_per_boat"], 1) == 61.7
    assert abs(obs["prevented_share"] - 0.35) < 0.01


def test_schedule_expands_per_day():
    values = params.validate({"flights_per_week": {"2025-01-03": 2, "2025-01-05": 0.5}})
    import datetime as dt

    _, daily = params.build(values, dt.date(2025, 1, 1), 7)
    np.testing.assert_array_equal(daily.flights_per_week, [0, 0, 2, 2, 0.5, 0.5, 0.5])
