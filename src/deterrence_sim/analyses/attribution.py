"""Attribution: what made arrivals change between two windows, as a sum of parts.

``deterrence-sim attribute --window 2026-01-01:2026-04-30 --against 2025`` explains the observed
change in small-boat arrivals between a window and the same calendar days of an earlier year (the
*against-window*) as a sum of named parts, each with a 90% interval over the parameter draws.

How. Every posterior draw ``i`` is one run of the pilot's policy path as it happened (the
``pilot`` scenario, observed crossing days as weather) from the scenario's start to the window's
end, with seed ``i``: its arrivals in the two windows give the *modelled change*. The candidate
causes (:data:`CAUSES`) are then switched back, in every combination (``2^k`` worlds), to their
state in the against-window: a cause's dated parameters take, after the against-window ends, the
values they had in it (same calendar position inside the window; the against-window's last value
in between), so "removals switched back" is a world where the pilot never ran. The weather and the
inflow's month-to-month variation are switched back by replaying, in the window, the against-
window's sea-viable days and month factors of the same run (``ChannelModel(replay=...)``). Every
world of draw ``i`` shares its seed, hence its weather, newcomers and month factors (common
random numbers). Worlds whose parameters come out identical (a cause off in both windows, say an
at-sea interception gain of 0) are run once: such a cause gets exactly zero.

With ``v(S)`` the change in the world where the causes in ``S`` keep their window state and the
others are switched back, the parts of draw ``i`` are:

* each cause's exact Shapley value (:mod:`deterrence_sim.analyses.shapley`), order-free; together they
  make ``v(all) - v(none)``;
* **not switched** = ``v(none)``: the change the model makes with every cause as it was in the
  against-window (the state of the coast at the window's start, the calendar, chance);
* **left** = observed change - ``v(all)``: what the model does not explain.

They add up, draw by draw, to the observed change. The interaction is stated beside the split:
each cause's effect switched back alone from the world as it was (``v(all) - v(all - c)``) and
switched on alone from the against-window's world (``v({c}) - v(none)``), with the remainder of
each sum.

Where the draws come from is one argument (``source``, an object with ``draw(seed, i)``): by
default :func:`default_source`, the main job's draws (:class:`~deterrence_sim.analyses.uncertainty.
Uncertainty`: the joint fit's posterior sample to 2026-04-30 and the priors of what the data do
not touch).

Outputs (``--out``): ``attribution.md``, ``attribution.csv``, ``attribution_draws.csv`` (every
draw's parts), ``waterfall.png``, ``attribution.json`` (settings and timing) and ``runs/`` (one file
per finished draw, which ``--resume`` keeps).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import itertools
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from .. import __version__, resources, runner, safeio, scenario
from ..observed import data
from . import shapley
from .. import params as parameters
from ..errors import ConfigError
from ..limits import check_seed
from ..schedule import expand, run_calendar
from .uncertainty import MECHANISM_PRIORS, Uncertainty, apply_draw

SCENARIO = resources.path("experiments/scenarios/pilot.toml")


@dataclasses.dataclass(frozen=True)
class Cause:
    """One candidate cause: the dated parameters it switches back and the series it replays."""

    name: str
    label: str
    params: tuple = ()
    replay: tuple = ()  # "sea_viable", "inflow_month_factor"
    what: str = ""


#: The candidate causes, in the order of the tables (each switchable parameter in one cause only).
CAUSES: tuple[Cause, ...] = (
    Cause(
        "removals",
        "removals (deterrence and the removals themselves)",
        (
            "announced_intent",
            "detention_capacity",
            "flights_per_week",
            "seats_per_flight",
            "france_weekly_cap",
            "france_accept_returnable",
            "france_accept_other",
            "biometric_fast_track",
            "challenge_prob",
            "challenge_success_prob",
            "injunction_wave",
        ),
        what="the pilot's removals: detention, flights, France's cap and acceptances, the courts, the announcement",
    ),
    Cause("legal_route", "legal route", ("legal_route_open",), what="the legal route ('one in') open or not"),
    Cause(
        "french_prevention",
        "French prevention (beach and water)",
        ("beach_prevention_prob", "taxi_prevention_prob", "force_restraint", "at_sea_interception"),
        what="beach prevention, taxi-boat prevention and the interventions on the water",
    ),
    Cause(
        "weather",
        "weather",
        replay=("sea_viable",),
        what="the window's sea-viable days replaced by the against-window's (same calendar position)",
    ),
    Cause(
        "inflow",
        "inflow to the coast",
        ("inflow_per_year",),
        replay=("inflow_month_factor",),
        what="the yearly inflow level and the window's month-to-month factors",
    ),
    Cause(
        "asylum_reform",
        "UK asylum reform",
        ("asylum_reform_inflow_factor",),
        what="the factor of the UK asylum reform on the inflow",
    ),
    Cause(
        "boat_supply",
        "boat and engine supply",
        ("boat_supply_factor", "boat_supply_per_week"),
        what="the measures against the supply of boats and engines",
    ),
)
NOT_SWITCHED = "not switched (coast at the window's start, calendar, chance)"
LEFT = "left (observed minus modelled)"
MODELLED = "modelled change"
OBSERVED = "observed"
OUTPUT_PATTERNS = ("attribution.md", "attribution.csv", "attribution_draws.csv", "waterfall.png", "attribution.json")


# ------------------------------------------------------------------------------ input
@dataclasses.dataclass(frozen=True)
class Windows:
    """The window to explain and the against-window (same calendar days of an earlier year)."""

    start: dt.date
    end: dt.date
    against_start: dt.date
    against_end: dt.date

    @property
    def shift(self) -> int:
        """Days from the against-window's start to the window's."""
        return (self.start - self.against_start).days

    def describe(self) -> str:
        return f"{self.start}..{self.end} against {self.against_start}..{self.against_end}"


def parse_window(text: str) -> tuple[dt.date, dt.date]:
    """``YYYY-MM-DD:YYYY-MM-DD`` as two dates (start on or before end), or a one-line ConfigError."""
    parts = str(text).split(":")
    try:
        if len(parts) != 2:
            raise ValueError
        start, end = (dt.date.fromisoformat(p.strip()) for p in parts)
    except ValueError:
        raise ConfigError(f"--window {text!r}: write it as START:END, e.g. 2026-01-01:2026-04-30") from None
    if end < start:
        raise ConfigError(f"--window {text}: the end is before the start")
    return start, end


def windows(window: str, against, run_start: dt.date, folder: str | None = None) -> Windows:
    """The checked windows: both inside the observed data, the against-window a year with data
    before the window, inside the model's runs (from ``run_start``), the window at most a year long."""
    start, end = parse_window(window)
    days = data.daily_arrivals(folder)["date"]
    first, last = days[0].astype(object), days[-1].astype(object)
    if start < first or end > last:
        raise ConfigError(f"--window {window}: outside the observed data ({first}..{last})")
    try:
        year = int(str(against))
    except ValueError:
        raise ConfigError(f"--against {against!r}: give a year, e.g. 2025") from None
    shift = year - start.year
    try:
        a_start, a_end = start.replace(year=start.year + shift), end.replace(year=end.year + shift)
    except ValueError:
        raise ConfigError(f"--window {window}: 29 February has no day in {year}; move the window") from None
    if a_start < first or a_end > last:
        raise ConfigError(f"--against {year}: no observed data for {a_start}..{a_end} (data {first}..{last})")
    if a_end >= start:
        raise ConfigError(
            f"--against {year}: the against-window {a_start}..{a_end} must end before the window "
            f"starts ({start}); give an earlier year"
        )
    if a_start < run_start:
        raise ConfigError(
            f"--against {year}: the model's runs start on {run_start} (the calibrated state of the "
            f"coast), after {a_start}; give {run_start.year} or later"
        )
    return Windows(start, end, a_start, a_end)


# ------------------------------------------------------------------------------ the worlds
def switched_back(values: dict, names, w: Windows, run_start: dt.date, n_days: int) -> dict:
    """The dated parameters ``names`` of validated ``values`` as schedules that keep their path up
    to the against-window's end and then take the against-window's values: at the same calendar
    position inside the window, the against-window's last value in between."""
    t_aend = (w.against_end - run_start).days
    t_start, t_astart = (w.start - run_start).days, (w.against_start - run_start).days
    out = {}
    for name in names:
        param = parameters.PARAMS[name]
        if not param.schedulable:
            raise AssertionError(f"{name} is not a dated parameter")
        value = values[name]
        pairs = value if isinstance(value, tuple) else None
        path = expand(pairs, param.baseline_value if pairs else value, run_start, n_days)
        new = path.copy()
        new[t_aend + 1 :] = path[t_aend]
        inside = np.arange(t_start, n_days)
        new[inside] = path[np.minimum(inside - t_start + t_astart, t_aend)]
        if not np.array_equal(new, path):  # else left as given, so that the world is the same run
            out[name] = as_schedule(new, run_start)
    return out


def as_schedule(path: np.ndarray, start: dt.date) -> dict:
    """A per-day path as the ``{date: value}`` table that gives it (a date at each change)."""
    change = np.flatnonzero(np.concatenate(([True], path[1:] != path[:-1])))
    return {(start + dt.timedelta(days=int(t))).isoformat(): float(path[t]) for t in change}


def replay_days(w: Windows, run_start: dt.date) -> tuple[list[int], list[int]]:
    """Day indices of the window and of the against-window's matching days."""
    t0, a0 = (w.start - run_start).days, (w.against_start - run_start).days
    n = (w.end - w.start).days + 1
    return list(range(t0, t0 + n)), list(range(a0, a0 + n))


def world(kwargs: dict, on: frozenset, w: Windows, switches: dict | None = None) -> dict:
    """Model keyword arguments of the world where the causes in ``on`` keep their state and the
    others are switched back to the against-window's (``switches``: :func:`switches`, if made)."""
    switches = switches if switches is not None else make_switches(kwargs, w)
    out, replay = dict(kwargs), dict(kwargs.get("replay") or {})
    for cause in CAUSES:
        if cause.name not in on:
            changed, series = switches[cause.name]
            out.update(changed)
            replay.update(series)
    if replay:
        out["replay"] = replay
    return out


def draw_kwargs(sc: scenario.Scenario, draw: dict) -> dict:
    """Model keyword arguments of the world as it was for one parameter draw: the scenario's
    period and its checked values with the draw applied (only the drawn values are checked)."""
    return {**sc.model_kwargs(), "values": sc.values.replace(apply_draw(sc.params, sc.params, draw, sc.start))}


def world_values(kwargs: dict) -> parameters.Parameters:
    """The checked parameters of a world's keyword arguments: its ``values`` with the parameters
    beside them (a cause switched back) applied, as the model applies them."""
    changes = {k: v for k, v in kwargs.items() if k not in ("start", "end", "replay", "values")}
    return kwargs["values"].replace(changes)


def make_switches(kwargs: dict, w: Windows) -> dict[str, tuple[dict, dict]]:
    """Per cause: the parameters it changes when switched back, and the series it replays."""
    start = dt.date.fromisoformat(kwargs["start"])
    _, _, n_days, _ = run_calendar(kwargs["start"], kwargs["end"])
    values = world_values(kwargs)
    return {
        c.name: (
            switched_back(values, c.params, w, start, n_days),
            {series: replay_days(w, start) for series in c.replay},
        )
        for c in CAUSES
    }


def fingerprint(obj) -> str:
    blob = json.dumps(obj, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob + __version__.encode()).hexdigest()[:20]


def all_subsets(names) -> list[frozenset]:
    return [frozenset(s) for r in range(len(names) + 1) for s in itertools.combinations(names, r)]


def draw_plan(kwargs: dict, w: Windows) -> tuple[dict[frozenset, str], dict[str, dict]]:
    """For one draw: each subset of causes -> the key of its world, and the distinct worlds to run."""
    keys, worlds = {}, {}
    switches = make_switches(kwargs, w)
    for on in all_subsets([c.name for c in CAUSES]):
        kw = world(kwargs, on, w, switches)
        key = fingerprint(kw)
        keys[on] = key
        worlds.setdefault(key, kw)
    return keys, worlds


# ------------------------------------------------------------------------------ running
def window_sums(args) -> dict:
    """Run one world (model keyword arguments, run seed, draw number) and sum its arrivals in
    the two windows (the windows as ISO dates)."""
    kwargs, seed, i, wins = args
    daily = runner.run_one(kwargs, seed, i)
    dates = pd.to_datetime(daily["date"])
    out = {}
    for label, (a, b) in wins.items():
        sel = (dates >= pd.Timestamp(a)) & (dates <= pd.Timestamp(b))
        out[label] = int(daily.loc[sel, "arrivals"].sum())
    return out


DEFAULT_SOURCE_TEXT = (
    "the main job's draws: the joint fit's posterior sample to 2026-04-30 "
    "(experiments/calibration/posterior_joint.csv) for the fitted parameters, the deterrence "
    "strength, leaving the route, salience and 2026's dated mechanisms among them; the priors "
    "(uncertainty.PRIORS) for what the data do not touch; the priors of 2026's mechanisms "
    "(uncertainty.MECHANISM_PRIORS) only for a mechanism the sample lacks"
)


def default_source(posterior=None) -> Uncertainty:
    """The main job's draws (:meth:`Uncertainty.full`, from the joint posterior sample, or from
    ``posterior``), plus the prior of any of 2026's dated mechanisms the sample does not hold."""
    base = Uncertainty.full(posterior)
    fitted = set(base.posterior[0]) if base.posterior else set()
    extra = tuple(p for p in MECHANISM_PRIORS.values() if p.name not in fitted)
    return dataclasses.replace(base, priors=base.priors + extra)


def observed_change(w: Windows, folder: str | None = None) -> tuple[int, int]:
    """Observed arrivals (SB01) in the window and in the against-window."""
    d = data.daily_arrivals(folder)
    dates = d["date"].astype(object)

    def total(a, b):
        return int(d["arrivals"][(dates >= a) & (dates <= b)].sum())

    return total(w.start, w.end), total(w.against_start, w.against_end)


def parts_of_draw(values: dict[frozenset, float], obs: float) -> dict:
    """One draw's parts, from ``values`` (subset of causes kept -> modelled change)."""
    names = [c.name for c in CAUSES]
    v = values.__getitem__
    phi = shapley.shapley(names, v)
    everything, nothing = frozenset(names), frozenset()
    row = {c.name: float(phi[c.name]) for c in CAUSES}
    row[NOT_SWITCHED] = float(v(nothing))
    row[MODELLED] = float(v(everything))
    row[LEFT] = obs - float(v(everything))
    for c in CAUSES:
        row[f"last:{c.name}"] = float(v(everything) - v(everything - {c.name}))
        row[f"alone:{c.name}"] = float(v(frozenset({c.name})) - v(nothing))
    return row


def attribute(
    window: str = "2026-01-01:2026-04-30",
    against="2025",
    draws: int = 100,
    out: Path = Path("results/attribution"),
    workers=None,
    seed: int = 20250710,
    resume: bool = False,
    source=None,
    progress=None,
    command: str | None = None,
) -> dict:
    """Run the attribution and write its outputs (see the module docstring); return the tables."""
    check_seed(seed, "--seed")
    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 1:
        raise ConfigError(f"--draws {draws!r}: give a whole number of at least 1")
    sc = scenario.load(SCENARIO)
    w = windows(window, against, sc.start)
    sc = sc.with_overrides(end=w.end, overrides={"weather_mode": "observed"})
    out = safeio.prepare_output_dir(out)
    source = source or default_source()
    obs_w, obs_a = observed_change(w)
    obs = obs_w - obs_a
    t0 = time.perf_counter()
    wins = {
        "window": (w.start.isoformat(), w.end.isoformat()),
        "against": (w.against_start.isoformat(), w.against_end.isoformat()),
    }
    # every draw's worlds (parameters checked here, before any run)
    plans = []
    for i in range(draws):
        keys, worlds = draw_plan(draw_kwargs(sc, source.draw(seed, i)), w)
        plans.append((keys, worlds, fingerprint([seed, i, wins, sorted(worlds)])))
    runs_dir = out / "runs"
    kept = _clean(out, runs_dir, plans, resume)
    todo = [i for i in range(draws) if f"draw_{i:05d}.json" not in kept]
    n_jobs = sum(len(plans[i][1]) for i in todo)
    settings = {
        "command": "attribute",
        "window": window,
        "against": str(against),
        "draws": draws,
        "seed": seed,
        "version": __version__,
    }
    with safeio.partial_output(out, settings):
        runs_dir.mkdir(exist_ok=True)
        run_draws(plans, todo, runs_dir, seed, wins, workers, n_jobs, progress)
        per_draw, against_spread = per_draw_table(plans, runs_dir, obs)
        seconds = time.perf_counter() - t0
        table = summary_table(per_draw, obs)
        meta = {
            **settings,
            "windows": wins,
            "observed": {"window": obs_w, "against": obs_a, "change": obs},
            "seconds": round(seconds, 1),
            "runs": int(sum(len(p[1]) for p in plans)),
            "runs_now": n_jobs,
            "draws_kept": draws - len(todo),
            "workers": workers,
            "against_window_spread": _spread(against_spread),
            "command": command,
            "source": getattr(source, "description", DEFAULT_SOURCE_TEXT),
        }
        safeio.write_csv(out / "attribution.csv", table, index=False, float_format="%.1f")
        safeio.write_csv(out / "attribution_draws.csv", per_draw, index=False, float_format="%.1f")
        waterfall(table, out / "waterfall.png", w)
        safeio.write_text(out / "attribution.md", report(table, per_draw, w, meta))
        safeio.write_json(out / "attribution.json", meta)
    return {"table": table, "draws": per_draw, "meta": meta}


def run_draws(
    plans: list, todo: list[int], runs_dir: Path, seed: int, wins: dict, workers, n_jobs: int, progress
) -> None:
    """Run the worlds of the draws ``todo`` (all queued at once), each draw's window sums written
    to ``runs_dir/draw_<i>.json`` as soon as its worlds are done (kept when interrupted)."""
    with runner.worker_pool(workers, n_jobs) as pool, runner.progress_bar(n_jobs, "attribution", progress) as bar:
        handles = {}
        for i in todo:
            for key, kw in plans[i][1].items():
                job = (kw, seed, i, wins)
                handles[(i, key)] = pool.submit(window_sums, job) if pool else job
        for i in todo:
            sums = {}
            for key in plans[i][1]:
                h = handles.pop((i, key))
                sums[key] = h.result() if pool else window_sums(h)
                bar.update()
            safeio.write_json(runs_dir / f"draw_{i:05d}.json", {"fingerprint": plans[i][2], "sums": sums})


def per_draw_table(plans: list, runs_dir: Path, obs: float) -> tuple[pd.DataFrame, list[float]]:
    """Each draw's parts (:func:`parts_of_draw`) from its stored window sums, one row a draw; and
    how far each world's against-window arrivals differ from the factual run's."""
    rows, against_spread = [], []
    for i, (keys, worlds, _fp) in enumerate(plans):
        sums = json.loads((runs_dir / f"draw_{i:05d}.json").read_text(encoding="utf-8"))["sums"]
        factual = sums[keys[frozenset(c.name for c in CAUSES)]]
        values = {on: sums[k]["window"] - factual["against"] for on, k in keys.items()}
        against_spread.extend(sums[k]["against"] - factual["against"] for k in set(keys.values()))
        rows.append(
            {
                "draw": i,
                "runs": len(worlds),
                "against_window": factual["against"],
                "window": factual["window"],
                **parts_of_draw(values, obs),
            }
        )
    return pd.DataFrame(rows), against_spread


def _spread(values) -> dict:
    a = np.asarray(values, float)
    return {
        "max_abs": float(np.abs(a).max()) if len(a) else 0.0,
        "p95_abs": float(np.quantile(np.abs(a), 0.95)) if len(a) else 0.0,
    }


def _clean(out: Path, runs_dir: Path, plans, resume: bool) -> set[str]:
    """The finished draws this run keeps (``resume``: same settings, same worlds); every other
    earlier output is removed."""
    kept = set()
    if resume and runs_dir.is_dir():
        for i, (_, _, fp) in enumerate(plans):
            f = runs_dir / f"draw_{i:05d}.json"
            try:
                if json.loads(f.read_text(encoding="utf-8")).get("fingerprint") == fp:
                    kept.add(f.name)
            except (OSError, ValueError):
                pass
    if runs_dir.is_dir():
        safeio.remove_stale(runs_dir, kept, ("draw_*.json",))
    safeio.remove_stale(out, set(), OUTPUT_PATTERNS)
    return kept


# ------------------------------------------------------------------------------ tables
def components() -> list[tuple[str, str]]:
    """(column of the per-draw table, label) of every part, in order."""
    return [(c.name, c.label) for c in CAUSES] + [(NOT_SWITCHED, NOT_SWITCHED), (LEFT, LEFT)]


def summary_table(per_draw: pd.DataFrame, obs: float) -> pd.DataFrame:
    """attribution.csv: one row per part (they add up, draw by draw, to the observed change), the
    modelled change, the interaction of the causes, and the observed change."""

    def row(component, kind, s):
        s = pd.Series(s, dtype=float)
        return {
            "component": component,
            "kind": kind,
            "effect_p05": s.quantile(0.05),
            "effect_p50": s.median(),
            "effect_p95": s.quantile(0.95),
            "effect_mean": s.mean(),
        }

    rows = []
    for col, label in components():
        r = row(label, "part", per_draw[col])
        if col in {c.name for c in CAUSES}:
            r["last_switched_p50"] = per_draw[f"last:{col}"].median()
            r["alone_p50"] = per_draw[f"alone:{col}"].median()
        rows.append(r)
    causes = [c.name for c in CAUSES]
    shap_total = per_draw[causes].sum(axis=1)
    rows.append(
        row(
            "interaction (switched back one at a time: remainder)",
            "interaction",
            shap_total - per_draw[[f"last:{c}" for c in causes]].sum(axis=1),
        )
    )
    rows.append(
        row(
            "interaction (switched on one at a time: remainder)",
            "interaction",
            shap_total - per_draw[[f"alone:{c}" for c in causes]].sum(axis=1),
        )
    )
    rows.append(row(MODELLED, "total", per_draw[MODELLED]))
    rows.append(row(OBSERVED, "observed", np.full(len(per_draw), obs)))
    return pd.DataFrame(
        rows,
        columns=[
            "component",
            "kind",
            "effect_p05",
            "effect_p50",
            "effect_p95",
            "effect_mean",
            "last_switched_p50",
            "alone_p50",
        ],
    )


def waterfall(table: pd.DataFrame, path: Path, w: Windows) -> None:
    """Write the waterfall figure (:func:`waterfall_figure`) to ``path``."""
    import matplotlib.pyplot as plt

    fig = waterfall_figure(table, w)
    safeio.save_figure(fig, path, dpi=110)
    plt.close(fig)


def waterfall_figure(table: pd.DataFrame, w: Windows):
    """The parts as a waterfall (mean over draws, each bar starting where the last ended; whiskers
    the 90% interval), then the observed change as a bar from zero, where the parts end."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    parts = table[table["kind"] == "part"]
    obs = float(table.loc[table["kind"] == "observed", "effect_mean"].iloc[0])
    fig, ax = plt.subplots(figsize=(10, 5.5))
    level = 0.0
    labels = []
    for k, r in enumerate(parts.itertuples()):
        colour = "#b2182b" if r.effect_mean < 0 else "#2166ac"
        ax.bar(k, r.effect_mean, bottom=level, color=colour, width=0.7)
        ax.vlines(k, level + r.effect_p05, level + r.effect_p95, color="black", lw=1)  # the 90% interval
        if k < len(parts) - 1:
            ax.plot([k + 0.35, k + 0.65], [level + r.effect_mean] * 2, color="grey", lw=0.8)
        level += r.effect_mean
        labels.append(r.component)
    ax.bar(len(parts), obs, color="#444444", width=0.7)
    labels.append(OBSERVED)
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xticks(range(len(labels)), [_wrap(s) for s in labels], fontsize=8)
    ax.set_ylabel("change in arrivals (people)")
    ax.set_xlabel("part of the change (bar: mean over draws, from where the last ended; line: 90% interval)")
    ax.set_title(
        f"Arrivals {w.start:%d %b %Y}-{w.end:%d %b %Y} against {w.against_start:%d %b %Y}-"
        f"{w.against_end:%d %b %Y}: what made the change"
    )
    fig.tight_layout()
    return fig


def _wrap(text: str, width: int = 16) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text.split(" (")[0], width))


def _fmt(x: float) -> str:
    return f"{x:+,.0f}"


def where_the_rest_is(per_draw: pd.DataFrame, obs: dict, w: Windows) -> str:
    """Which window the model misses: its arrivals in each window (median and 90% range over the
    draws, the world as it was) beside the observed ones. The part left unexplained is the miss in
    the window minus the miss in the against-window."""

    def q(col):
        lo, mid, hi = np.percentile(per_draw[col].to_numpy(float), [5, 50, 95])
        return mid, f"{_fmt(mid).lstrip('+')} (90% range {_fmt(lo).lstrip('+')} to {_fmt(hi).lstrip('+')})"

    (m_win, t_win), (m_ag, t_ag) = q("window"), q("against_window")
    miss_win, miss_ag = m_win - obs["window"], m_ag - obs["against"]
    worse = f"{w.against_start}..{w.against_end}" if abs(miss_ag) > abs(miss_win) else f"{w.start}..{w.end}"
    return (
        f"* Where the rest comes from: the model's arrivals are {t_win} in {w.start}..{w.end} (observed "
        f"{obs['window']:,}) and {t_ag} in {w.against_start}..{w.against_end} (observed {obs['against']:,}); "
        f"the medians miss by {miss_win:+,.0f} and {miss_ag:+,.0f}, so the part left unexplained is mostly the "
        f"model's miss of {worse}."
    )


def report(table: pd.DataFrame, per_draw: pd.DataFrame, w: Windows, meta: dict) -> str:
    """attribution.md: plain words first, then the table, the interaction and the method."""
    by = table.set_index("component")
    obs = meta["observed"]
    causes = list(CAUSES)
    part = lambda label: by.loc[label]  # noqa: E731
    ranked = sorted(causes, key=lambda c: part(c.label)["effect_mean"])
    n = len(per_draw)
    modelled, left = part(MODELLED), part(LEFT)
    cut = lambda c: float((per_draw[c.name] < 0).mean())  # noqa: E731

    def iv(r):
        return f"{_fmt(r['effect_p50'])} (90% interval {_fmt(r['effect_p05'])} to {_fmt(r['effect_p95'])})"

    lines = [f"# What changed arrivals: {w.start}..{w.end} against {w.against_start}..{w.against_end}", ""]
    lines += [
        f"Observed: {obs['window']:,} arrivals against {obs['against']:,}, a change of **{obs['change']:+,}** people.",
        "",
    ]
    lines += ["## In plain words", ""]
    lines += [
        f"* The model, run as the pilot happened with the observed sea-viable days, makes a change of "
        f"{iv(modelled)} people over {n} parameter draws; the rest of the observed change, "
        f"{iv(left)}, it does not explain."
    ]
    lines.append(where_the_rest_is(per_draw, obs, w))
    for c in ranked:
        r = part(c.label)
        lines.append(
            f"* **{c.label}**: {iv(r)} people; below zero (a cause of fewer arrivals) in {100 * cut(c):.0f}% of draws."
        )
    ns = part(NOT_SWITCHED)
    lines.append(
        f"* With every cause switched back to {w.against_start.year}, the model still makes a change of "
        f"{iv(ns)} (the state of the coast when the window starts, the calendar, chance)."
    )
    strongest = min(causes, key=lambda c: part(c.label)["effect_p50"])  # the sentence quotes the median
    sure = [c.label for c in causes if min(cut(c), 1 - cut(c)) <= 0.05 and abs(part(c.label)["effect_p50"]) >= 1]
    lines.append(
        f"* How confident: the largest part the model finds for the fall is {strongest.label} "
        f"(median {_fmt(part(strongest.label)['effect_p50'])}). Parts whose sign holds in at least 95% of "
        f"draws: {', '.join(sure) if sure else 'none'}. The intervals cover the parameter draws and the "
        f"model's own chance; with {n} draws the 5th and 95th percentiles are rough."
    )
    inter = table[table["kind"] == "interaction"].set_index("component")
    lines.append(
        f"* The causes interact: switched back one at a time from the world as it was, their effects sum "
        f"to the Shapley total minus {iv(inter.iloc[0])}; the Shapley split shares that interaction "
        f"among the causes that make it, so the split does not depend on an order."
    )
    return "\n".join(lines + _parts_lines(table) + _method_lines(w, meta))


def _parts_lines(table: pd.DataFrame) -> list[str]:
    """attribution.md's table of the parts, and what each cause switches back."""
    lines = ["", "## The parts (people; they add up, draw by draw, to the observed change)", ""]
    lines += [
        "| part | median | 90% interval | mean | switched back alone (median) | switched on alone (median) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for _, r in table.iterrows():
        alone = "" if pd.isna(r["alone_p50"]) else _fmt(r["alone_p50"])
        last = "" if pd.isna(r["last_switched_p50"]) else _fmt(r["last_switched_p50"])
        lines.append(
            f"| {r['component']} | {_fmt(r['effect_p50'])} | {_fmt(r['effect_p05'])} to "
            f"{_fmt(r['effect_p95'])} | {_fmt(r['effect_mean'])} | {last} | {alone} |"
        )
    lines += [
        "",
        '"Switched back alone" is the change a cause makes in the world as it was when it alone is '
        'switched back (sign: its contribution, v(all) - v(all without it)); "switched on alone" is what '
        "it makes on its own in the against-window's world (v(it) - v(none)). The interaction rows are the "
        "Shapley total minus the sum of each column.",
        "",
    ]
    lines += ["## What each cause switches back", ""]
    for c in CAUSES:
        what = ", ".join(f"`{p}`" for p in c.params) or "-"
        rep = ", ".join(f"replayed `{s}`" for s in c.replay)
        lines.append(f"* {c.label}: {c.what} ({what}{'; ' + rep if rep else ''}).")
    return lines


def _method_lines(w: Windows, meta: dict) -> list[str]:
    """attribution.md's method and caveats, and how it was made."""
    causes = list(CAUSES)
    sp = meta["against_window_spread"]
    return [
        "",
        "## Method and caveats",
        "",
        f"Every draw is one run of the `pilot` scenario (the policy as it happened) from its start to "
        f"{w.end}, with the observed crossing days as the sea-viable days, and one run of each distinct "
        f"counterfactual world (2^{len(causes)} = {2 ** len(causes)} combinations of causes switched back; "
        f"worlds identical in their parameters are run once). A cause is switched back by giving its dated "
        f"parameters, after {w.against_end}, their values in the against-window; the weather and the "
        f"inflow's month factors by replaying the against-window's days in the window, same seed. The split "
        f"is the exact Shapley value of each cause (docs/ODD.md, the attribution).",
        "",
        "* The sea-viable days are read off the days with at least one arrival. A day on which nobody "
        "crossed because of deterrence or prevention then counts as a rough day, so the weather part may "
        "absorb some of their effect. How much, in a synthetic world where the truth is known: "
        "experiments/forecast/weather_absorption/weather_absorption.md (docs/ODD.md section 11).",
        f"* Switching a cause back changes some draws of the newcomers made before the switch (who they are "
        f"is drawn in one block), so the against-window's arrivals differ slightly between worlds: by at most "
        f"{sp['max_abs']:,.0f} people ({sp['p95_abs']:,.0f} for 95% of worlds). That noise is inside the parts.",
        f"* Draws: {meta['source']}.",
        "",
        f"Made by `{meta.get('command') or 'deterrence-sim attribute'}` in {meta['seconds']:.0f} s "
        f"({meta['runs']} runs, {meta['runs_now']} run now); seed {meta['seed']}; version {meta['version']}.",
        "",
    ]


__all__ = ["attribute", "CAUSES", "windows", "parse_window", "world", "parts_of_draw", "summary_table", "waterfall"]
