"""Rule 10, returns and re-crossing: people returned to France are housed in accommodation
centres, not detained (seed 001), so they are free to go back to the coast and cross again;
they are barred from the legal route. Each day a returnee may go back to the coast
(``returnee_recross_daily``: 2 of about 110 returnees had re-crossed within two months, seed 002)
or give up on the UK (``returnee_settle_daily``). A re-crosser may be recognised from photo and
fingerprints (seed 002) and, when the biometric fast track is on, is detained first.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..daybook import leave_one, person_step
from ..draws import uniform, uniforms
from ..population import LEFT_ROUTE, WAITING

#: What a returnee does today (:func:`returnee_day`).
STAYS_HOUSED, BACK_TO_COAST, GIVES_UP = 0, 1, 2


@njit(cache=True)
def returnee_move(rng: np.random.Generator, recross: float, settle: float) -> tuple[bool, bool]:
    """Whether a returnee goes back to the coast today, or gives up on the UK (or neither: stays
    housed in the centre). One draw decides, so the two never happen together."""
    u = uniform(rng)
    return u < recross, recross <= u < recross + settle


@njit(cache=True)
def recognised(rng: np.random.Generator, n: int, p: float) -> np.ndarray:
    """Which arriving returnees are recognised from biometrics."""
    return uniforms(rng, n) < p


@njit(cache=True)
def returnee_day(rng: np.random.Generator, c) -> int:
    """A returnee's step (rule 10): ``BACK_TO_COAST`` (waiting again, the wait counted from today), ``GIVES_UP`` (leaves the route) or ``STAYS_HOUSED``. ``c`` holds the
    constant parameters. :func:`returnee_step` applies the outcome."""
    back, gives_up = returnee_move(rng, c.returnee_recross_daily, c.returnee_settle_daily)
    if gives_up:
        return GIVES_UP
    return BACK_TO_COAST if back else STAYS_HOUSED


# ------------------------------------------------------------------ the person's step
@person_step
def returnee_step(i, t, w, today):
    """Rule 10 for returnee ``i`` (housed in France after removal), today: goes back to the coast
    (waiting again, the wait counted from today), gives up on the UK (leaves the route, counted in
    ``left_route``) or stays housed (:func:`returnee_day`). Returns the person's state after it."""
    p = w.p
    move = returnee_day(w.stream, w.c)
    if move == GIVES_UP:
        leave_one(p, i, LEFT_ROUTE, w.leavers)
        today.left_route += 1
    elif move == BACK_TO_COAST:
        p.state[i] = WAITING
        p.since[i] = t
    return p.state[i]
