"""The calibrated parameter set is the model's default and the pilot scenario's base."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd
import pytest

from deterrence_sim import calibration as cal
from deterrence_sim import params, scenario

ROOT = Path(__file__).resolve().parents[1]


def _calibrated():
    return tomllib.loads(cal.CALIBRATED_FILE.read_text(encoding="utf-8"))


def test_defaults_are_the_calibrated_parameter_set():
    calibrated = _calibrated()["params"]
    validated = params.validate(calibrated)
    defaults = params.validate({})
    for name in calibrated:
        assert validated[name] == defaults[name], name
    text = cal.CALIBRATED_FILE.read_text(encoding="utf-8")
    assert "date of the fit" in text and "data window" in text and "budget" in text
    for name in calibrated:
        assert "calibrated" in params.PARAMS[name].source, name


def test_pilot_scenario_uses_the_calibrated_set():
    pilot = scenario.load(ROOT / "experiments" / "scenarios" / "pilot.toml")
    assert "calibrated.toml" in (ROOT / "experiments" / "scenarios" / "pilot.toml").read_text()
    assert params.validate(pilot.params) == params.validate({})


def test_committed_posterior_matches_the_calibrated_set():
    post = pd.read_csv(cal.CALIBRATED_DIR / "posterior_full.csv")
    theta = cal.point_estimate(post)
    calibrated = _calibrated()["params"]
    assert calibrated["try_prob"] == pytest.approx(theta["try_prob"], rel=1e-2)
    assert calibrated["deterrence_strength"] == pytest.approx(theta["deterrence_strength"], rel=1e-2)
    assert calibrated["inflow_per_year"]["2025-01-01"] == pytest.approx(theta["inflow_2025"], abs=10)
