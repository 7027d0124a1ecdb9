"""The forecast registry: registered forecasts are scored against the data in seeds/, and a forecast
registered after its period began is flagged."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from deterrence_sim.forecasting import registry, scores
from deterrence_sim.errors import ConfigError


def write_forecast(root, name, months, draws):
    folder = root / name
    folder.mkdir(parents=True)
    df = pd.DataFrame({f"arrivals {m}": d for m, d in zip(months, draws)})
    df.insert(0, "run", range(len(df)))
    df.to_csv(folder / "forecast_draws.csv", index=False)
    return f"{name}/forecast_draws.csv"


def registry_file(root, rows):
    cols = registry.COLUMNS
    pd.DataFrame([dict(zip(cols, r)) for r in rows]).to_csv(root / "registry.csv", index=False)
    return root / "registry.csv"


@pytest.fixture
def three(tmp_path):
    rng = np.random.default_rng(0)
    months = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]
    draws = [rng.normal(1500, 300, 50) for _ in months]
    f = write_forecast(tmp_path, "a", months, draws)
    rows = [
        ("before", "2025-12-20", "abc1234", "2025-12-19", "2026-01-01", "2026-05-31", f, "cmd"),
        ("after", "2026-02-10", "abc1234", "2025-12-31", "2026-01-01", "2026-05-31", f, "cmd"),
        ("future", "2026-04-30", "abc1234", "2026-04-30", "2026-05-01", "2026-08-31", f, "cmd"),
    ]
    return tmp_path, registry_file(tmp_path, rows), months, draws


def test_registered_forecasts_are_scored_and_late_ones_flagged(three):
    root, path, months, draws = three
    res = registry.score_registry(path, out=root / "scores", root=root)
    notes = {n["id"]: n for n in res["notes"]}
    assert notes["before"]["flags"] == []
    assert len(notes["after"]["flags"]) == 1 and "registered after its period began" in notes["after"]["flags"][0]
    assert notes["future"]["status"] == "period not begun"  # the data end on 2026-04-30
    t = res["table"]
    assert (
        set(t.id) == {"before", "after"} and t[t.id == "after"].flagged.all() and not t[t.id == "before"].flagged.any()
    )
    mine = t[t.id == "before"].set_index("month")
    assert list(mine.index) == months[:4] + ["2026-01..2026-04"]  # May is not observed yet
    assert list(mine.observed) == [933, 1276, 2232, 1975, 6416]
    assert mine.loc["2026-02", "crps"] == pytest.approx(scores.crps_samples(draws[1], 1276))
    assert mine.loc["2026-01..2026-04", "pit"] == pytest.approx(scores.pit(np.sum(draws[:4], axis=0), 6416))
    text = (root / "scores" / "scores.md").read_text()
    assert "**Flagged: registered after its period began (made 2026-02-10, period began 2026-01-01).**" in text


def test_a_forecast_that_saw_its_own_period_is_flagged():
    row = {"made_on": "2026-01-05", "data_end": "2026-01-03", "period_start": "2026-01-01"}
    got = registry.flags(row)
    assert any("registered after" in f for f in got) and any("saw data from its own period" in f for f in got)


def test_the_projects_registry_scores_the_archived_forecast():
    reg = registry.read_registry()
    row = reg[reg.data_end == "2025-12-31"].iloc[0]
    assert row.period_start == "2026-01-01" and registry.flags(row)  # made in December 2026
    scored = registry.score_forecast(row, registry.observed_complete_months())
    total = scored[-1]
    assert total["month"] == "2026-01..2026-04" and total["observed"] == 6416
    assert round(total["p50"]) == 9184 and total["pit"] == pytest.approx(0.12, abs=0.01)


def test_a_bad_registry_is_one_clear_error(tmp_path):
    path = registry_file(tmp_path, [("x", "2026-13-01", "c", "2025-12-31", "2026-01-01", "2026-12-31", "f", "c")])
    with pytest.raises(ConfigError, match="made_on '2026-13-01' is not a date"):
        registry.read_registry(path)
