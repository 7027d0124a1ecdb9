"""How a run's time and memory grow with its horizon: seconds and megabytes per simulated year.

For each horizon (1, 5, 20 and 76 years from 2025-01-01, default parameters, one core), a fresh
Python process builds the model, then runs it, and reports

* build: seconds to build ``ChannelModel`` and the Python/numpy memory allocated while building
  (tracemalloc peak), per simulated year;
* run: seconds to simulate every day (``model.run()``), per simulated year;
* peak: the process's peak resident size (includes the interpreter, numba and the compiled model,
  about 200 MB whatever the horizon).

A model whose cost is linear in its horizon shows flat per-year figures down each column. Each
horizon runs in its own process so that one horizon's peak does not hide the next one's.

Under parity, approved legal-route applicants wait for room, and at the default settings that
queue grows by about 1,100 people a year for as long as the run lasts; every day visits them, so
run time per year still grows with the horizon. ``--no-parity`` (admissions not capped) shows
the cost without that queue.

    python benchmarks/bench_horizon.py [--years 1 5 20 76] [--repeats 3] [--no-parity]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time, tracemalloc
from deterrence_sim import ChannelModel
years, repeats, extra = int(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3])
end = f"{2024 + years}-12-31"
ChannelModel(rng=0, end="2025-01-31").run()  # warm-up: imports, compiled code from the cache
builds, runs, build_mb = [], [], []
for seed in range(1, repeats + 1):
    tracemalloc.start()
    t0 = time.perf_counter()
    model = ChannelModel(rng=seed, end=end, **extra)
    t1 = time.perf_counter()
    build_mb.append(tracemalloc.get_traced_memory()[1] / 2**20)
    tracemalloc.stop()
    model.run()
    t2 = time.perf_counter()
    builds.append(t1 - t0)
    runs.append(t2 - t1)
    del model
print(json.dumps({"build_s": builds, "run_s": runs, "build_mb": build_mb,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(years: int, repeats: int, extra: dict) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(years), str(repeats), json.dumps(extra)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, nargs="+", default=[1, 5, 20, 76])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-parity", action="store_true", help="admissions not capped by returns")
    args = parser.parse_args()
    extra = {"parity": False} if args.no_parity else {}
    print(
        ("parity off. " if args.no_parity else "")
        + "horizon  build s/yr  build MB/yr  run s/yr  (run s total)  peak RSS MB   [median of "
        f"{args.repeats} runs, one core]"
    )
    for years in args.years:
        r = measure(years, args.repeats if years < 50 else 1, extra)
        b, run, mb = (statistics.median(r[k]) for k in ("build_s", "run_s", "build_mb"))
        print(
            f"{years:>4} yr  {b / years:>10.4f}  {mb / years:>11.2f}  {run / years:>8.4f}  ({run:>11.2f})  "
            f"{r['peak_rss_mb']:>11.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
