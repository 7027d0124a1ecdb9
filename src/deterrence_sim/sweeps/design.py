"""Design points of a sweep: where in parameter space the model is run.

* ``grid``: every combination of each factor's ``values`` (first factor slowest);
* ``lhs``: a Latin hypercube of ``points`` points (``scipy.stats.qmc.LatinHypercube``);
* ``sobol_sequence``: the first ``points`` points of a scrambled Sobol sequence (``scipy.stats.qmc``);
* ``morris``: ``trajectories`` one-at-a-time trajectories on a ``levels``-level grid (SALib), for
  Morris screening;
* ``sobol``: Saltelli's scheme for Sobol indices, ``base_samples`` x (factors + 2) points (SALib,
  first-order and total indices, no second order), for :mod:`deterrence_sim.sweeps.sensitivity`.

Each design is drawn in the *unit* coordinates SALib's problem uses (the factor's range, or its
log10 for ``scale = "log"``), then mapped to values; both are kept, since the sensitivity
analysis needs the coordinates the design was drawn in. The draw is seeded from the spec's root
seed (or ``design.seed``), so the same spec always gives the same points.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from ..errors import ConfigError
from .spec import Spec


def problem(spec: Spec) -> dict:
    """SALib's problem description of the spec's factors (bounds in design coordinates)."""
    bounds = []
    for f in spec.factors:
        lo, hi = (np.log10(f.low), np.log10(f.high)) if f.scale == "log" else (f.low, f.high)
        bounds.append([float(lo), float(hi)])
    return {"num_vars": len(spec.factors), "names": [f.name for f in spec.factors], "bounds": bounds}


def _design_int(spec: Spec, key: str, default: int | None) -> int:
    value = spec.design.get(key, default)
    if value is None:
        raise ConfigError(f"{spec.path}: design.{key} is needed for a {spec.design['kind']} design")
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{spec.path}: design.{key} = {value!r} must be a whole number >= 1")
    return value


def coordinates(spec: Spec) -> np.ndarray:
    """The design points in design coordinates, one row per point."""
    kind = spec.design["kind"]
    seed = int(spec.design.get("seed", spec.seed))
    prob = problem(spec) if kind != "grid" else None
    if kind == "grid":
        return np.array(list(itertools.product(*[f.values for f in spec.factors])), dtype=float)
    if kind in ("lhs", "sobol_sequence"):
        from scipy.stats import qmc

        n = _design_int(spec, "points", None)
        d = len(spec.factors)
        engine = qmc.LatinHypercube(d=d, rng=seed) if kind == "lhs" else qmc.Sobol(d=d, scramble=True, rng=seed)
        unit = engine.random(n)
        lo, hi = np.array(prob["bounds"]).T
        return qmc.scale(unit, lo, hi)
    if kind == "morris":
        from SALib.sample import morris

        r = _design_int(spec, "trajectories", None)
        levels = _design_int(spec, "levels", 4)
        return morris.sample(prob, N=r, num_levels=levels, seed=seed)
    if kind == "sobol":
        from SALib.sample import sobol

        n = _design_int(spec, "base_samples", None)
        if n & (n - 1):
            raise ConfigError(f"{spec.path}: design.base_samples = {n} must be a power of 2 (e.g. 32, 64, 128)")
        return sobol.sample(prob, N=n, calc_second_order=False, scramble=True, seed=seed)
    raise AssertionError(kind)  # spec.load has checked the kind


def to_values(spec: Spec, coords: np.ndarray) -> np.ndarray:
    """Design coordinates as factor values (10**x for log-scale factors; grids are values)."""
    values = np.array(coords, dtype=float, copy=True)
    if spec.design["kind"] != "grid":
        for j, f in enumerate(spec.factors):
            if f.scale == "log":
                values[:, j] = 10.0 ** values[:, j]
    return values


def design_table(spec: Spec) -> pd.DataFrame:
    """One row per design point: ``point``, each factor's value, and its design coordinate
    (``x:<factor>``)."""
    coords = coordinates(spec)
    values = to_values(spec, coords)
    table = pd.DataFrame({"point": np.arange(len(coords), dtype=np.int64)})
    for j, f in enumerate(spec.factors):
        table[f.name] = values[:, j]
    for j, f in enumerate(spec.factors):
        table[f"x:{f.name}"] = coords[:, j]
    return table
