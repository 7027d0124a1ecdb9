"""How big a run may be: limits on the horizon and the replicate count, and an estimate of a
run's time and memory, checked before any simulation starts.

* The horizon (start to end) is at most :data:`MAX_HORIZON_YEARS` years. The model is meant for
  policy horizons of a few years; a century is far beyond what its parameters describe, and the
  limit keeps a mistyped year (``--end 9999-12-31``) from filling the machine.
* A run has at most :data:`MAX_REPLICATES` replicates (a typo such as ``--replicates 100000000``).
* Within those limits, :func:`estimate` gives the time and memory a run will need, from the cost
  of a simulated year measured by ``benchmarks/bench_horizon.py`` (rounded up), and
  :func:`check_fits` refuses a run whose memory would exceed what the machine has available.

The numbers behind the estimate, per replicate and simulated year at full scale (about 48,000
newcomers a year): about 0.05 s of one core (:data:`SECONDS_PER_YEAR` is set twice as high, for
slower machines and larger flows); the daily results held until they are written, 32 numbers a
day, about :data:`BYTES_PER_RESULT_DAY` bytes a day with pandas' copies; and in each worker the
model itself (:data:`MODEL_BYTES` plus :data:`MODEL_BYTES_PER_DAY`).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from .errors import ConfigError

#: Longest horizon, in years, from the start date to the end date.
MAX_HORIZON_YEARS = 100
#: Most replicates in one run.
MAX_REPLICATES = 10_000
#: Largest seed of a run: seeds are whole numbers from 0 to this (numpy's seed sequences take no
#: negative number; 2**63 - 1 is the largest that every part of the package can pass on).
MAX_SEED = 2**63 - 1
#: Seconds of one core per replicate and simulated year (the benchmark's 0.05 s, doubled).
SECONDS_PER_YEAR = 0.1
#: Memory held in the main process per replicate and simulated day of results (32 columns of
#: 8 bytes, about three copies while they are stacked and written).
BYTES_PER_RESULT_DAY = 800
#: Memory of one worker process with a model: the interpreter, numpy, numba and the compiled
#: model (about 250 MB), the population table and a block of newcomers.
MODEL_BYTES = 350 * 2**20
#: A model's memory per simulated day (figures, the day-by-day parameter values, dates).
MODEL_BYTES_PER_DAY = 1_000


def seed_problem(seed) -> str | None:
    """What is wrong with ``seed`` as a seed (a whole number from 0 to :data:`MAX_SEED`), or None."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        return f"{seed!r} is not a whole number"
    if not 0 <= seed <= MAX_SEED:
        return f"{seed} is out of range; a seed is a whole number from 0 to {MAX_SEED}"
    return None


def check_seed(seed, key: str = "seed") -> int:
    """A seed, checked the one way every command and the library check it: a whole number from 0
    to :data:`MAX_SEED`; raises ConfigError naming ``key`` otherwise."""
    problem = seed_problem(seed)
    if problem:
        raise ConfigError(f"{key}: {problem}")
    return int(seed)


def horizon_text() -> str:
    """The horizon limit, as stated in ``--help``."""
    return f"at most {MAX_HORIZON_YEARS} years after the start"


def max_end(start: dt.date) -> dt.date:
    """The latest end date allowed for a run starting on ``start``."""
    try:
        return start.replace(year=start.year + MAX_HORIZON_YEARS) - dt.timedelta(days=1)
    except ValueError:  # 29 February
        return dt.date(start.year + MAX_HORIZON_YEARS, 2, 28)


def check_horizon(start: dt.date, end: dt.date, key: str = "end") -> None:
    """Refuse an end date more than :data:`MAX_HORIZON_YEARS` years after ``start``."""
    if end > max_end(start):
        raise ConfigError(
            f"{key}: {end} is {(end - start).days / 365.25:.0f} years after the start {start}; "
            f"the horizon is {horizon_text()} (latest end {max_end(start)})"
        )


def check_replicates(replicates: int, key: str = "replicates") -> None:
    """Refuse fewer than 1 or more than :data:`MAX_REPLICATES` replicates."""
    if not 1 <= replicates <= MAX_REPLICATES:
        raise ConfigError(f"{key}: {replicates} is out of range; allowed: 1..{MAX_REPLICATES}")


def estimate(replicates: int, days: int, workers: int, runs: int = 1) -> dict:
    """Time (seconds, wall clock on ``workers`` cores) and peak memory (bytes) of ``runs`` runs of
    ``replicates`` replicates over ``days`` days; ``runs`` counts runs whose results are held
    together (the scenarios of a comparison)."""
    workers = max(1, min(workers, replicates))
    years = days / 365.25
    seconds = runs * replicates * years * SECONDS_PER_YEAR / workers
    memory = runs * replicates * days * BYTES_PER_RESULT_DAY + workers * (MODEL_BYTES + days * MODEL_BYTES_PER_DAY)
    return {"seconds": seconds, "bytes": memory, "workers": workers}


def available_memory() -> int | None:
    """Memory the machine can give this run now (Linux ``MemAvailable``), or None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def describe(est: dict) -> str:
    """An estimate in words: 'about 3 min and 1.2 GB on 2 cores'."""
    s = est["seconds"]
    when = f"{s:.0f} s" if s < 120 else f"{s / 60:.0f} min" if s < 7200 else f"{s / 3600:.1f} h"
    return f"about {when} and {est['bytes'] / 2**30:.1f} GB on {est['workers']} core(s)"


def check_fits(replicates: int, days: int, workers: int, runs: int = 1, available: int | None = None) -> dict:
    """The estimate of :func:`estimate`, refused with a ConfigError when its memory exceeds what
    the machine has available (``available`` bytes; default :func:`available_memory`)."""
    est = estimate(replicates, days, workers, runs)
    available = available_memory() if available is None else available
    if available is not None and est["bytes"] > available:
        raise ConfigError(
            f"{replicates} replicate(s) of {days:,} days would need {describe(est)}, more than the "
            f"{available / 2**30:.1f} GB of memory available; use fewer replicates or a shorter "
            f"horizon"
        )
    return est
