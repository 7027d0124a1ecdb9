"""Sweep specs: TOML files in ``experiments/sweeps/`` that say what to vary, how, and what to record.

A spec names one or more base scenarios, optionally a contrast scenario, the parameters to vary
with their ranges, a design, the replicates per design point and the outputs::

    name = "capacity_x_challenge"
    description = "..."
    scenario = "../scenarios/pilot.toml"      # or a list, or { file = "...", label = "..." }
    contrast = "../scenarios/pilot.toml"      # optional: run at every point with the same seeds
    end = 2027-12-31                          # optional: last simulated day of every scenario
    seed = 20250710                           # root seed (numpy SeedSequence)
    replicates = 3
    outputs = ["arrivals", "removed"]         # daily figures, summarised per year
    daily = false                             # also keep the daily series (large)

    [design]
    kind = "grid"                             # grid | lhs | sobol_sequence | morris | sobol

    [parameters.removal_capacity]             # a lever: several schedules times one multiplier
    multiplier_of = ["detention_capacity", "flights_per_week", "france_weekly_cap"]
    from = 2026-03-01                         # multiply the schedule from this date on
    values = [1, 2, 5, 10, 20]
    contrast = false                          # the contrast keeps its own values

    [parameters.challenge_success_prob]
    values = [0.05, 0.2, 0.35, 0.5, 0.65]

Everything is checked when the spec is read, before any simulation: an unknown parameter, an
empty range, a contrast whose start date differs from the base scenario's, or a design point the
model would refuse gives one :class:`~deterrence_sim.errors.ConfigError` line.

A **contrast** is a second scenario run at every design point with the same varied parameters
(except those marked ``contrast = false``: the lever whose effect is measured) and the same
seeds, so the effect ``base - contrast`` is taken replicate by replicate on common random numbers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

from .. import params as parameters
from .. import scenario as scenarios
from ..errors import ConfigError
from ..limits import seed_problem
from ..model import DAILY_COLUMNS, EVENT_COLUMNS
from ..safeio import read_toml
from ..schedule import parse_date

TOP_LEVEL_KEYS = {
    "name",
    "description",
    "scenario",
    "contrast",
    "end",
    "seed",
    "replicates",
    "outputs",
    "daily",
    "design",
    "parameters",
    "screening",
    "sensitivity",
    "figures",
}
PARAMETER_KEYS = {
    "param",
    "low",
    "high",
    "values",
    "levels",
    "scale",
    "multiplier",
    "multiplier_of",
    "from",
    "at",
    "contrast",
    "doc",
}
DESIGN_KINDS = ("grid", "lhs", "sobol_sequence", "morris", "sobol")
DEFAULT_SEED = 20250710
DEFAULT_OUTPUTS = ("arrivals",)


@dataclasses.dataclass(frozen=True)
class Factor:
    """One varied quantity of a sweep and how it reaches the model.

    ``targets`` are the model parameters it sets. A plain factor sets one parameter to the value.
    A multiplier multiplies the targets' values in the base scenario (every value of a schedule,
    or only those in force from ``start``). With ``at`` it sets one dated entry of a schedule.
    ``scale`` "log" samples evenly in log10 (designs other than the grid).
    """

    name: str
    targets: tuple[str, ...]
    low: float | None = None
    high: float | None = None
    values: tuple | None = None
    scale: str = "linear"
    multiplier: bool = False
    start: dt.date | None = None
    at: dt.date | None = None
    in_contrast: bool = True
    doc: str = ""

    def apply(self, params: dict, value, scenario_start: dt.date) -> dict:
        """``params`` (a scenario's validated values) with this factor set to ``value``."""
        out = dict(params)
        for target in self.targets:
            if not self.multiplier and parameters.PARAMS[target].kind == "int":
                value = int(round(value))  # designs draw reals; whole-number parameters take the nearest
            current = params[target]
            if self.at is not None:
                table = dict(current) if isinstance(current, tuple) else {scenario_start: current}
                table[self.at] = value
                out[target] = {d.isoformat(): v for d, v in sorted(table.items())}
            elif self.multiplier:
                out[target] = _multiply(parameters.PARAMS[target], current, value, self.start, scenario_start)
            else:
                out[target] = value
        return out


def _multiply(param: parameters.Param, current, factor: float, start: dt.date | None, scenario_start: dt.date):
    """``current`` (a constant or a schedule) times ``factor``, from ``start`` on if given."""

    def times(v):
        v = v * factor
        return int(round(v)) if param.kind == "int" else float(v)

    if not isinstance(current, tuple):  # a constant
        if start is None or not param.schedulable:
            return times(current)
        return {scenario_start.isoformat(): current, start.isoformat(): times(current)}
    if start is None:
        return {d.isoformat(): times(v) for d, v in current}
    in_force = param.baseline_value
    table = {}
    for d, v in current:
        if d < start:
            table[d] = v
            in_force = v
        else:
            table[d] = times(v)
    table.setdefault(start, times(in_force))
    return {d.isoformat(): v for d, v in sorted(table.items())}


@dataclasses.dataclass(frozen=True)
class Arm:
    """One scenario run at every design point: its label in the outputs, the scenario, and
    whether it is the contrast (which gets only the factors marked for it)."""

    label: str
    scenario: scenarios.Scenario
    contrast: bool = False


@dataclasses.dataclass(frozen=True)
class Spec:
    """A validated sweep spec (see the module docstring)."""

    name: str
    description: str
    path: Path
    arms: tuple[Arm, ...]
    factors: tuple[Factor, ...]
    design: dict
    replicates: int
    seed: int
    outputs: tuple[str, ...]
    daily: bool
    screening: dict | None
    sensitivity: dict
    figures: tuple[dict, ...]
    raw: dict

    @property
    def bases(self) -> tuple[Arm, ...]:
        return tuple(a for a in self.arms if not a.contrast)

    @property
    def contrast(self) -> Arm | None:
        return next((a for a in self.arms if a.contrast), None)

    @property
    def start(self) -> dt.date:
        return self.arms[0].scenario.start

    @property
    def end(self) -> dt.date:
        return self.arms[0].scenario.end

    @property
    def years(self) -> list[int]:
        return list(range(self.start.year, self.end.year + 1))

    def output_columns(self) -> list[str]:
        """Every summary column a run writes: ``label/output_year`` for each arm, and
        ``base-contrast/output_year`` for each base when there is a contrast."""
        labels = [a.label for a in self.arms]
        if self.contrast is not None:
            labels += [effect_label(b, self.contrast) for b in self.bases]
        return [f"{label}/{o}_{y}" for label in labels for o in self.outputs for y in self.years]

    def fingerprint(self) -> str:
        """A hash of everything that decides the results (the spec as read, the scenarios'
        parameters and the screening choice), kept in the output folder so that ``--resume``
        never mixes runs of two different sweeps."""
        payload = {
            "raw": self.raw,
            "arms": [
                (
                    a.label,
                    a.contrast,
                    a.scenario.start.isoformat(),
                    a.scenario.end.isoformat(),
                    parameters.to_jsonable(a.scenario.values),
                )
                for a in self.arms
            ],
            "factors": [dataclasses.asdict(f) for f in self.factors],
        }
        text = json.dumps(payload, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def effect_label(base: Arm, contrast: Arm) -> str:
    """The label of a base's effect against the contrast, e.g. ``rampup_x5-pilot``."""
    return f"{base.label}-{contrast.label}"


def _err(path: Path, message: str) -> ConfigError:
    return ConfigError(f"{path}: {message}")


def _arm(path: Path, entry, key: str, end, contrast: bool) -> Arm:
    if isinstance(entry, str):
        file, label = entry, None
    elif isinstance(entry, dict) and "file" in entry and set(entry) <= {"file", "label"}:
        file, label = entry["file"], entry.get("label")
    else:
        raise _err(path, f'{key}: give a scenario file name, or {{ file = "...", label = "..." }}')
    sc = scenarios.load(path.parent / file)
    if end is not None:
        sc = sc.with_overrides(end=end)
    return Arm(label=str(label or sc.name), scenario=sc, contrast=contrast)


def _factor(path: Path, name: str, raw) -> Factor:
    where = f"parameters.{name}"
    if not isinstance(raw, dict):
        raise _err(path, f"{where}: give a table (for example low = 0.1, high = 0.5, or values = [...])")
    unknown = set(raw) - PARAMETER_KEYS
    if unknown:
        raise _err(path, f"{where}: unknown key {sorted(unknown)[0]!r}; allowed: {', '.join(sorted(PARAMETER_KEYS))}")
    if "multiplier_of" in raw:
        targets = raw["multiplier_of"]
        targets = (targets,) if isinstance(targets, str) else tuple(targets)
        multiplier = True
    else:
        targets = (raw.get("param", name),)
        multiplier = bool(raw.get("multiplier", False))
    if not targets:
        raise _err(path, f"{where}: multiplier_of names no parameter")
    for t in targets:
        if t not in parameters.PARAMS:
            raise _err(path, f"{where}: {parameters.unknown_key_error(t, parameters.PARAMS)}")
        p = parameters.PARAMS[t]
        if p.kind not in ("float", "int"):
            raise _err(path, f"{where}: {t} is not a number and cannot be varied here")
    start = parse_date(raw["from"], f"{where}.from") if "from" in raw else None
    at = parse_date(raw["at"], f"{where}.at") if "at" in raw else None
    if (start or at) and not all(parameters.PARAMS[t].schedulable for t in targets):
        raise _err(path, f"{where}: 'from' and 'at' need schedulable parameters")
    if at is not None and multiplier:
        raise _err(path, f"{where}: give either 'at' (set one dated value) or a multiplier, not both")
    scale = raw.get("scale", "linear")
    if scale not in ("linear", "log"):
        raise _err(path, f"{where}: scale {scale!r} is not allowed; use linear or log")
    values = raw.get("values")
    low, high = raw.get("low"), raw.get("high")
    if values is not None:
        if not isinstance(values, list) or not values:
            raise _err(path, f"{where}: values is empty; give at least one value")
        try:
            values = tuple(float(v) for v in values)
        except (TypeError, ValueError):
            raise _err(path, f"{where}: values must be numbers") from None
    elif low is None or high is None:
        raise _err(path, f"{where}: give low and high, or values = [...]")
    else:
        try:
            low, high = float(low), float(high)
        except (TypeError, ValueError):
            raise _err(path, f"{where}: low and high must be numbers") from None
        if not low < high:
            raise _err(path, f"{where}: empty range (low {low:g} is not below high {high:g})")
        if scale == "log" and low <= 0:
            raise _err(path, f"{where}: a log scale needs low > 0")
        if "levels" in raw:
            n = raw["levels"]
            if not isinstance(n, int) or n < 2:
                raise _err(path, f"{where}: levels must be a whole number >= 2")
            import numpy as np

            grid = np.geomspace(low, high, n) if scale == "log" else np.linspace(low, high, n)
            values = tuple(float(v) for v in grid)
    if not multiplier:
        for t in targets:
            for v in values or (low, high):
                if parameters.PARAMS[t].kind == "int":
                    v = round(v)
                try:
                    parameters.PARAMS[t].check(f"{where} ({t})", v)
                except ConfigError as exc:
                    raise _err(path, str(exc)) from None
    return Factor(
        name=name,
        targets=targets,
        low=low,
        high=high,
        values=values,
        scale=scale,
        multiplier=multiplier,
        start=start,
        at=at,
        in_contrast=bool(raw.get("contrast", True)),
        doc=str(raw.get("doc", "")),
    )


def _positive_int(path: Path, raw: dict, key: str, default: int) -> int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _err(path, f"{key}: {value!r} must be a whole number >= 1")
    return value


def _seed(path: Path, table: dict, key: str, default: int) -> int:
    """A seed of the spec (``seed``, ``design.seed``), checked as every command checks a seed."""
    problem = seed_problem(table.get(key, default))
    if problem:
        raise _err(path, f"{key}: {problem}")
    return int(table.get(key, default))


def load(path: str | Path) -> Spec:
    """Read and check a sweep spec; raises ConfigError (one line) on any problem."""
    path = Path(path)
    raw = read_toml(path, "sweep spec")
    unknown = set(raw) - TOP_LEVEL_KEYS
    if unknown:
        raise _err(path, f"unknown key {sorted(unknown)[0]!r}; allowed: {', '.join(sorted(TOP_LEVEL_KEYS))}")
    if "scenario" not in raw:
        raise _err(path, 'scenario: name the base scenario file (for example "../scenarios/pilot.toml")')
    try:
        end = parse_date(raw["end"], "end") if "end" in raw else None
        entries = raw["scenario"] if isinstance(raw["scenario"], list) else [raw["scenario"]]
        arms = [_arm(path, e, "scenario", end, contrast=False) for e in entries]
        if "contrast" in raw:
            arms.append(_arm(path, raw["contrast"], "contrast", end or arms[0].scenario.end, contrast=True))
    except ConfigError as exc:
        raise exc if str(exc).startswith(str(path)) else _err(path, str(exc)) from None
    first = arms[0].scenario
    for arm in arms[1:]:
        role = "contrast" if arm.contrast else "scenario"
        if arm.scenario.start != first.start:
            raise _err(
                path,
                f"{role} {arm.label!r} starts on {arm.scenario.start}, not on {first.start} like "
                f"{arms[0].label!r}: runs on common random numbers must start on the same day",
            )
        if arm.scenario.end != first.end:
            raise _err(
                path,
                f"{role} {arm.label!r} ends on {arm.scenario.end}, not on {first.end}; set 'end' in "
                "the spec to give every scenario the same period",
            )
    labels = [a.label for a in arms]
    if len(set(labels)) != len(labels):
        raise _err(
            path,
            f"two scenarios share the label {next(x for x in labels if labels.count(x) > 1)!r}; "
            'write scenario = { file = "...", label = "another" }',
        )
    if "screening" in raw:
        if "parameters" in raw:
            raise _err(path, "give either [parameters] or [screening] (which takes them from a Morris study)")
        raw = {**raw, "parameters": screened_parameters(path, raw["screening"])}
    if not isinstance(raw.get("parameters"), dict) or not raw["parameters"]:
        raise _err(path, "parameters: give at least one [parameters.NAME] table")
    factors = tuple(_factor(path, name, value) for name, value in raw["parameters"].items())
    touched = [t for f in factors for t in f.targets if f.at is None]
    dup = next((t for t in touched if touched.count(t) > 1), None)
    if dup:
        raise _err(path, f"parameters: {dup} is varied by two factors")
    design = dict(raw.get("design", {"kind": "grid"}))
    kind = design.get("kind", "grid")
    if kind not in DESIGN_KINDS:
        raise _err(path, f"design.kind {kind!r} is not allowed; choose one of {', '.join(DESIGN_KINDS)}")
    design["kind"] = kind
    seed = _seed(path, raw, "seed", DEFAULT_SEED)
    if "seed" in design:
        design["seed"] = _seed(path, design, "seed", seed)
    if kind == "grid":
        missing = next((f.name for f in factors if f.values is None), None)
        if missing:
            raise _err(path, f"parameters.{missing}: a grid needs values = [...] or levels = N")
    else:
        fixed = next((f.name for f in factors if f.low is None), None)
        if fixed:
            raise _err(path, f"parameters.{fixed}: a {kind} design needs low and high")
    outputs = raw.get("outputs", list(DEFAULT_OUTPUTS))
    if not isinstance(outputs, list) or not outputs:
        raise _err(path, 'outputs: give a list of daily figures, for example ["arrivals"]')
    for o in outputs:
        if o not in DAILY_COLUMNS:
            raise _err(path, f"outputs: unknown figure {o!r}; choose among {', '.join(DAILY_COLUMNS)}")
    sensitivity = dict(raw.get("sensitivity", {}))
    spec = Spec(
        name=str(raw.get("name", path.stem)),
        description=str(raw.get("description", "")).strip(),
        path=path,
        arms=tuple(arms),
        factors=factors,
        design=design,
        replicates=_positive_int(path, raw, "replicates", 1),
        seed=seed,
        outputs=tuple(outputs),
        daily=bool(raw.get("daily", False)),
        screening=raw.get("screening"),
        sensitivity=sensitivity,
        figures=tuple(raw.get("figures", [])),
        raw=raw,
    )
    columns = spec.output_columns()
    for o in sensitivity.get("outputs", []):
        if o not in columns:
            raise _err(path, f"sensitivity.outputs: {o!r} is not an output of this sweep; e.g. {columns[-1]!r}")
    return spec


def screened_parameters(path: Path, screening) -> dict:
    """The ``[parameters]`` of a study that follows a Morris screening: the ``top`` factors of the
    Morris spec ``screening.spec``, ranked from its results in ``screening.folder`` (both paths
    relative to this spec), with the ranges the Morris spec gave them."""
    if not isinstance(screening, dict) or not {"spec", "folder", "top"} <= set(screening):
        raise _err(path, 'screening: give spec = "morris spec.toml", folder = "its results", top = N')
    morris_spec = path.parent / screening["spec"]
    folder = path.parent / screening["folder"]
    table_file = folder / "morris.csv"
    if not morris_spec.is_file():
        raise _err(path, f"screening.spec: {morris_spec} not found")
    if not table_file.is_file():
        raise _err(
            path,
            f"screening: {table_file} not found; run `deterrence-sim sensitivity {morris_spec} --out {folder}` first",
        )
    morris_raw = read_toml(morris_spec, "sweep spec")
    ranked = rank_for_screening(pd.read_csv(table_file))
    top = int(screening["top"])
    chosen = ranked["parameter"].head(top).tolist()
    return {name: morris_raw["parameters"][name] for name in chosen}


def rank_for_screening(table: pd.DataFrame) -> pd.DataFrame:
    """Factors of a Morris table ranked by their largest normalised ``mu_star`` over outputs."""
    t = table.copy()
    t["mu_star_norm"] = t["mu_star"] / t.groupby("output")["mu_star"].transform("max").replace(0, np.nan)
    score = t.groupby("parameter")["mu_star_norm"].max().fillna(0.0)
    return score.sort_values(ascending=False).rename("score").reset_index()


def is_event(output: str) -> bool:
    """Whether a daily figure is a count of events (summed over a year) or a level (averaged)."""
    return output in EVENT_COLUMNS
