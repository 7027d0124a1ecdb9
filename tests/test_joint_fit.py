"""The joint fit on the model itself: the reference table is the same whatever the number of
workers and after a resume, and a small simulation-based calibration recovers known parameters."""

import numpy as np
import pandas as pd
import pytest

from deterrence_sim.calibration import joint, joint_fit
from deterrence_sim.sweeps import store


def _rows(folder):
    return store.load_results(folder).drop(columns=["seconds"])


def test_table_is_the_same_whatever_the_workers_and_after_a_resume(tmp_path):
    joint.build_table(tmp_path / "one", 4, seed=3, workers=1, log=lambda *a: None)
    joint.build_table(tmp_path / "two", 2, seed=3, workers=2, log=lambda *a: None)
    joint.build_table(tmp_path / "two", 4, seed=3, workers=2, log=lambda *a: None)  # resumed
    a, b = _rows(tmp_path / "one"), _rows(tmp_path / "two")
    pd.testing.assert_frame_equal(a, b)
    assert list(a["run"]) == [0, 1, 2, 3]
    assert a["p:deterrence_strength"].nunique() == 4
    with pytest.raises(Exception, match="other settings"):
        joint.build_table(tmp_path / "one", 5, seed=4, workers=1, log=lambda *a: None)


def test_model_params_put_the_2026_level_on_top_of_2025():
    theta = joint.theta_from_u(np.full(len(joint.joint_params()), 0.5))
    theta["inflow_2026_step"] = np.log(0.5)
    kw = joint.model_params(theta)
    assert kw["inflow_per_year"]["2026-01-01"] == pytest.approx(0.5 * theta["inflow_2025"])
    # the prior median of the main job's deterrence prior (0.82, from the anchor episodes), not the
    # ABC-SMC fit's (0.77): the main job draws from the update of the prior its brief states
    from deterrence_sim.analyses.uncertainty import PRIORS

    assert kw["deterrence_strength"] == pytest.approx(PRIORS["deterrence_strength"].quantile(0.5), rel=1e-6)
    assert kw["deterrence_strength"] == pytest.approx(0.82, abs=0.005)  # 0.817: the truncation at 8.3


@pytest.mark.slow
def test_small_recovery_check_on_the_model(tmp_path):
    """A small SBC: 400 runs of the model, 80 synthetic data sets from the table. The fitted
    intervals must cover the true values at about the nominal 90% over all parameters."""
    joint.build_table(tmp_path / "t", 400, seed=11, workers=2, log=lambda *a: None)
    res = joint_fit.fit_and_check(tmp_path / "t", tmp_path / "o", seed=11, sbc=80)
    cov = pd.read_csv(tmp_path / "o" / "sbc" / "coverage.csv")
    overall = cov[cov.group == "all"]
    assert 0.8 <= overall["coverage90"].mean() <= 0.98, overall
    assert (overall["coverage90"] >= 0.65).all(), overall
    ident = pd.read_csv(tmp_path / "o" / "identification.csv")
    assert list(ident.columns) == [
        "parameter",
        "prior_width90",
        "posterior_width90_to_2025",
        "posterior_width90_to_2026_04",
    ]
    assert res["runs"] == 400
