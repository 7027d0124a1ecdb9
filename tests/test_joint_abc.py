"""The joint fit's estimator (calibration/abc.py) on a toy simulator whose posterior is known, and
the joint fit's targets and reference table."""

import numpy as np
import pytest
from scipy.stats import norm

from deterrence_sim.calibration.abc import RegressionABC, probit, weighted_quantiles

N_OBS = 6


def toy_table(n, seed=1):
    """Conjugate normal: theta ~ N(0, 1) (the probit of a uniform u), x_k = theta + N(0, 1),
    k = 1..6; a second parameter that the data never see (its posterior is its prior)."""
    rng = np.random.default_rng(seed)
    u = rng.random((n, 2))
    z = probit(u)
    x = z[:, :1] + rng.normal(size=(n, N_OBS))
    return z, x


def exact(x_obs):
    """Posterior of theta: normal with mean sum(x) / (n + 1) and variance 1 / (n + 1)."""
    return x_obs.sum() / (N_OBS + 1), np.sqrt(1 / (N_OBS + 1))


@pytest.fixture(scope="module")
def toy():
    z, x = toy_table(6000)
    train = np.arange(len(z)) % 2 == 0
    return z, x, RegressionABC(z, x, train, kind="mlp", seed=0, accept=200)


def test_toy_posterior_matches_the_conjugate_one(toy):
    _, _, est = toy
    rng = np.random.default_rng(5)
    for theta in (-1.5, 0.0, 1.0):
        x_obs = theta + rng.normal(size=N_OBS)
        post, w = est.posterior(x_obs[None, :])
        mean, sd = exact(x_obs)
        m = np.average(post[:, 0], weights=w)
        s = np.sqrt(np.average((post[:, 0] - m) ** 2, weights=w))
        assert abs(m - mean) < 0.12, (theta, m, mean)
        assert 0.75 * sd < s < 1.3 * sd, (theta, s, sd)
        # the parameter no data see keeps its prior (standard normal on this scale)
        m2 = np.average(post[:, 1], weights=w)
        s2 = np.sqrt(np.average((post[:, 1] - m2) ** 2, weights=w))
        assert abs(m2) < 0.3 and 0.75 < s2 < 1.25, (m2, s2)


def test_toy_intervals_cover_at_the_nominal_rate(toy):
    z, x, est = toy
    ref = np.flatnonzero(~est.train)[:300]
    covered = []
    for i in ref:
        post, w = est.posterior(x[i][None, :], exclude=int(i))
        lo, hi = weighted_quantiles(post[:, :1], w, [0.05, 0.95])[:, 0]
        covered.append(lo <= z[i, 0] <= hi)
    rate = np.mean(covered)
    assert abs(rate - 0.9) < 3 * np.sqrt(0.09 / len(ref)), rate


def test_linear_regression_summaries_work_too():
    z, x = toy_table(4000, seed=3)
    est = RegressionABC(z, x, np.arange(len(z)) % 2 == 0, kind="linear", accept=200)
    x_obs = np.full(N_OBS, 0.8)
    post, w = est.posterior(x_obs[None, :])
    assert abs(np.average(post[:, 0], weights=w) - exact(x_obs)[0]) < 0.1


def test_weighted_quantiles_of_a_uniform_sample():
    x = np.linspace(0, 1, 1001)[:, None]
    q = weighted_quantiles(x, np.ones(1001), [0.05, 0.5, 0.95])[:, 0]
    assert np.allclose(q, [0.05, 0.5, 0.95], atol=2e-3)
    assert norm.cdf(probit(np.array([0.3])))[0] == pytest.approx(0.3)


def test_the_joint_targets_hold_2026_attempts_and_treat_the_weak_row_as_weak():
    from deterrence_sim.observed.targets import TargetSet

    ts = TargetSet("2023-01-01", "2026-04-30", "2026-04-30")
    obs = dict(zip(ts.names, ts.observed))
    scale = dict(zip(ts.names, ts.scales))
    assert obs["arrivals 2026-04"] == 1_975 and obs["arrivals 2026-01"] == 933
    # SB02 weeks ending 2026-04-05..04-26: arrivals 325+370+941+249, preventions 228+350+390+74
    assert obs["attempts 2026-04"] == 1_885 + 1_042
    assert "attempts 2024-04" not in obs and "attempts 2024-05" in obs  # preventions start in May 2024
    assert 0.33 < obs["prevented share 2026"] < 0.36  # "34% of attempts stopped"
    assert obs["returns by 2026-03-15"] == 377 and scale["returns by 2026-03-15"] == pytest.approx(2 * (0.12 * 377 + 8))
    assert scale["returns by 2026-02-04"] == pytest.approx(0.12 * 305 + 8)  # a reported row: plain scale
    assert not any(n.endswith("2026-06-10") for n in ts.names)  # after the window
    cut = TargetSet("2023-01-01", "2026-04-30", "2025-12-31")
    assert set(cut.names) < set(ts.names) and not any("2026" in n for n in cut.names)
    # a simulated day of 10 arrivals and 5 preventions counts 15 attempts a day in the month's weeks
    daily = {
        c: np.zeros(len(ts.dates))
        for c in ("arrivals", "boats", "prevented", "removed", "admitted_legal_route", "recrossings")
    }
    daily["arrivals"][:] = 10
    daily["prevented"][:] = 5
    sim = dict(zip(ts.names, ts.simulated(daily)))
    assert sim["attempts 2026-04"] == 15 * 28
