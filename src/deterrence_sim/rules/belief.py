"""Rule 4, perceived removal risk: what people waiting in France believe their chance of
being removed is, learned from what they see and hear, with memory that fades.

The community keeps a fading record (half-life ``memory_half_life_days``) of arrivals in the
UK and of removals back to France, by nationality group. The risk signal for a group mixes the
share removed among people one knows (same group, weight ``social_weight``) with the share
removed among everyone (news), weighted up by ``removal_salience`` because returnees live freely
in French centres and tell their story (seed 001), plus a small term for the government's
announced intent (``announcement_weight`` x ``announced_intent``, seeds 002-003).

Each person's belief moves toward their group's signal at the same fading rate. Someone who
has been returned knows the risk first-hand: their belief is set to 1 on return.

Deterrence works only through this belief (rule 3 reads it); with ``deterrence_strength = 0``
it has no effect on anyone's choices.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from ..daybook import day_step, person_step
from ..population import N_GROUPS

#: The community's fading records, by nationality group: people removed to France and people
#: arrived in the UK (``removed[g]``, ``arrived[g]``).
Memory = namedtuple("Memory", ["removed", "arrived"])


@njit(cache=True)
def fade_factor(half_life_days: float) -> float:
    """Share of yesterday's memory kept today for a given half-life."""
    return 0.5 ** (1.0 / half_life_days)


@njit(cache=True)
def update_record(record: np.ndarray, today: np.ndarray, keep: float) -> np.ndarray:
    """Fading count: yesterday's record times ``keep`` plus today's events (per group)."""
    return record * keep + today


@njit(cache=True)
def risk_signal(
    removed: np.ndarray, arrived: np.ndarray, social_weight: float, salience: float, announcement: float
) -> np.ndarray:
    """Perceived removal risk signal per nationality group, in [0, 1].

    ``removed`` and ``arrived`` are the fading records per group.
    """
    own = removed / np.maximum(arrived + removed, 1.0)
    everyone = removed.sum() / max(arrived.sum() + removed.sum(), 1.0)
    share = social_weight * own + (1.0 - social_weight) * everyone
    return np.clip(salience * share + announcement, 0.0, 1.0)


@njit(cache=True)
def updated_belief(belief: float, target: float, keep: float) -> float:
    """A person's belief after a day: it moves toward the signal of their group (``target``)."""
    return keep * belief + (1.0 - keep) * target


# ------------------------------------------------------------------ the steps of the day
@person_step
def belief_step(i, w, signal, keep):
    """Rule 4 for person ``i`` (waiting, applied, detained or housed after return), today: their
    perceived removal risk moves toward their group's ``signal`` (:func:`updated_belief`)."""
    p = w.p
    p.belief[i] = updated_belief(p.belief[i], signal[p.group[i]], keep)


@day_step
def todays_signal(t, w):
    """The risk signal of each group today, and the share of memory kept from one day to the
    next. The records change only later in the day, so one signal serves both the newcomers'
    first belief and everyone's update."""
    c = w.c
    signal = risk_signal(
        w.memory.removed,
        w.memory.arrived,
        c.social_weight,
        c.removal_salience,
        c.announcement_weight * w.d.announced_intent[t],
    )
    return signal, fade_factor(c.memory_half_life_days)


@njit(cache=True)
def witness(record, groups):
    """The community hears of today's events (arrivals or removals) of people of ``groups``."""
    record[:] = update_record(record, np.bincount(groups, minlength=N_GROUPS).astype(np.float64), 1.0)


@day_step
def fade(w, keep):
    """At the end of the day the community's records fade."""
    w.memory.removed[:] *= keep
    w.memory.arrived[:] *= keep


@njit(cache=True)
def own_removal_risk(belief: float, eligible: bool, misperception: float) -> float:
    """The removal risk a person weighs for themselves: their belief (what their group hears) if the
    scheme can remove them (``eligible``: adults who are not excluded), and ``misperception`` times it
    if it cannot (children, families, some vulnerable people: about 30% of arrivals,
    ``share_scheme_eligible``). ``ineligible_risk_weight`` 0 (the default) means they know removal
    does not apply to them; 1 that they fear it as much as anyone (issue 21: deterrence that ignored
    eligibility let parity cut crossings by more than the removable share)."""
    return belief if eligible else misperception * belief


@njit(cache=True)
def fee_weighted(belief: float, price: float, reference: float, weight: float) -> float:
    """Structural alternative (c), the sunk cost: the perceived removal risk scaled by the fee at
    stake, ``min(1, belief x max(1, price / reference) ^ weight)`` (seed 002: 'spending up to GBP
    10,000 to then be immediately removed'). The reference is the lowest price, ``price_min_gbp``
    (the cheapest crossing), so a fee above it makes a removal weigh more and switching the structure
    on never lowers the perceived risk. (Not the current price itself: the fee at stake compared with
    itself is 1, and the structure would do nothing; nor the mean current price, which would lower
    the risk of people whose network is cheaper than the mean. The starting price, used before, sat
    above the prices of most of a run, so 'fees lost weigh' cut the perceived risk.)
    ``sunk_cost_weight`` 0 (today's model) returns ``belief`` unchanged."""
    if weight == 0 or reference <= 0:
        return belief
    return min(1.0, belief * max(1.0, price / reference) ** weight)
