"""Loading the observed data in ``seeds/`` (see ``seeds/SOURCES.md``), with clear errors.

Every loader checks the header and each line; a malformed file raises ConfigError naming the
file, the line and the problem. Results are cached per file.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import os
from pathlib import Path

import numpy as np

from .. import resources
from ..errors import ConfigError

DAILY = "small_boats_daily.csv"
WEEKLY = "small_boats_weekly_with_french_preventions.csv"
PILOT = "one_in_one_out_observations.csv"
EVENTS = "scheme_events.csv"
ALBANIA = "albania_analogue.csv"


def seeds_dir() -> Path:
    """Folder of observed data: ``$DETERRENCE_SIM_SEEDS`` or the package's copy of the repository's
    ``seeds/`` (found through :func:`deterrence_sim.resources.path`)."""
    env = os.environ.get("DETERRENCE_SIM_SEEDS")
    return Path(env) if env else resources.path("seeds")


def use_folder(folder: str | None) -> None:
    """Make every loader (and so the model's observed weather) read ``folder`` from now on, in
    this process (``None``: back to the default); used by forecasts, which read a copy of the data
    cut at their origin (``deterrence_sim.forecasting.forecast.data_up_to``), and by their worker processes."""
    if folder is None:
        os.environ.pop("DETERRENCE_SIM_SEEDS", None)
    else:
        os.environ["DETERRENCE_SIM_SEEDS"] = str(folder)
    for loader in (daily_arrivals, weekly_preventions, pilot_observations, albania_analogue):
        loader.cache_clear()


def _date(text):
    return dt.date.fromisoformat(text.strip())


def _int_or_none(text):
    text = text.strip()
    return None if text == "" else int(float(text))


def _int(text):
    value = int(float(text))
    if value < 0:
        raise ValueError("negative count")
    return value


def read_table(path: Path | str, columns: dict) -> dict[str, list]:
    """Read a CSV with the given columns ``{name: parser}``; extra columns are ignored.

    Raises ConfigError ``"<file>:<line>: <problem>"`` for a missing file, a missing column or a
    value a parser rejects.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(
            f"missing data file {path}; it ships in the repository's seeds/ folder "
            f"(or set DETERRENCE_SIM_SEEDS to the folder holding it)"
        )
    out = {name: [] for name in columns}
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise ConfigError(f"{path}:1: missing column(s) {', '.join(missing)}")
        for line, row in enumerate(reader, start=2):
            for name, parse in columns.items():
                raw = row.get(name)
                if raw is None:
                    raise ConfigError(f"{path}:{line}: row is too short (no value for {name})")
                try:
                    out[name].append(parse(raw))
                except (ValueError, TypeError):
                    raise ConfigError(f"{path}:{line}: {name} = {raw!r} is not valid") from None
    return out


@functools.cache
def daily_arrivals(folder: str | None = None) -> dict[str, np.ndarray]:
    """SB01: people and boats arriving each day, 2018-2025 (dates as numpy datetime64[D])."""
    t = read_table(
        Path(folder or seeds_dir()) / DAILY, {"date": _date, "migrants_arrived": _int, "boats_arrived": _int}
    )
    dates = np.array(t["date"], dtype="datetime64[D]")
    if len(dates) > 1 and np.any(np.diff(dates) != np.timedelta64(1, "D")):
        bad = int(np.flatnonzero(np.diff(dates) != np.timedelta64(1, "D"))[0]) + 3
        raise ConfigError(f"{Path(folder or seeds_dir()) / DAILY}:{bad}: dates must be consecutive days")
    return {"date": dates, "arrivals": np.array(t["migrants_arrived"]), "boats": np.array(t["boats_arrived"])}


@functools.cache
def weekly_preventions(folder: str | None = None) -> dict[str, np.ndarray]:
    """SB02: weekly arrivals and French preventions (NaN before the series starts in May 2024)."""
    t = read_table(
        Path(folder or seeds_dir()) / WEEKLY,
        {"week_ending": _date, "migrants_arrived": _int, "migrants_prevented": _int_or_none},
    )
    prevented = np.array([np.nan if v is None else v for v in t["migrants_prevented"]], dtype=float)
    return {
        "week_ending": np.array(t["week_ending"], dtype="datetime64[D]"),
        "arrivals": np.array(t["migrants_arrived"]),
        "prevented": prevented,
    }


@functools.cache
def pilot_observations(folder: str | None = None) -> dict[str, np.ndarray]:
    """The pilot's cumulative returns and admissions on each reported date, and the quality of
    each row (``reported`` or ``weak``)."""
    t = read_table(
        Path(folder or seeds_dir()) / PILOT,
        {
            "date": _date,
            "returned_to_france_cumulative": _int_or_none,
            "admitted_to_uk_cumulative": _int_or_none,
            "quality": str.strip,
        },
    )

    def none_nan(xs):
        return np.array([np.nan if v is None else v for v in xs], dtype=float)

    return {
        "date": np.array(t["date"], dtype="datetime64[D]"),
        "returned": none_nan(t["returned_to_france_cumulative"]),
        "admitted": none_nan(t["admitted_to_uk_cumulative"]),
        "quality": np.array(t["quality"]),
    }


@functools.cache
def albania_analogue(folder: str | None = None) -> dict[tuple[str, str, str], float]:
    """The UK-Albania episode of 2022-23 (``albania_analogue.csv``): each reported figure keyed by
    ``(measure, period_start, period_end)``, e.g. ``("albanian_small_boat_arrivals",
    "2023-01-01", "2023-03-31")`` -> 29."""
    path = Path(folder or seeds_dir()) / ALBANIA
    t = read_table(path, {"period_start": _date, "period_end": _date, "measure": str, "value": float})
    out = {}
    for start, end, measure, value in zip(t["period_start"], t["period_end"], t["measure"], t["value"]):
        out[(measure, start.isoformat(), end.isoformat())] = value
    return out


def observed_crossing_days(folder: str | None = None) -> dict[dt.date, bool]:
    """Each observed day mapped to whether anyone arrived (the proxy for a sea-viable day)."""
    d = daily_arrivals(folder)
    return dict(zip(d["date"].astype(object), (d["arrivals"] > 0).tolist()))


def weather_chain_from_daily(first_year: int = 2022, last_year: int = 2025, folder: str | None = None):
    """Estimate the monthly weather chain (calm_after_calm, calm_after_rough) from SB01."""
    d = daily_arrivals(folder)
    years = d["date"].astype("datetime64[Y]").astype(int) + 1970
    months = d["date"].astype("datetime64[M]").astype(int) % 12 + 1
    return chain_from_days(months, d["arrivals"] > 0, (years >= first_year) & (years <= last_year))


def chain_from_days(months: np.ndarray, calm: np.ndarray, sel: np.ndarray):
    """The monthly weather chain (calm_after_calm, calm_after_rough) from day-by-day crossing flags:
    ``months`` (1-12), ``calm`` and ``sel`` (the days counted) are 1-d, or 2-d with one run a row.
    The first day of each row has no day before it and is not counted."""
    months, calm, sel = np.atleast_2d(months), np.atleast_2d(calm), np.atleast_2d(sel).copy()
    prev = np.concatenate((np.zeros((len(calm), 1), bool), calm[:, :-1]), axis=1)
    sel[:, 0] = False
    cc, cr = [], []
    for m in range(1, 13):
        s = sel & (months == m)
        cc.append(round(float(calm[s & prev].sum() / max((s & prev).sum(), 1)), 3))
        cr.append(round(float(calm[s & ~prev].sum() / max((s & ~prev).sum(), 1)), 3))
    return tuple(cc), tuple(cr)


def observed_year(year: int, folder: str | None = None) -> dict:
    """Headline observed figures for one year: arrivals, monthly arrivals, crossing-day share,
    people per boat, prevented share (from SB02 where available)."""
    d = daily_arrivals(folder)
    years = d["date"].astype("datetime64[Y]").astype(int) + 1970
    s = years == year
    months = d["date"][s].astype("datetime64[M]").astype(int) % 12
    arrivals = d["arrivals"][s]
    out = {
        "arrivals": int(arrivals.sum()),
        "monthly_arrivals": np.bincount(months, weights=arrivals, minlength=12).astype(int).tolist(),
        "crossing_day_share": float((arrivals > 0).mean()),
        "people_per_boat": float(arrivals.sum() / max(d["boats"][s].sum(), 1)),
    }
    w = weekly_preventions(folder)
    wy = w["week_ending"].astype("datetime64[Y]").astype(int) + 1970
    ws = (wy == year) & ~np.isnan(w["prevented"])
    if ws.any():
        prevented = w["prevented"][ws].sum()
        out["prevented_share"] = float(prevented / (prevented + w["arrivals"][ws].sum()))
    return out
