"""Unit tests of rule 6a, interception at sea (``rules/interception.py``): which taxi boats the
French stop on the water, with and without the at-sea interventions in force, day by day.
"""

from __future__ import annotations

import numpy as np
import pytest

from deterrence_sim.rules import interception, smugglers


def _launch(is_taxi, police_draw, load=None):
    """Boats with one passenger each, or ``load[b]`` passengers on boat b."""
    load = [1] * len(is_taxi) if load is None else load
    boat_of = np.repeat(np.arange(len(load)), load).astype(np.int64)
    return smugglers.Launch(
        np.arange(len(boat_of), dtype=np.int64),
        boat_of,
        np.zeros(len(load), np.int64),
        np.asarray(is_taxi, bool),
        np.asarray(police_draw, float),
    )


def test_interception_probability_by_hand():
    assert interception.taxi_stop_probability(0.19, 0.0, 0.15) == pytest.approx(0.19)
    assert interception.taxi_stop_probability(0.19, 1.0, 0.15) == pytest.approx(0.34)
    assert interception.taxi_stop_probability(0.95, 1.0, 0.15) == 1.0  # a probability, at most one


def test_interception_stops_only_taxi_boats_whose_draw_falls_below(hand_world):
    """Taxi probability 0.19, the beach's 0.6 (which is not this rule's): of four taxi boats drawn
    0.1, 0.19, 0.3, 0.7 only the first is stopped (a draw equal to the chance is not below it); the
    beach launches are never this rule's, whatever their draw."""
    launch = _launch([True, True, True, True, False, False], [0.1, 0.19, 0.3, 0.7, 0.0, 0.1])
    hw = hand_world({}, taxi_prevention_prob=0.19, beach_prevention_prob=0.6, at_sea_interception=0.0)
    assert interception.stop_at_sea(0, hw.w, launch, hw.today(0)).tolist() == [True, False, False, False, False, False]


def test_interception_follows_its_dated_schedule_day_by_day(hand_world):
    """At-sea interception from day 5 of the run (gain 0.15): a taxi boat drawn 0.3 gets through on
    day 0 and is stopped on day 10 (0.3 < 0.19 + 0.15)."""
    launch = _launch([True], [0.3])
    hw = hand_world(
        {},
        start="2025-09-01",
        taxi_prevention_prob=0.19,
        at_sea_interception_gain=0.15,
        at_sea_interception={"2025-09-06": 1.0},
    )
    assert interception.stop_at_sea(0, hw.w, launch, hw.today(0)).tolist() == [False]
    assert interception.stop_at_sea(10, hw.w, launch, hw.today(10)).tolist() == [True]


def test_interception_taxi_probability_follows_its_schedule(hand_world):
    """The taxi-boat probability itself is scheduled: 0.1 to day 4, 0.5 from day 5."""
    launch = _launch([True], [0.3])
    hw = hand_world(
        {}, start="2025-09-01", taxi_prevention_prob={"2025-09-01": 0.1, "2025-09-06": 0.5}, at_sea_interception=0.0
    )
    assert interception.stop_at_sea(0, hw.w, launch, hw.today(0)).tolist() == [False]
    assert interception.stop_at_sea(10, hw.w, launch, hw.today(10)).tolist() == [True]


def test_interception_counts_the_people_it_alone_stops_on_the_water(hand_world):
    """Taxi probability 0.19 raised to 0.34 by the interventions: taxi boats of 10, 20, 30 and 40
    people drawn 0.1, 0.2, 0.3 and 0.5. The first is stopped by the ordinary prevention, the second
    and third only by the interventions (0.19 <= draw < 0.34): 50 people intercepted on the water."""
    launch = _launch([True] * 4, [0.1, 0.2, 0.3, 0.5], load=[10, 20, 30, 40])
    hw = hand_world({}, taxi_prevention_prob=0.19, at_sea_interception=1.0, at_sea_interception_gain=0.15)
    today = hw.today(0)
    assert interception.stop_at_sea(0, hw.w, launch, today).tolist() == [True, True, True, False]
    assert today.intercepted_at_sea == 50
    assert interception.intercepted_on_the_water(launch.is_taxi, launch.police_draw, 0.19, 0.34).tolist() == [
        False,
        True,
        True,
        False,
    ]
    hw = hand_world({}, taxi_prevention_prob=0.19, at_sea_interception=0.0, at_sea_interception_gain=0.15)
    today = hw.today(0)
    interception.stop_at_sea(0, hw.w, launch, today)
    assert today.intercepted_at_sea == 0
