"""The package without the checkout: its data, scenarios and calibrated set are package data.

The cheap tests watch which files the package's own loaders open (an audit hook) and check each one
is reached through the package (``deterrence_sim/_data``, :mod:`deterrence_sim.resources`), not
through the repository around it, and is covered by the wheel's package-data patterns; another
checks that the package's worker pools never fork the main process. The slow test builds a wheel,
installs it in a fresh virtual environment and runs ``deterrence-sim compare`` from an empty folder.
"""

from __future__ import annotations

import glob
import importlib.resources
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deterrence_sim.analyses import albania, compare, uncertainty
from deterrence_sim import calibration, resources, scenario
from deterrence_sim.observed import data
from deterrence_sim.calibration import validation
from deterrence_sim.calibration import month_sd
from deterrence_sim.errors import ConfigError
from deterrence_sim.observed.targets import TargetSet

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(str(importlib.resources.files("deterrence_sim")))
SHIPPED = ("seeds", "experiments")  # the repository's top-level folders the package reads from

_opened: list[str] | None = None  # files opened while a test is watching (None: not watching)


def _audit(event, args):
    if _opened is not None and event == "open" and isinstance(args[0], (str, os.PathLike)):
        _opened.append(os.fspath(args[0]))


sys.addaudithook(_audit)  # audit hooks cannot be removed; this one only records while _opened is a list


def _files_the_package_reads(monkeypatch, tmp_path) -> list[Path]:
    """Run the package's loaders of shipped files (observed data, every standard scenario with its
    ``extends`` chain, the calibrated set as ``validate`` finds it) and return the files they opened
    inside the shipped folders."""
    global _opened
    monkeypatch.chdir(tmp_path)  # an empty folder: no results/calibration to prefer
    monkeypatch.delenv("DETERRENCE_SIM_SEEDS", raising=False)
    for loader in (data.daily_arrivals, data.weekly_preventions, data.pilot_observations):
        loader.cache_clear()
    _opened = []
    try:
        data.daily_arrivals()
        data.weekly_preventions()
        data.pilot_observations()
        for path in compare.standard_scenarios():
            scenario.load(path)
        folder = validation.find_calibration(None)
        validation.month_sd_for(folder)
        for fit in calibration.FITS:
            calibration.point_estimate(pd.read_csv(folder / f"posterior_{fit}.csv"))
        calibration.CALIBRATED_FILE.read_text(encoding="utf-8")
        uncertainty.Uncertainty.full()
        scenario.load(albania.SCENARIO_DIR / "no_deal.toml")
        opened = list(_opened)
    finally:
        _opened = None
    shipped = [ROOT / name for name in SHIPPED]
    return sorted({Path(p) for p in opened if any(Path(p).resolve().is_relative_to(s) for s in shipped)})


def test_every_shipped_file_the_package_reads_is_reached_through_the_package(monkeypatch, tmp_path):
    files = _files_the_package_reads(monkeypatch, tmp_path)
    names = {f.name for f in files}
    # the loaders really ran: the three observed series, all standard scenarios, the calibrated set
    assert {
        data.DAILY,
        data.WEEKLY,
        data.PILOT,
        calibration.MONTH_SD_FILE,
        "calibrated.toml",
        "posterior_full.csv",
        "posterior_holdout.csv",
    } <= names
    assert {f"{name}.toml" for name in compare.STANDARD_ORDER} <= names
    outside = [f for f in files if not f.is_relative_to(PACKAGE / resources.DATA_ROOT)]
    assert not outside, f"read through the checkout, not the package (an installed wheel has no checkout): {outside}"


def test_package_data_patterns_cover_every_file_the_package_reads(monkeypatch, tmp_path):
    """What setuptools puts in the wheel: the files matching ``[tool.setuptools.package-data]``,
    globbed from the package folder as setuptools does (following the _data links)."""
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"
    ]["deterrence_sim"]
    in_wheel = {
        Path(p).resolve()
        for pat in patterns
        for p in glob.glob(str(ROOT / "src" / "deterrence_sim" / pat), recursive=True)
    }
    files = _files_the_package_reads(monkeypatch, tmp_path)
    missing = [f for f in files if f.resolve() not in in_wheel]
    assert files and not missing, f"read by the package but left out of the wheel: {missing}"


def test_package_data_is_the_repository_folders_not_a_copy():
    """``_data/seeds`` and ``_data/experiments`` lead to the top-level folders (one source of truth)."""
    for name in SHIPPED:
        assert resources.path(name).resolve() == ROOT / name
    assert data.seeds_dir().resolve() == ROOT / "seeds"
    assert compare.SCENARIO_DIR.resolve() == ROOT / "experiments" / "scenarios"


def test_missing_package_data_is_one_clear_error():
    with pytest.raises(ConfigError, match=r"package data _data/experiments/nowhere not found"):
        resources.path("experiments/nowhere")


@pytest.mark.slow
def test_wheel_in_a_fresh_venv_runs_compare_from_an_empty_folder(tmp_path):
    """Build a wheel from a copy of the repository's package files, install it (dependencies from
    pip's cache or PyPI) into a new virtual environment, run ``deterrence-sim compare`` in an empty
    folder and check its outputs."""
    src = tmp_path / "src-copy"  # build from a copy: pip builds in place and would leave build/ behind
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    for name in ("src", "seeds", "experiments"):
        shutil.copytree(
            ROOT / name,
            src / name,
            symlinks=True,
            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.nbi", "*.nbc"),
        )
    wheels = tmp_path / "wheels"
    run = dict(check=True, capture_output=True, text=True, timeout=1500)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(src)], **run)
    (wheel,) = wheels.glob("deterrence_sim-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], **run)
    py = venv / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", str(wheel)], **run)
    work = tmp_path / "empty"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DETERRENCE_SIM_SEEDS", "VIRTUAL_ENV")}
    where = subprocess.run(
        [str(py), "-c", "import deterrence_sim; print(deterrence_sim.__file__)"], cwd=work, env=env, **run
    ).stdout.strip()
    assert Path(where).is_relative_to(venv), where  # the installed copy, not the checkout
    res = subprocess.run(
        [
            str(venv / "bin" / "deterrence-sim"),
            "compare",
            "--replicates",
            "2",
            "--dose-replicates",
            "1",
            "--decomposition-replicates",
            "1",
            "--alternative-replicates",
            "1",
            "--workers",
            "1",
            "--out",
            "out",
        ],
        cwd=work,
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=1500,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    out = work / "out"
    for name in ("report.md", "summary.csv", "dose_response.csv", "crossings_per_month.png", "dose_response.png"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    assert set(compare.STANDARD_ORDER) <= {p.stem for p in (out / "daily").glob("*.parquet")}
    summary = pd.read_csv(out / "summary.csv")
    assert set(compare.STANDARD_ORDER) <= set(summary["scenario"])
    assert not (work / "results").exists() and sorted(p.name for p in work.iterdir()) == ["out"]


# --------------------------------------------------------------------------- worker pools never fork
class _OneTarget:
    """A one-number target set for a synthetic ABC problem (y observed = 2)."""

    names = ["y"]
    observed = np.array([2.0])

    def distance(self, s):
        return float(abs(s[0] - 2.0))


def _noisy_identity(theta, seed):
    return np.array([theta["a"] + np.random.default_rng(seed).normal(0, 0.1)])


def test_worker_pools_never_fork_the_main_process(monkeypatch, tmp_path):
    """fork() in a process that runs threads (numba's, pyarrow's, tqdm's) can deadlock the child.
    Python's warning about it cannot be turned into an error (CPython drops it), so ``os.fork`` is
    made to fail here while the package's own pools run: the calibration's ABC sampler, its
    month-noise runs and the validation runs, each with two workers."""

    def refuse():
        raise AssertionError("os.fork() in the main process: use deterrence_sim.workers' pools (forkserver)")

    monkeypatch.setattr(os, "fork", refuse)
    priors = {"a": calibration.CalibParam("a", calibration.Prior("a", "uniform", 0.0, 5.0), "test")}
    res = calibration.run_fit(
        calibration.SETTINGS["full"],
        tmp_path,
        budget=60,
        population=20,
        seed=3,
        workers=2,
        priors=priors,
        progress=False,
        simulator=_noisy_identity,
        targets=_OneTarget(),
        max_generations=2,
        log=lambda *a: None,
    )
    assert len(calibration.posterior(Path(res["db"]))) == 20
    setting = calibration.SETTINGS["full"]
    runs = month_sd._monthly_runs({}, setting, 0.0, 2, 1, 2, None, [np.arange(20)], "2023-01-20")
    assert runs.shape == (2, 1)
    rs = validation.RunSet(
        "test", setting, "2023-01-31", None, [{}, {}], TargetSet(start=setting.start, end="2023-01-31")
    )
    assert len(validation.run_set(rs, seed=1, workers=2, progress=False).daily) == 2


def test_fork_server_forks_its_workers_from_a_single_threaded_process(tmp_path):
    """The fork server imports the model before forking workers; importing it must not leave the
    server with threads (Python's warning about fork() with threads, shown here with -W default,
    comes from the server's own stderr)."""
    script = tmp_path / "pool.py"
    script.write_text(
        "from deterrence_sim.workers import worker_pool\n"
        "if __name__ == '__main__':\n"
        "    with worker_pool(2, 4) as pool:\n"
        "        assert list(pool.map(abs, [-1, -2, -3, -4])) == [1, 2, 3, 4]\n",
        encoding="utf-8",
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "JE_ARROW_MALLOC_CONF")
    }
    res = subprocess.run(
        [sys.executable, "-W", "default", str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    assert "use of fork()" not in res.stderr, res.stderr[-2000:]
