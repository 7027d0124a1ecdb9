"""A scenario's parameters are checked once, into one typed value (``params.Parameters``), and
that value is what the runner and the model receive: it cannot be changed in place, it is not
checked again, a change to it checks only what changes, and it travels to worker processes."""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import numpy as np
import pytest

from deterrence_sim import ChannelModel, ConfigError, compiling, runner, scenario
from deterrence_sim import params as parameters

ROOT = Path(__file__).resolve().parents[1]
PILOT = ROOT / "experiments" / "scenarios" / "pilot.toml"


@pytest.fixture
def checks(monkeypatch):
    """Count the checks of single parameter values (``params._check_one``) made from now on."""
    seen: list[str] = []
    real = parameters._check_one

    def counted(param, key, value):
        seen.append(key)
        return real(param, key, value)

    monkeypatch.setattr(parameters, "_check_one", counted)
    return seen


def test_the_value_cannot_be_changed_in_place():
    values = parameters.validate({"deterrence_strength": 2.0})
    with pytest.raises(TypeError):
        values["deterrence_strength"] = 3.0  # type: ignore[index]
    with pytest.raises(AttributeError):
        values._values = {}  # type: ignore[misc]
    with pytest.raises(TypeError, match=r"made by params\.validate"):
        parameters.Parameters({}, {})
    sc = scenario.load(PILOT)
    with pytest.raises(dataclasses.FrozenInstanceError):
        sc.values = values  # type: ignore[misc]


def test_a_checked_value_is_not_checked_again(checks):
    values = parameters.validate({"deterrence_strength": 2.0})
    assert checks == ["deterrence_strength"]  # what is given; the defaults were checked once
    checks.clear()
    assert parameters.validate(values) is values
    model = ChannelModel(rng=1, end="2025-01-03", values=values)
    assert checks == [] and model.values is not None and model.values["deterrence_strength"] == 2.0


def test_a_scenario_run_checks_its_parameters_once_not_per_replicate(checks):
    compiling.ensure_compiled()  # the one-off compile check runs a default model of its own
    checks.clear()
    sc = scenario.load(PILOT).with_overrides(end="2025-01-10")
    read = len(checks)
    assert read >= len(sc.values.given)  # checked when read (extends chains check each file's own)
    runner.run_replicates(sc, 3, seed=5, workers=1, progress=False)
    assert len(checks) == read  # no check at all while running the replicates


def test_a_change_checks_only_what_changes(checks):
    values = scenario.load(PILOT).values
    checks.clear()
    name, written = next(iter(values.given.items()))  # a value the scenario sets
    changed = values.replace({"deterrence_strength": 2.5, name: written})
    assert checks == ["deterrence_strength"]  # the other as written already: taken as it is
    assert changed["deterrence_strength"] == 2.5 and values["deterrence_strength"] != 2.5
    assert changed.given["deterrence_strength"] == 2.5
    with pytest.raises(ConfigError, match=r"^deterrence_strength: -1 is out of range") as bad:
        values.replace({"deterrence_strength": -1})
    assert "\n" not in str(bad.value)
    with pytest.raises(ConfigError, match="unknown parameter 'deterrence_strenght'; did you mean deterrence_strength"):
        values.replace({"deterrence_strenght": 1.0})
    with pytest.raises(ConfigError, match="price_initial_gbp"):  # the checks across parameters too
        values.replace({"price_initial_gbp": 50_000})


def test_the_value_travels_to_workers_and_gives_the_same_run():
    sc = scenario.load(PILOT).with_overrides(end="2025-03-31")
    again = pickle.loads(pickle.dumps(sc.values))
    assert isinstance(again, parameters.Parameters) and dict(again) == dict(sc.values)
    assert again.given == sc.values.given
    plain = ChannelModel(rng=3, start=sc.start.isoformat(), end=sc.end.isoformat(), **sc.params).run()
    typed = ChannelModel(rng=3, **sc.model_kwargs()).run()
    np.testing.assert_array_equal(plain.figures, typed.figures)
    changed = ChannelModel(rng=3, **sc.model_kwargs(), deterrence_strength=4.0).run()
    assert changed.values["deterrence_strength"] == 4.0 and sc.values["deterrence_strength"] != 4.0
    assert not np.array_equal(plain.figures, changed.figures)
