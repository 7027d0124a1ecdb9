"""The ``deterrence-sim calibrate`` command: the held-out and/or the full fit, their output
files, then the month-to-month inflow noise estimated from each fit's residuals."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

from ..errors import ConfigError
from .fit import generations, run_fit
from .month_sd import MONTH_SD_FILE, MONTH_SD_REPLICATES, estimate_inflow_month_sd
from .outputs import point_estimate, set_month_sd_in_toml, write_outputs
from .priors import load_priors
from .setting import DEFAULT_BUDGET, DEFAULT_POPULATION, DEFAULT_SEED, FITS, SETTINGS


def estimate_month_sd_for(
    folder: Path,
    fits=FITS,
    replicates: int = MONTH_SD_REPLICATES,
    seed: int = DEFAULT_SEED,
    workers: int = 1,
    log=print,
) -> dict:
    """:func:`estimate_inflow_month_sd` for each fit whose posterior is in ``folder``, at its point
    estimate (posterior medians); writes ``folder/inflow_month_sd.json`` and returns its content."""
    import pandas as pd

    results = {}
    for name in fits:
        path = folder / f"posterior_{name}.csv"
        if not path.is_file():
            continue
        theta = point_estimate(pd.read_csv(path))
        results[name] = estimate_inflow_month_sd(
            theta, SETTINGS[name], replicates=replicates, seed=seed, workers=workers, log=log
        )
    if not results:
        raise ConfigError(
            f"{folder}: no posterior_full.csv or posterior_holdout.csv; run `deterrence-sim calibrate "
            f"--out {folder}` first"
        )
    (folder / MONTH_SD_FILE).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return results


def calibrate(
    out: Path,
    budget: int = DEFAULT_BUDGET,
    population: int = DEFAULT_POPULATION,
    seed: int = DEFAULT_SEED,
    workers: int | None = None,
    fit: str = "both",
    prior_file: str | None = None,
    progress: bool = True,
    command: str = "deterrence-sim calibrate",
    log=print,
    month_sd_replicates: int = MONTH_SD_REPLICATES,
) -> dict:
    """The ``calibrate`` command: the held-out and/or the full fit, the output files, then the
    month-to-month inflow noise estimated from each fit's residuals (:func:`calibrate_month_sd`)."""
    from ..runner import default_workers

    if fit not in ("both", *FITS):
        raise ConfigError(f"--fit {fit!r}: choose both, holdout or full")
    if population < 10 or population > 10_000:
        raise ConfigError(f"--population {population} is out of range; allowed: 10..10000")
    if budget < 2 * population or budget > 10_000_000:
        raise ConfigError(
            f"--budget {budget} is out of range; allowed: {2 * population}..10000000 simulations "
            f"(at least two generations of --population {population})"
        )
    if month_sd_replicates < 10 or month_sd_replicates > 10_000:
        raise ConfigError(f"--month-sd-replicates {month_sd_replicates} is out of range; allowed: 10..10000")
    priors = load_priors(prior_file)
    workers = default_workers() if workers is None else workers
    for f in ("holdout", "full"):  # check the data before any simulation
        if fit in ("both", f):
            SETTINGS[f].targets()
    fits = {}
    t0 = time.perf_counter()
    for name in FITS:
        if fit in ("both", name):
            fits[name] = run_fit(SETTINGS[name], out, budget, population, seed, workers, priors, progress, log=log)
    for name in FITS:  # a fit made by an earlier call into the same folder is reported too
        db = out / f"{name}.db"
        if name not in fits and db.exists():
            pops = generations(db)
            fits[name] = {
                "fit": name,
                "db": str(db),
                "generations": int(pops.t.max()) + 1,
                "simulations": int(pops.samples.sum()),
            }
    meta = {
        "date": dt.date.today().isoformat(),
        "command": command,
        "budget": budget,
        "population": population,
        "seed": seed,
        "window": "SB01 daily arrivals 2023-01-01..2025-12-31 (weather: observed crossing days; inflow "
        "seasonality 2023-25), SB02 preventions 2024-05..2025-12, pilot returns/admissions "
        "2025-09-18..2026-01-27; simulated 2023-01-01..2026-01-31",
    }
    result = write_outputs(out, priors, fits, meta, SETTINGS["full"])
    # last step: the month-to-month inflow noise, from the fits' residuals (estimate_inflow_month_sd)
    month_sd = estimate_month_sd_for(
        out,
        [name for name in FITS if name in fits],
        replicates=month_sd_replicates,
        seed=seed,
        workers=workers,
        log=log,
    )
    if "full" in month_sd and (out / "calibrated.toml").is_file():
        set_month_sd_in_toml(out / "calibrated.toml", month_sd["full"])
        result["values"]["inflow_month_sd"] = month_sd["full"]["sd"]
    result.update(fits=fits, seconds=time.perf_counter() - t0, priors=priors, month_sd=month_sd)
    return result


def calibrate_month_sd(
    out: Path,
    fit: str = "both",
    replicates: int = MONTH_SD_REPLICATES,
    seed: int = DEFAULT_SEED,
    workers: int | None = None,
    log=print,
) -> dict:
    """``deterrence-sim calibrate --only-inflow-month-sd``: the last step of :func:`calibrate` alone.

    Estimates ``inflow_month_sd`` from the posteriors already in ``out`` (``posterior_full.csv``,
    ``posterior_holdout.csv``; ``--fit`` picks which), writes ``out/inflow_month_sd.json`` and puts
    the full fit's estimate into ``out/calibrated.toml`` when that file is there. No ABC fit is
    run and the other calibrated values are left as they are."""
    from ..runner import default_workers

    if fit not in ("both", *FITS):
        raise ConfigError(f"--fit {fit!r}: choose both, holdout or full")
    workers = default_workers() if workers is None else workers
    t0 = time.perf_counter()
    month_sd = estimate_month_sd_for(
        Path(out), [f for f in FITS if fit in ("both", f)], replicates=replicates, seed=seed, workers=workers, log=log
    )
    toml = Path(out) / "calibrated.toml"
    if "full" in month_sd and toml.is_file():
        set_month_sd_in_toml(toml, month_sd["full"])
    return {"month_sd": month_sd, "seconds": time.perf_counter() - t0, "toml": toml if toml.is_file() else None}
