"""The attribution (attribution.py, ``deterrence-sim attribute``): the parts add up, switching every
cause back leaves nothing to attribute, a cause off in both windows gets zero, bad input is refused
before any work, the result does not depend on the number of workers, --resume keeps finished
draws, and the waterfall shows the parts."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from deterrence_sim.analyses import attribution as at
from deterrence_sim import cli, params as parameters, scenario
from deterrence_sim.errors import ConfigError
from deterrence_sim.analyses.uncertainty import Uncertainty

SHORT = "2026-01-01:2026-01-10"  # a short window keeps the runs to about a year


def pilot_kwargs(window="2026-01-01:2026-04-30", draw=None):
    sc = scenario.load(at.SCENARIO)
    w = at.windows(window, "2025", sc.start)
    sc = sc.with_overrides(end=w.end, overrides={"weather_mode": "observed"})
    return at.draw_kwargs(sc, draw or {}), w


def causes(*names):
    return tuple(c for c in at.CAUSES if c.name in names)


# ------------------------------------------------------------------ the switches, without running
def test_removals_switched_back_means_the_pilot_never_ran():
    kw, w = pilot_kwargs()
    back = at.world(kw, frozenset(c.name for c in at.CAUSES) - {"removals"}, w)
    _c, d = parameters.build(at.world_values(back), dt.date(2025, 1, 1), 485)
    assert d.flights_per_week.max() == 0 and d.detention_capacity.max() == 0 and d.announced_intent.max() == 0
    assert d.legal_route_open[-1] == 1  # another cause's switch is left alone
    assert "replay" not in back


def test_switched_back_takes_the_against_windows_value_at_the_same_calendar_position():
    w = at.Windows(dt.date(2026, 1, 1), dt.date(2026, 4, 30), dt.date(2025, 1, 1), dt.date(2025, 4, 30))
    values = parameters.validate({"try_prob": {"2025-01-01": 0.1, "2025-03-01": 0.2, "2025-09-01": 0.9}})
    out = at.switched_back(values, ["try_prob"], w, dt.date(2025, 1, 1), 485)["try_prob"]
    assert out == {"2025-01-01": 0.1, "2025-03-01": 0.2, "2026-01-01": 0.1, "2026-03-01": 0.2}


def test_switching_every_cause_back_leaves_nothing_to_attribute():
    # in the world with every cause switched back, switching any of them back again changes nothing:
    # all 2^k worlds are the same run, and every cause's part is exactly zero
    kw, w = pilot_kwargs(draw=at.default_source().draw(3, 1))
    none = at.world(kw, frozenset(), w)
    keys, worlds = at.draw_plan(none, w)
    assert len(worlds) == 1
    v = dict.fromkeys(keys, 123.0)
    row = at.parts_of_draw(v, obs=100.0)
    assert all(row[c.name] == 0 for c in at.CAUSES)
    assert row[at.NOT_SWITCHED] == row[at.MODELLED] == 123.0


def test_a_cause_off_in_both_windows_is_one_world_less():
    # the default boat supply factor is 1 in both windows (no effect): its switch is no switch, and
    # the worlds with and without it are one run
    kw, w = pilot_kwargs()
    keys, worlds = at.draw_plan(kw, w)
    assert at.world_values(kw)["boat_supply_factor"] == 1.0
    for on in keys:
        assert keys[on | {"boat_supply"}] == keys[on - {"boat_supply"}]
    assert len(worlds) == 2 ** (len(at.CAUSES) - 2)  # the asylum reform's default factor is 1 too


def test_parts_of_a_known_game():
    names = [c.name for c in at.CAUSES]
    rng = np.random.default_rng(0)
    effect = {n: rng.normal(0, 100) for n in names}
    v = {on: 50.0 + sum(effect[n] for n in on) for on in at.all_subsets(names)}  # additive: no interaction
    row = at.parts_of_draw(v, obs=-1000.0)
    for n in names:
        assert row[n] == pytest.approx(effect[n]) == pytest.approx(row[f"last:{n}"]) == pytest.approx(row[f"alone:{n}"])
    assert row[at.NOT_SWITCHED] == 50.0
    assert sum(row[n] for n in names) + row[at.NOT_SWITCHED] + row[at.LEFT] == pytest.approx(-1000.0)


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "args, words",
    [
        (["--window", "2026-01-01:2026-05-31"], "outside the observed data"),
        (["--window", "2026-01-01..2026-04-30"], "write it as START:END"),
        (["--window", "2026-04-30:2026-01-01"], "end is before the start"),
        (["--against", "2017"], "no observed data"),
        (["--against", "last"], "give a year"),
        (["--against", "2026"], "must end before the window starts"),
        (["--seed", "-3"], "out of range"),
        (["--draws", "0"], "at least 1"),
    ],
)
def test_bad_input_one_line_exit_2_before_any_work(tmp_path, capsys, args, words):
    out = tmp_path / "out"
    assert _exit_code(["attribute", *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("deterrence-sim: error:") and words in err[0]
    assert not out.exists()


def _exit_code(argv):
    try:
        return cli.main(argv)
    except SystemExit as exc:  # argparse's own errors
        return exc.code


def test_bad_input_from_the_library():
    with pytest.raises(ConfigError, match="seed"):
        at.attribute(SHORT, "2025", draws=1, seed=-1)


# ------------------------------------------------------------------ real runs (small)
@pytest.fixture
def three_causes(monkeypatch):
    monkeypatch.setattr(at, "CAUSES", causes("removals", "weather", "boat_supply"))


def test_parts_sum_to_the_modelled_total_and_observed(tmp_path, three_causes):
    res = at.attribute(SHORT, "2025", draws=2, out=tmp_path, workers=1, seed=7, source=Uncertainty.fixed())
    d = res["draws"]
    names = [c.name for c in at.CAUSES]
    assert np.allclose(d[names].sum(axis=1) + d[at.NOT_SWITCHED], d[at.MODELLED])
    assert np.allclose(d[names].sum(axis=1) + d[at.NOT_SWITCHED] + d[at.LEFT], res["meta"]["observed"]["change"])
    assert np.allclose(d[at.MODELLED], d["window"] - d["against_window"])
    assert (d["boat_supply"] == 0).all()  # off in both windows with the defaults: exactly zero
    assert (d["weather"] != 0).any()
    t = res["table"].set_index("component")
    assert t.loc["observed", "effect_p50"] == res["meta"]["observed"]["change"]
    for f in ("attribution.md", "attribution.csv", "waterfall.png", "attribution_draws.csv"):
        assert (tmp_path / f).stat().st_size > 0
    csv = pd.read_csv(tmp_path / "attribution.csv")
    assert {"component", "effect_p05", "effect_p50", "effect_p95"} <= set(csv.columns)
    assert set(csv.loc[csv["kind"] == "part", "component"]) == {c.label for c in at.CAUSES} | {at.NOT_SWITCHED, at.LEFT}


def test_same_seed_same_result_whatever_the_workers_and_resume_keeps_draws(tmp_path, three_causes, monkeypatch):
    monkeypatch.setattr(at, "CAUSES", causes("removals", "weather"))
    one = at.attribute(SHORT, "2025", draws=2, out=tmp_path / "a", workers=1, seed=11)
    two = at.attribute(SHORT, "2025", draws=2, out=tmp_path / "b", workers=2, seed=11)
    pd.testing.assert_frame_equal(one["draws"], two["draws"])
    again = at.attribute(SHORT, "2025", draws=3, out=tmp_path / "b", workers=1, seed=11, resume=True)
    kw, w = pilot_kwargs(SHORT, at.default_source().draw(11, 2))
    assert again["meta"]["draws_kept"] == 2 and again["meta"]["runs_now"] == len(at.draw_plan(kw, w)[1])
    pd.testing.assert_frame_equal(again["draws"].iloc[:2], one["draws"])
    fresh = at.attribute(SHORT, "2025", draws=2, out=tmp_path / "b", workers=1, seed=11)  # no --resume: all redone
    assert fresh["meta"]["draws_kept"] == 0


# ------------------------------------------------------------------ the figure
def test_waterfall_shows_each_part_and_closes_on_the_observed_change():
    w = at.Windows(dt.date(2026, 1, 1), dt.date(2026, 4, 30), dt.date(2025, 1, 1), dt.date(2025, 4, 30))
    rows = [
        {
            "component": c.label,
            "kind": "part",
            "effect_p05": -300.0 * (k + 1),
            "effect_p50": -200.0 * (k + 1),
            "effect_p95": -100.0 * (k + 1),
            "effect_mean": -200.0 * (k + 1),
        }
        for k, c in enumerate(at.CAUSES)
    ]
    total = sum(r["effect_mean"] for r in rows)
    rows.append(
        {
            "component": at.LEFT,
            "kind": "part",
            "effect_p05": -500.0,
            "effect_p50": -4658.0 - total,
            "effect_p95": 0.0,
            "effect_mean": -4658.0 - total,
        }
    )
    rows.append(
        {
            "component": "observed",
            "kind": "observed",
            "effect_p05": -4658.0,
            "effect_p50": -4658.0,
            "effect_p95": -4658.0,
            "effect_mean": -4658.0,
        }
    )
    fig = at.waterfall_figure(pd.DataFrame(rows), w)
    ax = fig.axes[0]
    bars = ax.patches
    assert len(bars) == len(rows)
    heights = [b.get_height() for b in bars]
    assert heights == pytest.approx([r["effect_mean"] for r in rows])
    tops = [b.get_y() + b.get_height() for b in bars[:-1]]
    assert tops[-1] == pytest.approx(-4658.0) == pytest.approx(bars[-1].get_height())
    assert bars[1].get_y() == pytest.approx(tops[0])  # each part starts where the last ended
    labels = [t.get_text().replace("\n", " ") for t in ax.get_xticklabels()]
    assert labels[0].startswith("removals") and labels[-1] == "observed" and "weather" in labels
    assert "people" in ax.get_ylabel() and ax.get_xlabel()


def test_the_report_says_which_window_the_model_misses():
    """The unexplained part is named by its source: the model's arrivals in each window beside the
    observed ones. Here the model gets the window right and the against-window 40% too low."""
    w = at.Windows(dt.date(2026, 1, 1), dt.date(2026, 4, 30), dt.date(2025, 1, 1), dt.date(2025, 4, 30))
    per_draw = pd.DataFrame({"window": [6000.0, 6400.0, 6800.0], "against_window": [6500.0, 6700.0, 6900.0]})
    text = at.where_the_rest_is(per_draw, {"window": 6416, "against": 11074, "change": -4658}, w)
    assert "6,400" in text and "6,700" in text
    assert "miss by -16 and -4,374" in text
    assert text.endswith("model's miss of 2025-01-01..2025-04-30.")
