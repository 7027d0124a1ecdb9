"""Simulations per second of the joint fit's simulation, on one worker and on two.

The joint fit simulates 2023-01-01 to 2026-04-30 in the fit's setting
(``calibration.setting.Setting.fixed()``: the observed record of crossing days, 3,000 people
on the coast at the start, the inflow's monthly shape of 2023-2025, no month-to-month noise) with
its fitted parameters drawn from their priors: those of ``calibration.priors.CALIBRATED``, and
``deterrence_strength``, ``leave_route_daily`` and ``removal_salience`` from
``uncertainty.PRIORS``. This draws ``--sims`` parameter sets (fixed seed), simulates each once on
one worker (this process) and then all of them again on two workers (the package's process pool,
``deterrence_sim.workers``), and prints simulations per second for each, after a warm-up that
loads the compiled model (and starts the pool's workers, which load it from the same cache).

    python benchmarks/bench_fit.py [--sims 16] [--workers 2]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from numba.core import event

from deterrence_sim import uncertainty
from deterrence_sim.calibration.priors import CALIBRATED
from deterrence_sim.calibration.setting import FIT_START, Setting, model_kwargs
from deterrence_sim.model import ChannelModel
from deterrence_sim.workers import worker_pool

#: The joint fit's window and setting (simulated to the last observed day).
JOINT = Setting("joint", FIT_START, "2026-04-30", "2026-04-30", (2023, 2025))
#: The fitted parameters whose prior is ``uncertainty.PRIORS``'s (the others: ``CALIBRATED``'s).
FROM_UNCERTAINTY = ("deterrence_strength", "leave_route_daily", "removal_salience")


def draw_params(rng: np.random.Generator) -> dict:
    """One parameter set of the joint fit, drawn from the priors, as ChannelModel arguments."""
    theta = {name: float(p.prior.scipy().rvs(random_state=rng)) for name, p in CALIBRATED.items()
             if name not in FROM_UNCERTAINTY}
    theta |= {name: uncertainty.PRIORS[name].sample(rng) for name in FROM_UNCERTAINTY}
    kwargs = model_kwargs(theta, JOINT)
    kwargs |= {name: theta[name] for name in FROM_UNCERTAINTY}  # those not mapped by fitted_params
    return kwargs


class Compiles(event.Listener):
    """Counts the functions numba compiles (it sends no event for one loaded from its cache)."""

    def __init__(self):
        self.n = 0

    def on_start(self, e) -> None:
        self.n += 1

    def on_end(self, e) -> None:
        pass


def simulate(job: tuple[int, dict]) -> tuple[int, float, int]:
    """One simulation of the joint fit (seed, parameters); returns its arrivals, its seconds and
    the number of functions numba compiled for it in this process."""
    seed, kwargs = job
    compiles = Compiles()
    with event.install_listener("numba:compile", compiles):
        t0 = time.perf_counter()
        model = ChannelModel(rng=seed, **kwargs).run()
        seconds = time.perf_counter() - t0
    return int(model.figures[:, 0].sum()), seconds, compiles.n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    rng = np.random.default_rng(20260430)
    jobs = [(seed, draw_params(rng)) for seed in range(1, args.sims + 1)]
    compiled_here = simulate(jobs[0])[2]  # warm-up: the compiled model loaded (or compiled) in this process

    t0 = time.perf_counter()
    one = [simulate(job) for job in jobs]
    wall_one = time.perf_counter() - t0
    with worker_pool(args.workers, len(jobs)) as pool:
        warm = list(pool.map(simulate, jobs[:args.workers]))  # warm-up: each worker loads the compiled model
        t0 = time.perf_counter()
        many = list(pool.map(simulate, jobs))
        wall_many = time.perf_counter() - t0
    assert [r[0] for r in one] == [r[0] for r in many], "the same simulations gave other arrivals"
    days = (np.datetime64(JOINT.end) - np.datetime64(JOINT.start)).astype(int) + 1
    print(f"the joint fit's simulation ({JOINT.start} to {JOINT.end}, {days} days; parameters drawn from their "
          f"priors; observed weather), {args.sims} simulations")
    seconds = [r[1] for r in one]
    print(f"  seconds per simulation on one worker: median {statistics.median(seconds):.3f} "
          f"(min {min(seconds):.3f}, max {max(seconds):.3f})")
    print(f"  simulations per second, one worker:   {args.sims / wall_one:.2f}")
    print(f"  simulations per second, {args.workers} workers:  {args.sims / wall_many:.2f}  "
          f"({wall_one / wall_many:.2f}x one worker)")
    print(f"  arrivals per simulation: median {statistics.median(r[0] for r in one):,.0f}")
    print(f"  functions numba compiled: {compiled_here} in this process (0: loaded from the cache), "
          f"{sum(r[2] for r in warm + many)} in the workers (0: they load this process's cache)")


if __name__ == "__main__":
    main()
