"""The forecast registry and its scoring: ``deterrence-sim score-forecasts``.

Every forecast the project commits has a row in ``experiments/forecast/registry.csv``:

* ``id``: a short name; ``made_on``: the day the forecast was made; ``commit``: the commit of
  the code that made it (the registry's own history in git stamps when the row was committed);
* ``data_end``: the last day of data the forecast saw (its origin);
* ``period_start``, ``period_end``: the days it forecasts;
* ``files``: its draws (``forecast_draws.csv``, one row per run, columns ``arrivals YYYY-MM``),
  then any other files, separated by ``;``, as paths from the repository's root;
* ``command``: the command that made it.

:func:`score_registry` compares every registered forecast whose period has begun with the
observed monthly arrivals now in ``seeds/`` (complete months only), month by month and in total
over the months observed so far, with the scores of :mod:`deterrence_sim.forecasting.scores`, and flags a
forecast that was made after its period began (``made_on`` after ``period_start``) or that saw
data from its own period (``data_end`` on or after ``period_start``): such a forecast is scored,
but it is not evidence of forecasting skill.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from ..observed import data
from .. import resources, safeio
from . import scores
from ..errors import ConfigError

REGISTRY = "experiments/forecast/registry.csv"  # in the package's data
COLUMNS = ("id", "made_on", "commit", "data_end", "period_start", "period_end", "files", "command")
DATE_COLUMNS = ("made_on", "data_end", "period_start", "period_end")
DRAWS_FILE = "forecast_draws.csv"


def registry_path() -> Path:
    """The project's registry, as shipped with the package."""
    return resources.path(REGISTRY)


def read_registry(path: Path | None = None) -> pd.DataFrame:
    """The registry, checked: every column present, dates that parse, a period that ends after it
    begins, no id twice."""
    path = Path(path or registry_path())
    reg = safeio.read_csv(path, "forecast registry", COLUMNS).astype(str)
    for col in DATE_COLUMNS:
        for i, v in reg[col].items():
            try:
                dt.date.fromisoformat(v)
            except ValueError:
                raise ConfigError(
                    f"{safeio.shown(path)}: row {i + 1} ({reg.id[i]}): {col} {v!r} is not a date YYYY-MM-DD"
                ) from None
    if reg.id.duplicated().any():
        raise ConfigError(f"{safeio.shown(path)}: id {reg.id[reg.id.duplicated()].iloc[0]!r} is registered twice")
    bad = reg[reg.period_end < reg.period_start]
    if len(bad):
        raise ConfigError(f"{safeio.shown(path)}: {bad.id.iloc[0]}: period_end before period_start")
    return reg


def flags(row) -> list[str]:
    """What makes a registered forecast less than a forecast made before its period."""
    out = []
    if row["made_on"] > row["period_start"]:
        out.append(f"registered after its period began (made {row['made_on']}, period began {row['period_start']})")
    if row["data_end"] >= row["period_start"]:
        out.append(f"saw data from its own period (data to {row['data_end']})")
    if row["data_end"] > row["made_on"]:
        out.append(f"its data end {row['data_end']} is after the day it was made")
    return out


def draws_path(row, root: Path | None = None) -> Path:
    """The forecast's draws file, from the first ``files`` entry named ``forecast_draws.csv``."""
    files = [f.strip() for f in str(row["files"]).split(";") if f.strip()]
    named = [f for f in files if Path(f).name == DRAWS_FILE]
    if not named:
        raise ConfigError(f"forecast {row['id']}: no {DRAWS_FILE} among its files ({row['files']})")
    return (Path(root) / named[0]) if root is not None else resources.path(named[0])


def observed_complete_months() -> pd.Series:
    """Observed arrivals of every complete month in ``seeds/`` ('YYYY-MM')."""
    d = data.daily_arrivals()
    s = pd.Series(d["arrivals"], index=pd.to_datetime(d["date"]))
    m = s.groupby(s.index.to_period("M")).sum()
    last = d["date"][-1].astype(object)
    if (last + dt.timedelta(days=1)).day != 1:
        m = m.iloc[:-1]
    m.index = m.index.strftime("%Y-%m")
    return m.astype(float)


def score_forecast(row, observed: pd.Series, root: Path | None = None) -> list[dict]:
    """One row per observed month of the forecast's period, and one for their total."""
    path = draws_path(row, root)
    draws = safeio.read_csv(path, "forecast's draws file")
    cols = {c.split(" ", 1)[1]: c for c in draws.columns if c.startswith("arrivals ")}
    first, last = row["period_start"][:7], row["period_end"][:7]
    months = [m for m in sorted(cols) if first <= m <= last and m in observed.index]
    out = []
    for m in months:
        x = draws[cols[m]].to_numpy(float)
        out.append({"month": m, "observed": observed[m], **_quantiles(x), **scores.score_all(x, observed[m])})
    if len(months) > 1:
        x = draws[[cols[m] for m in months]].to_numpy(float).sum(axis=1)
        y = float(observed[months].sum())
        out.append({"month": f"{months[0]}..{months[-1]}", "observed": y, **_quantiles(x), **scores.score_all(x, y)})
    return out


def _quantiles(x: np.ndarray) -> dict:
    return {f"p{p:02d}": float(v) for p, v in zip((5, 50, 95), np.percentile(x, [5, 50, 95]))}


def score_registry(path: Path | None = None, out: Path | None = None, root: Path | None = None) -> dict:
    """Score every registered forecast whose period has begun; write ``scores.csv`` and
    ``scores.md`` into ``out`` (default: the registry's folder). ``root``: the folder the
    registry's file paths start from (default: the package's data, the repository's root)."""
    path = Path(path or registry_path())
    reg = read_registry(path)
    for _, row in reg.iterrows():
        p = draws_path(row, root)
        if not p.is_file():
            raise ConfigError(f"forecast {row['id']}: its draws file {safeio.shown(p)} is missing")
    out = safeio.prepare_output_dir(out or Path(path).parent)
    observed = observed_complete_months()
    data_end = str(data.daily_arrivals()["date"][-1])
    rows, notes = [], []
    for _, row in reg.iterrows():
        f = flags(row)
        if row["period_start"] > data_end:
            notes.append({"id": row["id"], "status": "period not begun", "flags": f})
            continue
        scored = score_forecast(row, observed, root)
        for r in scored:
            rows.append(
                {"id": row["id"], "made_on": row["made_on"], "data_end": row["data_end"], "flagged": bool(f), **r}
            )
        notes.append(
            {
                "id": row["id"],
                "status": f"{len([r for r in scored if '..' not in r['month']])} month(s) scored",
                "flags": f,
            }
        )
    table = pd.DataFrame(rows)
    safeio.write_csv(out / "scores.csv", table, float_format="%.6g")
    write_report(out / "scores.md", reg, table, notes, data_end)
    return {"table": table, "notes": notes, "data_end": data_end, "report": out / "scores.md"}


def write_report(path: Path, reg: pd.DataFrame, table: pd.DataFrame, notes: list[dict], data_end: str) -> None:
    L = [
        "# Scores of the registered forecasts",
        "",
        f"Every forecast in `registry.csv` whose period has begun, against the observed monthly arrivals (SB01) "
        f"in `seeds/`, data to {data_end} (complete months only). Made by `deterrence-sim score-forecasts`. CRPS in "
        "people (lower is better); PIT is the share of the forecast's draws below the observed figure; a flagged "
        "forecast was made after its period began or saw data from it, and is no evidence of skill.",
        "",
    ]
    for n in notes:
        row = reg[reg.id == n["id"]].iloc[0]
        L += [
            f"## {n['id']}: {row['period_start']} to {row['period_end']}, made {row['made_on']} on data to "
            f"{row['data_end']}",
            "",
            f"Status: {n['status']}.",
        ]
        L += [f"**Flagged: {x}.**" for x in n["flags"]]
        t = table[table.id == n["id"]] if len(table) else table
        if len(t):
            L += [
                "",
                "| months | observed | median | 90% interval | PIT | inside 90% | CRPS |",
                "|---|---|---|---|---|---|---|",
            ]
            for _, r in t.iterrows():
                L.append(
                    f"| {r.month} | {r.observed:,.0f} | {r.p50:,.0f} | {r.p05:,.0f}-{r.p95:,.0f} | {r.pit:.2f} | "
                    f"{'yes' if r.in90 else 'no'} | {r.crps:,.0f} |"
                )
        L.append("")
    safeio.write_text(path, "\n".join(L))
