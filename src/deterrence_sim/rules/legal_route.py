"""Rule 11, the legal route ("one in"): people in France with family ties to the UK apply,
awareness of the route starts low and grows (seed 001: 'we couldn't find enough people ...
there wasn't enough knowledge'), an application takes weeks, and admissions are capped by
returns when parity is on. Returned people are barred (SOURCES).

Numbers: by 2026-01-27, 350 admitted against 281 returned (PILOT), hence parity_ratio 1.25; the
first admissions came about ten weeks after the route opened (PILOT: 18 by 2025-10-19).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..daybook import day_step, leave, person_step, push, rows_of
from ..draws import uniform
from ..population import ADMITTED, ANSWER_ACCEPTED, ANSWER_PENDING, APPLIED, WAITING


@njit(cache=True)
def grow_awareness(awareness: float, growth: float, ceiling: float) -> float:
    """Word of the route spreads logistically toward a ceiling."""
    if ceiling <= 0:
        return 0.0
    return min(ceiling, awareness + growth * awareness * (1.0 - awareness / ceiling))


@njit(cache=True)
def applies_today(rng: np.random.Generator, awareness: float, rate: float) -> bool:
    """Whether an eligible person (in France, with UK family ties, not barred) applies today."""
    return uniform(rng) < awareness * rate


@njit(cache=True)
def decision_day(today: int, processing_days: float) -> int:
    """Day a new application is decided, after ``processing_days`` (an exponential draw of mean
    ``legal_processing_days``; the person-by-person pass draws it)."""
    return today + 1 + int(np.floor(processing_days))


@njit(cache=True)
def approved(rng: np.random.Generator, p: float) -> bool:
    """Whether an application decided today is approved (if not, the person goes back to waiting)."""
    return uniform(rng) < p


@njit(cache=True)
def parity_room(parity: bool, ratio: float, returned_total: int, admitted_total: int) -> float:
    """How many more people may be admitted now: unlimited without parity."""
    if not parity:
        return np.inf
    return max(0.0, np.floor(ratio * returned_total) - admitted_total)


@njit(cache=True)
def gives_up_waiting(rng: np.random.Generator, waited: int, daily: float, max_days: int) -> bool:
    """Whether an approved applicant who has waited ``waited`` days for parity room gives up today.

    The limbo of approved applicants: when parity binds, approved people wait for room with no other
    behaviour unless this rule lets them go. Each full day of waiting they give up with chance
    ``daily`` (``limbo_give_up_daily``, an assumption: about 100 days on average), and nobody waits
    ``max_days`` days or more (``limbo_max_days``: a UK visa vignette is valid for 90 days); 0 turns
    either off. Giving up sends the person back to waiting on the coast, barred from applying
    again. No random number is drawn when ``daily`` is 0, so switching it off changes nothing else.
    """
    if max_days > 0 and waited >= max_days:
        return True
    return daily > 0 and waited > 0 and uniform(rng) < daily


@njit(cache=True)
def first_in_line(decided: np.ndarray, k: int) -> np.ndarray:
    """Who is admitted first when there is room for ``k``: the positions of the ``k`` approved
    applicants decided earliest (``decided``: their decision days), earliest first, ties in the
    order given. The same as ``np.argsort(decided, kind="mergesort")[:k]``, without sorting the
    whole queue: under parity the queue of approved people waiting for room grows for as long as
    the run lasts, and sorting it every day made run time grow with the square of the horizon."""
    m = len(decided)
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    if k >= m:
        return np.argsort(decided, kind="mergesort")
    cut = np.partition(decided, k - 1)[k - 1]  # the k-th earliest decision day
    below = np.flatnonzero(decided < cut)
    chosen = np.concatenate((below, np.flatnonzero(decided == cut)[: k - len(below)]))
    return chosen[np.argsort(decided[chosen], kind="mergesort")]


# ------------------------------------------------------------------ the steps of the day
@day_step
def spread_awareness(t, w):
    """Before anyone's step: on days the route is open, word of it spreads (awareness starts at
    its initial level on the first open day)."""
    k, c = w.k, w.c
    if w.d.legal_route_open[t] > 0:
        if k.awareness == 0.0:
            k.awareness = c.awareness_initial
        else:
            k.awareness = grow_awareness(k.awareness, c.awareness_growth, c.awareness_max)


@njit(cache=True)
def may_apply(ties: bool, barred: bool) -> bool:
    """Who may apply, on a day the route is open: a waiting person with UK family ties, not
    barred (returned people are barred)."""
    return ties and not barred


@njit(cache=True)
def decision_due(answer: int, application_day: int, t: int) -> bool:
    """Whether an application is decided today (if approved the person waits for room under
    parity, :func:`admit`; if refused they go back to waiting, the wait not restarted)."""
    return answer == ANSWER_PENDING and application_day <= t


@person_step
def application_step(i, t, w, rng, today):
    """Rule 11 for waiting person ``i``, today: on a day the route is open, a person who may apply
    (:func:`may_apply`) applies with chance awareness x ``application_rate``; the application is
    decided after an exponential processing time of mean ``legal_processing_days``
    (:func:`decision_day`; the generator ``rng`` draws it). Returns the person's state after it."""
    p, c = w.p, w.c
    if not (
        w.d.legal_route_open[t] > 0
        and may_apply(p.ties[i], p.barred[i])
        and applies_today(w.stream, w.k.awareness, c.application_rate)
    ):
        return WAITING
    p.state[i] = APPLIED
    p.answer[i] = ANSWER_PENDING
    p.application_day[i] = decision_day(t, rng.exponential(c.legal_processing_days))
    today.legal_applications += 1
    return APPLIED


@person_step
def applicant_step(i, t, w):
    """Rule 11 for applicant ``i``, today: an application due today is decided (:func:`approved`;
    refused, the person goes back to waiting, the wait not restarted); an approved applicant waits
    for room under parity, listed in ``w.ready`` for :func:`admit` after the pass, unless the limbo
    ends (:func:`gives_up_waiting`: back to waiting, barred from applying again). Returns the
    person's state after it."""
    p, c = w.p, w.c
    if decision_due(p.answer[i], p.application_day[i], t):
        if not approved(w.stream, c.legal_approval_prob):
            p.state[i] = WAITING
            return WAITING
        p.answer[i] = ANSWER_ACCEPTED
    if p.answer[i] == ANSWER_ACCEPTED:
        if gives_up_waiting(w.stream, t - p.application_day[i], c.limbo_give_up_daily, c.limbo_max_days):
            p.state[i] = WAITING
            p.barred[i] = True
            return WAITING
        push(w.ready, i)
    return APPLIED


@day_step
def admit(w, today):
    """After everyone's step: approved applicants are admitted to the UK in order of their
    decision day (ties in row order, that is order of arrival in France), as far as parity with
    removals so far allows."""
    ready, k, p = rows_of(w.ready), w.k, w.p
    if len(ready) == 0:
        return
    room = parity_room(w.c.parity, w.c.parity_ratio, k.removed_total, k.admitted_total)
    take = int(min(room, len(ready)))
    if take == 0:  # no room today (most days under parity): the queue waits
        return
    admitted = ready[first_in_line(p.application_day[ready], take)]
    k.admitted_total += len(admitted)
    today.admitted_legal_route = len(admitted)
    leave(p, admitted, ADMITTED, w.leavers)
