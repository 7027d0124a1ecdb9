"""Seconds per simulated year at full scale, peak memory, and how time grows with the flow.

1. Runs the calibrated 2025 pilot year (about 47,000 newcomers and 41,500 arrivals, one Mesa
   agent per person in the simulation, made when the agents are looked at: here once, at the
   end of the year) several times on one core and prints the median wall time, the time per
   simulated day, the time when the year is stepped day by day with the agents looked at every
   day (as the interactive app does), and peak memory (Python allocations traced by tracemalloc, including numpy
   arrays, and the process's peak resident size).
2. Runs the same year with the inflow (and the people waiting at the start, and the smugglers'
   boat supply, so that the larger flow can cross) multiplied by 1, 2, 5 and 10, and prints the
   time per year and per person who reached the coast.

    python benchmarks/bench_year.py [--repeats 7] [--scaling-repeats 3]
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import time
import tracemalloc

from deterrence_sim import ChannelModel
from deterrence_sim.params import PARAMS

SCALES = (1, 2, 5, 10)


def simulate(model, daily_agents: bool = False):
    """Run ``model`` to its end and look at its Mesa agents (for ChannelModel, that makes the
    Migrant agents of everyone then in the simulation). With ``daily_agents``, step it day by day
    and look at the agents every day, as the interactive app does."""
    if daily_agents:
        while model.running:
            model.step()
            len(model.agents)
    else:
        model.run()
    len(model.agents)
    return model


def one_year(seed: int, daily_agents: bool = False, **params) -> tuple[float, ChannelModel]:
    """Time one year: the model built and simulated (see :func:`simulate`). Also keeps the
    process's CPU time of the year in ``CPU`` (wall time is inflated when other work shares the
    machine; CPU time much less)."""
    t0, c0 = time.perf_counter(), time.process_time()
    model = simulate(ChannelModel(rng=seed, **params), daily_agents)
    CPU.append(time.process_time() - c0)
    return time.perf_counter() - t0, model


#: CPU seconds of each year timed by :func:`one_year`, in order.
CPU: list[float] = []


def scaled(k: float) -> dict:
    """Parameters of the year with the flow multiplied by ``k``."""

    def times_k(value):  # a constant, or a {date: value} schedule
        return {d: v * k for d, v in value.items()} if isinstance(value, dict) else value * k

    return {name: times_k(PARAMS[name].default) for name in ("inflow_per_year", "boat_supply_per_week")} | {
        "initial_waiting": int(PARAMS["initial_waiting"].default * k)
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--scaling-repeats", type=int, default=3)
    args = parser.parse_args()
    one_year(0)  # warm-up: imports, caches
    times, arrivals = [], []
    for seed in range(1, args.repeats + 1):
        t, model = one_year(seed)
        times.append(t)
        arrivals.append(sum(model.datacollector.model_vars["arrivals"]))
    cpu = CPU[-args.repeats :]
    tracemalloc.start()
    one_year(99)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    med = statistics.median(times)
    daily = statistics.median(one_year(seed, daily_agents=True)[0] for seed in range(1, args.repeats + 1))
    print(f"full-scale year (2025 pilot, default parameters), {args.repeats} runs on one core")
    print(f"  seconds per simulated year: median {med:.4f}  (min {min(times):.4f}, max {max(times):.4f})")
    print(
        f"  CPU seconds per simulated year: median {statistics.median(cpu):.4f}  (min {min(cpu):.4f}, "
        f"max {max(cpu):.4f})"
    )
    print(f"  microseconds per simulated day: {med / 365 * 1e6:.0f} (CPU {statistics.median(cpu) / 365 * 1e6:.0f})")
    print(f"  arrivals per year simulated: {statistics.mean(arrivals):,.0f}")
    print(f"  stepped day by day, Mesa agents looked at every day (as in the app): median {daily:.3f} s")
    print(f"  peak traced Python memory during one year: {traced_peak / 2**20:.1f} MB")
    print(f"  peak resident memory of the process: {rss_mb:.0f} MB")

    print(f"\nscaling with the flow (inflow, initial camp and boat supply x k), median of {args.scaling_repeats} runs")
    print(f"  {'k':>3} {'newcomers':>10} {'arrivals':>10} {'seconds':>8} {'x time':>7} {'us/person':>10}")
    base = None
    for k in SCALES:
        times = []
        for seed in range(1, args.scaling_repeats + 1):
            t, model = one_year(seed, **scaled(k))
            times.append(t)
            if seed == 1:
                people = model.totals["newcomers"] + model.totals["initial"]
                arrived = sum(model.datacollector.model_vars["arrivals"])
            del model
            gc.collect()  # a model and its agents refer to each other: free it before the next
        t = statistics.median(times)
        base = base or t
        print(f"  {k:>3} {people:>10,} {arrived:>10,} {t:>8.3f} {t / base:>7.2f} {t / people * 1e6:>10.2f}")
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak resident memory after the x{SCALES[-1]} runs: {rss_mb:.0f} MB")


if __name__ == "__main__":
    main()
