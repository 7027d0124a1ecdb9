"""The command line, scenario files, data loaders and parameter validation."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deterrence_sim import cli, params, runner, scenario
from deterrence_sim.observed import data
from deterrence_sim.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
PILOT = ROOT / "experiments" / "scenarios" / "pilot.toml"
REQUIRED_COLUMNS = (
    "replicate, date, arrivals, boats, attempts, prevented, deaths, waiting_in_france, detained, "
    "referred_to_france, removed, admitted_legal_route, recrossings, legal_challenges_filed, "
    "legal_challenges_won, flights, perceived_removal_risk, price_gbp, people_per_boat"
).split(", ")


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "deterrence_sim", *args], capture_output=True, text=True, cwd=ROOT, timeout=300
    )


def test_run_writes_daily_and_summary(tmp_path):
    out = tmp_path / "run"
    res = run_cli(
        "run",
        str(PILOT),
        "--replicates",
        "2",
        "--seed",
        "7",
        "--end",
        "2025-10-31",
        "--set",
        "deterrence_strength=2",
        "--out",
        str(out),
        "--workers",
        "1",
    )
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


@pytest.mark.parametrize(
    "args, needle",
    [
        (["--set", "no_such_parameter=1"], "no_such_parameter"),
        (["--set", "try_prob=1.5"], "try_prob: 1.5 is out of range; allowed: a number in [0, 1]"),
        (["--set", "flights_per_week={2025-02-30=1}"], "flights_per_week"),
        (["--set", "weather_mode=sunny"], "markov, observed"),
        (["--end", "2025-13-01"], "--end"),
        (["--set", "initial_waiting=2.5"], "whole number"),
    ],
)
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
    bad.write_text("[params]\nparity = { 2025-01-01 = true }\n")
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


# ---------------------------------------------------------------------------------- hostile input (issue 13)
def cli_in_process(args, monkeypatch, capsys):
    """Run the command line here, with any simulation made to fail loudly: every case below must
    be refused before the work starts. Returns (exit status, stderr lines)."""

    def no_simulation(*a, **k):
        raise AssertionError("a simulation started before the input was checked")

    for module, name in ((runner, "run_replicates"), (runner, "submit_replicates")):
        monkeypatch.setattr(module, name, no_simulation)
    try:
        status = cli.main(args)
    except SystemExit as exc:  # argparse's errors
        status = exc.code
    return status, capsys.readouterr().err.strip().splitlines()


def _long(tmp_path):
    return str(tmp_path / ("a" * 300))


@pytest.mark.parametrize(
    "case, args, needle",
    [
        ("out is a file", lambda t: ["--out", str(t / "afile")], "is an existing file"),
        ("out under a file", lambda t: ["--out", "/dev/null/x"], "Not a directory"),
        ("out read-only (/proc)", lambda t: ["--out", "/proc/deterrence-sim"], "cannot be written"),
        ("out name too long", lambda t: ["--out", _long(t)], "File name too long"),
        ("negative seed", lambda t: ["--seed", "-1"], "--seed: -1 is out of range"),
        ("seed too big", lambda t: ["--seed", str(2**64)], "--seed"),
        ("horizon beyond the limit", lambda t: ["--end", "9999-12-31"], "at most 100 years"),
        ("replicates beyond the limit", lambda t: ["--replicates", "100000000"], "most replicates"),
        ("price above its ceiling", lambda t: ["--set", "price_initial_gbp=50000"], "outside the price band"),
        ("price below its floor", lambda t: ["--set", "price_initial_gbp=100"], "price_initial_gbp"),
        ("boolean for a count", lambda t: ["--set", "detention_capacity=true"], "detention_capacity: true is a yes/no"),
        ("boolean in a schedule", lambda t: ["--set", "detention_capacity={2025-08-06=true}"], "yes/no"),
        ("same --set twice", lambda t: ["--set", "try_prob=0.3", "--set", "try_prob=0.4"], "given twice"),
        ("end before start", lambda t: ["--end", "2024-06-30"], "--end: 2024-06-30 is before"),
    ],
)
def test_run_refuses_bad_input_before_any_work(case, args, needle, tmp_path, monkeypatch, capsys):
    (tmp_path / "afile").write_text("x")
    status, lines = cli_in_process(["run", str(PILOT), "--workers", "1", *args(tmp_path)], monkeypatch, capsys)
    assert status == 2, case
    assert len(lines) == 1 and lines[0].startswith("deterrence-sim: error:") and needle in lines[0], lines


@pytest.mark.parametrize(
    "text, needle",
    [
        ('name = "e"\nextends = 5\n', "extends: 5 is not a file name"),
        ('name = "x/y"\n', "'x/y' is not allowed as a scenario name"),
        ('name = "../../evil"\n', "not allowed as a scenario name"),
        ('name = ""\n', "not allowed as a scenario name"),
        ("name = 3\n", "not allowed as a scenario name"),
        ('name = "ok"\ndescription = 4\n', "description: must be a string"),
        ('name = "ok"\nend = 9999-12-31\n', "at most 100 years"),
    ],
)
def test_scenario_files_are_checked(text, needle, tmp_path, monkeypatch, capsys):
    f = tmp_path / "s.toml"
    f.write_text(text)
    status, lines = cli_in_process(["run", str(f), "--out", str(tmp_path / "o")], monkeypatch, capsys)
    assert status == 2 and len(lines) == 1 and needle in lines[0], lines
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_a_binary_or_unreadable_scenario_file_is_one_line(tmp_path, monkeypatch, capsys):
    (tmp_path / "bin.toml").write_bytes(bytes(range(256)) * 2)
    for path, needle in (
        (tmp_path / "bin.toml", "not a text file"),
        (tmp_path, "is not a file"),
        ("b" * 5000 + ".toml", "File name too long"),
    ):
        status, lines = cli_in_process(["run", str(path)], monkeypatch, capsys)
        assert status == 2 and len(lines) == 1 and needle in lines[0], lines
        assert len(lines[0]) < 400  # a 5,000-character name is shown shortened


def test_scenario_name_is_letters_digits_underscore_dash():
    assert scenario.check_name("rampup_x5-b2") == "rampup_x5-b2"
    for bad in ("a b", "a.b", "é", "a" * 65, "..", "a/b", "a\\b"):
        with pytest.raises(ConfigError, match="not allowed as a scenario name"):
            scenario.check_name(bad)


def test_other_commands_check_seed_and_output_folder(tmp_path, monkeypatch, capsys):
    (tmp_path / "afile").write_text("x")
    cases = [
        (["validate", "--seed", "-1"], "--seed"),
        (["compare", "--seed", "-1"], "--seed"),
        (["calibrate", "--seed", "-1"], "--seed"),
        (["validate", "--out", str(tmp_path / "afile")], "is an existing file"),
        (["calibrate", "--out", "/dev/null/x"], "Not a directory"),
    ]
    for args, needle in cases:
        status, lines = cli_in_process(args, monkeypatch, capsys)
        assert status == 2 and len(lines) == 1 and needle in lines[0], (args, lines)


@pytest.mark.parametrize(
    "command",
    ["run", "compare", "calibrate", "fit-joint", "validate", "forecast", "backtest", "attribute", "albania", "prior"],
)
@pytest.mark.parametrize(
    "seed, needle",
    [("-1", "-1 is out of range"), (str(2**63), "is out of range"), ("1.5", "'1.5' is not a whole number")],
)
def test_every_command_checks_its_seed_the_same_way_before_any_work(
    command, seed, needle, tmp_path, monkeypatch, capsys
):
    """A bad seed is one line and exit 2 from every command that takes one, before any work starts
    (the output folder is not even made)."""
    out = tmp_path / "out"
    args = [command] + ([str(PILOT)] if command == "run" else []) + ["--seed", seed, "--out", str(out)]
    if command == "forecast":
        args += ["--origin", "2025-06-30", "--to", "2025-12-31"]
    status, lines = cli_in_process(args, monkeypatch, capsys)
    assert status == 2 and len(lines) == 1 and "--seed" in lines[0] and needle in lines[0], (args, lines)
    assert not out.exists()


def _no_work(*args, **kwargs):
    raise AssertionError("the work started before the seed was checked")


@pytest.mark.parametrize("seed", [-1, 2**63, 1.5, True])
@pytest.mark.parametrize("command", ["forecast", "backtest", "albania", "prior"])
def test_library_entry_points_check_the_seed_before_any_work(command, seed, tmp_path, monkeypatch):
    """The functions behind the commands refuse a bad seed themselves, with the command line's
    words and before any work (their first step of work is replaced by one that fails)."""
    from deterrence_sim.analyses import albania
    from deterrence_sim.forecasting import backtest, forecast
    from deterrence_sim.calibration import deterrence_prior as prior

    out = tmp_path / "out"
    calls = {
        "forecast": lambda: forecast.make_forecast("2025-06-30", "2025-12-31", out=out, seed=seed),
        "backtest": lambda: backtest.backtest(out, seed=seed),
        "albania": lambda: albania.simulate(seed=seed),
        "prior": lambda: prior.run(out, seed=seed),
    }
    monkeypatch.setattr(forecast, "prepare", _no_work)
    monkeypatch.setattr(backtest, "ensure_fits", _no_work)
    monkeypatch.setattr(albania.runner, "worker_pool", _no_work)
    monkeypatch.setattr(prior, "simulate_australia", _no_work)
    with pytest.raises(ConfigError, match=r"^--seed: .* (is out of range|is not a whole number)"):
        calls[command]()
    assert not out.exists()


def test_validate_refuses_an_empty_posterior(tmp_path, monkeypatch, capsys):
    cal = tmp_path / "cal"
    cal.mkdir()
    (cal / "posterior_full.csv").write_text("")
    status, lines = cli_in_process(
        ["validate", "--calibration", str(cal), "--out", str(tmp_path / "v")], monkeypatch, capsys
    )
    assert status == 2 and len(lines) == 1 and "posterior_full.csv: empty file" in lines[0], lines


def test_calibrate_refuses_a_binary_priors_file(tmp_path, monkeypatch, capsys):
    (tmp_path / "priors.toml").write_bytes(bytes(range(256)))
    status, lines = cli_in_process(
        ["calibrate", "--priors", str(tmp_path / "priors.toml"), "--out", str(tmp_path / "c"), "--quiet"],
        monkeypatch,
        capsys,
    )
    assert status == 2 and len(lines) == 1 and "priors.toml: not a text file" in lines[0], lines


def test_two_set_options_are_both_kept():
    sets = cli.parse_sets(["try_prob=0.5", "deterrence_strength=3", "flights_per_week={2025-09-15=1.5}"])
    assert sets["try_prob"] == 0.5 and sets["deterrence_strength"] == 3
    assert sets["flights_per_week"] == {"2025-09-15": 1.5}


def test_run_keeps_every_set_option(tmp_path):
    out = tmp_path / "two"
    status = cli.main(
        [
            "run",
            str(PILOT),
            "--replicates",
            "1",
            "--end",
            "2025-01-10",
            "--workers",
            "1",
            "--set",
            "try_prob=0.5",
            "--set",
            "deterrence_strength=3",
            "--out",
            str(out),
        ]
    )
    assert status == 0
    used = json.loads((out / "summary.json").read_text())["parameters"]
    assert used["try_prob"] == 0.5 and used["deterrence_strength"] == 3.0


def test_schedule_dates_after_the_end_are_warned_about(tmp_path, capsys):
    status = cli.main(
        [
            "run",
            str(PILOT),
            "--replicates",
            "1",
            "--end",
            "2025-01-10",
            "--workers",
            "1",
            "--set",
            "flights_per_week={2030-01-01=5}",
            "--out",
            str(tmp_path / "w"),
        ]
    )
    assert status == 0
    warn = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert warn == [
        "deterrence-sim: warning: pilot: flights_per_week changes on 2030-01-01, after the end of the "
        "run (2025-01-10); that change has no effect"
    ]


def test_defaults_of_the_model_are_not_warned_about():
    # pilot's calibrated beach-prevention schedule changes on 2025-07-01: the model's own default
    sc = scenario.load(PILOT).with_overrides(end="2025-03-31")
    assert sc.warnings() == []


def test_run_output_is_complete_and_unmarked(tmp_path):
    out = tmp_path / "r"
    assert (
        cli.main(["run", str(PILOT), "--replicates", "2", "--end", "2025-01-20", "--workers", "1", "--out", str(out)])
        == 0
    )
    assert sorted(p.name for p in out.iterdir()) == ["daily.csv", "summary.json"]  # no marker, no temp file


def test_replicates_and_seed_are_checked_by_the_library():
    sc = scenario.load(PILOT).with_overrides(end="2025-01-05")
    for bad in (-1, 2**64, 1.5, True):
        with pytest.raises(ConfigError, match="seed"):
            runner.run_replicates(sc, 1, seed=bad, workers=1)
    with pytest.raises(ConfigError, match="replicates: 0"):
        runner.run_replicates(sc, 0, seed=1, workers=1)


def test_month_sd_step_refuses_an_empty_posterior(tmp_path, monkeypatch, capsys):
    (tmp_path / "posterior_full.csv").write_text("")
    status, lines = cli_in_process(["calibrate", "--only-inflow-month-sd", "--out", str(tmp_path)], monkeypatch, capsys)
    assert status == 2 and len(lines) == 1 and "posterior_full.csv: empty file" in lines[0], lines


def test_help_and_bad_arguments_answer_without_loading_the_model():
    """``deterrence-sim --help`` and a bad argument answer at once: the package does not import
    the model (Mesa and its dependencies, most of a second) until it is used."""
    code = (
        "import contextlib, io, sys\n"
        "from deterrence_sim import cli\n"
        "for argv in (['--help'], ['compare', '--replicates', '0']):\n"
        "    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        "        try:\n"
        "            cli.main(argv)\n"
        "        except SystemExit:\n"
        "            pass\n"
        "print(sorted(m for m in ('mesa', 'deterrence_sim.model') if m in sys.modules))\n"
        "from deterrence_sim import ChannelModel\n"
        "print(ChannelModel.__module__, 'ChannelModel' in dir(sys.modules['deterrence_sim']))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines() == ["[]", "deterrence_sim.model True"]
