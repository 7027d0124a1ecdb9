"""The main job: compare ramp-up scenarios against the no-deal baseline, under uncertainty.

Replicate ``i`` of every scenario draws one parameter set (:mod:`deterrence_sim.analyses.uncertainty`:
calibrated parameters from the posterior sample, unidentified ones from their priors) and one
seed; its paired ``no_deal`` run shares both. The effect of a scenario on crossings is taken pair
by pair (:mod:`deterrence_sim.analyses.effects`), and the headline gives its median, 90% interval and the
chance of a cut over 10%. On the same draws and seeds, counterfactual runs split the effect into
its parts (:mod:`deterrence_sim.analyses.decomposition`), structural alternatives show how the headline
moves under other model structures (:mod:`deterrence_sim.analyses.alternatives`), and the dose-response
curve at fixed deterrence strengths remains as a second, conditional view.

Outputs (in ``--out``, default ``results/compare``; :mod:`deterrence_sim.analyses.report` writes the report):

* ``report.md``, ``headline.csv``, ``decomposition.csv``, ``alternatives.csv``, ``summary.csv``,
  ``dose_response.csv``, ``draws.csv``, the figures ``effects_forest.png``,
  ``crossings_per_month.png`` and ``dose_response.png``;
* ``daily/<scenario>.parquet``: the raw daily output of every replicate of every scenario;
* ``runs/*.parquet``: per-replicate totals of the counterfactual, alternative and dose runs.

Every file is written whole or not at all (:mod:`deterrence_sim.safeio`). While the job runs the
folder carries a partial-output marker; ``--resume`` keeps every run already complete with the
same settings (same parameters for every replicate, same seeds) and redoes the rest; without
``--resume``, or with other settings, the folder's earlier outputs are removed first, so files of
different runs are never mixed.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pandas as pd

from .. import __version__, runner, safeio, scenario
from ..observed import data
from . import effects, report
from .. import resources
from .alternatives import ALTERNATIVES, ALTERNATIVE_SCENARIOS
from .decomposition import DECOMPOSED, VARIANTS
from ..errors import ConfigError
from ..scenario import RAMP_DATE
from .uncertainty import Uncertainty, apply_draw

SCENARIO_DIR = resources.path("experiments/scenarios")  # the standard set, shipped with the package
BASELINE = "no_deal"
STANDARD_ORDER = (
    "no_deal",
    "pilot",
    "rampup_x2",
    "rampup_x5",
    "rampup_x10",
    "parity",
    "rampup_flights_only",
    "modern_slavery_review",
    "french_force_restraint",
    "biometric_fast_track",
    "legal_route_awareness",
    "danish_style",
    "rwanda_style",
)
#: Deterrence strengths for the dose-response curve: weak (US border studies), calibrated
#: (the model default), strong (Australian turnbacks). See docs/ODD.md.
DOSE_STRENGTHS = {"weak": 0.2, "calibrated": None, "strong": 3.0}
#: Removal capacity as multiples of the pilot's (detention, flights, French cap), from the ramp-up date.
#: At 100x every eligible arrival is already detained; more capacity changes nothing (400x gave
#: results identical to 100x), because the legal challenges that succeed cap removals near 80%.
DOSE_LEVELS = (0, 2, 5, 10, 30, 100)
#: What this command writes (and removes before a fresh run): top-level files, and Parquet files in
#: the two sub-folders.
OUTPUT_PATTERNS = ("report.md", "*.csv", "*.png", "compare_settings.json", "timing.json")
SETTINGS_FILE = "compare_settings.json"


def standard_scenarios() -> list[Path]:
    """The standard set, in a fixed order (others found in the folder come after)."""
    found = {p.stem: p for p in sorted(SCENARIO_DIR.glob("*.toml"))}
    ordered = [found.pop(name) for name in STANDARD_ORDER if name in found]
    return ordered + list(found.values())


replicate_metrics = effects.replicate_metrics
summarise = effects.summarise


# ------------------------------------------------------------------------------ dose-response
def dose_scenario(base: scenario.Scenario, level: float, strength: float | None) -> scenario.Scenario:
    """The pilot with removal capacity scaled by ``level`` from the ramp-up date; everyone
    scheme-eligible and France accepting all, so removals can approach every arrival."""
    p = {
        "detention_capacity": {"2025-08-06": 100, "2026-01-26": 200, RAMP_DATE: 200 * level},
        "flights_per_week": {"2025-09-15": 1.5, "2025-12-01": 2.0, "2026-01-26": 4.0, RAMP_DATE: 4.0 * level},
        "france_weekly_cap": {"2025-08-06": 50, RAMP_DATE: 50 * level},
        "share_scheme_eligible": 1.0,
        "france_accept_other": {RAMP_DATE: 1.0},
        "france_accept_returnable": {RAMP_DATE: 1.0},
    }
    if strength is not None:
        p["deterrence_strength"] = strength
    return base.with_overrides(overrides=p)


def dose_scenarios(
    base: scenario.Scenario, strengths: dict | None = None, levels=DOSE_LEVELS
) -> list[tuple[str, float, scenario.Scenario]]:
    """(strength label, capacity multiple, scenario) for every point of the dose-response curve."""
    return [
        (label, level, dose_scenario(base, level, strength))
        for label, strength in (strengths or DOSE_STRENGTHS).items()
        for level in levels
    ]


def after_ramp(daily: pd.DataFrame) -> pd.DataFrame:
    """Per replicate: arrivals, attempts and removals from the ramp-up date on."""
    after = daily[pd.to_datetime(daily["date"]) >= pd.Timestamp(RAMP_DATE)]
    return after.groupby("replicate")[["arrivals", "attempts", "removed"]].sum()


def dose_table(points: list[tuple[str, float, scenario.Scenario]], totals: list[pd.DataFrame]) -> pd.DataFrame:
    """Change in crossings (arrivals and attempts) after the ramp-up date against removals as a
    share of arrivals; each strength's first capacity level is the reference every change is
    measured from, replicate by replicate. ``totals`` are :func:`after_ramp` tables (or dailies)."""
    rows, ref = [], {}
    for (label, level, sc), g in zip(points, totals):
        if "date" in g.columns:
            g = after_ramp(g)
        base = ref.setdefault(label, g)
        share = g["removed"] / g["arrivals"].clip(lower=1)
        change = g["arrivals"] / base["arrivals"] - 1.0
        change_att = g["attempts"] / base["attempts"] - 1.0
        rows.append(
            {
                "deterrence": label,
                "removed": g["removed"].mean(),
                "attempts": g["attempts"].mean(),
                "arrivals": g["arrivals"].mean(),
                "strength": sc.values["deterrence_strength"],
                "capacity_multiple": level,
                "removal_share": share.mean(),
                "removal_share_p05": share.quantile(0.05),
                "removal_share_p95": share.quantile(0.95),
                "crossings_change": change.mean(),
                "crossings_change_p05": change.quantile(0.05),
                "crossings_change_p95": change.quantile(0.95),
                "attempts_change": change_att.mean(),
                "attempts_change_p05": change_att.quantile(0.05),
                "attempts_change_p95": change_att.quantile(0.95),
            }
        )
    return pd.DataFrame(rows)


def dose_response(
    base: scenario.Scenario,
    replicates: int,
    seed: int,
    workers,
    progress,
    strengths: dict | None = None,
    levels=DOSE_LEVELS,
) -> pd.DataFrame:
    """The dose-response table (see :func:`dose_table`) for each deterrence strength
    (``{label: strength, or None for the scenario's own}``, default :data:`DOSE_STRENGTHS`) and
    capacity level (the first level is the reference), at the scenario's own parameters."""
    points = dose_scenarios(base, strengths, levels)
    with runner.worker_pool(workers, replicates * len(points)) as pool:
        handles = [runner.submit_replicates(sc, replicates, seed, pool) for _, _, sc in points]
        with runner.progress_bar(replicates * len(points), "dose-response", progress) as bar:
            return dose_table(points, [after_ramp(runner.gather(h, bar)) for h in handles])


# ------------------------------------------------------------------------------ checks
def check_names(scenarios: list[scenario.Scenario]) -> None:
    """Scenario names are file names: letters, digits, _ and -; unique; ``no_deal`` only for the
    baseline file."""
    seen = {}
    baseline_file = (SCENARIO_DIR / f"{BASELINE}.toml").resolve()
    for sc in scenarios:
        where = sc.path or "a scenario"
        if not scenario.NAME_PATTERN.fullmatch(sc.name):
            raise ConfigError(
                f"{where}: scenario name {sc.name!r} is not allowed; use 1-64 letters, digits, "
                "_ or - (it becomes a file name)"
            )
        if sc.name in seen:
            raise ConfigError(
                f"two scenarios share the name {sc.name!r} ({seen[sc.name]} and {where}); give each its own name"
            )
        if sc.name == BASELINE and sc.path and Path(sc.path).resolve() != baseline_file:
            raise ConfigError(
                f"{where}: the name {BASELINE!r} is reserved for the baseline "
                f"({baseline_file.relative_to(SCENARIO_DIR.resolve().parents[1])}); give this scenario another name"
            )
        seen[sc.name] = where


def check_period(scenarios: list[scenario.Scenario], horizon_end, with_dose: bool) -> None:
    base = next(s for s in scenarios if s.name == BASELINE)
    for sc in scenarios:
        if sc.start != base.start:
            raise ConfigError(
                f"{sc.path or sc.name}: starts on {sc.start}, the baseline on {base.start}; "
                "compare pairs each scenario with the baseline over the same period"
            )
    ramp = pd.Timestamp(RAMP_DATE).date()
    if with_dose and base.end < ramp:
        raise ConfigError(
            f"--horizon-end {horizon_end}: the dose-response measures crossings after the ramp-up "
            f"date {RAMP_DATE}, so the horizon must end after it (or add --no-dose)"
        )


# ------------------------------------------------------------------------------ the plan
class Unit:
    """One set of paired runs: a scenario (maybe with variant overrides), ``replicates`` of it, each
    with its own draw and seed, stored as ``path`` (raw daily output or per-replicate totals)."""

    def __init__(self, key, kind, sc, jobs, path, seed):
        self.key, self.kind, self.scenario, self.jobs, self.path, self.seed = key, kind, sc, jobs, path, seed
        blob = json.dumps([self.kind, seed, jobs], sort_keys=True, default=str).encode()
        self.fingerprint = hashlib.sha256(blob + __version__.encode()).hexdigest()

    def reduce(self, daily: pd.DataFrame) -> pd.DataFrame:
        """What is stored: the raw daily output of a scenario, else per-replicate totals."""
        if self.kind == "scenario":
            return daily
        if self.kind == "dose":
            return after_ramp(daily).reset_index()
        return effects.replicate_metrics(daily).reset_index()

    def metrics(self, stored: pd.DataFrame) -> pd.DataFrame:
        if self.kind == "scenario":
            return effects.replicate_metrics(stored)
        return stored.set_index("replicate")


def jobs_for(sc: scenario.Scenario, base_params: dict, draws: list[dict], fixed: dict) -> list[dict]:
    """Model keyword arguments of each replicate: the scenario's checked values, with its draw,
    then ``fixed`` values, as changes (the model checks only what they change)."""
    out = []
    for d in draws:
        p = apply_draw(sc.params, base_params, d, sc.start, fixed)
        out.append({**sc.model_kwargs(), **p})
    return out


def plan(
    scenarios,
    pilot,
    unc: Uncertainty,
    seed,
    replicates,
    decomposition_replicates,
    alternative_replicates,
    dose_replicates,
    with_dose,
    sets,
    out: Path,
) -> dict[str, list[Unit]]:
    """Every unit of work, in the order it is queued."""
    draws = unc.draws(seed, max(replicates, decomposition_replicates, alternative_replicates))
    names = {s.name: s for s in scenarios}
    units = {"scenario": [], "decomposition": [], "alternative": [], "dose": []}
    for sc in scenarios:
        units["scenario"].append(
            Unit(
                sc.name,
                "scenario",
                sc,
                jobs_for(sc, pilot.params, draws[:replicates], sets),
                out / "daily" / f"{sc.name}.parquet",
                seed,
            )
        )
    if decomposition_replicates:
        for name in [n for n in DECOMPOSED if n in names]:
            for variant, overrides in VARIANTS.items():
                jobs = jobs_for(names[name], pilot.params, draws[:decomposition_replicates], {**sets, **overrides})
                units["decomposition"].append(
                    Unit(
                        (name, variant),
                        "decomposition",
                        names[name],
                        jobs,
                        out / "runs" / f"decomposition__{name}__{variant}.parquet",
                        seed,
                    )
                )
    if alternative_replicates:
        for alt in ALTERNATIVES:
            for name in [n for n in ALTERNATIVE_SCENARIOS if n in names and (n != BASELINE or alt.affects_baseline)]:
                jobs = jobs_for(names[name], pilot.params, draws[:alternative_replicates], {**sets, **alt.overrides})
                units["alternative"].append(
                    Unit(
                        (alt.name, name),
                        "alternative",
                        names[name],
                        jobs,
                        out / "runs" / f"alternative__{alt.name}__{name}.parquet",
                        seed,
                    )
                )
    if with_dose:
        for label, level, sc in dose_scenarios(pilot.with_overrides(overrides=sets)):
            kw = sc.model_kwargs()
            units["dose"].append(
                Unit(
                    (label, level),
                    "dose",
                    sc,
                    [kw] * dose_replicates,
                    out / "runs" / f"dose__{label}__{level:g}.parquet",
                    seed,
                )
            )
    return units


def submit(unit: Unit, pool) -> list:
    import functools

    if pool is None:
        return [functools.partial(runner._run_star, (kw, unit.seed, i)) for i, kw in enumerate(unit.jobs)]
    return [pool.submit(runner._run_star, (kw, unit.seed, i)) for i, kw in enumerate(unit.jobs)]


def draws_table(unc: Uncertainty, seed: int, n: int) -> pd.DataFrame:
    """draws.csv: every replicate's drawn values (a schedule as one column per date)."""
    rows = []
    for i, d in enumerate(unc.draws(seed, n)):
        row = {"replicate": i, "seed": runner.replicate_seed(seed, i)}
        for k, v in d.items():
            if isinstance(v, dict):
                row.update({f"{k}_from_{date}": x for date, x in v.items()})
            else:
                row[k] = v
        rows.append(row)
    return pd.DataFrame(rows).set_index("replicate")


# ------------------------------------------------------------------------------ the job
def compare(
    files=None,
    replicates: int = 200,
    horizon_end: str = "2027-12-31",
    out: Path = Path("results/compare"),
    seed: int = 20250710,
    workers=None,
    dose_replicates: int = 2,
    progress=None,
    with_dose: bool = True,
    sets: dict | None = None,
    uncertainty: str = "full",
    decomposition_replicates: int = 100,
    alternative_replicates: int = 40,
    resume: bool = False,
    posterior: str | Path | None = None,
    before: str | Path | None = "default",
) -> pd.DataFrame:
    """Run the comparison and write its outputs; return the headline table.

    ``posterior`` is the posterior sample the fitted parameters are drawn from (default: the joint
    fit to 2026-04-30, ``experiments/calibration/posterior_joint.csv``). ``before`` is the folder of
    an earlier comparison (its ``headline.csv``, ``draws.csv`` and settings) to set beside this one
    in the report, as "before" and "after": by default (``"default"``) the same comparison drawn from
    the fit to 2025-12-31 that the package ships (:data:`BEFORE_2026`); None leaves it out.

    Everything is checked first (scenarios, names, period, ``sets``, the posterior sample, the
    ``before`` folder, the output folder); only then does any simulation start.
    """
    t0 = time.perf_counter()
    check_counts(
        replicates=replicates,
        decomposition_replicates=decomposition_replicates,
        alternative_replicates=alternative_replicates,
        dose_replicates=dose_replicates,
    )
    sets = dict(sets or {})
    scenarios = load_scenarios(files, horizon_end, sets, with_dose)
    pilot = scenario.load(SCENARIO_DIR / "pilot.toml").with_overrides(end=horizon_end)
    if uncertainty not in ("full", "fixed"):
        raise ConfigError(f"--uncertainty {uncertainty!r}: choose full or fixed")
    unc = Uncertainty.full(posterior, fixed_names=sets) if uncertainty == "full" else Uncertainty.fixed()
    before = default_before() if before == "default" else before
    earlier = read_before(before) if before is not None else None
    out = safeio.prepare_output_dir(out)
    for sub in ("daily", "runs"):
        safeio.prepare_output_dir(out / sub)
    units = plan(
        scenarios,
        pilot,
        unc,
        seed,
        replicates,
        decomposition_replicates,
        alternative_replicates,
        dose_replicates,
        with_dose,
        sets,
        out,
    )
    all_units = [u for group in units.values() for u in group]
    settings = {
        "version": __version__,
        "seed": seed,
        "horizon_end": str(horizon_end),
        "uncertainty": uncertainty,
        "posterior": posterior_label(posterior) if uncertainty == "full" else None,
        "units": {str(u.path.relative_to(out)): u.fingerprint for u in all_units},
    }
    kept = _keep_or_clear(out, settings, resume)
    safeio.write_json(out / SETTINGS_FILE, settings)

    with safeio.partial_output(out, settings):
        stored, n_runs = run_units(out, all_units, kept, workers, progress)
        result = _tables(units, stored, unc, seed, replicates)
        timing = {
            "seconds": time.perf_counter() - t0,
            "runs": n_runs,
            "runs_kept": sum(len(u.jobs) for u in all_units) - n_runs,
            "workers": workers or runner.default_workers(),
        }
        counts = {
            "replicates": replicates,
            "decomposition_replicates": decomposition_replicates,
            "alternative_replicates": alternative_replicates,
            "dose_replicates": dose_replicates,
        }
        report.write_all(out, result, report_info(counts, scenarios, settings, unc, sets, earlier))
        safeio.write_json(out / "timing.json", timing)
    _LAST_TIMING.clear()
    _LAST_TIMING.update(timing)
    return result["headline"]


def report_info(counts: dict, scenarios: list, settings: dict, unc: Uncertainty, sets: dict, earlier) -> dict:
    """What the report says of the run beside its tables: the replicate counts, the period, the
    seed and the uncertainty, the scenarios' descriptions, what was drawn (and the deterrence
    strength's posterior interval when drawn), 2025 as observed and the earlier comparison."""
    full = settings["uncertainty"] == "full"
    return {
        **counts,
        "start": scenarios[0].start,
        "end": scenarios[0].end,
        "seed": settings["seed"],
        "uncertainty": settings["uncertainty"],
        "sets": sets,
        "descriptions": {s.name: s.description for s in scenarios},
        "drawn": unc.names(),
        "observed_2025": _observed_2025(),
        "before": earlier,
        "posterior": settings["posterior"],
        "strength_posterior": strength_interval(unc) if full else None,
    }


def check_counts(**counts: int) -> None:
    """The replicate counts of the main job, by name: whole numbers, ``replicates`` at least 1,
    the others at least 0 (0 leaves that part out). Raises ConfigError naming the first bad one."""
    for label, n in counts.items():
        least = 1 if label == "replicates" else 0
        if isinstance(n, bool) or not isinstance(n, int) or n < least:
            raise ConfigError(f"{label}: {n!r} must be a whole number, at least {least}")


def load_scenarios(files, horizon_end: str, sets: dict, with_dose: bool) -> list[scenario.Scenario]:
    """The scenarios to compare (``files``, or the standard ones), each run to ``horizon_end`` with
    ``sets`` applied, the baseline added if missing and put first; names and period checked."""
    paths = [Path(f) for f in files] if files else standard_scenarios()
    scenarios = [scenario.load(p).with_overrides(end=horizon_end, overrides=sets) for p in paths]
    if BASELINE not in [s.name for s in scenarios]:
        scenarios.insert(
            0, scenario.load(SCENARIO_DIR / f"{BASELINE}.toml").with_overrides(end=horizon_end, overrides=sets)
        )
    check_names(scenarios)
    check_period(scenarios, horizon_end, with_dose)
    scenarios.sort(key=lambda s: s.name != BASELINE)  # the baseline first
    return scenarios


def run_units(out: Path, all_units: list, kept: set, workers, progress) -> tuple[dict, int]:
    """Run every unit of work not ``kept`` from an earlier call (all queued at once, so workers
    never wait), each unit's table written as it finishes (an interrupted job resumes from them),
    and read the kept ones back. Returns each unit's metrics by key, and the number of runs made."""
    stored: dict = {}
    todo = [u for u in all_units if str(u.path.relative_to(out)) not in kept]
    n_runs = sum(len(u.jobs) for u in todo)
    with runner.worker_pool(workers, n_runs) as pool:
        handles = [(u, submit(u, pool)) for u in todo]
        with runner.progress_bar(n_runs, "compare", progress) as bar:
            for u, h in handles:
                bar.set_postfix_str(str(u.key))
                table = u.reduce(runner.gather(h, bar))
                safeio.write_parquet(u.path, table)  # kept if interrupted; --resume reuses it
                stored[u.key] = u.metrics(table)
                if u.kind == "scenario":
                    _note_monthly(u, table, stored)
    for u in all_units:
        if u.key not in stored:
            table = pd.read_parquet(u.path)
            stored[u.key] = u.metrics(table)
            if u.kind == "scenario":
                _note_monthly(u, table, stored)
    return stored, n_runs


#: The main job's "before": the standard comparison of the headline scenarios drawn from the joint
#: fit to the data cut at 2025-12-31 (experiments/headline/before_2026/RUN.md says how it was made).
BEFORE_2026 = "experiments/headline/before_2026"


def default_before() -> Path | None:
    """The shipped "before" (:data:`BEFORE_2026`), or None when the package does not ship it."""
    try:
        return resources.path(BEFORE_2026)
    except ConfigError:
        return None


def posterior_label(posterior: str | Path | None) -> str:
    """How the settings and the report name a posterior sample: the shipped default by its place in
    the repository, any other file by its path."""
    if posterior is None:
        return "experiments/calibration/posterior_joint.csv"
    return str(posterior)


def read_before(folder: str | Path) -> dict:
    """An earlier comparison to set beside this one: its headline table, its drawn deterrence
    strengths and its settings. A folder without them is one ConfigError naming it."""
    folder = Path(folder)
    try:
        headline = pd.read_csv(folder / "headline.csv")
        settings = json.loads((folder / SETTINGS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"--before {folder}: not the folder of a finished comparison ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else 'unreadable'})"
        ) from None
    if "against" not in headline.columns:
        raise ConfigError(f"--before {folder}: its headline.csv has no 'against' column (made by an older version)")
    draws = pd.read_csv(folder / "draws.csv") if (folder / "draws.csv").is_file() else None
    return {"folder": shown_folder(folder), "headline": headline, "settings": settings, "draws": draws}


def shown_folder(folder: Path) -> str:
    """A folder as the report names it: a folder shipped with the package by its place in the
    repository (``experiments/...``), any other as given."""
    parts = Path(folder).parts
    if resources.DATA_ROOT in parts:
        return Path(*parts[parts.index(resources.DATA_ROOT) + 1 :]).as_posix()
    return str(folder)


def strength_interval(unc: Uncertainty) -> tuple[float, float, float] | None:
    """The 5%, 50% and 95% points of the deterrence strength in the posterior sample the
    replicates draw from (weighted), or None when it is not in the sample."""
    import numpy as np

    from ..calibration.abc import weighted_quantiles

    rows = [r.get("deterrence_strength") for r in unc.posterior]
    if not rows or any(v is None for v in rows):
        return None
    x, w = np.asarray(rows, float), np.asarray(unc.weights, float)
    q = weighted_quantiles(x[:, None], w, [0.05, 0.5, 0.95])[:, 0]  # as identification.csv's widths
    return float(q[0]), float(q[1]), float(q[2])


_LAST_TIMING: dict = {}


def last_timing() -> dict:
    """Run time and run counts of the last :func:`compare` in this process (also in timing.json)."""
    return dict(_LAST_TIMING)


def _note_monthly(unit, daily, stored):
    m = daily.assign(month=pd.to_datetime(daily["date"]).dt.to_period("M").dt.to_timestamp())
    monthly = m.groupby(["replicate", "month"])["arrivals"].sum().unstack("replicate")
    stored[("monthly", unit.key)] = pd.DataFrame(
        {"p05": monthly.quantile(0.05, axis=1), "p50": monthly.median(axis=1), "p95": monthly.quantile(0.95, axis=1)}
    )


def _keep_or_clear(out: Path, settings: dict, resume: bool) -> set[str]:
    """The unit files an earlier run left that this run can keep (only with ``resume``, same
    version, seed and settings of that unit); every other output of an earlier run is removed."""
    kept = set()
    if resume:
        try:
            old = json.loads((out / SETTINGS_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            old = {}
        for rel, fp in settings["units"].items():
            if (
                old.get("units", {}).get(rel) == fp
                and old.get("version") == settings["version"]
                and (out / rel).is_file()
            ):
                kept.add(rel)
    for sub in ("daily", "runs"):
        safeio.remove_stale(out / sub, {Path(r).name for r in kept if r.startswith(sub + "/")}, ("*.parquet",))
    safeio.remove_stale(out, set(), OUTPUT_PATTERNS)
    return kept


def _observed_2025():
    try:
        return data.observed_year(2025)["arrivals"]
    except Exception:  # the report then says the observed total is unavailable
        return None


def _tables(units, stored, unc, seed, replicates) -> dict:
    from . import alternatives, decomposition

    metrics = {u.key: stored[u.key] for u in units["scenario"]}
    eff = effects.contrasts(metrics, BASELINE)
    res = {
        "metrics": metrics,
        "effects": eff,
        "headline": effects.headline_table(eff),
        "summary": effects.summarise(metrics, BASELINE),
        "draws": draws_table(unc, seed, replicates) if not unc.is_degenerate else None,
        "monthly": {u.key: stored[("monthly", u.key)] for u in units["scenario"]},
    }
    res["decomposition"] = decomposition.table(
        metrics, {u.key: stored[u.key] for u in units["decomposition"]}, BASELINE
    )
    res["alternatives"] = alternatives.table(
        metrics, {u.key: stored[u.key] for u in units["alternative"]}, BASELINE, res["draws"], _observed_2025()
    )
    res["dose"] = (
        dose_table(
            [(k[0], k[1], u.scenario) for u in units["dose"] for k in [u.key]], [stored[u.key] for u in units["dose"]]
        )
        if units["dose"]
        else None
    )
    last = max(effects.years(metrics[BASELINE]))
    shown = [n for n in report.HEADLINE_SCENARIOS if n in metrics]
    res["bands"] = effects.by_strength(eff, res["draws"], last, shown)
    res["delay"] = effects.delay_table(metrics, BASELINE, scenarios=shown)
    if res["draws"] is not None:
        res["drivers"] = effects.drivers(
            eff[eff["against"] == BASELINE],
            res["draws"].drop(columns="seed"),
            [n for n in report.HEADLINE_SCENARIOS if n in metrics],
            max(effects.years(metrics[BASELINE])),
        )
    return res


__all__ = ["compare", "standard_scenarios", "dose_response", "dose_table", "replicate_metrics", "summarise"]
