"""The rolling-origin backtest: its origins and months, which fit each origin reuses, its measures,
and carrying on after an interruption."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deterrence_sim.forecasting import backtest as bt
from deterrence_sim.forecasting import baselines as bl

D = dt.date


def test_origins_every_month_end_and_months_as_the_data_allow():
    origins = bt.month_ends(bt.FIRST_ORIGIN, bt.LAST_ORIGIN)
    assert len(origins) == 32 and origins[0] == D(2023, 6, 30) and origins[-1] == D(2026, 1, 31)
    assert D(2024, 2, 29) in origins and D(2025, 12, 31) in origins
    assert bt.last_complete_month() == "2026-04"
    assert bt.scored_months(D(2025, 12, 31), "2026-04") == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert bt.scored_months(D(2026, 1, 31), "2026-04") == ["2026-02", "2026-03", "2026-04"]
    assert bt.scored_months(D(2024, 9, 30), "2026-04") == [
        "2024-10",
        "2024-11",
        "2024-12",
        "2025-01",
        "2025-02",
        "2025-03",
    ]


def test_each_origin_reuses_the_latest_fit_on_or_before_it():
    fits = {D(2023, 6, 30): Path("a"), D(2023, 12, 31): Path("b"), D(2025, 6, 30): Path("c")}
    assert bt.fit_for(D(2023, 6, 30), fits) == D(2023, 6, 30)
    assert bt.fit_for(D(2023, 11, 30), fits) == D(2023, 6, 30)
    assert bt.fit_for(D(2024, 5, 31), fits) == D(2023, 12, 31)
    # more than six months old: a fit is due at the half-year end before the origin
    assert bt.fit_for(D(2024, 7, 31), fits) == D(2024, 6, 30)
    assert bt.fit_for(D(2025, 1, 31), fits) == D(2024, 12, 31)
    assert bt.fit_for(D(2025, 7, 31), fits) == D(2025, 6, 30)
    assert bt.half_year_end(D(2024, 12, 31)) == D(2024, 12, 31) and bt.half_year_end(D(2024, 6, 29)) == D(2023, 12, 31)


def test_share_of_origins_and_coverage_measures():
    rows = []
    for o, (m, s, c) in {"2024-01-31": (5, 6, 7), "2024-02-29": (5, 4, 9), "2024-03-31": (3, 2, 4)}.items():
        for name, crps in zip(bt.FORECASTERS, (m, s, c)):
            rows.append(
                {
                    "origin": o,
                    "forecaster": name,
                    "horizon": 1,
                    "fit": "2023-12-31",
                    "crps": crps,
                    "log_score": crps / 10,
                    "pit": 0.5,
                    "in50": name == bt.MODEL,
                    "in80": True,
                    "in90": True,
                }
            )
    table = pd.DataFrame(rows)
    per = bt.origin_summary(table)
    assert list(per["model no worse (CRPS)"]) == [True, False, False]
    overall = bt.overall_measures(table, per)
    assert overall["share_model_no_worse_crps"] == pytest.approx(1 / 3)
    assert overall[f"share_model_no_worse_than {bl.BASELINES[0]}"] == pytest.approx(1 / 3)
    assert overall[f"share_model_no_worse_than {bl.BASELINES[1]}"] == pytest.approx(1.0)
    m = overall["forecasters"][bt.MODEL]
    assert m["crps"] == pytest.approx(13 / 3) and m["coverage_50"] == 1.0
    assert overall["forecasters"][bl.BASELINES[0]]["coverage_50"] == 0.0
    assert not overall["goal_share"] and not overall["goal_coverage"]  # 100% coverage of a 50% interval is off


class Stop(Exception):
    pass


def _small(out, **kw):
    return bt.backtest(
        out, draws=10, workers=1, first=D(2025, 12, 31), last=D(2026, 1, 31), late=False, log=lambda *a: None, **kw
    )


def test_resume_carries_on_after_an_interruption(tmp_path):
    def interrupt(origin):
        raise Stop(origin)

    with pytest.raises(Stop):
        _small(tmp_path / "cut", on_origin=interrupt)
    files = sorted((tmp_path / "cut" / bt.ORIGINS_DIR).glob("*.json"))
    assert [f.name for f in files] == ["2025-12-31.json"]  # the finished origin, whole
    assert not (tmp_path / "cut" / "backtest.md").exists()
    first = files[0].read_bytes()
    stamp = files[0].stat().st_mtime_ns
    seen = []
    res = _small(tmp_path / "cut", resume=True, on_origin=seen.append)
    assert seen == [D(2026, 1, 31)]  # only the origin left was run
    assert files[0].read_bytes() == first and files[0].stat().st_mtime_ns == stamp
    whole = _small(tmp_path / "whole")
    pd.testing.assert_frame_equal(res["table"], whole["table"])
    rec = json.loads((tmp_path / "whole" / bt.ORIGINS_DIR / "2025-12-31.json").read_text())
    assert rec["months"] == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert rec["observed"] == [933, 1276, 2232, 1975]
    assert rec["fit_origin"] == "2025-12-31" and set(rec["samples"]) == set(bt.FORECASTERS)
    assert np.array(rec["samples"][bt.MODEL]).shape == (10, 4)
    # with other settings, --resume keeps nothing
    again = []
    _small(tmp_path / "cut", resume=True, seed=5, on_origin=again.append)
    assert again == [D(2025, 12, 31), D(2026, 1, 31)]
    for name in ("backtest.md", "backtest.csv", "pit_histograms.png", "coverage.png", "crps_by_horizon.png"):
        assert (tmp_path / "whole" / name).stat().st_size > 0


@pytest.mark.parametrize(
    "args, needle",
    [
        (["--first-origin", "2026-04-30", "--last-origin", "2026-04-30"], "origin 2026-04-30: must be between"),
        (["--first-origin", "2023-05-31", "--last-origin", "2023-07-31"], "origin 2023-05-31: must be between"),
        (["--draws", "3"], "--draws 3 is out of range"),
    ],
)
def test_backtest_bad_input_is_one_line_before_any_work(args, needle, tmp_path, capsys):
    from deterrence_sim.cli import main

    assert main(["backtest", *args, "--out", str(tmp_path / "o")]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("deterrence-sim: error:") and needle in lines[0], lines
    assert not (tmp_path / "o").exists()
