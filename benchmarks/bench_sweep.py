"""Sweep throughput: runs per second on 1 and 2 workers for a sweep of three-year full-scale runs.

    python benchmarks/bench_sweep.py [--runs 200] [--workers 1 2]

The sweep is the pilot from 2025-01-01 to 2027-12-31 at full scale (about 47,000 people a
year), 50 deterrence strengths x 4 replicates = 200 runs by default, one scenario per run, run
with ``deterrence_sim.sweeps.run_sweep`` exactly as ``deterrence-sim sweep`` does: one worker
runs in this process without Dask ("plain local"); two or more use a Dask ``LocalCluster`` of
single-threaded worker processes (its start-up is included in the time). Each setting writes
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import pandas as pd  # noqa: E402

from deterrence_sim.sweeps import load_spec, run_sweep  # noqa: E402


def write_spec(folder: Path, runs: int) -> Path:
    replicates = 4
    points = max(1, runs // replicates)
    spec = folder / "bench.toml"
    spec.write_text(textwrap.dedent(f"""\
        name = "bench_sweep"
        scenario = "{(ROOT / 'experiments' / 'scenarios' / 'pilot.toml').as_posix()}"
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
        """), encoding="utf-8")
    return spec


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    # load the compiled model once before timing (a fresh worker loads it from numba's cache)
    from deterrence_sim import ChannelModel

    ChannelModel(rng=0, end="2025-01-05").run()
    rates, tables = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        spec = load_spec(write_spec(Path(tmp), args.runs))
        for w in args.workers:
            load0 = os.getloadavg()[0]
            t0 = time.perf_counter()
            res = run_sweep(spec, Path(tmp) / f"w{w}", workers=w, progress=False)
            wall = time.perf_counter() - t0
            rates[w] = res["runs"] / wall
            tables[w] = res["results"]
            how = "plain local, this process" if w == 1 else f"Dask LocalCluster, {w} worker processes"
            print(f"{w} worker(s) ({how}): {res['runs']} runs in {wall:.1f} s = {rates[w]:.2f} runs/s "
                  f"({wall / res['runs']:.3f} s per three-year run); load {load0:.1f} -> {os.getloadavg()[0]:.1f}")
    first = args.workers[0]
    for w in args.workers[1:]:
        pd.testing.assert_frame_equal(tables[first], tables[w])
        print(f"speed-up {w} vs {first} worker(s): {rates[w] / rates[first]:.2f}x (target for 2 vs 1: >= 1.8x); "
              "identical results")
    print(f"cores: {os.cpu_count()}, load averages now: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
