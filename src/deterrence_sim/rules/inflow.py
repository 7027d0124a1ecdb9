"""Rule 1, inflow: people reach the northern French coast at a seasonal rate that varies month to month.

Numbers: the yearly flow ``inflow_per_year`` has one calibrated level per year (2023, 2024,
2025; ABC-SMC on SB01, SB02 and the pilot's data, docs/ODD.md section 10); the month shape
``inflow_seasonality`` is the 2023-25 pooled share of arrivals by month (SB01), the window the
model is calibrated on. Each calendar month's expected inflow is then multiplied by a mean-one
log-normal factor with log-sd ``inflow_month_sd`` (:func:`month_multipliers`): the flow through
the Balkans and the Mediterranean changes from month to month (conflicts, routes opening and
closing, crackdowns further up the route), which the fixed seasonal shape cannot express. Its
value is estimated by the method of moments from the calibrated model's monthly residuals
(:func:`deterrence_sim.calibration.estimate_inflow_month_sd`). Who arrives (nationality group,
family ties, eligibility, budget) follows the ``share_*`` and ``budget_*`` parameters
(assumptions, see params.py).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from ..daybook import day_step, leave_one, person_step, push
from ..draws import uniform
from ..population import LEFT_ROUTE, OTHER, PROTECTION, RETURNABLE, WAITING

# draw_newcomers numbers the groups by counting the thresholds below each draw, which needs this order
assert (RETURNABLE, PROTECTION, OTHER) == (0, 1, 2)

#: Who the newcomers of the run are (one entry per person, in order of arrival) and where each
#: day's newcomers start (``first[t]`` .. ``first[t + 1]``), drawn when the model is built
#: (:func:`draw_newcomers`, from the inflow stream).
#: ``policy_draw`` is each newcomer's uniform draw against the UK policy factor on the inflow
#: (:func:`turned_away_by_uk_policy`), from its own stream, so that the factor keeps a subset of the
#: same newcomers (common random numbers) and a factor of 1 changes no other draw.
Newcomers = namedtuple("Newcomers", ["group", "ties", "eligible", "budget", "network", "first", "policy_draw"])


def expected_newcomers_per_day(dates, per_year: np.ndarray, seasonality) -> np.ndarray:
    """Expected newcomers on each date: the yearly flow spread over months by ``seasonality``.

    Month m gets ``per_year * w_m / sum(w)`` people, spread evenly over its days.
    """
    w = np.asarray(seasonality, dtype=float)
    if w.sum() <= 0:
        return np.zeros(len(dates))
    share = w / w.sum()
    year, month = _year_month(dates)
    return per_year * share[month - 1] / _days_in_month(year, month)


def _year_month(dates) -> tuple[np.ndarray, np.ndarray]:
    """Calendar year and month (1-12) of each date, as arrays."""
    months = np.array(dates, dtype="datetime64[D]").astype("datetime64[M]").astype(np.int64)  # months since 1970-01
    return 1970 + months // 12, months % 12 + 1


def _days_in_month(year: np.ndarray, month: np.ndarray) -> np.ndarray:
    """Days in each (year, month): 28-31, leap years by the Gregorian rule."""
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[month]
    return days + ((month == 2) & leap)


def month_multipliers(rng: np.random.Generator, dates, sd: float) -> np.ndarray:
    """Month-to-month variation of the inflow: one mean-one log-normal factor per calendar month.

    The calendar months of ``dates`` (consecutive days), in order, get ``z_1, z_2, ...`` drawn
    from ``rng`` as standard normals, one per month, and the factor ``exp(sd * z - sd**2 / 2)``
    (mean one, standard deviation of its log ``sd``). Returns one factor per date: every day of a
    month shares its month's factor. The normals are drawn whatever ``sd`` is, so the stream is
    consumed the same way for every value, and with ``sd = 0`` every factor is exactly 1.0.
    """
    year, month = _year_month(dates)
    months, index = np.unique(year * 12 + month, return_inverse=True)
    z = rng.standard_normal(len(months))
    return np.exp(sd * z - 0.5 * sd * sd)[index]


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
    protection_from = c.share_returnable_nationality  # u below it: returnable
    other_from = c.share_returnable_nationality + rest * 2 / 3  # u from it: other
    # RETURNABLE, PROTECTION, OTHER are 0, 1, 2 (checked where this module is imported), so the
    # group is the number of thresholds at or below u: two comparisons, not two nested selections
    group = (u >= protection_from).astype(np.int64) + (u >= other_from)
    return {
        "group": group,
        "ties": rng.random(n) < c.share_family_ties,
        "eligible": rng.random(n) < c.share_scheme_eligible,
        "budget": c.budget_median_gbp * np.exp(c.budget_spread * rng.standard_normal(n)),
        "network": rng.integers(0, c.n_networks, size=n),
    }


@day_step
def add_newcomers(t, w, n, signal, today):
    """The day's step: append day ``t``'s newcomers (drawn when the model was built) to the table
    as waiting rows, from row ``n``; they start out believing what their group currently hears
    (``signal``, rule 4). Returns the number of rows in use."""
    p, new = w.p, w.new
    lo, hi = new.first[t], new.first[t + 1]
    m = hi - lo
    p.state[n : n + m] = WAITING
    p.since[n : n + m] = t
    p.group[n : n + m] = new.group[lo:hi]
    p.ties[n : n + m] = new.ties[lo:hi]
    p.eligible[n : n + m] = new.eligible[lo:hi]
    p.budget[n : n + m] = new.budget[lo:hi]
    p.network[n : n + m] = new.network[lo:hi]
    p.belief[n : n + m] = signal[new.group[lo:hi]]
    kept = m
    factor = w.d.asylum_reform_inflow_factor[t]
    if factor < 1.0:  # the UK policy factor: some of today's newcomers never set out for the coast
        for j in range(m):
            if turned_away_by_uk_policy(new.policy_draw[lo + j], factor):
                p.state[n + j] = LEFT_ROUTE  # an exit; not counted among newcomers or leavers of the route
                push(w.leavers, n + j)
                kept -= 1
    today.newcomers = kept
    return n + m


@njit(cache=True)
def turned_away_by_uk_policy(draw: float, factor: float) -> bool:
    """Whether a newcomer does not set out for the coast because of the UK's asylum reform: the
    expected inflow is multiplied by ``factor`` (``asylum_reform_inflow_factor``, at most 1), by
    keeping each newcomer whose own uniform ``draw`` is below it.

    The reform was announced on 2025-11-17 (refugee leave cut to 30 months, a 20-year wait for
    settlement) and the 30-month status is in force for new adult claims from 2026-03-02 (EVENTS).
    Whether it kept anyone from setting out is unknown: the default 1 is no effect; the prior
    (``uncertainty.MECHANISM_PRIORS``) puts half its mass on no effect."""
    return draw >= factor


@njit(cache=True)
def stays_away(rng: np.random.Generator, elasticity: float, strength: float, risk: float) -> bool:
    """Structural alternative (a): whether a newcomer, hearing of removals (``risk``, the perceived
    removal risk of their group), turns back on reaching the coast, standing for people further up
    the route who do not set out. Chance ``1 - exp(-elasticity x strength x risk)``: the same
    deterrence as rule 3 (``deterrence_strength``), reaching people before the coast, so strength 0
    deters nobody here either. ``inflow_outcome_elasticity`` 0 (today's model) draws nothing and
    keeps everyone; its prior (``uncertainty.STRUCTURE_PRIORS``) has mass at 0."""
    if elasticity <= 0 or strength <= 0 or risk <= 0:
        return False
    return uniform(rng) < 1.0 - np.exp(-elasticity * strength * risk)


@person_step
def turn_back_step(i, t, w, signal, today):
    """Structural alternative (a) for waiting person ``i``, today: a newcomer (reached the coast
    today, never removed) who hears of removals may turn back (:func:`stays_away`), leaving the
    route (counted in ``left_route``). Returns whether they did."""
    p = w.p
    if not (
        p.since[i] == t
        and p.times_returned[i] == 0
        and stays_away(w.stream, w.c.inflow_outcome_elasticity, w.d.deterrence_strength[t], signal[p.group[i]])
    ):
        return False
    leave_one(p, i, LEFT_ROUTE, w.leavers)
    today.left_route += 1
    return True
