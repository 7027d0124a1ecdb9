"""Rule 3, the migrant's daily decision: try to cross today, keep waiting, or leave the route.

* Leaving (claiming asylum in France, moving on) happens at a small daily rate
  ``leave_route_daily``, raised by perceived removal risk.
* On a sea-viable day, a person who can pay the smuggler's price tries with probability
  ``try_prob``, rising with time already waited (``impatience_per_month``, capped at 90 days)
  and cut by perceived removal risk.

Deterrence enters only here, through the factor ``exp(-deterrence_strength * belief)``: tries are
multiplied by it and the leaving rate divided by it. With strength 0 the factor is 1 and
removals change nobody's choice; with strength 3 a certain removal cuts tries twentyfold, the
scale of the Australian turnbacks (see docs/ODD.md for the prior).

Each function is written for one person's numbers; being numpy expressions, they apply equally
to arrays of people (as the tests and notebooks use them).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..daybook import leave_one, person_step
from ..draws import uniform
from ..population import LEFT_ROUTE, RETURNED, WAITING
from .belief import fee_weighted, own_removal_risk


@njit(cache=True)
def deterrence_factor(belief, strength: float):
    """How much perceived removal risk cuts the will to cross (1 = not at all; exactly 1 with
    strength 0)."""
    return np.exp(-strength * belief)


@njit(cache=True)
def leave_probability(base: float, factor: float) -> float:
    """Daily chance of leaving the route: the base rate, raised as deterrence bites."""
    return np.minimum(1.0, base / factor)


@njit(cache=True)
def can_pay(budget: float, days_waited: int, savings_per_day: float, price: float) -> bool:
    """Whether each person has saved enough for the price their network asks."""
    return budget + savings_per_day * days_waited >= price


@njit(cache=True)
def try_probability(base: float, impatience_per_month: float, days_waited: int, factor: float) -> float:
    """Chance of trying on a sea-viable day for people who can pay."""
    months = np.minimum(days_waited, 90) / 30.0
    return np.minimum(1.0, base * (1.0 + impatience_per_month * months) * factor)


@njit(cache=True)
def leaves(rng: np.random.Generator, leave_base: float, factor: float) -> bool:
    """A waiting person's step, first part: whether they leave the route today (``leave_base``
    is today's ``leave_route_daily``, ``factor`` their :func:`deterrence_factor`)."""
    return uniform(rng) < leave_probability(leave_base, factor)


@njit(cache=True)
def tries(
    rng: np.random.Generator,
    days_waited: int,
    budget: float,
    price: float,
    savings_per_day: float,
    impatience_per_month: float,
    try_base: float,
    factor: float,
) -> bool:
    """A waiting person's step, second part, on a sea-viable day for those who stay: whether
    they try to cross today (only if they can pay their network's ``price``; ``try_base`` is
    today's ``try_prob``). :func:`decision_step` lists them among the day's would-be crossers."""
    return can_pay(budget, days_waited, savings_per_day, price) and uniform(rng) < try_probability(
        try_base, impatience_per_month, days_waited, factor
    )


@njit(cache=True)
def only_away(rng: np.random.Generator, comeback_share: float) -> bool:
    """Structural alternative (b): whether a person leaving the route is only away (displaced, may
    come back) rather than gone for good. ``comeback_share`` 0 (today's model) draws nothing."""
    return comeback_share > 0 and uniform(rng) < comeback_share


@njit(cache=True)
def comes_back(rng: np.random.Generator, daily: float) -> bool:
    """Structural alternative (b): whether a person away from the route comes back to the coast today."""
    return uniform(rng) < daily


@njit(cache=True)
def forget_factors(memo: np.ndarray) -> None:
    """Empty ``memo`` (:func:`factor_memo`) at the start of a day, as the strength may change by day."""
    memo[0, :] = np.nan


@njit(cache=True)
def factor_memo(slots: int) -> np.ndarray:
    """An empty memo for :func:`remembered_factor`: the last argument (row 0; NaN, equal to
    nothing) and factor (row 1) of each of ``slots`` slots."""
    return np.full((2, slots), np.nan)


@njit(cache=True)
def remembered_factor(x, strength, slot, memo):
    """:func:`deterrence_factor` of ``x``, remembered in ``memo`` (one day's, as ``strength`` may
    change by day): slot ``slot`` keeps the last argument and its factor, and the exponential is
    computed again only for another argument. People who reached the coast on the same day in
    the same group believe the same until one of them is returned (rule 4: same first belief,
    same updates), so with one slot per group the factor is mostly computed once for many people,
    the same number as computed for each."""
    if memo[0, slot] != x:
        memo[0, slot] = x
        memo[1, slot] = deterrence_factor(x, strength)
    return memo[1, slot]


# ------------------------------------------------------------------ the person's steps
@person_step
def away_step(i, t, w):
    """Structural alternative (b) for person ``i``, away from the route (state RETURNED, never
    removed), today: comes back to the coast (waiting again, the wait counted from today) with
    chance ``comeback_daily`` (:func:`comes_back`). Returns the person's state after it."""
    p = w.p
    if comes_back(w.stream, w.c.comeback_daily):
        p.state[i] = WAITING
        p.since[i] = t
    return p.state[i]


@person_step
def decision_step(i, t, w, viable, today):
    """Rule 3 for waiting person ``i``, today: their removal risk (their belief, if the scheme can
    remove them; alternative (c): scaled by the fee at stake) gives their deterrence factor
    (:func:`remembered_factor`); they leave the route (:func:`leaves`; alternative (b): or go away
    for a while, :func:`only_away`), counted in ``left_route``, or on a sea-viable day try
    (:func:`tries`): listed in ``w.tryers`` whether or not they try and kept if they do, since the
    outcome of a coin flip is a branch the processor cannot guess."""
    p, c, d = w.p, w.c, w.d
    fee = w.net.price[p.network[i]]
    risk = own_removal_risk(p.belief[i], p.eligible[i], c.ineligible_risk_weight)  # rule 4: their own risk
    factor = remembered_factor(
        fee_weighted(risk, fee, c.price_min_gbp, c.sunk_cost_weight),
        d.deterrence_strength[t],
        2 * p.group[i] + p.eligible[i],
        w.memo,
    )
    stream = w.stream
    if leaves(stream, d.leave_route_daily[t], factor):
        if only_away(stream, c.comeback_share):
            p.state[i] = RETURNED
        else:
            leave_one(p, i, LEFT_ROUTE, w.leavers)
            today.left_route += 1
    elif viable:
        tryers = w.tryers
        tryers.rows[tryers.n[0]] = i
        tryers.n[0] += tries(
            stream,
            t - p.since[i],
            p.budget[i],
            fee,
            c.savings_per_day_gbp,
            c.impatience_per_month,
            d.try_prob[t],
            factor,
        )
