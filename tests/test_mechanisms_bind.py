"""Whole-model checks in settings where each pilot mechanism binds: a short removal window,
re-crossing switched off and made frequent, legal challenges that always or never succeed, and
France accepting only the nationalities it can remove. (Parity at ratio 1 and 2:
tests/test_model.py.) Each run is a few months of the pilot at full scale.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from deterrence_sim.model import ChannelModel
from deterrence_sim.population import CHALLENGE_LOST, FIRST_EXIT, RETURNABLE

START, END = "2025-08-01", "2025-11-30"


def run(seed=3, **params) -> ChannelModel:
    return ChannelModel(rng=seed, start=START, end=END, **params).run()


def daily(model) -> pd.DataFrame:
    return model.datacollector.get_model_vars_dataframe()


def test_people_are_conserved_when_the_removal_window_runs_out():
    """A 10-day window with few flights: most of the detained run out of time. Every day,
    everyone who entered is in France, detained, or in one exit (the figures balance)."""
    model = run(removal_window_days=10, flights_per_week={"2025-09-15": 0.5})
    df = daily(model)
    cum = df[["newcomers", "entered_asylum", "admitted_legal_route", "left_route", "deaths"]].cumsum()
    inside = df["waiting_in_france"] + df["applied_legal_route"] + df["detained"] + df["returned_in_france"]
    exits = cum["entered_asylum"] + cum["admitted_legal_route"] + cum["left_route"] + cum["deaths"]
    pd.testing.assert_series_equal(model.c.initial_waiting + cum["newcomers"], inside + exits, check_names=False)
    # the window binds: far more leave detention for asylum than are removed
    detentions, removed = df["detentions"].sum(), df["removed"].sum()
    assert detentions > 5 * removed > 0
    pop = model.population
    assert int((pop.state < FIRST_EXIT).sum()) == int(inside.iloc[-1])


@pytest.mark.parametrize("rate", [0.0, 0.05])
def test_recrossing_by_returnees(rate):
    model = run(returnee_recross_daily=rate)
    df = daily(model)
    assert df["removed"].sum() > 50
    if rate == 0:
        assert df["recrossings"].sum() == 0
    else:
        assert df["recrossings"].sum() >= 10
        assert (model.population.times_returned >= 1).sum() > df["returned_in_france"].iloc[-1]


@pytest.mark.parametrize("success", [0.0, 1.0])
def test_legal_challenges_that_always_or_never_succeed(success):
    model = run(challenge_prob=0.8, challenge_success_prob=success)
    df = daily(model)
    assert df["legal_challenges_filed"].sum() > 100
    lost = int((model.population.challenge == CHALLENGE_LOST).sum())
    if success == 0:
        assert df["legal_challenges_won"].sum() == 0 and lost > 0
    else:
        assert df["legal_challenges_won"].sum() > 50 and lost == 0
        # everyone removed had no challenge, or none pending: nobody with a challenge is flown
        removed = model.population.times_returned > 0
        assert not (model.population.challenge[removed] != 0).any()


def test_france_accepting_only_returnable_nationalities():
    model = run(france_accept_returnable=1.0, france_accept_other=0.0)
    pop = model.population
    removed = pop.times_returned > 0
    assert removed.sum() > 20
    assert (pop.group[removed] == RETURNABLE).all()
    assert np.unique(pop.group).size == 3  # others did reach the UK
