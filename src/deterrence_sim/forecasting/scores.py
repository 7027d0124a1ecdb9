"""Scores of probabilistic forecasts given as samples: CRPS, log score, PIT and interval coverage.

Every forecaster of the backtest (the model's runs and the baselines of :mod:`.baselines`) gives
its forecast of a month's arrivals as an ensemble of draws, and is scored by the same functions:

* **CRPS** (continuous ranked probability score, Gneiting and Raftery 2007), in people per month,
  lower is better: the energy form ``E|X - y| - E|X - X'| / 2``, with the second term taken over
  distinct pairs (the "fair" estimator, Ferro 2014), so that an ensemble of ``n`` draws estimates
  the CRPS of the distribution it is drawn from without a bias that shrinks with ``n``; with many
  draws it equals the ``properscoring.crps_ensemble`` value.
* **Log score**: minus the log predictive density at the observation (lower is better), the
  density read from a Gaussian kernel density estimate of ``log(1 + draws)`` (Scott's bandwidth)
  and carried back to the people scale (the Jacobian ``1 / (1 + y)``). A kernel on the log scale
  follows skewed and two-humped ensembles that a fitted lognormal would smooth over, and keeps
  the density at zero people for counts. The density is floored at :data:`LOG_SCORE_FLOOR` times
  the ensemble's peak density so that one observation far outside an ensemble cannot dominate
  every average (the floor is said in the report).
* **PIT** (probability integral transform): the share of draws below the observation, ties
  counted half (the mid-PIT for counts). For a calibrated forecaster PIT values are uniform on
  (0, 1).
* **Coverage** of the central 50%, 80% and 90% intervals (empirical quantiles of the draws).
"""

from __future__ import annotations

import numpy as np

LEVELS = (0.5, 0.8, 0.9)
#: Density floor of the log score, relative to the ensemble's peak density on the log scale.
LOG_SCORE_FLOOR = 1e-6


def crps_samples(samples, y: float) -> float:
    """CRPS of the ensemble ``samples`` at the observation ``y``: mean |X - y| minus half the mean
    |X - X'| over distinct pairs of draws (computed from the sorted draws in O(n log n))."""
    x = np.sort(np.asarray(samples, dtype=float))
    n = len(x)
    if n < 2:
        raise ValueError("a CRPS from samples needs at least two draws")
    # sum over i<j of (x_j - x_i) = sum_k (2k - n - 1) x_k with k = 1..n (sorted)
    pair_sum = np.sum((2 * np.arange(1, n + 1) - n - 1) * x)
    return float(np.mean(np.abs(x - y)) - pair_sum / (n * (n - 1)))


def pit(samples, y: float) -> float:
    """Mid-PIT of ``y`` under the ensemble: P(X < y) + P(X = y) / 2."""
    x = np.asarray(samples, dtype=float)
    return float(np.mean(x < y) + 0.5 * np.mean(x == y))


def log_score(samples, y: float) -> float:
    """Minus the log density at ``y`` of a Gaussian kernel density estimate of ``log(1 + X)``
    (Scott's bandwidth), on the people scale; floored at :data:`LOG_SCORE_FLOOR` of the peak."""
    from scipy.stats import gaussian_kde

    z = np.log1p(np.maximum(np.asarray(samples, dtype=float), 0.0))
    if np.ptp(z) == 0:  # every draw alike: a kernel of width 1% on the log scale
        z = z + np.linspace(-0.01, 0.01, len(z))
    kde = gaussian_kde(z)
    grid = np.linspace(z.min(), z.max(), 64)
    peak = float(kde(grid).max())
    dens = max(float(kde(np.log1p(max(y, 0.0)))[0]), LOG_SCORE_FLOOR * peak)
    return float(-np.log(dens) + np.log1p(max(y, 0.0)))


def covered(samples, y: float, level: float) -> bool:
    """Whether ``y`` lies inside the ensemble's central ``level`` interval."""
    lo, hi = np.quantile(np.asarray(samples, dtype=float), [(1 - level) / 2, (1 + level) / 2])
    return bool(lo <= y <= hi)


def score_all(samples, y: float) -> dict:
    """Every score of one forecast of one month: crps, log_score, pit, in50, in80, in90."""
    out = {"crps": crps_samples(samples, y), "log_score": log_score(samples, y), "pit": pit(samples, y)}
    for level in LEVELS:
        out[f"in{round(level * 100)}"] = covered(samples, y, level)
    return out
