"""The answer under uncertainty (issue 14): draws, exact pairing, the degenerate prior, the
decomposition, and the main job's handling of its output folder (issue 13)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deterrence_sim.analyses import compare, effects
from deterrence_sim import runner, scenario
from deterrence_sim.errors import ConfigError
from deterrence_sim.analyses.uncertainty import PRIORS, Uncertainty, apply_draw

ROOT = Path(__file__).resolve().parents[1]
SCEN = ROOT / "experiments" / "scenarios"
QUICK = dict(workers=1, progress=False, with_dose=False, decomposition_replicates=0, alternative_replicates=0)


def test_draws_depend_on_the_replicate_only_and_stay_in_the_priors():
    unc = Uncertainty.full()
    many = unc.draws(7, 50)
    assert unc.draws(7, 3) == many[:3]  # replicate i's draw does not depend on how many there are
    assert unc.draw(8, 0) != many[0]
    for name, prior in PRIORS.items():
        values = np.array([d[name] for d in many])
        lo, hi = prior.quantile(0.0), prior.quantile(1.0)
        assert (values >= lo - 1e-12).all() and (values <= hi + 1e-12).all(), name
        assert values.std() > 0, name
    # calibrated parameters come in joint posterior rows
    assert len({d["try_prob"] for d in many}) > 10
    assert Uncertainty.fixed().draw(7, 0) == {}


def test_a_scenarios_own_lever_wins_over_the_draw_and_set_wins_over_both():
    pilot = scenario.load(SCEN / "pilot.toml")
    review = scenario.load(SCEN / "modern_slavery_review.toml")
    draw = {"challenge_success_prob": 0.5, "deterrence_strength": 2.0}
    p = apply_draw(review.params, pilot.params, draw, review.start)
    assert p["challenge_success_prob"] == {"2025-01-01": 0.5, "2026-07-01": 0.05}  # drawn until its own date
    assert p["deterrence_strength"] == 2.0
    assert (
        apply_draw(review.params, pilot.params, draw, review.start, {"deterrence_strength": 1})["deterrence_strength"]
        == 1
    )


def test_a_scenario_compared_with_itself_has_zero_effect_in_every_replicate(tmp_path):
    twin = tmp_path / "twin.toml"
    twin.write_text(f'name = "twin"\nextends = "{SCEN / "no_deal.toml"}"\n', encoding="utf-8")
    out = tmp_path / "out"
    compare.compare(
        [SCEN / "no_deal.toml", twin, SCEN / "pilot.toml"],
        replicates=4,
        horizon_end="2025-12-31",
        out=out,
        seed=5,
        **QUICK,
    )
    daily = {n: pd.read_parquet(out / "daily" / f"{n}.parquet") for n in ("no_deal", "twin", "pilot")}
    pd.testing.assert_frame_equal(daily["twin"], daily["no_deal"])
    head = pd.read_csv(out / "headline.csv")
    head = head[head["against"] == "no_deal"].set_index("scenario")
    assert head.loc["twin", "effect_p05"] == head.loc["twin", "effect_p95"] == 0.0
    assert head.loc["pilot", "effect_p50"] < 0  # while a real scenario differs
    draws = pd.read_csv(out / "draws.csv")
    assert draws["deterrence_strength"].nunique() == 4  # each replicate its own draw


def test_degenerate_prior_gives_the_old_conditional_headline(tmp_path):
    """With nothing drawn, the headline's pairs are exactly the old conditional runs: the same
    scenario runs at the calibrated values, replicate by replicate on the same seeds."""
    files = [SCEN / "no_deal.toml", SCEN / "rampup_x5.toml"]
    head = compare.compare(
        files, replicates=3, horizon_end="2026-08-31", out=tmp_path, seed=9, uncertainty="fixed", **QUICK
    )
    old = {}
    for f in files:
        sc = scenario.load(f).with_overrides(end="2026-08-31")
        old[sc.name] = effects.replicate_metrics(runner.run_replicates(sc, 3, 9, workers=1, progress=False))
    for year in (2025, 2026):
        col = f"crossings_{year}"
        e = old["rampup_x5"][col] / old["no_deal"][col] - 1
        row = head[(head.scenario == "rampup_x5") & (head.year == year) & (head.against == "no_deal")].iloc[0]
        assert row["effect_p50"] == pytest.approx(e.median(), abs=1e-12)
        assert row["effect_p05"] == pytest.approx(e.quantile(0.05), abs=1e-12)
        assert row["effect_p95"] == pytest.approx(e.quantile(0.95), abs=1e-12)
        assert row["prob_cut_over_10pct"] == pytest.approx((e < -0.1).mean())


def test_decomposition_parts_add_up_and_vanish_where_they_should(tmp_path):
    files = [SCEN / "no_deal.toml", SCEN / "rampup_x5.toml"]
    compare.compare(
        files,
        replicates=3,
        horizon_end="2026-12-31",
        out=tmp_path,
        seed=4,
        workers=1,
        progress=False,
        with_dose=False,
        decomposition_replicates=3,
        alternative_replicates=0,
    )
    dec = pd.read_csv(tmp_path / "decomposition.csv")
    raw = {n: pd.read_parquet(tmp_path / "daily" / f"{n}.parquet") for n in ("no_deal", "rampup_x5")}
    total = (
        raw["rampup_x5"].groupby("replicate")["arrivals"].sum() - raw["no_deal"].groupby("replicate")["arrivals"].sum()
    ).mean()
    d = dec[(dec.scenario == "rampup_x5") & (dec.period == "all") & (dec.against == "no_deal")].set_index("part")
    assert d.loc["total", "change_mean"] == pytest.approx(total, rel=1e-5)  # the headline's own pairs
    assert d.loc[
        ["removals themselves", "deterrence by removals", "legal route"], "change_mean"
    ].sum() == pytest.approx(total, rel=1e-5)
    assert d.loc["legal route", "change_mean"] < 0  # the legal route takes people off the coast
    # with deterrence fixed at zero, deterrence by removals is exactly nothing
    out0 = tmp_path / "zero"
    compare.compare(
        files,
        replicates=2,
        horizon_end="2026-12-31",
        out=out0,
        seed=4,
        workers=1,
        progress=False,
        with_dose=False,
        decomposition_replicates=2,
        alternative_replicates=0,
        sets={"deterrence_strength": 0.0},
    )
    d0 = pd.read_csv(out0 / "decomposition.csv")
    part = d0[(d0.part == "deterrence by removals")]
    assert (part["change_mean"] == 0).all() and (part["change_lo"] == 0).all() and (part["change_hi"] == 0).all()


@pytest.mark.parametrize(
    "bad, message",
    [
        ('name = "../../evil"\nextends = "{no_deal}"\n', "not allowed"),
        ('name = ""\nextends = "{no_deal}"\n', "not allowed"),
        ('name = "no_deal"\nextends = "{pilot}"\n', "reserved for the baseline"),
        ('name = "pilot"\nextends = "{pilot}"\n', "share the name"),
    ],
)
def test_bad_scenario_names_are_refused_before_any_work(tmp_path, bad, message):
    f = tmp_path / "s.toml"
    f.write_text(bad.format(no_deal=SCEN / "no_deal.toml", pilot=SCEN / "pilot.toml"), encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(ConfigError, match=message):
        compare.compare([SCEN / "pilot.toml", f], replicates=2, out=out, **QUICK)
    assert not (out / "daily").exists()


def test_horizon_before_the_ramp_up_is_refused_for_the_dose_response(tmp_path):
    with pytest.raises(ConfigError, match="ramp-up date"):
        compare.compare(
            [SCEN / "pilot.toml"], replicates=2, horizon_end="2025-12-31", out=tmp_path / "o", workers=1, progress=False
        )
    with pytest.raises(ConfigError, match="is an existing file"):
        (tmp_path / "file").write_text("x")
        compare.compare([SCEN / "pilot.toml"], replicates=2, out=tmp_path / "file", **QUICK)


def _cli(*args, **kw):
    return subprocess.Popen(
        [sys.executable, "-m", "deterrence_sim", "compare", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "timing.json"
    }


def test_resume_after_a_kill_gives_the_files_of_a_run_straight_through(tmp_path):
    files = [SCEN / "pilot.toml", SCEN / "rampup_x5.toml"]
    settings = dict(
        replicates=3,
        horizon_end="2026-07-31",
        decomposition_replicates=2,
        alternative_replicates=0,
        dose_replicates=1,
        seed=3,
    )
    straight, killed = tmp_path / "straight", tmp_path / "killed"
    compare.compare(files, out=straight, workers=1, progress=False, **settings)
    args = [
        *map(str, files),
        "--replicates",
        "3",
        "--horizon-end",
        "2026-07-31",
        "--decomposition-replicates",
        "2",
        "--alternative-replicates",
        "0",
        "--dose-replicates",
        "1",
        "--workers",
        "1",
        "--seed",
        "3",
    ]
    p = _cli(*args, "--out", str(killed))
    deadline = time.time() + 600
    while not (killed / "daily" / "pilot.parquet").exists() and time.time() < deadline and p.poll() is None:
        time.sleep(0.02)
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    assert (killed / ".incomplete.json").exists() and not (killed / "report.md").exists()
    done = {f.name for f in (killed / "daily").glob("*.parquet")}
    assert "pilot.parquet" in done and "rampup_x5.parquet" not in done
    (killed / "daily" / "old_scenario.parquet").write_bytes(b"stale")  # another run's file is not mixed in
    p = _cli(*args, "--out", str(killed), "--resume")
    assert p.wait(timeout=600) == 0, p.stderr.read()
    assert json.loads((killed / "timing.json").read_text())["runs_kept"] >= 6
    assert not (killed / ".incomplete.json").exists()
    assert _files(killed) == _files(straight)
    # a later run with other settings replaces what differs, even with --resume: here only the
    # decomposition runs (their first two replicates are the same) are kept
    compare.compare(
        files,
        out=killed,
        workers=1,
        progress=False,
        resume=True,
        **{**settings, "replicates": 2, "dose_replicates": 0},
        with_dose=False,
    )
    assert not (killed / "dose_response.csv").exists() and not list((killed / "runs").glob("dose__*"))
    assert json.loads((killed / "timing.json").read_text())["runs_kept"] == 2 * 3 * 2  # 2 scenarios x 3 worlds x 2
    assert pd.read_parquet(killed / "daily" / "pilot.parquet")["replicate"].nunique() == 2


def test_the_main_job_draws_the_fitted_unknowns_from_the_joint_posterior():
    """deterrence_strength, leave_route_daily, removal_salience and the 2026 inflow come from the
    joint posterior's rows; only what the data cannot touch is drawn from a prior. The older
    posterior sample (ABC-SMC, without these columns) still works, drawing them from the priors."""
    from deterrence_sim.analyses.uncertainty import POSTERIOR_FILE, read_posterior

    unc = Uncertainty.full()
    rows, _ = read_posterior(POSTERIOR_FILE)
    prior_names = {p.name for p in unc.priors}
    for name in ("deterrence_strength", "leave_route_daily", "removal_salience"):
        assert name not in prior_names and name in unc.names()
    assert "impatience_per_month" in prior_names
    pairs = {(r["deterrence_strength"], r["inflow_2026"]) for r in rows}
    for d in unc.draws(3, 20):
        assert (d["deterrence_strength"], d["inflow_per_year"]["2026-01-01"]) in pairs  # one row, jointly
    old = Uncertainty.full(ROOT / "experiments" / "calibration" / "posterior_full.csv")
    assert "deterrence_strength" in {p.name for p in old.priors}
    assert "2026-01-01" not in old.draw(3, 0)["inflow_per_year"]
