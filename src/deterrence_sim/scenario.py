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
naming the file and the key.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tomllib
from pathlib import Path

from . import params as parameters
from .errors import ConfigError
from .schedule import parse_date

TOP_LEVEL_KEYS = {"name", "description", "extends", "start", "end", "params"}
DEFAULT_START = dt.date(2025, 1, 1)
DEFAULT_END = dt.date(2025, 12, 31)


@dataclasses.dataclass
class Scenario:
    """A validated scenario: name, description, period and parameter overrides."""

    name: str
    description: str = ""
    start: dt.date = DEFAULT_START
    end: dt.date = DEFAULT_END
    params: dict = dataclasses.field(default_factory=dict)
    path: str | None = None

    def with_overrides(self, end=None, overrides=None) -> Scenario:
        """A copy with a different end date and/or extra parameter values (validated)."""
        merged = {**self.params, **(overrides or {})}
        parameters.validate(merged)
        end = parse_date(end, "--end") if end is not None else self.end
        if end < self.start:
            raise ConfigError(f"--end: {end} is before the scenario's start {self.start}")
        return dataclasses.replace(self, end=end, params=merged)

    def model_kwargs(self) -> dict:
        """Keyword arguments for ChannelModel (without rng)."""
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), **self.params}


def load(path: str | Path, _seen: tuple = ()) -> Scenario:
    """Read and validate a scenario file (following ``extends`` chains)."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"scenario file {path} not found")
    if path.resolve() in _seen:
        raise ConfigError(f"{path}: 'extends' loops back to a file already being read")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({str(exc).splitlines()[0]})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a text file") from None
    unknown = set(raw) - TOP_LEVEL_KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown key {sorted(unknown)[0]!r}; allowed top-level keys: "
                          f"{', '.join(sorted(TOP_LEVEL_KEYS))} (parameters go under [params])")
    try:
        base = load(path.parent / raw["extends"], _seen + (path.resolve(),)) if "extends" in raw else None
        own = raw.get("params", {})
        if not isinstance(own, dict):
            raise ConfigError("[params] must be a table of name = value")
        merged = {**(base.params if base else {}), **own}
        parameters.validate(merged)
        start = parse_date(raw["start"], "start") if "start" in raw else (base.start if base else DEFAULT_START)
        end = parse_date(raw["end"], "end") if "end" in raw else (base.end if base else DEFAULT_END)
        if end < start:
            raise ConfigError(f"end: {end} is before start {start}")
    except ConfigError as exc:
        if str(exc).startswith(str(path)):
            raise
        raise ConfigError(f"{path}: {exc}") from None
    return Scenario(name=str(raw.get("name", path.stem)), description=str(raw.get("description", "")).strip(),
                    start=start, end=end, params=merged, path=str(path))
