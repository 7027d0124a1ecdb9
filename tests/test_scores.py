"""Scores of sample forecasts: CRPS, log score, PIT and coverage give their textbook values."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from deterrence_sim.forecasting import scores


def crps_normal(mu: float, sigma: float, y: float) -> float:
    """Closed form of the CRPS of N(mu, sigma^2) at y (Gneiting and Raftery 2007)."""
    z = (y - mu) / sigma
    return sigma * (z * (2 * stats.norm.cdf(z) - 1) + 2 * stats.norm.pdf(z) - 1 / np.sqrt(np.pi))


def test_crps_of_a_standard_normal_has_its_textbook_values():
    x = np.random.default_rng(1).standard_normal(200_000)
    assert crps_normal(0, 1, 0) == pytest.approx(0.2337, abs=1e-4)
    assert scores.crps_samples(x, 0.0) == pytest.approx(0.2337, abs=0.003)
    assert scores.crps_samples(x, 1.5) == pytest.approx(crps_normal(0, 1, 1.5), abs=0.004)
    assert scores.crps_samples(3 + 10 * x, -4.0) == pytest.approx(crps_normal(3, 10, -4.0), abs=0.04)


def test_crps_of_a_point_ensemble_is_its_absolute_error():
    assert scores.crps_samples(np.full(7, 3.0), 1.0) == pytest.approx(2.0)


def test_crps_from_few_draws_is_unbiased():
    """The fair estimator: small ensembles drawn from N(0,1) score 0.2337 on average at 0 (the
    n-squared form would give about 0.28 with five draws)."""
    rng = np.random.default_rng(2)
    mean = np.mean([scores.crps_samples(rng.standard_normal(5), 0.0) for _ in range(20_000)])
    assert mean == pytest.approx(0.2337, abs=0.005)


def test_pit_is_uniform_for_draws_from_the_truth_and_not_for_a_too_narrow_forecast():
    rng = np.random.default_rng(3)
    mu = rng.normal(0, 5, 2000)
    y = rng.normal(mu, 1.0)
    right = [scores.pit(rng.normal(m, 1.0, 200), v) for m, v in zip(mu, y)]
    narrow = [scores.pit(rng.normal(m, 0.5, 200), v) for m, v in zip(mu, y)]
    assert stats.kstest(right, "uniform").pvalue > 0.01
    assert stats.kstest(narrow, "uniform").pvalue < 1e-6
    assert np.mean(right) == pytest.approx(0.5, abs=0.02)


def test_pit_counts_ties_half():
    assert scores.pit([1, 2, 3, 4], 2.5) == 0.5
    assert scores.pit([1, 2, 2, 3], 2) == 0.5
    assert scores.pit([1, 2, 3, 4], 0) == 0.0 and scores.pit([1, 2, 3, 4], 9) == 1.0


def test_log_score_is_minus_the_log_density_of_the_forecast():
    rng = np.random.default_rng(4)
    x = np.exp(rng.normal(np.log(2000), 0.4, 50_000)) - 1  # log(1 + X) ~ N(log 2000, 0.4^2)
    for y in (1200.0, 2000.0, 3500.0):
        exact = -stats.norm.logpdf(np.log1p(y), np.log(2000), 0.4) + np.log1p(y)
        assert scores.log_score(x, y) == pytest.approx(exact, abs=0.06)  # sampling noise of 50,000 draws
    # far outside the draws the density is floored, not zero
    assert np.isfinite(scores.log_score(x, 1e7))


def test_coverage_of_central_intervals():
    x = np.linspace(0, 1, 100_001)
    assert scores.covered(x, 0.26, 0.5) and not scores.covered(x, 0.24, 0.5)
    assert scores.covered(x, 0.06, 0.9) and not scores.covered(x, 0.04, 0.9)
    s = scores.score_all(x, 0.5)
    assert s["in50"] and s["in80"] and s["in90"] and s["pit"] == pytest.approx(0.5, abs=1e-4)
