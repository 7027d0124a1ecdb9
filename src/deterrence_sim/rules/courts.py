"""Rule 9, the courts: a detained person may bring a legal challenge (judicial review, a
modern-slavery claim). While it is pending an injunction keeps them off any flight (the first
three planned flights left empty, seed 000); a decision takes weeks (seed 003: 14 days to make
representations); success releases them into the asylum system. The announced review of
modern-slavery law (seed 000) is modelled as a lower ``challenge_success_prob``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..daybook import day_step, leave_one, still_held
from ..draws import uniform, uniforms
from ..population import CHALLENGE_LOST, CHALLENGE_NONE, CHALLENGE_PENDING, IN_UK_ASYLUM


@njit(cache=True)
def files_challenge(rng: np.random.Generator, n: int, p: float) -> np.ndarray:
    """Which newly detained people bring a legal challenge."""
    return uniforms(rng, n) < p


@njit(cache=True)
def decision_day(rng: np.random.Generator, today: int, n: int, mean_days: float) -> np.ndarray:
    """Day each new challenge is decided: at least a day later, exponential around the mean."""
    return today + 1 + np.floor(rng.exponential(mean_days, size=n)).astype(np.int32)


@njit(cache=True)
def challenge_succeeds(rng: np.random.Generator, p: float) -> bool:
    """Whether a decision made today goes the claimant's way."""
    return uniform(rng) < p


@njit(cache=True)
def injunction(challenge: np.ndarray) -> np.ndarray:
    """Whose removal a pending challenge blocks (an injunction keeps them off any flight)."""
    return challenge == CHALLENGE_PENDING


# ------------------------------------------------------------------ the steps of the day
@day_step
def file_challenges(t, w, new, today, rng):
    """Each of today's newly detained (``new``) may bring a challenge, decided at least a day
    later."""
    p = w.p
    challenging = files_challenge(w.stream, len(new), w.d.challenge_prob[t])
    p.challenge[new] = np.where(challenging, CHALLENGE_PENDING, CHALLENGE_NONE)
    n_challenging = challenging.sum()
    p.challenge_day[new[challenging]] = decision_day(rng, t, n_challenging, w.c.challenge_days)
    today.legal_challenges_filed = n_challenging
    w.k.filed_total += n_challenging


@day_step
def decide(t, w, held, today, rng):
    """The challenges due today are decided: a win releases the person into the asylum system;
    a loss lifts the injunction. Returns the rows still held."""
    p = w.p
    success = w.d.challenge_success_prob[t]
    n_won = 0
    for j in range(len(held)):  # in the order of ``held``
        i = held[j]
        if p.challenge[i] != CHALLENGE_PENDING or p.challenge_day[i] > t:
            continue
        if challenge_succeeds(w.stream, success):
            leave_one(p, i, IN_UK_ASYLUM, w.leavers)
            n_won += 1
        else:
            p.challenge[i] = CHALLENGE_LOST
    today.legal_challenges_won = n_won
    today.entered_asylum += n_won
    w.k.won_total += n_won
    return still_held(p, held)


@njit(cache=True)
def last_minute_challenges(rng: np.random.Generator, n: int, wave: float, p: float) -> np.ndarray:
    """Structural alternative (d): on a day of an injunction wave (``injunction_wave`` 1; seed 000:
    the first three planned flights, 15-17 September 2025, left empty after last-minute legal
    challenges), which of ``n`` detainees cleared for a flight bring a challenge now (chance ``p``,
    ``injunction_prob``). Off (0, the default) it draws nothing and nobody challenges."""
    if wave <= 0 or n == 0:
        return np.zeros(n, dtype=np.bool_)
    return uniforms(rng, n) < p


@day_step
def last_minute_challenges_filed(t, w, cleared, today, rng):
    """Structural alternative (d), the step: on a flight day, those of the ``cleared`` (rows due
    to fly) who bring a last-minute challenge (:func:`last_minute_challenges`) file it now, to be
    decided like any other, and stay off the flight. Returns the rows still cleared."""
    p = w.p
    late = last_minute_challenges(w.stream, len(cleared), w.d.injunction_wave[t], w.c.injunction_prob)
    if not late.any():
        return cleared
    filing = cleared[late]
    p.challenge[filing] = CHALLENGE_PENDING
    p.challenge_day[filing] = decision_day(rng, t, len(filing), w.c.challenge_days)
    today.legal_challenges_filed += len(filing)
    w.k.filed_total += len(filing)
    return cleared[~late]
