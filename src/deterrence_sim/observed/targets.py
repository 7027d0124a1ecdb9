"""The observed targets of calibration and validation, and their simulated counterparts.

One place defines what the model is compared with, so that ``deterrence-sim calibrate`` fits
exactly what ``deterrence-sim validate`` reports. A :class:`TargetSet` is built for a simulated
window (``start`` to ``end``) and a data cut-off (``fit_end``: only observations whose period
ends on or before it are used, which is how the held-out fit hides the second half of 2025).

Targets (all from ``seeds/``, see ``seeds/SOURCES.md``):

==============  ============================================================  =========================
group           what                                                          scale of one unit of error
==============  ============================================================  =========================
``yearly``      arrivals per calendar year (SB01)                             3% of the observed value
``monthly``     arrivals per month (SB01)                                     15% of observed + 100
``ppb``         people per arriving boat, per quarter (SB01)                  2.5 people
``prevented``   French preventions / (preventions + arrivals), SB02 weeks,    0.03
                per period (2024 from May, 2025 H1, 2025 H2, 2026 to April)
``attempts``    attempts (arrivals + French preventions) per month, SB02      15% of observed + 100
                weeks counted in the month of their last day (2024-05 on)
``returns``     pilot: cumulative returns to France on each reported date     12% of observed + 8
``admissions``  pilot: cumulative admissions to the UK on each reported date  12% of observed + 8
                (a row whose quality is ``weak`` counts with twice the scale,
                24% + 16: kept, but trusted half as much)
``recrossings`` re-crossings by returnees up to 2025-11-30 (2 observed)       1.5
==============  ============================================================  =========================

The distance between simulated and observed targets is a weighted root mean square of the
standardised differences ``z = (sim - obs) / scale``: the mean of ``z^2`` is taken within each
group, and the groups are weighted (yearly 3, monthly 2, the others 1, re-crossings 0.5), so that
36 monthly values do not drown three yearly ones. The joint fit (:mod:`deterrence_sim.calibration.joint`)
reads the same targets, but as summaries for its regression rather than through this distance. A distance of 1 means "off by about one scale
unit on average".
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np

from . import data

GROUP_WEIGHTS = {
    "yearly": 3.0,
    "monthly": 2.0,
    "ppb": 1.0,
    "prevented": 1.0,
    "attempts": 1.0,
    "returns": 1.0,
    "admissions": 1.0,
    "recrossings": 0.5,
}
#: Periods of the prevented-share targets (SB02 weeks whose last day falls inside).
PREVENTED_PERIODS = (
    ("2024", "2024-01-01", "2024-12-31"),
    ("2025H1", "2025-01-01", "2025-06-30"),
    ("2025H2", "2025-07-01", "2025-12-31"),
    ("2026", "2026-01-01", "2026-12-31"),
)
#: A pilot row of this quality counts with its scale multiplied by WEAK_SCALE.
WEAK_SCALE = 2.0
RECROSSINGS_OBSERVED = 2  # EVENTS: 2025-10-18 and 2025-11-10
RECROSSINGS_BY = dt.date(2025, 11, 30)
#: Daily output columns a target needs.
NEEDED_COLUMNS = ("arrivals", "boats", "prevented", "removed", "admitted_legal_route", "recrossings")


@dataclasses.dataclass
class Target:
    """One observed figure and how to read its simulated counterpart from daily output."""

    name: str
    group: str
    observed: float
    scale: float
    kind: str  # sum | ratio | share | cumulative
    days: np.ndarray  # indices of the simulated days it covers
    column: str = "arrivals"


def _to_date(x) -> dt.date:
    return x.astype("datetime64[D]").astype(object) if isinstance(x, np.datetime64) else x


class TargetSet:
    """The observed targets that fall inside a simulated window and before ``fit_end``."""

    def __init__(self, start="2023-01-01", end="2026-01-31", fit_end=None, folder: str | None = None):
        self.start = dt.date.fromisoformat(str(start))
        self.end = dt.date.fromisoformat(str(end))
        self.fit_end = dt.date.fromisoformat(str(fit_end)) if fit_end else self.end
        n = (self.end - self.start).days + 1
        self.dates = np.arange(np.datetime64(self.start), np.datetime64(self.start) + np.timedelta64(n, "D"))
        self.targets: list[Target] = []
        self._build(folder)
        self.names = [t.name for t in self.targets]
        self.groups = np.array([t.group for t in self.targets])
        self.observed = np.array([t.observed for t in self.targets], dtype=float)
        self.scales = np.array([t.scale for t in self.targets], dtype=float)
        counts = {g: int((self.groups == g).sum()) for g in GROUP_WEIGHTS}
        total = sum(GROUP_WEIGHTS[g] for g, c in counts.items() if c)
        # weight of each target's z^2: its group's weight shared among the group's members
        self.weights = np.array([GROUP_WEIGHTS[t.group] / counts[t.group] / total for t in self.targets])

    # ------------------------------------------------------------------ building
    def _days(self, first: dt.date, last: dt.date) -> np.ndarray | None:
        """Indices of first..last, or None when the period is not wholly simulated and observed."""
        if first < self.start or last > self.end or last > self.fit_end:
            return None
        a = (first - self.start).days
        return np.arange(a, a + (last - first).days + 1)

    def _add(self, name, group, observed, scale, kind, days, column="arrivals"):
        if days is not None and np.isfinite(observed):
            self.targets.append(Target(name, group, float(observed), float(scale), kind, days, column))

    def _build(self, folder):
        sb = data.daily_arrivals(folder)
        dates, arr, boats = sb["date"], sb["arrivals"], sb["boats"]
        first_obs, last_obs = _to_date(dates[0]), _to_date(dates[-1])

        def observed_between(a, b):
            s = (dates >= np.datetime64(a)) & (dates <= np.datetime64(b))
            return arr[s].sum(), boats[s].sum()

        for year in range(self.start.year, self.end.year + 1):
            a, b = dt.date(year, 1, 1), dt.date(year, 12, 31)
            if a >= first_obs and b <= last_obs:
                obs = observed_between(a, b)[0]
                self._add(f"arrivals {year}", "yearly", obs, 0.03 * obs, "sum", self._days(a, b))
        month = dt.date(self.start.year, self.start.month, 1)
        while month <= self.end:
            nxt = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
            last = nxt - dt.timedelta(days=1)
            if month >= first_obs and last <= last_obs:
                obs = observed_between(month, last)[0]
                self._add(f"arrivals {month:%Y-%m}", "monthly", obs, 0.15 * obs + 100, "sum", self._days(month, last))
            month = nxt
        for year in range(self.start.year, self.end.year + 1):
            for q in range(4):
                a = dt.date(year, 3 * q + 1, 1)
                b = dt.date(year + (q == 3), (3 * q + 3) % 12 + 1, 1) - dt.timedelta(days=1)
                if a >= first_obs and b <= last_obs:
                    people, n_boats = observed_between(a, b)
                    if n_boats:
                        self._add(
                            f"people per boat {year}Q{q + 1}", "ppb", people / n_boats, 2.5, "ratio", self._days(a, b)
                        )
        wk = data.weekly_preventions(folder)
        for label, a, b in PREVENTED_PERIODS:
            s = (
                (wk["week_ending"] >= np.datetime64(a))
                & (wk["week_ending"] <= np.datetime64(b))
                & ~np.isnan(wk["prevented"])
            )
            if not s.any():
                continue
            prevented, arrived = wk["prevented"][s].sum(), wk["arrivals"][s].sum()
            ends = wk["week_ending"][s]
            first, last = _to_date(ends.min() - np.timedelta64(6, "D")), _to_date(ends.max())
            days = self._days(first, last)
            if days is not None:
                # only the days of the weeks that have a prevention figure
                in_weeks = np.isin(self.dates[days], (ends[:, None] - np.arange(7).astype("timedelta64[D]")).ravel())
                self._add(
                    f"prevented share {label}",
                    "prevented",
                    prevented / (prevented + arrived),
                    0.03,
                    "share",
                    days[in_weeks],
                    column="prevented",
                )
        self._add_attempts(wk)
        pilot = data.pilot_observations(folder)
        quality = pilot["quality"]
        for i, day in enumerate(pilot["date"]):
            d = _to_date(day)
            days = self._days(self.start, d)
            trust = WEAK_SCALE if quality[i] == "weak" else 1.0
            for col, group, column in (
                ("returned", "returns", "removed"),
                ("admitted", "admissions", "admitted_legal_route"),
            ):
                obs = pilot[col][i]
                self._add(f"{group} by {d}", group, obs, trust * (0.12 * obs + 8), "cumulative", days, column=column)
        self._add(
            f"re-crossings by {RECROSSINGS_BY}",
            "recrossings",
            RECROSSINGS_OBSERVED,
            1.5,
            "cumulative",
            self._days(self.start, RECROSSINGS_BY),
            column="recrossings",
        )

    def _add_attempts(self, wk) -> None:
        """Attempts per month: SB02's arrivals plus French preventions over the weeks whose last day
        falls in the month (a week is counted whole, in the month it ends). Only months whose weeks
        all have a prevention figure and lie wholly inside the window and the cut-off count."""
        ends = wk["week_ending"]
        months = ends.astype("datetime64[M]")
        for month in np.unique(months):
            s = months == month
            if np.isnan(wk["prevented"][s]).any():
                continue
            first, last = _to_date(ends[s].min() - np.timedelta64(6, "D")), _to_date(ends[s].max())
            obs = float(wk["prevented"][s].sum() + wk["arrivals"][s].sum())
            self._add(
                f"attempts {_to_date(month):%Y-%m}",
                "attempts",
                obs,
                0.15 * obs + 100,
                "attempts",
                self._days(first, last),
            )

    # ------------------------------------------------------------------ simulated side
    def simulated(self, daily) -> np.ndarray:
        """The simulated value of every target, from one run's daily output (a mapping of column ->
        sequence, e.g. ``model.datacollector.model_vars`` or a DataFrame)."""
        cols = {c: np.asarray(daily[c], dtype=float) for c in NEEDED_COLUMNS}
        out = np.empty(len(self.targets))
        for i, t in enumerate(self.targets):
            if t.kind in ("sum", "cumulative"):
                out[i] = cols[t.column][t.days].sum()
            elif t.kind == "attempts":
                out[i] = cols["arrivals"][t.days].sum() + cols["prevented"][t.days].sum()
            elif t.kind == "ratio":
                b = cols["boats"][t.days].sum()
                out[i] = cols["arrivals"][t.days].sum() / b if b else 0.0
            else:  # share of attempts stopped
                p, a = cols["prevented"][t.days].sum(), cols["arrivals"][t.days].sum()
                out[i] = p / (p + a) if p + a else 0.0
        return out

    def distance(self, simulated: np.ndarray) -> float:
        """Weighted root mean square of the standardised differences (see the module docstring)."""
        z = (np.asarray(simulated, dtype=float) - self.observed) / self.scales
        return float(np.sqrt(np.sum(self.weights * z * z)))

    def select(self, group: str) -> np.ndarray:
        return np.flatnonzero(self.groups == group)


def monthly_seasonality(first_year: int, last_year: int, folder: str | None = None) -> tuple:
    """Share (%) of arrivals by calendar month over ``first_year..last_year`` (SB01), rounded to 0.01:
    the inflow's seasonal shape estimated from the calibration window."""
    d = data.daily_arrivals(folder)
    years = d["date"].astype("datetime64[Y]").astype(int) + 1970
    months = d["date"].astype("datetime64[M]").astype(int) % 12
    s = (years >= first_year) & (years <= last_year)
    by_month = np.bincount(months[s], weights=d["arrivals"][s], minlength=12)
    return tuple(round(float(v), 2) for v in 100 * by_month / by_month.sum())


def mard(sim: np.ndarray, obs: np.ndarray) -> float:
    """Averaged relative difference (the Flee metric): sum |sim - obs| / sum obs."""
    obs = np.asarray(obs, dtype=float)
    return float(np.abs(np.asarray(sim, dtype=float) - obs).sum() / obs.sum())
