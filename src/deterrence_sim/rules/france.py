"""Rule 6, the French authorities: stopping launches on the beaches, and answering the UK's
referrals within a weekly cap, preferring nationalities France can itself remove. (Taxi boats
stopped at sea are rule 6a, ``rules/interception.py``.)

Numbers: beach and taxi-boat prevention are set so that about 35% of attempts are stopped
(SB02: 37% in 2024, 35% in 2025). The Defender of Rights' recommendation to stop rubber bullets
and tear gas (seed 001) is the ``force_restraint`` switch. The weekly cap of about 50 returns was
spoken of by French officials, never confirmed (SOURCES). The preference for removable
nationalities follows seed 000 (France asked for an Indian national).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..daybook import day_step, leave_one, still_held
from ..draws import uniform
from ..population import ANSWER_ACCEPTED, ANSWER_PENDING, IN_UK_ASYLUM, RETURNABLE


@njit(cache=True)
def beach_stop_probability(beach: float, restraint: float, restraint_effect: float) -> float:
    """Chance of stopping a beach launch today, lowered when force restraint is in force."""
    return beach * (1.0 - restraint_effect * restraint)


@njit(cache=True)
def acceptance_probability(group: int, returnable_group: int, p_returnable: float, p_other: float) -> float:
    """France's chance of accepting a referral, higher for nationalities it can remove."""
    return p_returnable if group == returnable_group else p_other


@njit(cache=True)
def within_weekly_cap(n_accepting: int, accepted_this_week: int, weekly_cap: float) -> int:
    """How many of today's acceptances fit under the weekly cap; the rest wait for next week."""
    return int(max(0, min(n_accepting, np.floor(weekly_cap) - accepted_this_week)))


@njit(cache=True)
def week_of(t: int, weekday0: int) -> int:
    """The Monday-to-Sunday week of day ``t`` (week 0 holds the first day, whose weekday is
    ``weekday0``, Monday = 0)."""
    return (t + weekday0) // 7


@njit(cache=True)
def next_monday(week: int, weekday0: int) -> int:
    """The day that starts the week after ``week``."""
    return (week + 1) * 7 - weekday0


@njit(cache=True)
def oldest_due_first(answer_day: np.ndarray, due: np.ndarray) -> np.ndarray:
    """The rows ``due`` sorted by the day their answer was due, earliest first, ties in the order
    given (a stable insertion sort, in place: a few rows a day)."""
    for j in range(1, len(due)):
        i, day = due[j], answer_day[due[j]]
        q = j - 1
        while q >= 0 and answer_day[due[q]] > day:
            due[q + 1] = due[q]
            q -= 1
        due[q + 1] = i
    return due


# ------------------------------------------------------------------ the steps of the day
@day_step
def stop_on_beaches(t, w, launch):
    """Which of today's boats the police stop on the beach (beach launches only; the people on
    board are 'prevented' and stay in France)."""
    d = w.d
    p_beach = beach_stop_probability(d.beach_prevention_prob[t], d.force_restraint[t], w.c.force_restraint_effect)
    return ~launch.is_taxi & (launch.police_draw < p_beach)


@day_step
def answer_referrals(t, w, held, today, rng):
    """France answers the referrals due today, oldest due first (ties in order of arrival in
    France): each is accepted with its group's probability or refused (the person enters the
    UK asylum system); acceptances beyond the week's cap are put off to next Monday, when the
    case is answered again. The count of acceptances restarts each Monday. Returns the rows
    still held."""
    p, d, k = w.p, w.d, w.k
    week = week_of(t, w.weekday0)
    if week != k.france_week:  # a new Monday-to-Sunday week: the count of acceptances restarts
        k.france_week = week
        k.accepted_this_week = 0
    due = np.empty(len(held), dtype=np.int64)  # the referrals due today, in the order of ``held``
    n_due = n_referred = 0
    for j in range(len(held)):
        i = held[j]
        n_referred += p.referral_day[i] == t
        if p.answer[i] == ANSWER_PENDING and p.answer_day[i] <= t:
            due[n_due] = i
            n_due += 1
    today.referred_to_france = n_referred
    if n_due == 0:
        return held
    due = oldest_due_first(p.answer_day, due[:n_due])
    n_accepting = 0
    for j in range(n_due):  # answered in that order; the accepting are moved to the front of ``due``
        i = due[j]
        if uniform(w.stream) < acceptance_probability(
            p.group[i], RETURNABLE, d.france_accept_returnable[t], d.france_accept_other[t]
        ):
            due[n_accepting] = i
            n_accepting += 1
        else:
            leave_one(p, i, IN_UK_ASYLUM, w.leavers)
            today.entered_asylum += 1
    fits = within_weekly_cap(n_accepting, k.accepted_this_week, d.france_weekly_cap[t])
    monday = next_monday(week, w.weekday0)
    for j in range(n_accepting):
        if j < fits:
            p.answer[due[j]] = ANSWER_ACCEPTED
        else:
            p.answer_day[due[j]] = monday
    k.accepted_this_week += fits
    return still_held(p, held)
