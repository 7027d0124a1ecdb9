"""Unit tests of the steps of rules 6 (France's answers), 8 (the UK) and 9 (the courts), each on
a small hand-built table (``conftest.HandWorld``) with the expected result worked out by hand.

Probabilities are set to 0 or 1 wherever a draw would decide, so each result is exact.
"""

from __future__ import annotations

import numpy as np

from deterrence_sim.population import (
    ANSWER_ACCEPTED,
    ANSWER_PENDING,
    CHALLENGE_LOST,
    CHALLENGE_PENDING,
    DETAINED,
    IN_UK_ASYLUM,
    OTHER,
    PROTECTION,
    RETURNABLE,
    RETURNED,
    WAITING,
)
from deterrence_sim.rules import courts, france, uk


def detained(n, **columns):
    return {"state": np.full(n, DETAINED), "eligible": np.ones(n, bool)} | columns


# --------------------------------------------------------------------------- rule 8: screening
def test_uk_screen_detains_up_to_the_free_places_and_releases_the_rest(hand_world):
    """Capacity 3 with one person already held: 2 of the 5 eligible arrivals are detained, the
    other 3 enter asylum. Each case gets its referral and answer days."""
    hw = hand_world(
        {"state": [DETAINED, WAITING, WAITING, WAITING, WAITING, WAITING], "eligible": [True] * 6},
        detention_capacity=3,
        referral_days=3,
        france_answer_days=14,
    )
    t, today = 5, hw.today(5)
    new = uk.screen(t, hw.w, hw.rows(1, 2, 3, 4, 5), hw.rows(0), today, hw.rng)
    p = hw.p
    assert len(new) == 2 and set(new) <= {1, 2, 3, 4, 5}
    released = sorted({1, 2, 3, 4, 5} - set(new.tolist()))
    assert (p.state[new] == DETAINED).all() and (p.state[released] == IN_UK_ASYLUM).all()
    assert sorted(hw.leavers()) == released
    assert today.detentions == 2 and today.entered_asylum == 3
    assert (p.arrived_day[new] == t).all() and (p.answer[new] == ANSWER_PENDING).all()
    assert ((p.referral_day[new] >= t + 1) & (p.referral_day[new] <= t + 3)).all()
    gap = p.answer_day[new] - p.referral_day[new]
    assert ((gap >= 1) & (gap <= 14)).all()


def test_uk_screen_releases_arrivals_not_eligible_for_the_scheme(hand_world):
    hw = hand_world({"eligible": [False, False, True]}, detention_capacity=10)
    today = hw.today(0)
    new = uk.screen(0, hw.w, hw.rows(0, 1, 2), hw.rows(), today, hw.rng)
    assert new.tolist() == [2]
    assert hw.p.state[:2].tolist() == [IN_UK_ASYLUM, IN_UK_ASYLUM] and today.entered_asylum == 2


def test_uk_screen_detains_recognised_recrossers_first(hand_world):
    """One free place, two eligible arrivals, one a returnee recognised by the fast track: the
    returnee gets the place, whatever the random order (ten draws)."""
    for seed in range(10):
        hw = hand_world(
            {"eligible": [True, True], "times_returned": [0, 1]},
            detention_capacity=1,
            biometric_fast_track=1.0,
            biometric_match_prob=1.0,
        )
        new = uk.screen(0, hw.w, hw.rows(0, 1), hw.rows(), hw.today(0), np.random.default_rng(seed))
        assert new.tolist() == [1] and bool(hw.p.fast_track[1])
        assert hw.p.state[0] == IN_UK_ASYLUM


def test_uk_screen_fast_track_off_recognises_nobody(hand_world):
    hw = hand_world(
        {"eligible": [False], "times_returned": [1]},
        detention_capacity=1,
        biometric_fast_track=0.0,
        biometric_match_prob=1.0,
    )
    new = uk.screen(0, hw.w, hw.rows(0), hw.rows(), hw.today(0), hw.rng)
    assert len(new) == 0 and hw.p.state[0] == IN_UK_ASYLUM


# --------------------------------------------------------------------------- rule 8: flights
def test_uk_fly_takes_the_cleared_and_bars_them_from_the_legal_route(hand_world):
    """One flight a day of 2 seats. Rows 0 and 1 are cleared; row 2 is accepted but its pending
    challenge keeps it off the flight (the injunction, rule 9); row 3 is not accepted yet."""
    hw = hand_world(
        detained(
            4,
            answer=[ANSWER_ACCEPTED, ANSWER_ACCEPTED, ANSWER_ACCEPTED, ANSWER_PENDING],
            challenge=[0, CHALLENGE_LOST, CHALLENGE_PENDING, 0],
            arrived_day=[5, 3, 1, 1],
            group=[RETURNABLE, OTHER, OTHER, OTHER],
            belief=[0.1] * 4,
        ),
        flights_per_week=7.0,
        seats_per_flight=2.0,
    )
    t, today = 10, hw.today(10)
    still = uk.fly(t, hw.w, hw.rows(0, 1, 2, 3), today, hw.rng)
    p = hw.p
    assert still.tolist() == [2, 3]
    assert p.state[:2].tolist() == [RETURNED, RETURNED]
    assert p.barred[:2].all() and not p.barred[2:4].any()
    assert p.times_returned[:2].tolist() == [1, 1] and p.belief[:2].tolist() == [1.0, 1.0]
    assert p.since[:2].tolist() == [t, t]
    assert (today.removed, today.flights) == (2, 1)
    assert hw.model.k["removed_total"] == 2 and hw.model.k["flights_total"] == 1
    assert hw.w.memory.removed.tolist() == [1.0, 0.0, 1.0]  # the community hears of each removal


def test_uk_fly_boards_the_fast_tracked_then_the_longest_held(hand_world):
    cleared = detained(3, answer=[ANSWER_ACCEPTED] * 3, arrived_day=[5, 3, 4])
    hw = hand_world(cleared, flights_per_week=7.0, seats_per_flight=1.0)
    uk.fly(10, hw.w, hw.rows(0, 1, 2), hw.today(10), hw.rng)
    assert hw.p.state[:3].tolist() == [DETAINED, RETURNED, DETAINED]  # arrived first
    hw = hand_world(cleared | {"fast_track": [True, False, False]}, flights_per_week=7.0, seats_per_flight=1.0)
    uk.fly(10, hw.w, hw.rows(0, 1, 2), hw.today(10), hw.rng)
    assert hw.p.state[:3].tolist() == [RETURNED, DETAINED, DETAINED]  # fast-tracked first


def test_uk_flights_spread_the_weekly_number_over_the_days():
    """1.5 flights a week is 3 every 14 days, the fraction carried from day to day."""
    credit, flights = 0.0, []
    for _ in range(28):
        n, credit = uk.flights_today(credit, 1.5)
        flights.append(n)
    assert sum(flights[:14]) == 3 and sum(flights) == 6
    assert flights[:5] == [0, 0, 0, 0, 1]  # 5 x 1.5/7 = 1.07: the first flight on day 5


def test_uk_removal_window_releases_those_held_too_long(hand_world):
    """Window 20 days, day 30: held since day 10 (20 days) enters asylum; since day 11 stays."""
    hw = hand_world(detained(2, arrived_day=[10, 11]), days=40, removal_window_days=20)
    today = hw.today(30)
    uk.expire_window(30, hw.w, hw.rows(0, 1), today)
    assert hw.p.state[:2].tolist() == [IN_UK_ASYLUM, DETAINED]
    assert hw.leavers() == [0] and today.entered_asylum == 1


# --------------------------------------------------------------------------- rule 9: courts
def test_courts_file_challenges_with_probability_one_and_zero(hand_world):
    hw = hand_world(detained(3), challenge_prob=1.0, challenge_days=21.0)
    today = hw.today(4)
    courts.file_challenges(4, hw.w, hw.rows(0, 1, 2), today, hw.rng)
    assert (hw.p.challenge[:3] == CHALLENGE_PENDING).all() and (hw.p.challenge_day[:3] >= 5).all()
    assert today.legal_challenges_filed == 3 and hw.model.k["filed_total"] == 3
    hw = hand_world(detained(3), challenge_prob=0.0)
    courts.file_challenges(4, hw.w, hw.rows(0, 1, 2), hw.today(4), hw.rng)
    assert (hw.p.challenge[:3] == 0).all()


def _challenged():
    return detained(3, challenge=[CHALLENGE_PENDING] * 3, challenge_day=[3, 4, 9])


def test_courts_decide_success_one_releases_every_due_claimant(hand_world):
    hw = hand_world(_challenged(), challenge_success_prob=1.0)
    today = hw.today(4)
    still = courts.decide(4, hw.w, hw.rows(0, 1, 2), today, hw.rng)
    assert still.tolist() == [2]  # decided on day 9, not yet
    assert hw.p.state[:3].tolist() == [IN_UK_ASYLUM, IN_UK_ASYLUM, DETAINED]
    assert today.legal_challenges_won == 2 and today.entered_asylum == 2 and hw.model.k["won_total"] == 2


def test_courts_decide_success_zero_lifts_the_injunction(hand_world):
    hw = hand_world(_challenged(), challenge_success_prob=0.0)
    still = courts.decide(4, hw.w, hw.rows(0, 1, 2), hw.today(4), hw.rng)
    assert still.tolist() == [0, 1, 2]
    assert hw.p.challenge[:3].tolist() == [CHALLENGE_LOST, CHALLENGE_LOST, CHALLENGE_PENDING]
    assert courts.injunction(hw.p.challenge[:3]).tolist() == [False, False, True]


# --------------------------------------------------------------------------- rule 6: France's answers
def _due(groups, answer_day):
    n = len(groups)
    return detained(n, group=groups, answer=[ANSWER_PENDING] * n, answer_day=answer_day)


def test_france_accepts_only_returnable_nationalities_when_told_to(hand_world):
    hw = hand_world(
        _due([RETURNABLE, PROTECTION, OTHER, RETURNABLE], [1, 1, 1, 1]),
        france_accept_returnable=1.0,
        france_accept_other=0.0,
        france_weekly_cap=100.0,
    )
    today = hw.today(2)
    still = france.answer_referrals(2, hw.w, hw.rows(0, 1, 2, 3), today, hw.rng)
    assert still.tolist() == [0, 3]
    assert hw.p.answer[[0, 3]].tolist() == [ANSWER_ACCEPTED, ANSWER_ACCEPTED]
    assert hw.p.state[[1, 2]].tolist() == [IN_UK_ASYLUM, IN_UK_ASYLUM] and today.entered_asylum == 2


def test_france_weekly_cap_takes_the_oldest_and_defers_the_rest_to_next_monday(hand_world):
    """Cap 2, a Wednesday (day 2 of a week starting Monday): three accepted cases due, oldest
    answer day first; the third is put off to next Monday, day 7."""
    hw = hand_world(_due([RETURNABLE] * 3, [2, 0, 1]), france_accept_returnable=1.0, france_weekly_cap=2.0)
    still = france.answer_referrals(2, hw.w, hw.rows(0, 1, 2), hw.today(2), hw.rng)
    assert still.tolist() == [0, 1, 2]
    assert hw.p.answer[:3].tolist() == [ANSWER_PENDING, ANSWER_ACCEPTED, ANSWER_ACCEPTED]
    assert hw.p.answer_day[0] == 7 and hw.model.k["accepted_this_week"] == 2


def test_france_week_starts_on_monday(hand_world):
    """A run starting on a Thursday, cap 1: Thursday's acceptance fills the week; a case due on
    Sunday (day 3) waits for Monday (day 4), when the count restarts and it is accepted."""
    hw = hand_world(
        _due([RETURNABLE] * 2, [0, 3]), start="2025-09-04", france_accept_returnable=1.0, france_weekly_cap=1.0
    )
    assert hw.w.weekday0 == 3
    france.answer_referrals(0, hw.w, hw.rows(0, 1), hw.today(0), hw.rng)
    hw.p.answer_day[1] = 3
    hw.p.answer[0] = ANSWER_ACCEPTED
    france.answer_referrals(3, hw.w, hw.rows(0, 1), hw.today(3), hw.rng)  # Sunday: the week is full
    assert hw.p.answer[1] == ANSWER_PENDING and hw.p.answer_day[1] == 4
    france.answer_referrals(4, hw.w, hw.rows(0, 1), hw.today(4), hw.rng)  # Monday
    assert hw.p.answer[1] == ANSWER_ACCEPTED and hw.model.k["accepted_this_week"] == 1
    assert [france.week_of(t, 3) for t in (0, 3, 4, 10, 11)] == [0, 0, 1, 1, 2]


def test_france_counts_the_referrals_made_today(hand_world):
    hw = hand_world(detained(3, referral_day=[4, 5, 5], answer_day=[20, 20, 20]))
    today = hw.today(5)
    france.answer_referrals(5, hw.w, hw.rows(0, 1, 2), today, hw.rng)
    assert today.referred_to_france == 2
