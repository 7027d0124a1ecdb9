"""Scenario files: TOML descriptions of a policy world, in ``experiments/scenarios/``.

A scenario names itself, says what it represents, may set the simulated period and overrides
any parameter (constants, or dated schedules for schedulable parameters)::

    # The pilot with five times the removal capacity from March 2026.
    name = "rampup_x5"
    description = "..."
    extends = "pilot.toml"          # optional: start from another scenario's settings
    start = 2025-01-01              # optional
    end = 2027-12-31                # optional

    [params]
    detention_capacity = { 2025-08-06 = 100, 2026-03-01 = 500 }

Everything is validated when the file is loaded; a problem raises ConfigError with one line
naming the file and the key. A scenario's name is used for file names (``results/runs/<name>``,
the comparison's ``daily/<name>.parquet``), so it may hold only letters, digits, ``_`` and ``-``
(:func:`check_name`); without a ``name`` the file's stem is used, under the same rule.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

from . import limits
from . import params as parameters
from .errors import ConfigError
from .safeio import read_toml
from .schedule import parse_date

TOP_LEVEL_KEYS = {"name", "description", "extends", "start", "end", "params"}
#: What a scenario name may be: it becomes a file and folder name.
NAME_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
#: The ramp-up date of the standard scenarios: removal capacity scales up from this day (compare, report, app),
#: after the policy path known to June 2026 (pilot.toml).
RAMP_DATE = "2026-07-01"
DEFAULT_START = dt.date(2025, 1, 1)
DEFAULT_END = dt.date(2025, 12, 31)


@dataclasses.dataclass(frozen=True)
class Scenario:
    """A validated scenario: name, description, period, and its parameters checked once into
    ``values`` (:class:`~deterrence_sim.params.Parameters`: what the runner and the model
    receive); ``params`` is what the file set, as written."""

    name: str
    description: str = ""
    start: dt.date = DEFAULT_START
    end: dt.date = DEFAULT_END
    values: parameters.Parameters = dataclasses.field(default_factory=lambda: parameters.validate({}))
    path: str | None = None

    @property
    def params(self) -> dict:
        """The parameter values the scenario sets, as written (the rest are the defaults)."""
        return self.values.given

    def with_overrides(self, end=None, overrides=None) -> Scenario:
        """A copy with a different end date and/or extra parameter values (only these are checked)."""
        values = self.values.replace(overrides) if overrides else self.values
        end = parse_date(end, "end") if end is not None else self.end
        if end < self.start:
            raise ConfigError(f"end: {end} is before the scenario's start {self.start}")
        limits.check_horizon(self.start, end)
        return dataclasses.replace(self, end=end, values=values)

    def warnings(self) -> list[str]:
        """What in the scenario has no effect on its run, in one line each: the dates of its
        schedules that fall after the end (the change they make never happens)."""
        out = []
        for name, late in parameters.schedule_dates_after(self.values, self.end).items():
            days = ", ".join(d.isoformat() for d in late[:3]) + (f" and {len(late) - 3} more" if len(late) > 3 else "")
            out.append(
                f"{self.name}: {name} changes on {days}, after the end of the run ({self.end}); "
                f"{'that change has' if len(late) == 1 else 'those changes have'} no effect"
            )
        return out

    def model_kwargs(self) -> dict:
        """Keyword arguments for ChannelModel and ``runner.simulate`` (without rng): the period and
        the checked ``values``. Parameters added to them are changes, checked alone by the model."""
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "values": self.values}


def check_name(name, where: str = "name") -> str:
    """A scenario name, checked: 1 to 64 letters, digits, ``_`` or ``-`` (it becomes a file name,
    so ``../x``, ``a/b`` or an empty name would write elsewhere or nowhere)."""
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise ConfigError(
            f"{where}: {name!r} is not allowed as a scenario name; use 1 to 64 letters, digits, _ or - "
            f"(it is used as a file name)"
        )
    return name


def load(path: str | Path, _seen: tuple = ()) -> Scenario:
    """Read and validate a scenario file (following ``extends`` chains)."""
    path = Path(path)
    if path.resolve() in _seen:
        raise ConfigError(f"{path}: 'extends' loops back to a file already being read")
    raw = read_toml(path, "scenario file")
    unknown = set(raw) - TOP_LEVEL_KEYS
    if unknown:
        raise ConfigError(
            f"{path}: unknown key {sorted(unknown)[0]!r}; allowed top-level keys: "
            f"{', '.join(sorted(TOP_LEVEL_KEYS))} (parameters go under [params])"
        )
    try:
        name = check_name(
            raw.get("name", path.stem), "name" if "name" in raw else 'name (taken from the file name; set name = "...")'
        )
        if not isinstance(raw.get("description", ""), str):
            raise ConfigError("description: must be a string")
        extends = raw.get("extends")
        if extends is not None and not (isinstance(extends, str) and extends.strip()):
            raise ConfigError(
                f"extends: {extends!r} is not a file name; write the scenario it builds on as a "
                f'string, for example extends = "pilot.toml"'
            )
        base = load(path.parent / extends, _seen + (path.resolve(),)) if extends is not None else None
        own = raw.get("params", {})
        if not isinstance(own, dict):
            raise ConfigError("[params] must be a table of name = value")
        values = base.values.replace(own) if base else parameters.validate(own)
        start = parse_date(raw["start"], "start") if "start" in raw else (base.start if base else DEFAULT_START)
        end = parse_date(raw["end"], "end") if "end" in raw else (base.end if base else DEFAULT_END)
        if end < start:
            raise ConfigError(f"end: {end} is before start {start}")
        limits.check_horizon(start, end)
    except ConfigError as exc:
        if str(exc).startswith(str(path)):
            raise
        raise ConfigError(f"{path}: {exc}") from None
    return Scenario(
        name=name, description=raw.get("description", "").strip(), start=start, end=end, values=values, path=str(path)
    )
