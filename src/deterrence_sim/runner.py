"""Running replicates of a scenario, in parallel or not, with the same results either way.

Replicate ``i`` of a run with seed ``S`` always uses the seed ``replicate_seed(S, i)``, whatever
the number of replicates or workers, so results do not depend on how the work was split; and
replicate ``i`` of two different scenarios shares that seed, hence its weather and newcomers
(common random numbers).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import sys
import warnings
from collections.abc import Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__, compiling, limits, safeio
from . import params as parameters
from . import workers as _workers
from .limits import check_seed
from .daybook import FLOAT_COLUMNS
from .model import DAILY_COLUMNS, EVENT_COLUMNS, ChannelModel
from .scenario import Scenario
from .workers import default_workers as default_workers  # re-exported


@contextlib.contextmanager
def worker_pool(workers: int | None, jobs: int):
    """:func:`workers.worker_pool`, once the compiled model is ready in this process (compiled
    here, with a message, if it must be), so that the workers load it instead of each compiling it."""
    compiling.ensure_compiled()
    with _workers.worker_pool(workers, jobs) as pool:
        yield pool


class ScenarioWarning(UserWarning):
    """Something in a scenario that has no effect on its run (a schedule date after the end)."""


def replicate_seed(seed: int, replicate: int) -> int:
    """The model seed of one replicate, derived from the run's seed (independent of the count)."""
    child = np.random.SeedSequence(seed).spawn(replicate + 1)[replicate]
    return int(child.generate_state(1)[0])


@dataclasses.dataclass(frozen=True)
class Result:
    """One run of the model: its daily figures by name (``result["arrivals"]``, one value per
    day), the same as a table (``result.daily``), its event totals, the seed it ran with, and the
    networks' people per boat at the end of the run (``result.network_load``)."""

    seed: int
    #: the simulated dates, in order
    dates: tuple
    #: one row per simulated day, one column per ``DAILY_COLUMNS`` name (floats)
    figures: np.ndarray
    #: each smuggling network's people per boat after the last day (rule 5's ``load``), the
    #: starting value a run that begins the next day takes (``calibration.outputs.state_on``)
    network_load: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0))

    def __getitem__(self, name: str) -> np.ndarray:
        """The daily figure ``name`` (a ``daybook.OUTPUTS`` name), one value per day."""
        return self.figures[:, DAILY_COLUMNS.index(name)]

    @property
    def daily(self) -> pd.DataFrame:
        """The run's daily table: ``date``, then every daily figure (counts as whole numbers),
        as written to ``daily.csv``."""
        df = pd.DataFrame(
            {name: self[name] if name in FLOAT_COLUMNS else self[name].astype(np.int64) for name in DAILY_COLUMNS}
        )
        df.insert(0, "date", pd.to_datetime(list(self.dates)))
        return df

    @property
    def totals(self) -> dict[str, int]:
        """The sum of each event figure over the run (``daybook.EVENT_COLUMNS``)."""
        return {name: int(self[name].sum()) for name in EVENT_COLUMNS}


def simulate(params: Mapping, *, seed: int, start=None, end=None) -> Result:
    """The one way into the model for an analysis: run it once with the keyword arguments
    ``params`` (``start``/``end`` and the checked ``values``, as ``Scenario.model_kwargs()`` gives
    them, with any parameter of ``params.PARAMS`` beside them as a change, checked alone;
    ``start``/``end`` given here take precedence; and ``replay``, ChannelModel's counterfactual
    hook for the weather and the inflow's month factors) from the model seed ``seed`` (checked
    first), and return its :class:`Result`."""
    kwargs = dict(params)
    if start is not None:
        kwargs["start"] = start
    if end is not None:
        kwargs["end"] = end
    model = ChannelModel(rng=check_seed(seed), **kwargs).run()
    return Result(
        seed=int(seed),
        dates=tuple(model.dates[: model.day]),
        figures=model.figures[: model.day].copy(),
        network_load=model.net.load.copy(),
    )


def run_one(kwargs: dict, seed: int, replicate: int) -> pd.DataFrame:
    """Simulate one replicate and return its daily table (one row per date)."""
    df = simulate(kwargs, seed=replicate_seed(seed, replicate)).daily
    df.insert(0, "replicate", replicate)
    return df


def _run_star(args):
    return run_one(*args)


def submit_replicates(scenario: Scenario, replicates: int, seed: int, pool: ProcessPoolExecutor | None = None) -> list:
    """Queue the replicates of ``scenario`` on ``pool`` (or, without a pool, prepare them to run
    here when gathered); returns handles for :func:`gather`. The scenario, the seed and the
    replicate count are checked first, so bad input fails before any work starts; what in the
    scenario has no effect (:meth:`Scenario.warnings`) is issued as a :class:`ScenarioWarning`."""
    check_seed(seed)
    limits.check_replicates(replicates)
    for text in scenario.warnings():
        warnings.warn(text, ScenarioWarning, stacklevel=2)
    kwargs = scenario.model_kwargs()  # its parameters were checked when the scenario was read
    jobs = [(kwargs, seed, i) for i in range(replicates)]
    if pool is None:
        return [functools.partial(_run_star, job) for job in jobs]
    return [pool.submit(_run_star, job) for job in jobs]


def gather(handles: list, bar=None) -> pd.DataFrame:
    """The daily tables of submitted replicates, stacked in replicate order."""
    results = []
    for h in handles:
        results.append(h.result() if isinstance(h, Future) else h())
        if bar is not None:
            bar.update()
    return pd.concat(results, ignore_index=True)


def progress_bar(total: int, label: str, progress: bool | None):
    """A tqdm bar, shown on a terminal unless ``progress`` says otherwise."""
    from tqdm.auto import tqdm

    disable = (not sys.stderr.isatty()) if progress is None else not progress
    return tqdm(total=total, desc=label, unit="run", disable=disable, leave=False)


def run_replicates(
    scenario: Scenario,
    replicates: int,
    seed: int,
    workers: int | None = None,
    progress: bool | None = None,
    label: str | None = None,
) -> pd.DataFrame:
    """All replicates of ``scenario``, stacked, ordered by replicate then date."""
    with worker_pool(workers, replicates) as pool:
        handles = submit_replicates(scenario, replicates, seed, pool)
        with progress_bar(replicates, label or scenario.name, progress) as bar:
            return gather(handles, bar)


def totals(daily: pd.DataFrame) -> pd.DataFrame:
    """Event totals per replicate (sums of the daily event columns)."""
    return daily.groupby("replicate")[list(EVENT_COLUMNS)].sum()


#: Bytes of daily.csv per replicate and day (measured: about 85 at full scale), rounded up.
CSV_BYTES_PER_DAY = 100


def output_bytes(replicates: int, days: int) -> int:
    """About how large a run's ``daily.csv`` and ``summary.json`` will be."""
    return replicates * (days * CSV_BYTES_PER_DAY + 2_000) + 20_000


def write_run(out: Path, scenario: Scenario, daily: pd.DataFrame, seed: int) -> None:
    """Write ``daily.csv`` and ``summary.json`` for a run into ``out``, each whole or not at all
    (written under a temporary name, then renamed: :mod:`deterrence_sim.safeio`)."""
    out = safeio.prepare_output_dir(out)
    safeio.write_csv(out / "daily.csv", daily, date_format="%Y-%m-%d", float_format="%.6g")
    per_rep = totals(daily)
    summary = {
        "scenario": {
            "name": scenario.name,
            "description": scenario.description,
            "file": scenario.path,
            "start": scenario.start.isoformat(),
            "end": scenario.end.isoformat(),
        },
        "seed": seed,
        "replicates": int(daily["replicate"].nunique()),
        "replicate_seeds": [replicate_seed(seed, int(i)) for i in sorted(daily["replicate"].unique())],
        "version": __version__,
        "parameters": parameters.to_jsonable(scenario.values),
        "totals_per_replicate": {int(rep): {k: int(v) for k, v in row.items()} for rep, row in per_rep.iterrows()},
        "totals_mean": {k: float(v) for k, v in per_rep.mean().items()},
    }
    safeio.write_json(out / "summary.json", summary)
