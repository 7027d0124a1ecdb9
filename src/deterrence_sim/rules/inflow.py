"""Rule 1, inflow: people reach the northern French coast at a seasonal rate.

Numbers: the yearly flow ``inflow_per_year`` is set so that simulated 2025 arrivals match the
Home Office count (SB01, 41,472); the month shape is the 2021-25 pooled share of arrivals by
month (SB01). Who arrives (nationality group, family ties, eligibility, budget) follows the
``share_*`` and ``budget_*`` parameters (assumptions, see params.py).
"""

from __future__ import annotations

import calendar

import numpy as np

from ..population import OTHER, PROTECTION, RETURNABLE


def expected_newcomers_per_day(dates, per_year: np.ndarray, seasonality) -> np.ndarray:
    """Expected newcomers on each date: the yearly flow spread over months by ``seasonality``.

    Month m gets ``per_year * w_m / sum(w)`` people, spread evenly over its days.
    """
    w = np.asarray(seasonality, dtype=float)
    if w.sum() <= 0:
        return np.zeros(len(dates))
    share = w / w.sum()
    month = np.array([d.month for d in dates]) - 1
    days_in_month = np.array([calendar.monthrange(d.year, d.month)[1] for d in dates])
    return per_year * share[month] / days_in_month


def newcomers_today(rng: np.random.Generator, expected: float) -> int:
    """How many people reach the coast today: a Poisson draw around the expected number."""
    return int(rng.poisson(expected)) if expected > 0 else 0


def draw_newcomers(rng: np.random.Generator, n: int, c) -> dict[str, np.ndarray]:
    """Who the ``n`` newcomers are: nationality group, family ties, scheme eligibility, budget, network.

    ``c`` holds the constant parameters. Groups: a share ``share_returnable_nationality`` are of
    nationalities France can remove; of the rest, two thirds are of high-grant 'protection'
    nationalities (Eritrea, Sudan, Afghanistan, Iran, Syria: most small-boat arrivals) and one
    third other.
    """
    u = rng.random(n)
    rest = 1.0 - c.share_returnable_nationality
    group = np.where(u < c.share_returnable_nationality, RETURNABLE,
                     np.where(u < c.share_returnable_nationality + rest * 2 / 3, PROTECTION, OTHER))
    return {
        "group": group.astype(np.int8),
        "ties": rng.random(n) < c.share_family_ties,
        "eligible": rng.random(n) < c.share_scheme_eligible,
        "budget": c.budget_median_gbp * np.exp(c.budget_spread * rng.standard_normal(n)),
        "network": rng.integers(0, c.n_networks, size=n).astype(np.int16),
    }
