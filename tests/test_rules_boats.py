"""Unit tests of the boat-side rules: 5 smugglers (seats, launches, loads, prices, stock), 6 beach
prevention, 6a interception at sea and 7 the crossing, on small hand-built worlds with the
expected results worked out by hand.
"""

from __future__ import annotations

import numpy as np
import pytest

from deterrence_sim.population import DEAD, OTHER, RETURNABLE, WAITING
from deterrence_sim.rules import crossing, france, interception, smugglers


def tryers(hw, rows):
    hw.w.tryers.rows[: len(rows)] = rows
    hw.w.tryers.n[0] = len(rows)


# --------------------------------------------------------------------------- rule 5: smugglers
def test_launch_seats_whole_loads_and_fills_boats_to_min_fill(hand_world):
    """One network, load 61.7 (61 whole seats), 6 boats, at most 5 launches, min fill 0.85: 200
    would-be crossers fill floor(200 / 51.85) = 3 boats, so 183 are seated, 61 a boat."""
    hw = hand_world(
        {"state": [WAITING] * 200},
        n_networks=1,
        people_per_boat_initial=61.7,
        boats_initial=6,
        max_launches_per_day=5,
        min_boat_fill=0.85,
        taxi_boat_share=0.0,
    )
    tryers(hw, np.arange(200))
    today = hw.today(0)
    launch = smugglers.launch(0, hw.w, True, today, hw.rng)
    net = hw.w.net
    assert len(launch.seated) == 183 and today.attempts == 183
    assert np.bincount(launch.boat_of).tolist() == [61, 61, 61]
    assert net.launched.tolist() == [3] and net.boats.tolist() == [3] and net.customers.tolist() == [200]
    assert net.seats.tolist() == [5 * 61]
    assert len(set(launch.seated.tolist())) == 183 and not launch.is_taxi.any()


def test_no_launch_on_a_day_the_sea_does_not_allow(hand_world):
    hw = hand_world({"state": [WAITING] * 100}, n_networks=1)
    tryers(hw, np.arange(100))
    launch = smugglers.launch(0, hw.w, False, hw.today(0), hw.rng)
    assert len(launch.seated) == 0 and hw.w.net.launched.tolist() == [0]


def test_boats_to_launch_waits_for_enough_customers():
    load = np.array([60.0, 60.0, 60.0])
    got = smugglers.boats_to_launch(np.array([50, 51, 400]), np.array([6, 6, 2]), 5, load, 0.85)
    assert got.tolist() == [0, 1, 2]  # 51 fill a boat to 0.85 x 60; the third has 2 boats


def test_seats_go_to_a_random_queue_within_each_network():
    network = np.array([0, 0, 0, 1, 1, 0])
    seated = smugglers.allocate_seats(np.random.default_rng(0), network, np.array([2, 5]))
    assert seated[network == 0].sum() == 2 and seated[network == 1].all()
    picks = np.zeros(4)
    for seed in range(400):
        picks += smugglers.allocate_seats(np.random.default_rng(seed), np.zeros(4, np.int64), np.array([1]))
    assert picks / 400 == pytest.approx([0.25] * 4, abs=0.07)


def test_fill_boats_spreads_passengers_evenly():
    boat_of, boat_network = smugglers.fill_boats(np.array([0, 1, 0, 0, 1, 0, 0]), np.array([2, 1]))
    assert boat_of.tolist() == [0, 2, 1, 0, 2, 1, 0] and boat_network.tolist() == [0, 0, 1]


def test_load_rises_with_losses_up_to_the_maximum():
    assert smugglers.adapt_load(np.array([61.0, 79.9]), np.array([2, 5]), 0.239, 80.0) == pytest.approx([61.478, 80.0])


def test_price_rises_with_demand_and_losses_and_stays_within_bounds():
    """Excess demand (200 customers for 100 seats, pressure 1) and half the boats lost: x e^(0.02 x 1.5)."""
    price = smugglers.adapt_price(
        np.array([2000.0]), np.array([200]), np.array([100]), np.array([1]), np.array([2]), 0.02, 1500.0, 10000.0
    )
    assert price == pytest.approx([2000.0 * np.exp(0.03)])
    low = smugglers.adapt_price(
        np.array([1600.0]), np.array([0]), np.array([100]), np.array([0]), np.array([1]), 0.5, 1500.0, 10000.0
    )
    assert low.tolist() == [1500.0]  # the floor: 1600 x e^-0.5 = 970 would be below it
    high = smugglers.adapt_price(
        np.array([9900.0]), np.array([500]), np.array([100]), np.array([1]), np.array([1]), 0.5, 1500.0, 10000.0
    )
    assert high.tolist() == [10000.0]


def test_restock_keeps_at_most_three_days_of_launches():
    boats = smugglers.restock(np.random.default_rng(0), np.array([14, 0]), 700.0, 5)
    assert boats[0] == 15 and 0 < boats[1] <= 15


def test_adapt_sets_prices_only_on_viable_days(hand_world):
    hw = hand_world({}, n_networks=2, price_response=0.5)
    net = hw.w.net
    net.customers[:], net.seats[:], net.launched[:] = 0, 100, 1
    before = net.price.copy()
    smugglers.adapt(0, hw.w, False, hw.rng)
    assert net.price.tolist() == before.tolist()
    smugglers.adapt(0, hw.w, True, hw.rng)
    assert (net.price < before).all()


# --------------------------------------------------------------------------- rules 6 and 6a: the police
def _launch(is_taxi, police_draw, network=None):
    n = len(is_taxi)
    network = np.zeros(n, np.int64) if network is None else np.asarray(network, np.int64)
    return smugglers.Launch(
        np.arange(n, dtype=np.int64),
        np.arange(n, dtype=np.int64),
        network,
        np.asarray(is_taxi, bool),
        np.asarray(police_draw, float),
    )


def test_beach_patrols_stop_beach_launches_only(hand_world):
    launch = _launch([False, True, False, True], [0.1, 0.1, 0.6, 0.3])
    hw = hand_world({}, beach_prevention_prob=0.5, force_restraint=0.0)
    assert france.stop_on_beaches(0, hw.w, launch).tolist() == [True, False, False, False]
    assert france.beach_stop_probability(0.5, 1.0, 0.3) == pytest.approx(0.35)  # force restraint


def test_interception_stops_taxi_boats_more_when_in_force(hand_world):
    launch = _launch([False, True, False, True], [0.1, 0.1, 0.6, 0.3])
    hw = hand_world({}, taxi_prevention_prob=0.19, at_sea_interception=0.0, at_sea_interception_gain=0.15)
    assert interception.stop_at_sea(0, hw.w, launch, hw.today(0)).tolist() == [False, True, False, False]
    assert hw.today(0).intercepted_at_sea == 0
    hw = hand_world({}, taxi_prevention_prob=0.19, at_sea_interception=1.0, at_sea_interception_gain=0.15)
    assert interception.stop_at_sea(0, hw.w, launch, hw.today(0)).tolist() == [False, True, False, True]  # 0.3 < 0.34
    assert interception.taxi_stop_probability(0.95, 1.0, 0.15) == 1.0


def test_people_intercepted_on_the_water_are_those_the_interception_adds(hand_world):
    """Four taxi boats carrying 1, 2, 3 and 4 people (draws 0.1, 0.25, 0.3, 0.5), taxi prevention
    0.19 raised by 0.15 to 0.34: boat 0 is stopped by the ordinary prevention, boats 1 and 2 by the
    interception on the water (2 + 3 = 5 people), boat 3 goes; with the gain at 0 nobody is
    intercepted on the water."""
    boat_of = np.array([0, 1, 1, 2, 2, 2, 3, 3, 3, 3])
    launch = smugglers.Launch(
        np.arange(10), boat_of, np.zeros(4, np.int64), np.ones(4, bool), np.array([0.1, 0.25, 0.3, 0.5])
    )
    hw = hand_world({}, taxi_prevention_prob=0.19, at_sea_interception=1.0, at_sea_interception_gain=0.15)
    stopped = interception.stop_at_sea(0, hw.w, launch, hw.today(0))
    assert stopped.tolist() == [True, True, True, False] and hw.today(0).intercepted_at_sea == 5
    hw = hand_world({}, taxi_prevention_prob=0.19, at_sea_interception=1.0, at_sea_interception_gain=0.0)
    assert interception.stop_at_sea(0, hw.w, launch, hw.today(0)).tolist() == [True, False, False, False]
    assert hw.today(0).intercepted_at_sea == 0


# --------------------------------------------------------------------------- rule 7: the crossing
def test_cross_sea_without_rescue_or_death_lands_everyone_not_stopped(hand_world):
    """Three boats of two: boat 1 stopped. Rows 2-3 (a re-crosser among them) stay in France
    prevented; the four others arrive (three of the returnable group, one of the other group);
    the network lost one boat."""
    hw = hand_world(
        {"group": [RETURNABLE, OTHER, OTHER, OTHER, RETURNABLE, RETURNABLE], "times_returned": [0, 1, 1, 0, 0, 0]},
        n_networks=2,
        rescue_to_france_prob=0.0,
        death_prob=0.0,
    )
    launch = smugglers.Launch(
        np.arange(6, dtype=np.int64), np.array([0, 0, 1, 1, 2, 2]), np.array([0, 1, 1]), np.zeros(3, bool), np.zeros(3)
    )
    today = hw.today(0)
    arrived = crossing.cross_sea(0, hw.w, launch, np.array([False, True, False]), today, hw.rng)
    assert arrived.tolist() == [0, 1, 4, 5]
    assert (today.arrivals, today.prevented, today.boats, today.recrossings, today.deaths) == (4, 2, 2, 1, 0)
    assert (today.arrivals_returnable, today.arrivals_protection, today.arrivals_other) == (3, 0, 1)
    assert hw.w.net.lost.tolist() == [0, 1]
    assert hw.w.memory.arrived.tolist() == [3.0, 0.0, 1.0]


def test_cross_sea_rescue_one_lands_everyone_back_in_france(hand_world):
    hw = hand_world({"state": [WAITING] * 4}, rescue_to_france_prob=1.0, death_prob=0.0)
    launch = _launch([False, False], [0.9, 0.9])
    launch = smugglers.Launch(
        np.arange(4, dtype=np.int64), np.array([0, 0, 1, 1]), launch.network, launch.is_taxi, launch.police_draw
    )
    today = hw.today(0)
    arrived = crossing.cross_sea(0, hw.w, launch, np.array([False, False]), today, hw.rng)
    assert len(arrived) == 0 and today.rescued == 4 and today.boats == 0
    assert (hw.p.state[:4] == WAITING).all()


def test_deaths_at_sea_grow_with_the_load(hand_world):
    hw = hand_world({"state": [WAITING] * 3}, rescue_to_france_prob=0.0, death_prob=1.0, death_crowding_exponent=0.0)
    launch = smugglers.Launch(
        np.arange(3, dtype=np.int64), np.zeros(3, np.int64), np.zeros(1, np.int64), np.zeros(1, bool), np.ones(1)
    )
    today = hw.today(0)
    arrived = crossing.cross_sea(0, hw.w, launch, np.array([False]), today, hw.rng)
    assert len(arrived) == 0 and today.deaths == 3 and (hw.p.state[:3] == DEAD).all()
    assert sorted(hw.leavers()) == [0, 1, 2]
    chance = crossing.death_probability(np.array([120.0, 60.0]), 0.1, 1.0)
    assert chance.tolist() == pytest.approx([0.2, 0.1])  # 0.1 x (120 / 60), 0.1 at the reference load
    rng = np.random.default_rng(0)
    dies = np.mean([crossing.dies_at_sea(rng, chance[0]) for _ in range(5000)])
    assert dies == pytest.approx(0.2, abs=0.02)
