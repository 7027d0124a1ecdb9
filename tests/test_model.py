"""Behavioural tests of ChannelModel: accounting, caps, reproducibility, deterrence, inputs.

Runs are kept short (a few months around the pilot) and shared through module-scoped
fixtures; only the calibration and deterrence comparisons simulate whole years.
"""

from __future__ import annotations

import multiprocessing

import mesa
import numpy as np
import pandas as pd
import pytest

from deterrence_sim.agents import Migrant, add_batch, remove_batch
from deterrence_sim.errors import ConfigError
from deterrence_sim.model import ChannelModel
from deterrence_sim.population import ANSWER_ACCEPTED, DETAINED, FIRST_EXIT, RETURNED

PILOT_START, PILOT_END = "2025-08-01", "2025-12-31"
EXIT_TOTALS = ("in_uk_asylum", "admitted", "left_route", "dead")


def daily(model: ChannelModel) -> pd.DataFrame:
    """The model's daily output, indexed by date."""
    df = model.datacollector.get_model_vars_dataframe()
    df.index = pd.DatetimeIndex(pd.to_datetime(model.dates[: len(df)]), name="date")
    return df


def run(seed, **kwargs) -> pd.DataFrame:
    return daily(ChannelModel(rng=seed, **kwargs).run())


def migrant_ids(model) -> list[int]:
    return [a.unique_id for a in model.agents_by_type[Migrant]]


# --------------------------------------------------------------------------- shared runs
@pytest.fixture(scope="module")
def pilot_run():
    """Default parameters, 2025-08-01..12-31 (detention, flights, legal route all active),
    stepped day by day with a snapshot of the accounting after each step."""
    model = ChannelModel(rng=11, start=PILOT_START, end=PILOT_END)
    n_other_agents = len(model.agents) - len(model.agents_by_type[Migrant])
    snapshots = []

    def snapshot():
        t = model.totals
        inside = model.in_simulation()
        ids = migrant_ids(model)
        pop = model.population
        snapshots.append(
            {
                "day": model.day,
                "entered": t["initial"] + t["newcomers"],
                "accounted": sum(inside.values()) + sum(t[k] for k in EXIT_TOTALS),
                "in_simulation": sum(inside.values()),
                "n_migrant_agents": len(ids),
                "n_unique_ids": len(set(ids)),
                "ids_match_table": set(ids) == set(pop.pid[pop.state < FIRST_EXIT].tolist()),
                "n_other_agents": len(model.agents) - len(ids),
                "detained": inside["detained"],
            }
        )

    snapshot()
    while model.running:
        model.step()
        snapshot()
    return model, pd.DataFrame(snapshots), n_other_agents


# --------------------------------------------------------------------------- 1. conservation
def test_people_are_conserved_every_day(pilot_run):
    model, snaps, _ = pilot_run
    assert len(snaps) == model.n_days + 1
    assert (snaps["entered"] == snaps["accounted"]).all(), snaps.loc[snaps["entered"] != snaps["accounted"]]
    # the run did exercise every flow
    assert model.totals["removed"] > 0 and model.totals["admitted"] > 0 and model.totals["in_uk_asylum"] > 0
    assert model.totals["newcomers"] > 0 and model.totals["left_route"] > 0


def test_migrant_agents_match_people_in_simulation(pilot_run):
    model, snaps, n_other = pilot_run
    assert (snaps["n_migrant_agents"] == snaps["in_simulation"]).all()
    assert (snaps["n_unique_ids"] == snaps["n_migrant_agents"]).all()
    assert snaps["ids_match_table"].all()
    # the other agents (networks, UK, France, court) are never touched by batch removal
    assert (snaps["n_other_agents"] == n_other).all()
    assert n_other == model.c.n_networks + 3


def test_daily_output_balances(pilot_run):
    """The recorded daily flows and levels close the same balance as the totals."""
    model, _, _ = pilot_run
    df = daily(model)
    cum = df[["newcomers", "entered_asylum", "admitted_legal_route", "left_route", "deaths"]].cumsum()
    entered = model.totals["initial"] + cum["newcomers"]
    accounted = (
        df["waiting_in_france"]
        + df["applied_legal_route"]
        + df["detained"]
        + df["returned_in_france"]
        + cum["entered_asylum"]
        + cum["admitted_legal_route"]
        + cum["left_route"]
        + cum["deaths"]
    )
    pd.testing.assert_series_equal(entered, accounted, check_names=False)
    assert df["removed"].sum() == model.totals["removed"]


# --------------------------------------------------------------------------- 2. caps
def test_detention_never_exceeds_default_capacity(pilot_run):
    model, _snaps, _ = pilot_run
    df = daily(model)
    capacity = np.where(df.index >= pd.Timestamp("2025-08-06"), 100, 0)
    assert (df["detained"].to_numpy() <= capacity).all()
    assert df["detained"].max() == 100  # the cap binds, so the check has teeth


def test_detention_never_exceeds_small_capacity():
    df = run(3, start=PILOT_START, end="2025-10-31", detention_capacity=20)
    assert df["detained"].max() == 20
    assert (df["detained"] <= 20).all()


def test_removals_fit_on_the_flights():
    df = run(4, start=PILOT_START, end="2025-10-31", flights_per_week=7, seats_per_flight=5)
    assert (df["removed"] <= 5).all()
    assert df["removed"].max() == 5


def test_cumulative_removals_within_default_flight_seats(pilot_run):
    """Default 1.5 flights/week from 2025-09-15 and 2/week from 2025-12-01, 9 seats each."""
    model, _, _ = pilot_run
    df = daily(model)
    per_week = np.select(
        [df.index >= pd.Timestamp("2025-12-01"), df.index >= pd.Timestamp("2025-09-15")], [2.0, 1.5], 0.0
    )
    flights_so_far = np.floor(np.cumsum(per_week / 7.0) + 1e-9)
    assert (df["removed"].cumsum().to_numpy() <= flights_so_far * 9).all()
    assert df.loc[:"2025-09-14", "removed"].sum() == 0


@pytest.fixture(scope="module")
def capped_france():
    """france_weekly_cap=3: each day, the detained cases France has newly accepted."""
    model = ChannelModel(rng=5, start=PILOT_START, end="2025-11-30", france_weekly_cap=3)
    pop = model.population
    seen: set[tuple[int, int]] = set()  # (person, arrival day): a re-crosser's new case counts again
    accepted_per_day = []
    while model.running:
        t = model.day
        model.step()
        detained_ok = (pop.state == DETAINED) & (pop.answer == ANSWER_ACCEPTED)
        flown_today = (pop.state == RETURNED) & (pop.since == t)
        rows = np.flatnonzero(detained_ok | flown_today)
        cases = set(zip(pop.pid[rows].tolist(), pop.arrived_day[rows].tolist()))
        accepted_per_day.append(len(cases - seen))
        seen |= cases
    df = daily(model)
    df["accepted"] = accepted_per_day
    return df


def test_france_weekly_cap_limits_acceptances(capped_france):
    df = capped_france
    week = df.index - pd.to_timedelta(df.index.day_of_week, unit="D")  # the Monday of each date
    per_week = df["accepted"].groupby(week).sum()
    assert per_week.max() == 3, per_week
    assert (per_week <= 3).all()


def test_france_weekly_cap_bounds_cumulative_removals(capped_france):
    """Removals follow acceptances, so by the end of week k at most 3k people can have been removed
    (removals in a single week may exceed 3: people accepted earlier wait for a flight)."""
    df = capped_france
    week = df.index - pd.to_timedelta(df.index.day_of_week, unit="D")
    weeks_begun = pd.Series(pd.factorize(week)[0] + 1, index=df.index)
    assert (df["removed"].cumsum() <= 3 * weeks_begun).all()
    assert df["removed"].sum() <= df["accepted"].sum()
    assert df["removed"].sum() > 0


@pytest.mark.parametrize("ratio", [1.0, 2.0])
def test_parity_admissions_never_exceed_ratio_times_removals(ratio):
    """Admissions so far never exceed floor(ratio x removals up to the day before) (today's
    admissions come before today's flights), and the bound binds on days after removals began,
    so the check is not met trivially by 0 = 0. Applications are made faster and more often than
    by default, so that approved applicants wait for parity room (by default they rarely do)."""
    df = run(
        1,
        start=PILOT_START,
        end=PILOT_END,
        parity=True,
        parity_ratio=ratio,
        application_rate=0.2,
        legal_processing_days=15.0,
    )
    admitted = df["admitted_legal_route"].cumsum()
    removed_before = df["removed"].cumsum().shift(1, fill_value=0)
    bound = np.floor(ratio * removed_before)
    assert (admitted <= bound).all()
    binds = (admitted == bound) & (removed_before > 0) & (df["admitted_legal_route"] > 0)
    assert binds.sum() >= 3, df.loc[binds]
    assert admitted.iloc[-1] > 0


def test_without_parity_admissions_outrun_removals():
    """Contrast for the parity test: the bound comes from parity, not from a lack of applicants.
    Without parity, admissions so far run ahead of removals so far on some days (in 2025 the
    approved applicants come in bursts, while removals grow steadily with the flights).

    Run without the month-to-month inflow noise: one seed's month factors can leave the coast
    short of applicants in the autumn, which is not what this test is about."""
    df = run(1, start=PILOT_START, end=PILOT_END, parity=False, inflow_month_sd=0.0)
    cum = df[["admitted_legal_route", "removed"]].cumsum()
    assert (cum["admitted_legal_route"] > cum["removed"]).sum() >= 5


# --------------------------------------------------------------------------- 3. reproducibility
def test_same_seed_same_output(pilot_run):
    model, _, _ = pilot_run
    stepped = daily(model)
    again = run(11, start=PILOT_START, end=PILOT_END)
    assert stepped["people_per_boat"].isna().any()  # NaN days are compared too
    pd.testing.assert_frame_equal(stepped, again)


def test_different_seeds_differ(pilot_run):
    model, _, _ = pilot_run
    other = run(12, start=PILOT_START, end=PILOT_END)
    assert not daily(model).equals(other)
    assert not daily(model)["arrivals"].equals(other["arrivals"])


# --------------------------------------------------------------------------- 4. monotonicity
def _scaled(x: float) -> dict:
    return {
        "detention_capacity": {"2025-08-06": 100.0 * x},
        "flights_per_week": {"2025-09-15": 1.5 * x, "2025-12-01": 2.0 * x},
        "seats_per_flight": 9.0 * x,
        "france_weekly_cap": {"2025-08-06": 50.0 * x},
    }


def test_more_removal_capacity_never_lowers_removals():
    seeds = range(5)
    mean_removed = {
        x: np.mean([run(s, start=PILOT_START, end=PILOT_END, **_scaled(x))["removed"].sum() for s in seeds])
        for x in (1, 2, 5)
    }
    assert mean_removed[1] <= mean_removed[2] <= mean_removed[5], mean_removed
    assert mean_removed[5] > mean_removed[1], mean_removed


# --------------------------------------------------------------------------- 5. zero deterrence
# (the factor itself: tests/test_rules_people.py, test_zero_strength_leaves_every_choice_as_without_deterrence)
HIGH_REMOVALS = {
    "detention_capacity": {"2025-03-01": 5000.0},
    "flights_per_week": {"2025-03-01": 14.0},
    "seats_per_flight": 200.0,
    "france_weekly_cap": {"2025-03-01": 100000.0},
}
NO_REMOVALS = {"detention_capacity": 0.0}
# Returned people who go back to the coast add attempts mechanically (about +4% here), whatever
# anyone believes; switching re-crossing off isolates the effect of removals on decisions.
NO_RECROSSING = {"returnee_recross_daily": 0.0}


def _mean_attempts(seeds, strength, policy):
    totals, removed = [], []
    for s in seeds:
        df = run(s, deterrence_strength=strength, **NO_RECROSSING, **policy)
        totals.append(df["attempts"].sum())
        removed.append(df["removed"].sum())
    return float(np.mean(totals)), float(np.mean(removed))


def test_removals_do_not_change_attempts_without_deterrence():
    # 16 seeds: replicate i of both policies shares weather and newcomers, but their behaviour
    # draws part ways once removals start, so the ratio of two 8-seed means still varies by ~1.5%
    seeds = range(16)
    high, high_removed = _mean_attempts(seeds, 0.0, HIGH_REMOVALS)
    none, none_removed = _mean_attempts(seeds, 0.0, NO_REMOVALS)
    assert none_removed == 0 and high_removed > 5000
    assert abs(high / none - 1.0) < 0.02, (high, none)


def test_removals_cut_attempts_with_strong_deterrence():
    seeds = range(3)
    high, high_removed = _mean_attempts(seeds, 3.0, HIGH_REMOVALS)
    none, none_removed = _mean_attempts(seeds, 3.0, NO_REMOVALS)
    assert none_removed == 0 and high_removed > 0
    assert high < 0.9 * none, (high, none)


# --------------------------------------------------------------------------- 6. Mesa batch_run
def test_mesa_batch_run():
    """mesa.batch_run builds ChannelModel from its keyword arguments and runs it to ``end``: each
    row is the last day's figures of exactly the run made directly with the same seed."""
    method = multiprocessing.get_start_method(allow_none=True)
    try:
        rows = mesa.batch_run(
            ChannelModel,
            parameters={"deterrence_strength": [0.0, 2.0], "end": "2025-02-28"},
            rng=[7],
            max_steps=100,
            number_processes=1,
            display_progress=False,
        )
    finally:  # batch_run forces the "spawn" start method process-wide
        multiprocessing.set_start_method(method, force=True)
    assert sorted(r["deterrence_strength"] for r in rows) == [0.0, 2.0]
    for row in rows:
        assert row["Step"] == 59  # stopped at `end` (2025-01-01..02-28), before max_steps
        direct = ChannelModel(rng=7, end="2025-02-28", deterrence_strength=row["deterrence_strength"]).run()
        np.testing.assert_equal({name: row[name] for name in direct.today}, direct.today)  # NaN = NaN
        assert direct.today["waiting_in_france"] > 0


# --------------------------------------------------------------------------- 7. bad input
@pytest.mark.parametrize(
    ("kwargs", "must_mention"),
    [
        ({"unknown_param": 1}, ["unknown_param"]),
        ({"try_prob": 1.5}, ["try_prob", "[0, 1]"]),
        ({"try_prob": -0.1}, ["try_prob", "[0, 1]"]),
        ({"try_prob": "often"}, ["try_prob", "not a number"]),
        ({"flights_per_week": {"2025-13-01": 1}}, ["flights_per_week", "2025-13-01"]),
        ({"flights_per_week": {"2025-09-15": "lots"}}, ["flights_per_week", "not a number"]),
        ({"start": "2025-06-01", "end": "2025-05-31"}, ["end"]),
    ],
    ids=["unknown", "prob-high", "prob-low", "prob-text", "bad-date", "bad-value", "end-before-start"],
)
def test_bad_input_raises_one_line_config_error(kwargs, must_mention):
    with pytest.raises(ConfigError) as info:
        ChannelModel(rng=0, **kwargs)
    message = str(info.value)
    for text in must_mention:
        assert text in message, message
    assert "\n" not in message and message.strip() == message and message


def test_valid_edge_values_are_accepted_and_act():
    """Contrast for the bad-input tests: the range ends and a one-day run are fine, and act as
    they say: with leave_route_daily = 1 everyone on the coast leaves on the first day; with 0
    and try_prob = 1 nobody leaves, and on a crossing day people try."""
    gone = ChannelModel(rng=0, start="2025-06-01", end="2025-06-01", leave_route_daily=1.0).run()
    assert gone.n_days == 1
    assert gone.today["waiting_in_france"] == 0
    assert gone.today["left_route"] == gone.c.initial_waiting + gone.today["newcomers"]
    for seed in range(20):
        stay = ChannelModel(
            rng=seed,
            start="2025-06-01",
            end="2025-06-01",
            try_prob=1.0,
            leave_route_daily=0.0,
            flights_per_week={"2025-06-01": 1},
        ).run()
        assert stay.today["left_route"] == 0
        if stay.today["sea_viable"]:
            assert stay.today["attempts"] > 0
            break
    else:
        raise AssertionError("no crossing day among 20 seeds")


# --------------------------------------------------------------------------- 8. schedules
def test_flight_schedule_starts_removals_on_its_date():
    df = run(2, start=PILOT_START, end="2025-11-30", flights_per_week={"2025-09-15": 1.5})
    assert df.loc[:"2025-09-14", "removed"].sum() == 0
    assert df.loc[:"2025-09-14", "flights"].sum() == 0
    assert df.loc["2025-09-15":, "removed"].sum() > 0
    assert df.loc[:"2025-09-14", "detained"].max() > 0  # people were waiting for a flight


# --------------------------------------------------------------------------- 9. calibration
def test_default_2025_run_matches_headline_figures():
    figures = []
    for seed in range(20):
        df = run(seed, end="2025-12-31")
        by_nov20 = df.loc[:"2025-11-20"]
        figures.append(
            {
                "arrivals": df["arrivals"].sum(),
                "people_per_boat": df["arrivals"].sum() / df["boats"].sum(),
                "prevented_share": df["prevented"].sum() / (df["prevented"].sum() + df["arrivals"].sum()),
                "crossing_day_share": (df["arrivals"] > 0).mean(),
                "removed_by_nov20": by_nov20["removed"].sum(),
                "admitted_by_nov20": by_nov20["admitted_legal_route"].sum(),
            }
        )
    mean = pd.DataFrame(figures).mean()
    assert mean["arrivals"] == pytest.approx(41_472, rel=0.10), mean
    assert mean["people_per_boat"] == pytest.approx(61.7, rel=0.10), mean
    # observed 2025: 0.35 (SB02 weeks: 0.392 in H1, 0.312 in H2). The calibrated defaults give 0.39
    # (mean of 40 seeds, before and after the person-by-person day alike), high in H2 (posterior
    # median 0.353 in experiments/calibration/validation.md), so the tolerance is 0.05, not the
    # 0.04 at which the model's own mean sat.
    assert mean["prevented_share"] == pytest.approx(0.35, abs=0.05), mean
    assert 0.33 <= mean["crossing_day_share"] <= 0.47, mean
    assert 60 <= mean["removed_by_nov20"] <= 180, mean
    assert 40 <= mean["admitted_by_nov20"] <= 140, mean


# --------------------------------------------------------------------------- 10. batch registration
def test_add_batch_registers_like_mesa():
    model = ChannelModel(rng=0, start="2025-06-01", end="2025-06-01", initial_waiting=10)
    first = model.agent_id_counter
    n_all, n_migrants = len(model.agents), len(model.agents_by_type[Migrant])
    new = add_batch(model, Migrant, 5)
    assert [a.unique_id for a in new] == list(range(first, first + 5))
    assert all(isinstance(a, Migrant) and a.model is model for a in new)
    assert all(a in model.agents and a in model.agents_by_type[Migrant] for a in new)
    assert len(model.agents) == n_all + 5 and len(model.agents_by_type[Migrant]) == n_migrants + 5
    # Mesa's own registration carries on from the batch's ids
    after = Migrant(model)
    assert after.unique_id == first + 5

    remove_batch(model, new)
    assert not any(a in model.agents or a in model.agents_by_type[Migrant] for a in new)
    assert len(model.agents) == n_all + 1 and len(model.agents_by_type[Migrant]) == n_migrants + 1
    assert after in model.agents and after in model.agents_by_type[Migrant]


def test_add_batch_first_agents_of_a_type():
    model = ChannelModel(rng=0, start="2025-06-01", end="2025-06-01", initial_waiting=0)
    assert Migrant not in model.agents_by_type or len(model.agents_by_type[Migrant]) == 0
    first = model.agent_id_counter
    new = add_batch(model, Migrant, 3)
    assert [a.unique_id for a in new] == [first, first + 1, first + 2]
    assert set(model.agents_by_type[Migrant]) == set(new)
    assert all(a in model.agents for a in new)
    remove_batch(model, new)
    assert len(model.agents_by_type[Migrant]) == 0
    assert not any(a in model.agents for a in new)
    assert add_batch(model, Migrant, 0) == [] and len(model.agents_by_type[Migrant]) == 0


def test_day_of_people_joining_through_the_model_get_consecutive_ids():
    model = ChannelModel(rng=0, start="2025-08-10", end="2025-08-12")
    before = model.agent_id_counter
    model.step()
    joined = model.today["newcomers"]
    assert joined > 0
    assert model.agent_id_counter == before + joined
    pop = model.population
    assert pop.pid[-joined:].tolist() == list(range(before, before + joined))
    assert len(model.agents_by_type[Migrant]) == sum(model.in_simulation().values())


# --------------------------------------------------------------------------- 11. run() and the agents
def test_run_equals_stepping_day_by_day():
    """run() simulates the remaining days in one compiled call; the output, Mesa's clock, the
    unique ids handed out and the agents are those of calling step() once a day."""
    kwargs = {"rng": 21, "start": "2025-07-01", "end": "2025-10-31"}
    stepped = ChannelModel(**kwargs)
    while stepped.running:
        stepped.step()
    half = ChannelModel(**kwargs)  # stepped for a while, then run to the end
    for _ in range(40):
        half.step()
    half.run()
    whole = ChannelModel(**kwargs).run()
    for model in (half, whole):
        np.testing.assert_array_equal(model.figures, stepped.figures)
        pd.testing.assert_frame_equal(
            model.datacollector.get_model_vars_dataframe(), stepped.datacollector.get_model_vars_dataframe()
        )
        assert (model.steps, model.time, model.day) == (stepped.steps, stepped.time, stepped.day) == (123, 123, 123)
        step_schedule, stepped_schedule = model._default_schedule, stepped._default_schedule
        assert (step_schedule.next_scheduled_time, step_schedule.execution_count) == (124, 123)
        assert (stepped_schedule.next_scheduled_time, stepped_schedule.execution_count) == (124, 123)
        assert model.agent_id_counter == stepped.agent_id_counter
        assert sorted(migrant_ids(model)) == sorted(migrant_ids(stepped))
        assert not model.running
    assert stepped.datacollector._collection_steps == whole.datacollector._collection_steps


def test_run_moves_mesas_clock_at_once_when_nothing_else_is_due(monkeypatch):
    """With nothing but the daily step due, run() moves Mesa's clock to the end in one go
    (Mesa's step-by-step catch-up is not called), and the model steps on from there as if
    stepped day by day."""

    def no_run_for(duration):
        raise AssertionError("run() took Mesa's clock step by step")

    model = ChannelModel(rng=3, start="2025-03-01", end="2025-03-31")
    for _ in range(5):
        model.step()
    monkeypatch.setattr(model, "run_for", no_run_for)
    model.run()
    assert (model.steps, model.time, len(model.datacollector._collection_steps)) == (31, 31, 31)
    fired = []

    def fire():  # Mesa keeps a weak reference to an event's function
        fired.append((model.steps, model.time))

    model.schedule_event(fire, at=33.5)
    monkeypatch.undo()
    model.run_for(3)  # Mesa's clock after the run: steps 32 to 34, the event on the way
    assert fired == [(33, 33.5)] and (model.steps, model.time) == (34, 34)


def test_run_keeps_events_and_time_signals_inside_its_span():
    """An event due inside run()'s span runs at its time, after the day's step, and a subscriber
    to Mesa's time hears every day, as when the model is stepped day by day (the days are then
    already simulated: the event sees the clock, not the day's state). Each on its own: either
    alone must keep run() from moving the clock at once."""
    seen = {}
    for watch in ("event", "time"):
        for how in ("run", "step"):
            model = ChannelModel(rng=5, start="2025-05-01", end="2025-05-20")
            heard = []

            def event(m=model, e=heard):  # Mesa keeps weak references to these functions
                e.append((m.steps, m.time))

            def hear(signal, t=heard):
                t.append(signal.additional_kwargs["new"])

            if watch == "event":
                model.schedule_event(event, at=7)
            else:
                model.observe("time", "changed", hear)
            if how == "run":
                model.run()
            else:
                while model.running:
                    model.step()
            assert not model.running and (model.steps, model.time) == (20, 20)
            seen[watch, how] = heard, model.datacollector._collection_steps
        assert seen[watch, "run"] == seen[watch, "step"]
    assert seen["event", "run"][0] == [(7, 7)]
    assert seen["time", "run"][0] == [float(day) for day in range(1, 21)]


def test_run_calls_a_subclass_step_once_a_day():
    """A subclass that adds to step() has it called on every day run() covers."""

    class Counted(ChannelModel):
        def step(self):
            self.calls = getattr(self, "calls", 0) + 1
            super().step()

    model = Counted(rng=5, start="2025-05-01", end="2025-05-20").run()
    assert (model.calls, model.steps, model.time) == (20, 20, 20)


def test_agents_are_the_people_in_the_simulation_whenever_looked_at():
    """Mesa's agents are brought up to date when looked at: looking (or not) on any day changes
    nothing in the results, and each look finds exactly the people in the simulation, with
    the ids they were given on arrival, each agent kept from look to look while they stay."""
    kwargs = {"rng": 4, "start": "2025-08-15", "end": "2025-11-15"}
    unseen = ChannelModel(**kwargs).run()
    watched = ChannelModel(**kwargs)
    kept = {}
    for day in range(watched.n_days):
        watched.step()
        if day % 9 in (0, 4):  # look on some days only
            pop = watched.population
            inside = pop.state < FIRST_EXIT
            agents = {a.unique_id: a for a in watched.agents_by_type[Migrant]}
            assert set(agents) == set(pop.pid[inside].tolist())
            assert all(kept[uid] is agents[uid] for uid in set(kept) & set(agents))
            kept = agents
            sample = agents[int(pop.pid[np.flatnonzero(inside)[0]])]
            assert sample.state in ("waiting", "applied", "detained", "returned")
    np.testing.assert_array_equal(watched.figures, unseen.figures)
    assert sorted(migrant_ids(watched)) == sorted(migrant_ids(unseen))
    assert len(watched.agents) == len(unseen.agents)


def test_a_finished_model_is_freed():
    """A model and its agents refer to each other; once dropped, the garbage collector must be
    able to free them all (it cannot see into numpy object arrays, so agents are kept in a list).
    Sweeps build thousands of models in one process."""
    import gc
    import weakref

    model = ChannelModel(rng=2, start="2025-09-01", end="2025-10-31")
    for _ in range(20):
        model.step()
        len(model.agents)  # agents made, and some let go, on every day
    model.run()
    refs = [weakref.ref(model), weakref.ref(model.population), weakref.ref(next(iter(model.agents)))]
    del model
    gc.collect()
    assert all(r() is None for r in refs)
