"""The interactive view (``app.py``): its model follows the controls, its charts show what the
model did with dates and units, and, in a real browser (Debian's Chromium driven by Playwright),
``./dsim app`` renders every panel offline, steps, plays, restarts with new settings, rejects a
bad seed and gives each browser session its own model."""

from __future__ import annotations

import datetime as dt
import re
import sys
import time
from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
import pytest

pytest.importorskip("solara", reason="the app needs the 'app' extra (./dsim sets it up)")
import solara

from deterrence_sim import app, app_panels, params
from deterrence_sim.model import ChannelModel

sys.path.insert(0, str(Path(__file__).resolve().parent))
import browser  # (tests/browser.py: the app in Chromium, shared with benchmarks/bench_app.py)

ARTIFACTS = browser.ROOT / "results" / "test-artifacts"


# ------------------------------------------------------------------------------------ the controls
def test_levers_take_their_ranges_and_starting_values_from_params_and_the_scenario():
    for lever in app.LEVERS:
        p = params.PARAMS[lever.name]
        assert lever.low == p.low and lever.high <= p.high, lever.name
    pilot = app.scenario_levels("pilot")
    # the pilot extends the calibrated set, which is the model's default: the sliders start there
    assert pilot["deterrence_strength"] == params.PARAMS["deterrence_strength"].default
    assert pilot["returnee_recross_daily"] == params.PARAMS["returnee_recross_daily"].default
    assert pilot["flights_per_week"] == 4.0 and pilot["detention_capacity"] == 200.0  # in force on 2026-07-01
    x5 = app.scenario_levels("rampup_x5")
    assert (x5["flights_per_week"], x5["detention_capacity"], x5["france_weekly_cap"]) == (20.0, 1000.0, 250.0)


def test_app_model_is_its_scenario_until_a_lever_moves():
    a = app.AppModel("pilot", rng="7")
    b = ChannelModel(rng=7, **app.scenario_kwargs("pilot"))
    assert a.dates[-1] == app.APP_END
    for _ in range(40):
        a.step()
        b.step()
    np.testing.assert_array_equal(a.figures, b.figures)


def test_policy_levers_hold_from_the_ramp_up_date_and_people_levers_for_the_whole_run():
    base = app.AppModel("pilot")
    moved = app.AppModel(
        "pilot", flights_per_week=12.0, detention_capacity=900.0, deterrence_strength=1.5, returnee_recross_daily=0.004
    )
    cut = (app.LEVERS_FROM - app.APP_START).days
    for name, value in (("flights_per_week", 12.0), ("detention_capacity", 900.0)):
        np.testing.assert_array_equal(getattr(moved.daily, name)[:cut], getattr(base.daily, name)[:cut])
        assert np.all(getattr(moved.daily, name)[cut:] == value)
    assert np.all(moved.daily.deterrence_strength == 1.5)
    assert moved.c.returnee_recross_daily == 0.004
    # a lever moved in a scenario whose schedule starts later keeps the baseline before it
    no_deal = app.AppModel("no_deal", flights_per_week=5.0)
    assert no_deal.daily.flights_per_week[0] == 0 and no_deal.daily.flights_per_week[-1] == 5.0
    with pytest.raises(ValueError, match="not a lever"):
        app.AppModel("pilot", seats_per_flight=20)


@pytest.mark.parametrize("text", ["abc", "-1", "1.5", "", " ", "1e3"])
def test_seed_box_rejects_what_is_not_a_whole_number(text):
    with pytest.raises(ValueError, match="whole number, 0 or more"):
        app.parse_seed(text)


def test_seed_box_refuses_a_seed_no_command_takes():
    with pytest.raises(ValueError, match="out of range; a seed is a whole number from 0 to"):
        app.parse_seed(str(2**63))
    assert app.parse_seed(str(2**63 - 1)) == 2**63 - 1


def test_seed_box_takes_whole_numbers():
    assert app.parse_seed(" 7 ") == 7 and app.parse_seed("0") == 0


# ------------------------------------------------------------------------------------ the charts
@pytest.fixture(scope="module")
def late_2025():
    model = app.AppModel("rampup_x10", rng=3)
    for _ in range(480):  # to 2026-04-25: the pilot, then the ramp-up
        model.step()
    return model, app.daily_frame(model)


def _draw(fig):
    fig.canvas.draw()
    return fig


def test_monthly_bars_sit_on_their_month_and_removals_have_their_own_axis(late_2025):
    model, df = late_2025
    fig = _draw(app_panels.monthly_figure(model, df))
    top, bottom = fig.axes
    monthly = df[["arrivals", "removed"]].resample("MS").sum()
    bars = top.patches
    assert len(bars) == len(monthly)
    for bar, (month, row) in zip(bars, monthly.iterrows()):
        left = mdates.num2date(bar.get_x()).date()
        assert left == month.date(), "a month's bar starts on the 1st"
        assert bar.get_width() == pytest.approx(month.days_in_month)
        assert bar.get_height() == row["arrivals"]
    removed = [b.get_height() for b in bottom.patches[: len(monthly)]]
    assert removed == list(monthly["removed"]) and max(removed) > 0
    assert bottom.get_ylim()[1] < top.get_ylim()[1] / 5, "removals are not drawn on the arrivals' scale"
    assert "people/month" in top.get_ylabel() and "people/month" in bottom.get_ylabel()
    _dates_on_x(bottom)


def _dates_on_x(ax, labelled=True):
    """The x axis is the run's dates, labelled (on the bottom axes) with months or years."""
    lo, hi = (mdates.num2date(v).date() for v in ax.get_xlim())
    assert lo == app.APP_START and hi == app.APP_END + dt.timedelta(days=1)
    if not labelled:
        return
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert labels and all(
        re.fullmatch(r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|20\d\d)", t) for t in labels
    ), labels


def test_every_chart_has_dates_units_and_its_data_inside_the_axes(late_2025):
    model, df = late_2025
    for draw in app.CHART_PANELS:
        fig = _draw(draw(model, df))
        for ax in fig.axes:
            assert re.search(r"\(.+\)", ax.get_ylabel()), f"{draw.__name__}: the y axis names its unit"
            _dates_on_x(ax, labelled=ax is fig.axes[-1])
            x0, x1 = ax.get_xlim()
            y0, y1 = ax.get_ylim()
            for line in ax.get_lines():
                x, y = mdates.date2num(line.get_xdata()), np.asarray(line.get_ydata(), dtype=float)
                assert len(x) and np.all((x >= x0) & (x <= x1)) and np.all((y >= y0) & (y <= y1))


def test_people_per_boat_is_an_unbroken_line_of_plausible_loads(late_2025):
    model, df = late_2025
    fig = app_panels.smugglers_figure(model, df)
    load = np.asarray(fig.axes[0].get_lines()[0].get_ydata(), dtype=float)
    assert len(load) > 0.9 * len(df) and np.all(np.isfinite(load))
    assert np.all((load >= 20) & (load <= params.PARAMS["people_per_boat_max"].default))


def test_belief_spread_counts_the_waiting_migrant_agents(late_2025):
    model, _ = late_2025
    beliefs = app.waiting_beliefs(model)
    assert len(beliefs) == model.in_simulation()["waiting"] and beliefs.max() > 0
    fig = app.belief_spread_figure(beliefs)
    assert sum(p.get_height() for p in fig.axes[0].patches) == len(beliefs)


def test_totals_and_status_say_what_the_model_did(late_2025):
    model, df = late_2025
    html = app.totals_html(model, df)
    assert f"{int(df['arrivals'].sum()):,}</td>" in html and f"{model.totals['removed']:,}</td>" in html
    assert "Sat 25 Apr 2026" in app.status_text(model) and "day 480 of 1,095" in app.status_text(model)


# ------------------------------------------------------------------------------------ in a browser
@pytest.fixture(scope="module")
def served_app(tmp_path_factory):
    """``./dsim app`` on a free port, started with HOST=0.0.0.0 in its environment."""
    if not browser.CHROMIUM.exists():
        pytest.skip(browser.NO_CHROMIUM)
    pytest.importorskip("playwright", reason="the browser test needs playwright (the 'dev' extra)")
    with browser.served_app(tmp_path_factory.mktemp("app") / "app.log", env={"HOST": "0.0.0.0"}) as served:
        yield served


def test_app_in_a_real_browser(served_app, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    port, proc, log = served_app
    assert browser.listening_addresses(port) == {"127.0.0.1"}, "the app listens beyond 127.0.0.1 although HOST=0.0.0.0"
    url = f"http://127.0.0.1:{port}/"
    with sync_playwright() as pw:
        context = browser.fresh_chromium(pw, tmp_path / "profile")
        try:
            one = browser.Session(context, url)
            assert browser.N_CHARTS == len(app.CHART_PANELS) + 1 and len(one.charts()) >= browser.N_CHARTS
            assert one.day() == 0 and "PAGE 0" not in one.text().upper() and "Use Threads" not in one.text()
            before = one.chart_hashes()

            one.button("Step 1 day").click()
            one.wait_for_day(lambda d: d == 1)
            assert "Wed 01 Jan 2025" in one.text()

            one.button("Play").click()
            one.wait_for_day(lambda d: d >= 120, timeout_s=90)
            one.button("Pause").click()
            paused_at = one.wait_until_still()  # the frame under way is finished, then no more
            time.sleep(3.0)
            assert one.day() == paused_at, "Pause stops the run"
            assert not re.search(r"\bWed 01 Jan 2025\b", one.text())
            after = one.chart_hashes()
            assert sum(a != b for a, b in zip(before, after)) >= len(app.CHART_PANELS), "the charts did not change"
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            one.page.screenshot(path=str(ARTIFACTS / "app.png"), full_page=True)

            # a second session starts its own run; its steps leave the first alone
            two = browser.Session(context, url)
            assert two.day() == 0
            two.button("Step 1 day").click()
            two.wait_for_day(lambda d: d == 1)
            time.sleep(1.0)
            assert one.day() == paused_at and two.day() == 1

            # a slider shows its value; a change waits, visibly, for Apply, which restarts the run
            flights = one.slider("Removal flights per week")
            flights.focus()
            for _ in range(6):
                flights.press("ArrowRight")
            one.page.wait_for_selector("text=Removal flights per week: 7")  # 4 (the pilot on 2026-07-01) + 6 x 0.5
            one.page.wait_for_selector("text=Settings changed")
            assert one.day() == paused_at
            one.button("Apply and restart").click()
            one.page.wait_for_selector("text=Restarted from 1 Jan 2025", timeout=30_000)
            one.page.wait_for_function("() => !document.body.innerText.includes('Settings changed')")
            one.wait_for_day(lambda d: d == 0)

            # the seed box refuses what is not a seed, and says why
            seed = one.page.get_by_label("Random seed (a whole number, 0 or more)")
            for bad in ("abc", "-1"):
                seed.fill(bad)
                one.page.wait_for_selector(f"text=the seed must be a whole number, 0 or more (not '{bad}')")
                expect(one.button("Apply and restart")).to_be_disabled()  # (waits: widgets update one by one)
            seed.fill("7")
            one.page.wait_for_function("() => !document.body.innerText.includes('the seed must be')")
            one.button("Apply and restart").click()
            one.page.wait_for_selector("text=seed 7")
            assert two.day() == 1, "one session's restart moved the other"
            assert not one.problems and not two.problems, one.problems + two.problems
        finally:
            context.close()
    assert proc.poll() is None, log.read_text()[-2000:]


def test_app_listens_beyond_127_0_0_1_only_when_told_on_the_command_line(tmp_path):
    if not Path("/proc/net/tcp").exists():
        pytest.skip("reads the listening sockets from /proc/net/tcp (Linux)")
    with browser.served_app(tmp_path / "app.log", args=["--host", "0.0.0.0"]) as (port, _, _):
        assert browser.listening_addresses(port) == {"0.0.0.0"}


def test_page_says_it_is_compiling_and_holds_step_and_play_until_ready(monkeypatch):
    import threading

    import ipyvuetify

    from deterrence_sim import compiling

    never = threading.Event()
    monkeypatch.setattr(compiling, "is_ready", lambda: False)
    monkeypatch.setattr(compiling, "start_in_background", lambda announce=None: never)
    _, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)  # the sidebar needs a layout
    try:
        alerts = [" ".join(str(c) for c in w.children) for w in rc.find(ipyvuetify.Alert).widgets]
        assert any(compiling.COMPILING_MESSAGE.capitalize() in a for a in alerts), alerts
        buttons = [w for w in rc.find(ipyvuetify.Btn).widgets if w.children and w.children[0] in ("Step 1 day", "Play")]
        assert len(buttons) == 2 and all(b.disabled for b in buttons)
    finally:
        never.set()
        rc.close()
