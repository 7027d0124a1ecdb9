"""Unit tests of the rules each person follows (1 inflow, 3 decision, 4 belief, 10 returns,
11 legal route) and of the person-by-person pass that applies them (``model.people_day``), on
small hand-built tables with the expected results worked out by hand.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from deterrence_sim.daybook import as_records, rows_of
from deterrence_sim.model import ChannelModel, people_day
from deterrence_sim.population import (
    ADMITTED,
    ANSWER_ACCEPTED,
    ANSWER_PENDING,
    APPLIED,
    DETAINED,
    LEFT_ROUTE,
    PROTECTION,
    RETURNABLE,
    RETURNED,
    WAITING,
)
from deterrence_sim.rules import belief, decision, inflow, legal_route, returns

QUIET = {"leave_route_daily": 0.0, "try_prob": 0.0, "deterrence_strength": 0.0}  # nobody leaves or tries


def run_people_day(hw, t, viable=False, signal=(0.0, 0.0, 0.0), keep=1.0):
    today = hw.today(t)
    people_day(t, hw.w, hw.n, viable, np.asarray(signal, dtype=float), keep, today, hw.rng)
    return today


# --------------------------------------------------------------------------- rule 3: decision
def test_decision_formulas_by_hand():
    assert decision.deterrence_factor(0.5, 3.0) == pytest.approx(math.exp(-1.5))
    assert decision.deterrence_factor(0.7, 0.0) == 1.0
    assert decision.leave_probability(0.004, math.exp(-1.5)) == pytest.approx(0.004 * math.exp(1.5))
    assert decision.leave_probability(0.5, 0.1) == 1.0
    # impatience counts at most 90 days waited: 0.2 x (1 + 0.5 x 3) x 0.5
    assert decision.try_probability(0.2, 0.5, 120, 0.5) == pytest.approx(0.25)
    assert decision.try_probability(0.2, 0.5, 30, 1.0) == pytest.approx(0.3)
    assert decision.can_pay(1000.0, 10, 20.0, 1200.0) and not decision.can_pay(1000.0, 9, 20.0, 1200.0)


def test_zero_strength_leaves_every_choice_as_without_deterrence():
    """With strength 0 the factor is exactly 1 for any belief, so the leaving and trying chances
    are the base rates (worked out by hand), whatever people believe."""
    for b in (0.0, 0.3, 1.0):
        factor = decision.deterrence_factor(b, 0.0)
        assert factor == 1.0
        assert decision.leave_probability(0.004, factor) == 0.004
        assert decision.try_probability(0.24, 0.5, 60, factor) == pytest.approx(0.24 * 2.0)
    assert decision.try_probability(0.24, 0.5, 60, decision.deterrence_factor(1.0, 3.0)) == pytest.approx(
        0.48 * math.exp(-3.0)
    )


def test_people_day_waiting_people_leave_the_route_at_rate_one(hand_world):
    hw = hand_world({"state": [WAITING] * 3}, leave_route_daily=1.0, try_prob=0.0)
    today = run_people_day(hw, 2)
    assert hw.p.state[:3].tolist() == [LEFT_ROUTE] * 3 and sorted(hw.leavers()) == [0, 1, 2]
    assert today.left_route == 3


def test_people_day_only_those_who_can_pay_try_on_a_viable_day(hand_world):
    """Price 2,500 (the initial price); budgets 3,000 and 1,000 with 20 a day saved for 10 days."""
    people = {"state": [WAITING, WAITING], "budget": [3000.0, 1000.0], "since": [0, 0]}
    hw = hand_world(people, leave_route_daily=0.0, try_prob=1.0, deterrence_strength=0.0)
    run_people_day(hw, 10, viable=True)
    assert rows_of(hw.w.tryers).tolist() == [0]
    hw = hand_world(people, leave_route_daily=0.0, try_prob=1.0, deterrence_strength=0.0)
    run_people_day(hw, 10, viable=False)
    assert rows_of(hw.w.tryers).tolist() == []


def test_people_away_from_the_route_come_back_waiting_from_today(hand_world):
    """Structural alternative (b): a person away (RETURNED, never removed) comes back at rate one,
    the wait counted from today; a returnee (removed once) is rule 10's, not this step's."""
    hw = hand_world(
        {"state": [RETURNED, RETURNED], "since": [1, 1], "times_returned": [0, 1]},
        comeback_share=0.5,
        comeback_daily=1.0,
        returnee_recross_daily=0.0,
        returnee_settle_daily=0.0,
        **QUIET,
    )
    run_people_day(hw, 6)
    assert hw.p.state[:2].tolist() == [WAITING, RETURNED] and hw.p.since[:2].tolist() == [6, 1]


def test_newcomers_turn_back_only_on_the_day_they_arrive(hand_world):
    """Structural alternative (a) with a large elasticity: of three waiting people hearing a risk of
    1, the newcomer of today turns back (counted among those who left the route); one who arrived
    three days ago, and a returnee back on the coast today, do not."""
    hw = hand_world(
        {"state": [WAITING] * 3, "since": [9, 6, 9], "times_returned": [0, 0, 1], "belief": [1.0] * 3},
        inflow_outcome_elasticity=20.0,
        deterrence_strength=2.0,
        leave_route_daily=0.0,
        try_prob=0.0,
    )
    today = run_people_day(hw, 9, signal=(1.0, 1.0, 1.0))
    assert hw.p.state[:3].tolist() == [LEFT_ROUTE, WAITING, WAITING]
    assert today.left_route == 1 and hw.leavers() == [0]


# --------------------------------------------------------------------------- rule 4: belief
def test_risk_signal_by_hand():
    """Group 0: 1 removed, 3 arrived (own share 0.25); everyone: 1 of 6 (1/6). Social weight 0.6,
    salience 2: group 0 hears 2 x (0.6 x 0.25 + 0.4 / 6), group 1 (nothing of its own) 2 x 0.4 / 6."""
    removed, arrived = np.array([1.0, 0.0, 0.0]), np.array([3.0, 2.0, 0.0])
    signal = belief.risk_signal(removed, arrived, 0.6, 2.0, 0.0)
    assert signal == pytest.approx([2 * (0.6 * 0.25 + 0.4 / 6), 2 * 0.4 / 6, 2 * 0.4 / 6])
    assert belief.risk_signal(removed, arrived, 0.6, 2.0, 0.05) == pytest.approx(signal + 0.05)
    assert belief.risk_signal(np.array([9.0, 0, 0]), np.array([1.0, 0, 0]), 0.6, 2.0, 0.0)[0] == 1.0  # clipped


def test_belief_update_and_memory_by_hand(hand_world):
    assert belief.fade_factor(45.0) ** 45 == pytest.approx(0.5)
    assert belief.updated_belief(0.2, 0.6, 0.75) == pytest.approx(0.3)
    hw = hand_world(
        {
            "state": [WAITING, DETAINED, RETURNED],
            "group": [RETURNABLE, PROTECTION, RETURNABLE],
            "belief": [0.2, 0.2, 1.0],
            "times_returned": [0, 0, 1],
        },
        returnee_recross_daily=0.0,
        returnee_settle_daily=0.0,
        **QUIET,
    )
    run_people_day(hw, 3, signal=(0.6, 0.0, 0.0), keep=0.75)
    assert hw.p.belief[:3] == pytest.approx([0.3, 0.15, 0.9])  # everyone in the simulation, detained too
    record = np.array([1.0, 2.0, 0.0])
    belief.witness(record, np.array([0, 2, 2]))
    assert record.tolist() == [2.0, 2.0, 2.0]


# --------------------------------------------------------------------------- rule 10: returns
def test_returnees_go_back_to_the_coast_at_recross_one(hand_world):
    hw = hand_world(
        {"state": [RETURNED] * 3, "since": [1, 1, 1], "times_returned": [1, 1, 2]},
        returnee_recross_daily=1.0,
        returnee_settle_daily=0.0,
        **QUIET,
    )
    run_people_day(hw, 7)
    assert hw.p.state[:3].tolist() == [WAITING] * 3 and hw.p.since[:3].tolist() == [7] * 3


def test_returnees_stay_housed_at_recross_zero_or_give_up(hand_world):
    hw = hand_world(
        {"state": [RETURNED] * 3, "times_returned": [1] * 3},
        returnee_recross_daily=0.0,
        returnee_settle_daily=0.0,
        **QUIET,
    )
    run_people_day(hw, 7)
    assert hw.p.state[:3].tolist() == [RETURNED] * 3
    hw = hand_world(
        {"state": [RETURNED] * 3, "times_returned": [1] * 3},
        returnee_recross_daily=0.0,
        returnee_settle_daily=1.0,
        **QUIET,
    )
    today = run_people_day(hw, 7)
    assert hw.p.state[:3].tolist() == [LEFT_ROUTE] * 3 and today.left_route == 3
    assert sorted(hw.leavers()) == [0, 1, 2]


def test_returnee_moves_are_exclusive():
    rng = np.random.default_rng(1)
    c = _C(0.3, 0.3)
    moves = [returns.returnee_day(rng, c) for _ in range(2000)]
    share = np.bincount(moves, minlength=3) / 2000
    assert share == pytest.approx([0.4, 0.3, 0.3], abs=0.04)  # stays, back, gives up


def _C(recross, settle):
    """The constants with the returnees' two rates set."""
    from deterrence_sim.params import PARAMS, build, compiled_form, validate

    values = validate({"returnee_recross_daily": recross, "returnee_settle_daily": settle})
    assert PARAMS["returnee_recross_daily"].mechanism == "returns"
    import datetime as dt

    return compiled_form(*build(values, dt.date(2025, 1, 1), 1))[0]


# --------------------------------------------------------------------------- rule 11: the legal route
def test_people_with_ties_apply_unless_barred_or_detained(hand_world):
    """Route open, awareness 1, application rate 1: rows 0 (waiting, ties) applies; 1 (no ties),
    2 (barred, a returnee) and 3 (detained, with ties) do not."""
    hw = hand_world(
        {
            "state": [WAITING, WAITING, WAITING, DETAINED],
            "ties": [True, False, True, True],
            "barred": [False, False, True, False],
        },
        legal_route_open=1.0,
        application_rate=1.0,
        legal_processing_days=40.0,
        **QUIET,
    )
    hw.model.k["awareness"] = 1.0
    today = run_people_day(hw, 5)
    assert hw.p.state[:4].tolist() == [APPLIED, WAITING, WAITING, DETAINED]
    assert hw.p.application_day[0] >= 6 and hw.p.answer[0] == ANSWER_PENDING
    assert today.legal_applications == 1
    assert not legal_route.may_apply(True, True) and legal_route.may_apply(True, False)


def test_nobody_applies_while_the_route_is_closed(hand_world):
    hw = hand_world({"state": [WAITING], "ties": [True]}, legal_route_open=0.0, application_rate=1.0, **QUIET)
    hw.model.k["awareness"] = 1.0
    run_people_day(hw, 5)
    assert hw.p.state[0] == WAITING


def test_due_applications_are_approved_or_sent_back_to_waiting(hand_world):
    people = {"state": [APPLIED, APPLIED], "answer": [ANSWER_PENDING] * 2, "application_day": [5, 9]}
    hw = hand_world(people, legal_approval_prob=1.0, **QUIET)
    run_people_day(hw, 5)
    assert hw.p.answer[:2].tolist() == [ANSWER_ACCEPTED, ANSWER_PENDING]
    assert rows_of(hw.w.ready).tolist() == [0]
    hw = hand_world(people, legal_approval_prob=0.0, **QUIET)
    run_people_day(hw, 5)
    assert hw.p.state[:2].tolist() == [WAITING, APPLIED]


def test_an_approved_applicant_whose_limbo_ends_waits_again_barred(hand_world):
    """Approved on day 0 and still waiting for room on day 100, past limbo_max_days (90): back to
    waiting, barred from applying again, and not listed for admission; one approved on day 50 is."""
    people = {"state": [APPLIED, APPLIED], "answer": [ANSWER_ACCEPTED] * 2, "application_day": [0, 50]}
    hw = hand_world(people, days=120, limbo_max_days=90, limbo_give_up_daily=0.0, **QUIET)
    run_people_day(hw, 100)
    assert hw.p.state[:2].tolist() == [WAITING, APPLIED] and hw.p.barred[:2].tolist() == [True, False]
    assert rows_of(hw.w.ready).tolist() == [1]


def test_parity_room_by_hand():
    assert legal_route.parity_room(True, 1.25, 8, 10) == 0.0
    assert legal_route.parity_room(True, 2.0, 10, 5) == 15.0
    assert legal_route.parity_room(True, 1.25, 9, 3) == 8.0  # floor(11.25) - 3
    assert legal_route.parity_room(False, 1.25, 0, 50) == np.inf


def test_admit_within_parity_room_earliest_decision_first(hand_world):
    """4 removed and 3 admitted so far, ratio 1.25: room floor(5) - 3 = 2, for the two approved
    applicants decided earliest (days 2 and 5)."""
    people = {"state": [APPLIED] * 3, "answer": [ANSWER_ACCEPTED] * 3, "application_day": [5, 2, 9]}
    hw = hand_world(people, parity=True, parity_ratio=1.25)
    hw.model.k["removed_total"], hw.model.k["admitted_total"] = 4, 3
    hw.w.ready.rows[:3] = [0, 1, 2]
    hw.w.ready.n[0] = 3
    today = hw.today(10)
    legal_route.admit(hw.w, today)
    assert hw.p.state[:3].tolist() == [ADMITTED, ADMITTED, APPLIED]
    assert today.admitted_legal_route == 2 and hw.model.k["admitted_total"] == 5
    assert sorted(hw.leavers()) == [0, 1]


def test_admit_everyone_approved_without_parity(hand_world):
    hw = hand_world({"state": [APPLIED] * 3, "answer": [ANSWER_ACCEPTED] * 3}, parity=False)
    hw.w.ready.rows[:3] = [0, 1, 2]
    hw.w.ready.n[0] = 3
    legal_route.admit(hw.w, hw.today(0))
    assert (hw.p.state[:3] == ADMITTED).all()


def test_awareness_starts_on_the_first_open_day_and_grows_logistically(hand_world):
    hw = hand_world(
        {}, legal_route_open={"2025-09-03": 1.0}, awareness_initial=0.01, awareness_growth=0.5, awareness_max=0.9
    )
    k = hw.model.k
    for t in range(2):
        legal_route.spread_awareness(t, hw.w)
    assert k["awareness"] == 0.0
    legal_route.spread_awareness(2, hw.w)
    assert k["awareness"] == 0.01
    legal_route.spread_awareness(3, hw.w)
    assert k["awareness"] == pytest.approx(0.01 + 0.5 * 0.01 * (1 - 0.01 / 0.9))


# --------------------------------------------------------------------------- rule 1: inflow
def test_newcomers_start_waiting_and_believing_their_groups_signal():
    model = ChannelModel(rng=3, start="2025-09-01", end="2025-09-01", initial_waiting=0)
    signal = np.array([0.5, 0.1, 0.2])
    today = as_records(model.figures)[0]
    n = inflow.add_newcomers(0, model.world(), 0, signal, today)
    assert n == model.newcomers.first[1] > 0
    pop = model.population
    pop.n = n
    assert (pop.state == WAITING).all() and (pop.since == 0).all()
    assert np.array_equal(pop.belief, signal[pop.group])
    assert today.newcomers == n
