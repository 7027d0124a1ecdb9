"""Seconds per simulated year at full scale, and peak memory.

Runs the calibrated 2025 pilot year (about 47,000 newcomers and 41,500 arrivals, one Mesa agent
per person) several times on one core and prints the median wall time, the time per simulated
day, and peak memory (Python allocations traced by tracemalloc, including numpy arrays, and the
process's peak resident size).

    python benchmarks/bench_year.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
import tracemalloc

from deterrence_sim import ChannelModel


def one_year(seed: int) -> tuple[float, int]:
    t0 = time.perf_counter()
    model = ChannelModel(rng=seed).run()
    elapsed = time.perf_counter() - t0
    arrivals = sum(model.datacollector.model_vars["arrivals"])
    return elapsed, arrivals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    one_year(0)  # warm-up: imports, caches
    times, arrivals = [], []
    for seed in range(1, args.repeats + 1):
        t, a = one_year(seed)
        times.append(t)
        arrivals.append(a)
    tracemalloc.start()
    one_year(99)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    med = statistics.median(times)
    print(f"full-scale year (2025 pilot, default parameters), {args.repeats} runs on one core")
    print(f"  seconds per simulated year: median {med:.3f}  (min {min(times):.3f}, max {max(times):.3f})")
    print(f"  microseconds per simulated day: {med / 365 * 1e6:.0f}")
    print(f"  arrivals per year simulated: {statistics.mean(arrivals):,.0f}")
    print(f"  peak traced Python memory during one year: {traced_peak / 2**20:.1f} MB")
    print(f"  peak resident memory of the process: {rss_mb:.0f} MB")


if __name__ == "__main__":
    main()
