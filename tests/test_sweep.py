"""Sweeps (deterrence-sim sweep / sensitivity): refusals, reproducibility, resuming after a kill,
failed runs, Dask, and the SALib wiring.

The sweeps here are tiny (three months of the pilot, a handful of design points) so that the
default suite stays cheap; the slow ones (``-m slow``) kill a Dask-backed sweep and check that
no worker outlives it.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deterrence_sim import cli, runner
from deterrence_sim.sweeps import design, execute, load_spec, run_sweep, sensitivity, store
from deterrence_sim.sweeps.spec import Factor

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "experiments" / "scenarios"


def write_spec(
    folder: Path,
    body: str = "",
    *,
    points="[0.5, 2.0, 4.0]",
    replicates=2,
    contrast=True,
    contrast_start="2025-08-01",
    name="tiny",
) -> Path:
    """A tiny sweep: the pilot from 2025-08-01 to 2025-10-31 (the pilot acting), deterrence x
    removal capacity, optionally against the pilot with its own capacity."""
    (folder / "short_pilot.toml").write_text(
        textwrap.dedent(f"""\
        name = "short_pilot"
        extends = "{(SCENARIOS / "pilot.toml").as_posix()}"
        start = 2025-08-01
        end = 2025-10-31
        """),
        encoding="utf-8",
    )
    (folder / "short_contrast.toml").write_text(
        textwrap.dedent(f"""\
        name = "base_pilot"
        extends = "{(SCENARIOS / "pilot.toml").as_posix()}"
        start = {contrast_start}
        end = 2025-10-31
        """),
        encoding="utf-8",
    )
    spec = folder / f"{name}.toml"
    spec.write_text(
        textwrap.dedent(f"""\
        name = "{name}"
        scenario = {{ file = "short_pilot.toml", label = "scaled" }}
        {'contrast = "short_contrast.toml"' if contrast else ""}
        seed = 7
        replicates = {replicates}
        outputs = ["arrivals", "removed", "waiting_in_france"]

        [design]
        kind = "grid"

        [parameters.deterrence_strength]
        values = {points}

        [parameters.removal_capacity]
        multiplier_of = ["detention_capacity", "flights_per_week", "france_weekly_cap"]
        from = 2025-09-01
        values = [1, 4]
        contrast = false
        """)
        + textwrap.dedent(body),
        encoding="utf-8",
    )
    return spec


def results_of(folder: Path) -> pd.DataFrame:
    return pd.read_parquet(folder / store.RESULTS)


# --------------------------------------------------------------------------- refusals
@pytest.mark.parametrize(
    ("edit", "must_say"),
    [
        (
            lambda s: s.replace("[parameters.deterrence_strength]", "[parameters.deterence_strength]"),
            ["deterence_strength", "deterrence_strength"],
        ),
        (lambda s: s.replace("values = [0.5, 2.0, 4.0]", "values = []"), ["deterrence_strength", "empty"]),
        (
            lambda s: s.replace("values = [0.5, 2.0, 4.0]", "low = 2.0\nhigh = 2.0"),
            ["deterrence_strength", "empty range"],
        ),
        (lambda s: s.replace("values = [0.5, 2.0, 4.0]", "values = [0.5, 30.0]"), ["deterrence_strength", "30"]),
        (lambda s: s.replace('kind = "grid"', 'kind = "lhs"\npoints = 4'), ["low and high"]),
        # the spec's seeds are checked as every command checks --seed
        (lambda s: s.replace("seed = 7", "seed = -1"), ["seed: -1 is out of range"]),
        (lambda s: s.replace("seed = 7", f"seed = {2**63}"), ["seed:", "is out of range"]),
        (lambda s: s.replace("seed = 7", "seed = 1.5"), ["seed: 1.5 is not a whole number"]),
        (lambda s: s.replace('kind = "grid"', 'kind = "grid"\nseed = -3'), ["seed: -3 is out of range"]),
    ],
)
def test_bad_spec_refused_with_one_line_before_anything_runs(tmp_path, capsys, edit, must_say):
    spec = write_spec(tmp_path)
    spec.write_text(edit(spec.read_text(encoding="utf-8")), encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["sweep", str(spec), "--out", str(out), "--workers", "1", "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("deterrence-sim: error: ") and "\n" not in err, err
    for word in must_say:
        assert word in err, err
    assert not out.exists()  # nothing ran, nothing was written


def test_sensitivity_command_checks_the_spec_seed_before_any_run(tmp_path, capsys):
    spec = write_spec(tmp_path)
    spec.write_text(spec.read_text(encoding="utf-8").replace("seed = 7", "seed = -1"), encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["sensitivity", str(spec), "--out", str(out), "--workers", "1", "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("deterrence-sim: error: ") and "\n" not in err and "seed: -1 is out of range" in err, err
    assert not out.exists()


def test_contrast_with_another_start_date_refused(tmp_path, capsys):
    spec = write_spec(tmp_path, contrast_start="2025-07-01")
    out = tmp_path / "out"
    assert cli.main(["sweep", str(spec), "--out", str(out), "--workers", "1", "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "starts on 2025-07-01" in err and "same day" in err, err
    assert not out.exists()


def test_folder_of_another_sweep_or_without_resume_refused(tmp_path, capsys):
    spec = write_spec(tmp_path, points="[1.0]", replicates=1)
    out = tmp_path / "out"
    assert cli.main(["sweep", str(spec), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    capsys.readouterr()
    assert cli.main(["sweep", str(spec), "--out", str(out), "--workers", "1", "--quiet"]) == 2
    assert "add --resume" in capsys.readouterr().err
    # resuming a finished sweep runs nothing and keeps its results
    before = results_of(out)
    assert cli.main(["sweep", str(spec), "--out", str(out), "--workers", "1", "--quiet", "--resume"]) == 0
    assert "0 run now" in capsys.readouterr().out
    pd.testing.assert_frame_equal(before, results_of(out))
    other = write_spec(tmp_path, points="[1.0]", replicates=2, name="other")
    assert cli.main(["sweep", str(other), "--out", str(out), "--workers", "1", "--quiet", "--resume"]) == 2
    assert "another sweep" in capsys.readouterr().err


# --------------------------------------------------------------------------- what a run records
def test_rows_seeds_and_common_random_numbers(tmp_path):
    spec = load_spec(write_spec(tmp_path))
    res = run_sweep(spec, tmp_path / "out", workers=1, progress=False)
    df = res["results"]
    assert len(df) == 3 * 2 * 2 and res["failed"] == 0
    assert df["run"].tolist() == list(range(12))
    assert (df["run"] == df["point"] * 2 + df["replicate"]).all()
    # replicate i of every point has the same seed, derived from the root seed
    assert df.groupby("replicate")["seed"].nunique().eq(1).all()
    assert (df["seed"] == [execute.replicate_seed(7, r) for r in df["replicate"]]).all()  # as `run --seed 7`
    assert df.loc[df["replicate"] == 0, "seed"].iloc[0] != df.loc[df["replicate"] == 1, "seed"].iloc[0]
    # the effect is base minus contrast, replicate by replicate
    eff = df["scaled-base_pilot/arrivals_2025"]
    assert np.allclose(eff, df["scaled/arrivals_2025"] - df["base_pilot/arrivals_2025"])
    # at capacity 1 the base is the contrast: same parameters, same seed, so no difference at all
    one = df[df["removal_capacity"] == 1.0]
    assert (one["scaled-base_pilot/arrivals_2025"] == 0).all() and (one["scaled/arrivals_2025"] > 0).all()
    # four times the capacity removes more people
    four = df[df["removal_capacity"] == 4.0]
    assert four["scaled-base_pilot/removed_2025"].mean() > 0
    # the contrast does not get the capacity lever: same contrast output at both capacities
    pivot = df.pivot_table(
        index=["deterrence_strength", "replicate"], columns="removal_capacity", values="base_pilot/arrivals_2025"
    )
    assert (pivot[1.0] == pivot[4.0]).all()


def test_failed_run_recorded_and_sweep_goes_on(tmp_path, monkeypatch, capsys):
    real = runner.ChannelModel  # the sweeps enter the model through runner.simulate

    def fragile(**kwargs):
        if kwargs["values"]["deterrence_strength"] == 2.0 and kwargs["rng"] == execute.replicate_seed(7, 1):
            raise RuntimeError("numerical trouble")
        return real(**kwargs)

    monkeypatch.setattr(runner, "ChannelModel", fragile)
    spec = write_spec(tmp_path)
    out = tmp_path / "out"
    assert cli.main(["sweep", str(spec), "--out", str(out), "--workers", "1", "--quiet"]) == 1
    printed = capsys.readouterr().out
    assert "2 failed" in printed, printed
    df = results_of(out)
    bad = df[df["error"].notna()]
    assert len(df) == 12 and len(bad) == 2  # both capacities at that point and replicate
    assert (bad["deterrence_strength"] == 2.0).all() and bad["error"].str.contains("numerical trouble").all()
    assert bad["scaled/arrivals_2025"].isna().all() and df.loc[df["error"].isna(), "scaled/arrivals_2025"].notna().all()


# --------------------------------------------------------------------------- reproducibility, Dask
def test_same_results_plain_local_pool_and_dask_local_cluster_two_workers(tmp_path, monkeypatch):
    """One worker in this process, two on the local process pool, and two as a Dask LocalCluster
    (``scheduler="local"``) give the same table; the pool is a real two-process pool."""
    from deterrence_sim import workers

    spec = load_spec(write_spec(tmp_path))
    plain = run_sweep(spec, tmp_path / "plain", workers=1, progress=False)["results"]
    pools = []
    real_pool = workers.worker_pool

    @contextlib.contextmanager
    def noting_pool(n, jobs, *args):
        with real_pool(n, jobs, *args) as pool:
            pools.append(pool._max_workers if pool is not None else 1)
            yield pool

    monkeypatch.setattr(workers, "worker_pool", noting_pool)
    pool2 = run_sweep(spec, tmp_path / "pool2", workers=2, progress=False)["results"]
    assert pools == [2]
    dask2 = run_sweep(spec, tmp_path / "dask2", workers=2, scheduler="local", progress=False)["results"]
    pd.testing.assert_frame_equal(plain, pool2)
    pd.testing.assert_frame_equal(plain, dask2)
    pd.testing.assert_frame_equal(plain, results_of(tmp_path / "pool2"))


@pytest.mark.slow
def test_any_dask_client_one_worker_matches(tmp_path):
    from distributed import Client, LocalCluster

    spec = load_spec(write_spec(tmp_path))
    plain = run_sweep(spec, tmp_path / "plain", workers=1, progress=False)["results"]
    with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None) as cluster, Client(cluster) as c:
        via_client = run_sweep(spec, tmp_path / "client", client=c, progress=False)["results"]
        via_address = run_sweep(spec, tmp_path / "address", scheduler=cluster.scheduler_address, progress=False)[
            "results"
        ]
    pd.testing.assert_frame_equal(plain, via_client)
    pd.testing.assert_frame_equal(plain, via_address)


# --------------------------------------------------------------------------- killed, then resumed
def _kill_part_way(spec: Path, out: Path, workers: int) -> subprocess.Popen:
    """Start the sweep in a subprocess and SIGKILL it once some, not all, runs are on disk."""
    cmd = [
        sys.executable,
        "-m",
        "deterrence_sim",
        "sweep",
        str(spec),
        "--out",
        str(out),
        "--workers",
        str(workers),
        "--quiet",
        "--flush-seconds",
        "0",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if len(store.part_files(out)) >= 2:
            break
        time.sleep(0.02)
    assert proc.poll() is None, f"the sweep ended before it could be killed: {proc.stderr.read().decode()}"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return proc


def test_sigkill_then_resume_gives_exactly_the_straight_through_results(tmp_path):
    spec_file = write_spec(tmp_path, points="[0.3, 0.6, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0]")
    spec = load_spec(spec_file)
    straight = run_sweep(spec, tmp_path / "straight", workers=1, progress=False)["results"]
    out = tmp_path / "killed"
    _kill_part_way(spec_file, out, workers=1)
    assert not (out / store.RESULTS).exists()  # a killed sweep is never taken for a finished one
    assert (out / ".incomplete.json").exists()
    done_before = store.done_runs(out)
    assert 0 < len(done_before) < len(straight)
    res = run_sweep(spec, out, workers=1, resume=True, progress=False)
    assert res["done_before"] == len(done_before) and res["done_now"] == len(straight) - len(done_before)
    pd.testing.assert_frame_equal(straight, results_of(out))  # none lost, none duplicated
    assert not (out / ".incomplete.json").exists() and not (out / store.PARTS).exists()


def test_temporary_file_of_a_killed_write_is_not_taken_for_a_part(tmp_path):
    spec_file = write_spec(tmp_path, points="[1.0, 2.0]", replicates=1)
    spec = load_spec(spec_file)
    out = tmp_path / "out"
    straight = run_sweep(spec, tmp_path / "straight", workers=1, progress=False)["results"]
    execute.prepare_folder(spec, out, False, design.design_table(spec))
    (out / store.PARTS).mkdir()
    # what a kill during a part's write leaves: a temporary file holding every run, half-written
    half = straight.head(3)
    half.to_parquet(out / store.PARTS / ".tmp-part-x.parquet.abc")
    assert store.done_runs(out) == set()
    res = run_sweep(spec, out, workers=1, resume=True, progress=False)
    assert res["done_now"] == len(straight)
    pd.testing.assert_frame_equal(straight, results_of(out))
    assert not list((out / store.PARTS).glob(".tmp-*")) if (out / store.PARTS).exists() else True


def _descendants(pid: int) -> list[int]:
    import psutil

    try:
        return [p.pid for p in psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


@pytest.mark.slow
def test_sigkill_of_a_two_worker_sweep_leaves_no_worker_and_resumes_exactly(tmp_path):
    import psutil

    spec_file = write_spec(tmp_path, points="[0.3, 0.6, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0]")
    spec = load_spec(spec_file)
    straight = run_sweep(spec, tmp_path / "straight", workers=1, progress=False)["results"]
    out = tmp_path / "killed"
    cmd = [
        sys.executable,
        "-m",
        "deterrence_sim",
        "sweep",
        str(spec_file),
        "--out",
        str(out),
        "--workers",
        "2",
        "--quiet",
        "--flush-seconds",
        "0",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and len(store.part_files(out)) < 2 and proc.poll() is None:
        time.sleep(0.05)
    workers = _descendants(proc.pid)
    assert proc.poll() is None and workers, "no worker processes seen"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    gone_by = time.monotonic() + 30
    while time.monotonic() < gone_by and any(
        psutil.pid_exists(p) and psutil.Process(p).status() != "zombie" for p in workers
    ):
        time.sleep(0.2)
    alive = [p for p in workers if psutil.pid_exists(p) and psutil.Process(p).status() != "zombie"]
    assert not alive, f"worker processes outlived the killed sweep: {alive}"
    res = run_sweep(spec, out, workers=2, resume=True, progress=False)
    assert res["done_before"] > 0
    pd.testing.assert_frame_equal(straight, results_of(out))


# --------------------------------------------------------------------------- SALib wiring
def test_sobol_indices_of_ishigami_come_out_right(tmp_path):
    from SALib.test_functions import Ishigami

    spec = load_spec(write_spec(tmp_path))
    factors = tuple(Factor(name=f"x{i}", targets=("try_prob",), low=-np.pi, high=np.pi) for i in (1, 2, 3))
    import dataclasses

    ishigami = dataclasses.replace(spec, factors=factors, design={"kind": "sobol", "base_samples": 2048})
    table = design.design_table(ishigami)
    X = table[["x1", "x2", "x3"]].to_numpy()
    assert len(X) == 2048 * (3 + 2)
    t = sensitivity.sobol_indices(design.problem(ishigami), Ishigami.evaluate(X), seed=1).set_index("parameter")
    # analytic values (Ishigami & Homma 1990; a = 7, b = 0.1)
    assert np.allclose(t.loc[["x1", "x2", "x3"], "S1"], [0.3139, 0.4424, 0.0], atol=0.04), t
    assert np.allclose(t.loc[["x1", "x2", "x3"], "ST"], [0.5576, 0.4424, 0.2437], atol=0.04), t
    assert ((t["ST_conf"] > 0) & (t["ST_conf"] < 0.1)).all()  # bootstrap 95% half-widths, computed and tight
    assert list(t.index) == ["x1", "x2", "x3"]  # largest total index first


def test_sensitivity_averages_replicates_per_point(tmp_path):
    spec = load_spec(write_spec(tmp_path))
    df = pd.DataFrame(
        {
            "point": [0, 0, 1, 1, 2, 2],
            "replicate": [0, 1] * 3,
            "error": [None, None, None, "x", None, None],
            "y": [1.0, 3.0, 10.0, np.nan, 5.0, 7.0],
        }
    )
    assert sensitivity.point_means(spec, df, "y").tolist() == [2.0, 10.0, 6.0]


def test_morris_sensitivity_command_end_to_end(tmp_path, capsys):
    spec_file = write_spec(
        tmp_path,
        body="""
        [sensitivity]
        outputs = ["scaled-base_pilot/removed_2025"]
        """,
        replicates=1,
    )
    text = spec_file.read_text(encoding="utf-8")
    text = text.replace('kind = "grid"', 'kind = "morris"\ntrajectories = 3\nlevels = 4')
    text = text.replace("values = [0.5, 2.0, 4.0]", "low = 0.1\nhigh = 4.0").replace(
        "values = [1, 4]", "low = 1\nhigh = 8"
    )
    spec_file.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["sensitivity", str(spec_file), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    table = pd.read_csv(out / "morris.csv")
    assert set(table["parameter"]) == {"deterrence_strength", "removal_capacity"}
    assert table["mu_star"].is_monotonic_decreasing
    # extra removal capacity is what makes extra removals: it must rank first
    assert table.iloc[0]["parameter"] == "removal_capacity" and table.iloc[0]["mu_star"] > 0
    assert (out / "morris.png").stat().st_size > 10_000
    assert "morris indices" in capsys.readouterr().out
