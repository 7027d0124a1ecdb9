"""Running one ABC-SMC fit with pyabc, repeatably and resumably.

pyabc provides the population Monte Carlo machinery: the importance weights, the multivariate
normal perturbation kernel fitted to each generation, the adaptive epsilon schedule (the median
of the previous generation's distances) and an SQLite history from which a run continues after an
interruption. Added here:

* :class:`SeededSampler`, a pyabc sampler that gives candidate ``i`` of generation ``t`` its own
  random seed derived from (``seed``, ``t``, ``i``), runs candidates on a pool of worker processes
  and accepts the first ``n`` accepted candidates *in index order*. The posterior is therefore the
  same, bit for bit, whatever the number of workers.
* :func:`run_fit` runs generations one ``ABCSMC.run`` call at a time, so that an interrupted fit
  continues from its last finished generation (``ABCSMC.load``) and ends with the same posterior.
  The budget is a number of model simulations: a new generation is started only if its expected
  cost (population / last acceptance rate x 1.3) fits in what is left.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import random
import sys
import time
from pathlib import Path

import numpy as np

from ..errors import ConfigError
from ..observed.targets import TargetSet
from ..workers import worker_pool
from .priors import CALIBRATED, CalibParam
from .setting import Setting, simulate


class _SimModel:
    """The pyabc model: parameters -> summary statistics (the simulated targets, as one array).

    The model seed is drawn from numpy's global generator, which :class:`SeededSampler` seeds for
    every candidate, so each simulation is repeatable."""

    def __init__(self, setting: Setting, targets: TargetSet, simulator=None):
        self.setting, self.targets, self.simulator = setting, targets, simulator

    def __call__(self, par) -> dict:
        seed = int(np.random.randint(0, 2**31 - 1))
        if self.simulator is not None:
            return {"s": self.simulator(dict(par), seed)}
        return {"s": self.targets.simulated(simulate(dict(par), self.setting, seed))}


class _Distance:
    def __init__(self, targets: TargetSet):
        self.targets = targets

    def __call__(self, x, x0) -> float:
        return self.targets.distance(x["s"])


# --------------------------------------------------------------------------- deterministic sampler
_WORK = {}


def _set_work(seed: int, simulate_one: bytes, seeds: str | None) -> None:
    """Worker set-up: the generation's seed, pyabc's ``simulate_one`` (a closure, so sent
    cloudpickled, as pyabc's own samplers do) and the data folder the parent reads (a forecast's
    data up to its origin: the fork server's environment may be older than the parent's)."""
    import cloudpickle

    from ..observed.data import use_folder

    use_folder(seeds)
    _WORK.update(seed=seed, simulate_one=cloudpickle.loads(simulate_one))


def _candidate(task):
    """Worker: evaluate candidate ``i`` of generation ``t`` with its own seed."""
    t, i = task
    seed = np.random.SeedSequence([_WORK["seed"], t + 1, i]).generate_state(2)
    np.random.seed(seed)
    random.seed(int(seed[0]))
    return _WORK["simulate_one"]()


def _sampler_base():
    from pyabc.sampler import Sampler

    return Sampler


class SeededSampler(_sampler_base()):
    """A pyabc sampler whose result does not depend on the number of worker processes.

    Candidate ``i`` of generation ``t`` is simulated with numpy's global generator seeded from
    (``seed``, ``t``, ``i``). Candidates are evaluated in batches on a forkserver process pool and
    read back in index order; the generation keeps the first ``n`` accepted. Candidates computed
    beyond that point are discarded and not counted.
    """

    def __init__(self, seed: int, workers: int = 1, progress=None):
        super().__init__()
        self.seed, self.workers, self.progress = int(seed), max(1, int(workers)), progress
        self.budget_left = np.inf

    def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False, ana_vars=None):
        _WORK.update(seed=self.seed, simulate_one=simulate_one)
        sample = self._create_empty_sample()
        accepted = evaluated = 0
        limit = min(max_eval, self.budget_left)

        def take(particle):
            nonlocal accepted, evaluated
            evaluated += 1
            sample.append(particle)
            if particle.accepted:
                accepted += 1
            if self.progress:
                self.progress(1)

        i = 0
        if self.workers == 1:
            while accepted < n and evaluated < limit:
                take(_candidate((t, i)))
                i += 1
        else:
            import cloudpickle

            # forkserver workers (deterrence_sim.workers), not fork: forking a process that runs
            # threads can deadlock the child. Each worker gets simulate_one once, at start.
            work = (self.seed, cloudpickle.dumps(simulate_one), os.environ.get("DETERRENCE_SIM_SEEDS"))
            with worker_pool(self.workers, 4 * self.workers, _set_work, work) as pool:
                while accepted < n and evaluated < limit:
                    batch = [(t, j) for j in range(i, i + 4 * self.workers)]
                    for particle in pool.map(_candidate, batch):
                        if accepted < n and evaluated < limit:
                            take(particle)
                    i += len(batch)
        self.nr_evaluations_ = evaluated
        if accepted < n:
            sample.ok = False
        return sample


# --------------------------------------------------------------------------- running a fit
def _epsilon():
    """Median epsilon (alpha 0.5 of the last generation's weighted distances), infinite at t = 0.

    pyabc's QuantileEpsilon with a numeric initial value restarts from that value when a run is
    continued with ``ABCSMC.load``; this one recomputes the threshold from the stored population
    instead, so a continued run takes exactly the steps an uninterrupted one would, and the first
    generation needs no extra calibration sample from the prior."""
    import pyabc

    class ResumableMedianEpsilon(pyabc.QuantileEpsilon):
        def initialize(self, t, get_weighted_distances, get_all_records, max_nr_populations, acceptor_config):
            if t > 0 and t not in self._look_up:
                self._update(t, get_weighted_distances())

    return ResumableMedianEpsilon(initial_epsilon=np.inf, alpha=0.5)


def _quiet_pyabc():
    for name in ("ABC", "pyabc", "ABC.Sampler", "ABC.History", "ABC.Distance", "ABC.Epsilon", "ABC.Adaptation"):
        logging.getLogger(name).setLevel(logging.WARNING)


def _setup_record(setting, priors, population, seed, targets) -> dict:
    return {
        "fit": setting.name,
        "setting": dataclasses.asdict(setting),
        "population": population,
        "seed": seed,
        "priors": {k: p.prior.as_dict() for k, p in priors.items()},
        "targets": dict(zip(targets.names, targets.observed.round(6).tolist())),
    }


def run_fit(
    setting: Setting,
    out: Path,
    budget: int,
    population: int,
    seed: int,
    workers: int,
    priors: dict[str, CalibParam] | None = None,
    progress: bool = True,
    simulator=None,
    targets: TargetSet | None = None,
    max_generations: int | None = None,
    log=print,
) -> dict:
    """Run (or continue) one ABC-SMC fit; the history is ``out/<fit>.db``. Returns a summary dict.

    ``simulator(theta, seed) -> stats`` replaces the model (used by tests with synthetic models).
    ``max_generations`` stops after that many generations in this call (used to test resumption).
    """
    import pyabc
    from tqdm.auto import tqdm

    _quiet_pyabc()
    priors = priors or dict(CALIBRATED)
    targets = targets or setting.targets()
    out.mkdir(parents=True, exist_ok=True)
    db_path = out / f"{setting.name}.db"
    record = _setup_record(setting, priors, population, seed, targets)
    if simulator is not None:
        record["simulator"] = getattr(simulator, "__name__", "custom")

    prior = pyabc.Distribution(**{k: p.prior.rv() for k, p in priors.items()})
    bar = tqdm(total=budget, desc=f"calibrate {setting.name}", unit="sim", disable=not progress, dynamic_ncols=True)
    sampler = SeededSampler(seed, workers, progress=bar.update)
    abc = pyabc.ABCSMC(
        _SimModel(setting, targets, simulator),
        prior,
        _Distance(targets),
        population_size=population,
        sampler=sampler,
        eps=_epsilon(),
    )
    history = _open_history(abc, out, setting.name, record, targets, log)
    bar.update(min(budget, history.total_nr_simulations if history.max_t >= 0 else 0))
    t_start = time.perf_counter()
    generations_run = 0
    while True:
        done = history.total_nr_simulations if history.max_t >= 0 else 0
        left = budget - done
        if left < _expected_cost(history, population) or (
            max_generations is not None and generations_run >= max_generations
        ):
            break
        sampler.budget_left = left
        abc._initial_population = None  # pyabc caches it across run() calls; read it afresh
        t_before = history.max_t
        abc.run(max_nr_populations=1)
        if history.max_t == t_before:
            # the budget left ran out before the generation had all its particles: pyabc stores
            # nothing, so trying again would only spend the same simulations again
            break
        generations_run += 1
        pops = history.get_all_populations()
        last = pops[pops.t == history.max_t].iloc[0]
        bar.set_postfix_str(f"generation {history.max_t}, epsilon {last.epsilon:.3g}")
        tqdm.write(
            f"{setting.name}: generation {history.max_t} epsilon {last.epsilon:.4g}, accepted "
            f"{population}/{int(last.samples)}; {history.total_nr_simulations} simulations so far",
            file=sys.stderr,
        ) if progress else None
    bar.close()
    if history.max_t < 0:
        raise ConfigError(f"--budget {budget} is too small for one generation of {population} particles")
    return {
        "fit": setting.name,
        "db": str(db_path),
        "generations": int(history.max_t) + 1,
        "simulations": int(history.total_nr_simulations),
        "seconds_this_call": time.perf_counter() - t_start,
    }


def _open_history(abc, out: Path, name: str, record: dict, targets: TargetSet, log):
    """The fit's stored history (``out/<name>.db``) to continue, if its settings (``record``)
    match the stored ones (ConfigError if not), or a new one with the record written beside it."""
    db_path, record_path = out / f"{name}.db", out / f"{name}_setup.json"
    db = f"sqlite:///{db_path.resolve()}"
    if not db_path.exists():
        record_path.write_text(json.dumps(record, indent=1) + "\n")
        return abc.new(db, {"s": targets.observed})
    previous = json.loads(record_path.read_text()) if record_path.exists() else None
    if previous != json.loads(json.dumps(record)):
        raise ConfigError(
            f"{out}: an earlier calibration ({name}) with different settings is stored "
            f"there; use another --out folder or delete {db_path.name}"
        )
    history = abc.load(db, 1)
    if history.max_t >= 0:
        log(
            f"{name}: continuing from generation {history.max_t} "
            f"({history.total_nr_simulations} simulations already done)"
        )
    return history


def _expected_cost(history, population: int) -> float:
    """Simulations the next generation is expected to need: the population over the last
    generation's acceptance rate, with a margin (2x after the first generation, whose threshold
    drops most; 1.3x later); the population itself before any generation."""
    if history.max_t < 0:
        return population
    pops = history.get_all_populations()
    last = pops[pops.t == history.max_t].iloc[0]
    rate = population / max(int(last.samples), 1)
    return population / rate * (2.0 if history.max_t == 0 else 1.3)


def posterior(db_path: Path, t: int | None = None):
    """Posterior samples (DataFrame with a ``weight`` column) of the last (or given) generation."""
    import pyabc

    h = pyabc.History(f"sqlite:///{Path(db_path).resolve()}", _id=1)
    df, w = h.get_distribution(t=t)
    df = df.reset_index(drop=True)
    df["weight"] = np.asarray(w) / np.sum(w)
    return df


def generations(db_path: Path):
    import pyabc

    h = pyabc.History(f"sqlite:///{Path(db_path).resolve()}", _id=1)
    return h.get_all_populations()
