"""The first run that must compile the model says so, and a run that loads it from the cache does not."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from deterrence_sim import compiling


@pytest.fixture
def fresh(monkeypatch):
    """compiling's state as in a new process, with the model run replaced by a wait."""
    monkeypatch.setattr(compiling, "_done", compiling.threading.Event())
    return monkeypatch


@pytest.mark.parametrize("takes_s, announced", [(0.4, True), (0.0, False)])
def test_the_message_comes_only_when_getting_ready_is_slow(fresh, takes_s, announced):
    fresh.setattr(compiling, "_run_small_model", lambda: time.sleep(takes_s))
    said = []
    compiling.ensure_compiled(announce=said.append, after_s=0.15)
    assert said == ([compiling.COMPILING_MESSAGE] if announced else [])
    assert compiling.is_ready()
    compiling.ensure_compiled(announce=said.append, after_s=0.0)  # once ready, never again
    assert len(said) == int(announced)


@pytest.mark.slow
def test_cli_says_it_compiles_on_a_cold_cache_and_not_on_a_warm_one(tmp_path):
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba-cache")}
    cmd = [
        sys.executable,
        "-m",
        "deterrence_sim",
        "run",
        "experiments/scenarios/pilot.toml",
        "--replicates",
        "1",
        "--end",
        "2025-01-31",
        "--workers",
        "1",
        "--out",
        str(tmp_path / "out"),
    ]
    cold = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    assert cold.returncode == 0, cold.stderr
    assert compiling.COMPILING_MESSAGE in cold.stderr
    warm = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert warm.returncode == 0 and compiling.COMPILING_MESSAGE not in warm.stderr, warm.stderr
