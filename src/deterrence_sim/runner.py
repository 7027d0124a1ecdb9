"""Running replicates of a scenario, in parallel or not, with the same results either way.

Replicate ``i`` of a run with seed ``S`` always uses the seed ``replicate_seed(S, i)``, whatever
the number of replicates or workers, so results do not depend on how the work was split; and
replicate ``i`` of two different scenarios shares that seed, hence its weather and newcomers
(common random numbers).
"""

from __future__ import annotations

import json
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__
from . import params as parameters
from .model import DAILY_COLUMNS, EVENT_COLUMNS, ChannelModel
from .scenario import Scenario


def replicate_seed(seed: int, replicate: int) -> int:
    """The model seed of one replicate, derived from the run's seed (independent of the count)."""
    child = np.random.SeedSequence(seed).spawn(replicate + 1)[replicate]
    return int(child.generate_state(1)[0])


def run_one(kwargs: dict, seed: int, replicate: int) -> pd.DataFrame:
    """Simulate one replicate and return its daily table (one row per date)."""
    model = ChannelModel(rng=replicate_seed(seed, replicate), **kwargs).run()
    df = pd.DataFrame({name: model.datacollector.model_vars[name] for name in DAILY_COLUMNS})
    df.insert(0, "date", pd.to_datetime(model.dates[: len(df)]))
    df.insert(0, "replicate", replicate)
    return df


def _run_star(args):
    return run_one(*args)


def default_workers() -> int:
    """Worker processes to use by default: the CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def run_replicates(scenario: Scenario, replicates: int, seed: int, workers: int | None = None,
                   progress: bool | None = None, label: str | None = None) -> pd.DataFrame:
    """All replicates of ``scenario``, stacked, ordered by replicate then date."""
    from tqdm.auto import tqdm

    kwargs = scenario.model_kwargs()
    ChannelModel(rng=0, **{**kwargs, "end": kwargs["start"]})  # validate before starting any work
    workers = default_workers() if workers is None else max(1, workers)
    jobs = [(kwargs, seed, i) for i in range(replicates)]
    disable = (not sys.stderr.isatty()) if progress is None else not progress
    bar = tqdm(total=replicates, desc=label or scenario.name, unit="rep", disable=disable, leave=False)
    results = []
    if workers == 1 or replicates == 1:
        for job in jobs:
            results.append(_run_star(job))
            bar.update()
    else:
        with ProcessPoolExecutor(max_workers=min(workers, replicates)) as pool:
            for df in pool.map(_run_star, jobs):
                results.append(df)
                bar.update()
    bar.close()
    return pd.concat(results, ignore_index=True)


def totals(daily: pd.DataFrame) -> pd.DataFrame:
    """Event totals per replicate (sums of the daily event columns)."""
    return daily.groupby("replicate")[list(EVENT_COLUMNS)].sum()


def write_run(out: Path, scenario: Scenario, daily: pd.DataFrame, seed: int) -> None:
    """Write ``daily.csv`` and ``summary.json`` for a run into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    daily.to_csv(out / "daily.csv", index=False, date_format="%Y-%m-%d", float_format="%.6g")
    per_rep = totals(daily)
    summary = {
        "scenario": {"name": scenario.name, "description": scenario.description, "file": scenario.path,
                     "start": scenario.start.isoformat(), "end": scenario.end.isoformat()},
        "seed": seed,
        "replicates": int(daily["replicate"].nunique()),
        "replicate_seeds": [replicate_seed(seed, int(i)) for i in sorted(daily["replicate"].unique())],
        "version": __version__,
        "parameters": parameters.to_jsonable(parameters.validate(scenario.params)),
        "totals_per_replicate": {int(rep): {k: int(v) for k, v in row.items()} for rep, row in per_rep.iterrows()},
        "totals_mean": {k: float(v) for k, v in per_rep.mean().items()},
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8")
