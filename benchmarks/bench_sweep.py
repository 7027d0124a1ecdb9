"""Sweep throughput: runs per second on 1 and 2 workers for a sweep of three-year full-scale runs.

    python benchmarks/bench_sweep.py [--runs 200] [--workers 1 2]

The sweep is the pilot from 2025-01-01 to 2027-12-31 at full scale (about 47,000 people a
year), 50 deterrence strengths x 4 replicates = 200 runs by default, one scenario per run, run
with ``deterrence_sim.sweeps.run_sweep`` exactly as ``deterrence-sim sweep`` does: one worker
runs in this process ("plain local"); two or more use the package's process pool (forked from a
server with the model loaded; its start-up is included in the time); with ``--dask`` the same
workers are also timed as a Dask ``LocalCluster`` (``--scheduler local``). It also prints the
machine's own ceiling: how much one simulated year slows down when both cores run one at once
(on a virtual machine two "cores" may share one physical core). Each setting writes
its own results folder, and the benchmark checks that every setting gives the same table.
Target (issue 12): two workers at least 1.8 times one. The machine's 1-minute load is printed
before and after each setting: on a shared machine the figures are only as good as that.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import pandas as pd

from deterrence_sim.sweeps import load_spec, run_sweep

ROOT = Path(__file__).resolve().parents[1]


def write_spec(folder: Path, runs: int) -> Path:
    replicates = 4
    points = max(1, runs // replicates)
    spec = folder / "bench.toml"
    spec.write_text(
        textwrap.dedent(f"""\
        name = "bench_sweep"
        scenario = "{(ROOT / "experiments" / "scenarios" / "pilot.toml").as_posix()}"
        end = 2027-12-31
        seed = 1
        replicates = {replicates}
        outputs = ["arrivals", "removed"]
        [design]
        kind = "grid"
        [parameters.deterrence_strength]
        low = 0.2
        high = 3.0
        levels = {points}
        """),
        encoding="utf-8",
    )
    return spec


def _years(n: int) -> float:
    """Seconds to simulate ``n`` full-scale years here, after one warm-up run."""
    from deterrence_sim import ChannelModel

    ChannelModel(rng=0, end="2025-01-05").run()
    t0 = time.perf_counter()
    for i in range(n):
        ChannelModel(rng=i).run()
    return time.perf_counter() - t0


def ceiling(n: int = 40) -> float:
    """Speed-up of two processes each simulating ``n`` years at once over one alone (each
    process times its own years after its own warm-up)."""
    from concurrent.futures import ProcessPoolExecutor

    from deterrence_sim.workers import mp_context

    alone = _years(n)
    with ProcessPoolExecutor(2, mp_context=mp_context()) as pool:
        both = max(pool.map(_years, [n, n]))
    return 2 * alone / both


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--dask", action="store_true", help="also time a Dask LocalCluster of each worker count > 1")
    args = parser.parse_args()
    # load the compiled model once before timing (a fresh worker loads it from numba's cache)
    from deterrence_sim import ChannelModel

    ChannelModel(rng=0, end="2025-01-05").run()
    rates, tables = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        spec = load_spec(write_spec(Path(tmp), args.runs))
        settings = [(w, None) for w in args.workers]
        settings += [(w, "local") for w in args.workers if w > 1 and args.dask]
        for w, scheduler in settings:
            load0 = os.getloadavg()[0]
            t0 = time.perf_counter()
            res = run_sweep(spec, Path(tmp) / f"w{w}{scheduler or ''}", workers=w, scheduler=scheduler, progress=False)
            wall = time.perf_counter() - t0
            key = w if scheduler is None else f"{w} (Dask)"
            rates[key] = res["runs"] / wall
            tables[key] = res["results"]
            how = (
                "plain local, this process"
                if w == 1
                else f"Dask LocalCluster, {w} worker processes"
                if scheduler
                else f"process pool, {w} worker processes"
            )
            print(
                f"{w} worker(s) ({how}): {res['runs']} runs in {wall:.1f} s = {rates[key]:.2f} runs/s "
                f"({wall / res['runs']:.3f} s per three-year run); load {load0:.1f} -> {os.getloadavg()[0]:.1f}"
            )
    first = args.workers[0]
    for w in list(rates)[1:]:
        pd.testing.assert_frame_equal(tables[first], tables[w])
        print(
            f"speed-up {w} vs {first} worker(s): {rates[w] / rates[first]:.2f}x (target for 2 vs 1: >= 1.8x); "
            "identical results"
        )
    print(f"the machine's ceiling: {ceiling():.2f}x (one-year runs, two at once against one alone)")
    print(f"cores: {os.cpu_count()}, load averages now: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
