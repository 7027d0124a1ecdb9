"""Priors of the calibrated parameters: which quantities are fitted, their prior distributions
and why (docs/ODD.md, section 10), and the optional TOML file that overrides them
(``deterrence-sim calibrate --priors FILE``)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ..errors import ConfigError
from ..safeio import read_toml
from ..analyses.uncertainty import Prior


@dataclasses.dataclass(frozen=True)
class CalibParam:
    """One calibrated quantity, its prior (:class:`~deterrence_sim.analyses.uncertainty.Prior`, the
    package's one prior class), and why."""

    name: str
    prior: Prior
    why: str
    unit: str = ""


def _calibrated(name: str, dist: str, a: float, b: float, why: str, unit: str) -> CalibParam:
    return CalibParam(name, Prior(name, dist, a, b, why), why, unit)


#: The calibrated parameters. Everything else keeps its default (docs/ODD.md, section 10).
CALIBRATED: dict[str, CalibParam] = {
    p.name: p
    for p in [
        _calibrated(
            "inflow_2023",
            "uniform",
            20_000,
            60_000,
            "people reaching the coast in 2023 (inflow_per_year from 2023-01-01); wide: about 0.7-2 times "
            "the 29,437 arrivals",
            "people/year",
        ),
        _calibrated(
            "inflow_2024", "uniform", 20_000, 60_000, "inflow_per_year from 2024-01-01 (36,816 arrivals)", "people/year"
        ),
        _calibrated(
            "inflow_2025", "uniform", 20_000, 60_000, "inflow_per_year from 2025-01-01 (41,472 arrivals)", "people/year"
        ),
        _calibrated(
            "try_prob",
            "uniform",
            0.05,
            0.6,
            "daily chance of trying on a sea-viable day; sets how fast the coast empties after rough spells",
            "probability/day",
        ),
        _calibrated(
            "beach_prevention_prob",
            "uniform",
            0.2,
            0.8,
            "French beach prevention up to 2025-06-30 (SB02 share stopped 42% in 2024, 39% in 2025 H1)",
            "probability per boat",
        ),
        _calibrated(
            "beach_prevention_2025h2",
            "uniform",
            0.2,
            0.8,
            "beach prevention from 2025-07-01 (SB02 share stopped fell to 31% in 2025 H2)",
            "probability per boat",
        ),
        _calibrated(
            "people_per_boat_initial",
            "uniform",
            35,
            55,
            "networks' load on 2023-01-01 (SB01: 41.7 people per boat in 2023 Q1)",
            "people/boat",
        ),
        _calibrated(
            "people_per_boat_gain",
            "uniform",
            0.0,
            0.6,
            "rise in load per boat lost to the police (SB01: 42 to 65 people per boat, 2023-2025)",
            "people/boat per boat lost",
        ),
        _calibrated(
            "returnee_recross_daily",
            "loguniform",
            0.0002,
            0.02,
            "returnees going back to the coast (2 re-crossings by November 2025); log-uniform over two "
            "orders of magnitude",
            "probability/day",
        ),
        _calibrated(
            "deterrence_strength",
            "lognormal",
            0.77,
            1.0,
            "outside evidence (docs/ODD.md section 8): median sqrt(0.2 x 3), the geometric middle of US "
            "border studies (~0.1-0.3) and the Australian turnbacks (>= 3); 90% prior interval 0.15-4.0",
            "per unit of perceived risk",
        ),
    ]
}


def load_priors(path: str | Path | None) -> dict[str, CalibParam]:
    """The calibrated parameters, with priors overridden from a TOML file if given::

    [try_prob]
    dist = "uniform"      # uniform | loguniform (low, high) | lognormal (median, sigma)
    low = 0.1
    high = 0.5
    """
    out = dict(CALIBRATED)
    if path is None:
        return out
    path = Path(path)
    raw = read_toml(path, "prior file")
    for name, spec in raw.items():
        if name not in CALIBRATED:
            raise ConfigError(
                f"{path}: unknown parameter {name!r}; the calibrated parameters are {', '.join(CALIBRATED)}"
            )
        if not isinstance(spec, dict):
            raise ConfigError(f"{path}: [{name}] must be a table with dist and its numbers")
        dist = spec.get("dist")
        keys = {"uniform": ("low", "high"), "loguniform": ("low", "high"), "lognormal": ("median", "sigma")}
        if dist not in keys:
            raise ConfigError(f"{path}: {name}.dist = {dist!r}; use uniform, loguniform or lognormal")
        try:
            a, b = (float(spec[k]) for k in keys[dist])
        except (KeyError, TypeError, ValueError):
            raise ConfigError(f"{path}: {name} needs numbers {' and '.join(keys[dist])} for a {dist} prior") from None
        if (
            (dist == "lognormal" and not (a > 0 and b > 0))
            or (dist != "lognormal" and not (b > a))
            or (dist == "loguniform" and a <= 0)
        ):
            raise ConfigError(
                f"{path}: {name}: {keys[dist][0]} = {a:g}, {keys[dist][1]} = {b:g} do not make a valid {dist} prior"
            )
        out[name] = dataclasses.replace(out[name], prior=dataclasses.replace(out[name].prior, dist=dist, a=a, b=b))
    return out
