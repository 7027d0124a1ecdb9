"""The observed data as the data module reads them: the 2026 figures the project's analyses rest on."""

import numpy as np

from deterrence_sim.observed import data


def _between(d, a, b):
    s = (d["date"] >= np.datetime64(a)) & (d["date"] <= np.datetime64(b))
    return int(d["arrivals"][s].sum()), int(d["boats"][s].sum())


def test_daily_arrivals_run_to_the_end_of_april_2026_with_the_published_totals():
    d = data.daily_arrivals()
    assert str(d["date"][0]) == "2018-01-01" and str(d["date"][-1]) == "2026-04-30"
    assert _between(d, "2026-01-01", "2026-04-30") == (6416, 100)  # SOURCES.md: 6,416 people in 100 boats
    assert _between(d, "2025-01-01", "2025-04-30")[0] == 11074
    assert _between(d, "2024-01-01", "2024-04-30")[0] == 7567
    months = [
        _between(d, a, b)[0]
        for a, b in (
            ("2026-01-01", "2026-01-31"),
            ("2026-02-01", "2026-02-28"),
            ("2026-03-01", "2026-03-31"),
            ("2026-04-01", "2026-04-30"),
        )
    ]
    assert months == [933, 1276, 2232, 1975]
    assert _between(d, "2025-01-01", "2025-12-31")[0] == 41472
    # no one arrived from 20 to 31 January 2026
    assert _between(d, "2026-01-20", "2026-01-31")[0] == 0


def test_weekly_preventions_run_to_the_week_ending_26_april_2026():
    w = data.weekly_preventions()
    assert str(w["week_ending"][-1]) == "2026-04-26"
    s = (w["week_ending"] >= np.datetime64("2026-01-04")) & (w["week_ending"] <= np.datetime64("2026-04-26"))
    prevented, arrived = w["prevented"][s].sum(), w["arrivals"][s].sum()
    assert round(100 * prevented / (prevented + arrived)) == 34  # SOURCES.md: 34% of attempts stopped in 2026


def test_pilot_returns_reach_june_2026():
    p = data.pilot_observations()
    by_date = dict(zip(p["date"].astype(str), p["returned"]))
    assert by_date["2026-01-27"] == 281 and by_date["2026-02-04"] == 305 and by_date["2026-06-10"] == 900
