"""Simulations per second of the joint fit's simulation, on one worker and on two.

The simulation is the joint fit's own (``calibration.joint.simulate``): 2023-01-01 to
2026-04-30 in the joint setting (the observed crossing days to 2025-12-31 and the Markov chain
after, the month-to-month inflow noise, 3,000 people on the coast at the start), each run's 16
parameters and seed drawn as the reference table draws run ``i`` (``calibration.joint.run_draw``:
the joint prior, the 2026 mechanisms among them). This simulates ``--sims`` runs once on one worker
(this process) and then all of them again on two workers (the package's process pool,
``deterrence_sim.workers``), and prints simulations per second for each, after a warm-up that loads
the compiled model (and starts the pool's workers, which load it from the same cache).

    python benchmarks/bench_fit.py [--sims 16] [--workers 2]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from numba.core import event

from deterrence_sim.calibration import joint
from deterrence_sim.workers import worker_pool

#: The seed of the reference table's draws (the fit's default, ``deterrence-sim fit-joint --seed``).
SEED = 20260430


def draw(run: int) -> tuple[int, dict]:
    """Run ``run`` of the reference table: its model seed and its parameters."""
    u, model_seed = joint.run_draw(SEED, run)
    return model_seed, joint.theta_from_u(u)


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
    seed, theta = job
    compiles = Compiles()
    with event.install_listener("numba:compile", compiles):
        t0 = time.perf_counter()
        result = joint.simulate(theta, seed)
        seconds = time.perf_counter() - t0
    return int(result["arrivals"].sum()), seconds, compiles.n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    jobs = [draw(run) for run in range(args.sims)]
    compiled_here = simulate(jobs[0])[2]  # warm-up: the compiled model loaded (or compiled) in this process

    t0 = time.perf_counter()
    one = [simulate(job) for job in jobs]
    wall_one = time.perf_counter() - t0
    with worker_pool(args.workers, len(jobs)) as pool:
        warm = list(pool.map(simulate, jobs[: args.workers]))  # warm-up: each worker loads the compiled model
        t0 = time.perf_counter()
        many = list(pool.map(simulate, jobs))
        wall_many = time.perf_counter() - t0
    assert [r[0] for r in one] == [r[0] for r in many], "the same simulations gave other arrivals"
    setting = joint.JOINT_SETTING
    days = (np.datetime64(setting.end) - np.datetime64(setting.start)).astype(int) + 1
    print(
        f"the joint fit's simulation ({setting.start} to {setting.end}, {days} days; runs 0-{args.sims - 1} of "
        f"the reference table's draws), {args.sims} simulations"
    )
    seconds = [r[1] for r in one]
    print(
        f"  seconds per simulation on one worker: median {statistics.median(seconds):.3f} "
        f"(min {min(seconds):.3f}, max {max(seconds):.3f})"
    )
    print(f"  simulations per second, one worker:   {args.sims / wall_one:.2f}")
    print(
        f"  simulations per second, {args.workers} workers:  {args.sims / wall_many:.2f}  "
        f"({wall_one / wall_many:.2f}x one worker)"
    )
    print(f"  arrivals per simulation: median {statistics.median(r[0] for r in one):,.0f}")
    print(
        f"  functions numba compiled: {compiled_here} in this process (0: loaded from the cache), "
        f"{sum(r[2] for r in warm + many)} in the workers (0: they load this process's cache)"
    )


if __name__ == "__main__":
    main()
