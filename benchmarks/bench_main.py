"""How long the default main job (``deterrence-sim compare``) takes, estimated from its own runs.

1. Plans the default main job exactly as ``compare`` does (every scenario, 200 replicates each,
   the decomposition, the structural alternatives, the dose-response) and prints how many model
   runs it holds.
2. Times a sample of those very runs (each with its own parameter draw and seed) on one core,
   in CPU seconds, so that the figure does not depend on what else the machine is doing.
3. Prints the estimated wall time on ``--cores`` idle cores: runs x CPU per run / cores, plus an
   assumed fixed cost of 15 s (starting the workers, reading back, figures and report; not
   measured here), and the machine's load average while it ran, to judge how much the sample
   itself was slowed down (CPU time grows somewhat on a crowded machine).

    python benchmarks/bench_main.py [--sample 40] [--cores 2]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from deterrence_sim.analyses import compare
from deterrence_sim import runner, scenario
from deterrence_sim.analyses.uncertainty import Uncertainty


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sample", type=int, default=40, help="runs timed (default 40)")
    ap.add_argument("--cores", type=int, default=2, help="idle cores to estimate for (default 2)")
    args = ap.parse_args()

    import inspect

    defaults = {k: v.default for k, v in inspect.signature(compare.compare).parameters.items()}
    scenarios = [scenario.load(p).with_overrides(end=defaults["horizon_end"]) for p in compare.standard_scenarios()]
    pilot = scenario.load(compare.SCENARIO_DIR / "pilot.toml").with_overrides(end=defaults["horizon_end"])
    units = compare.plan(
        scenarios,
        pilot,
        Uncertainty.full(),
        defaults["seed"],
        defaults["replicates"],
        defaults["decomposition_replicates"],
        defaults["alternative_replicates"],
        defaults["dose_replicates"],
        True,
        {},
        Path(tempfile.gettempdir()),
    )
    counts = {k: sum(len(u.jobs) for u in v) for k, v in units.items()}
    total = sum(counts.values())
    print(f"default main job: {total} runs ({', '.join(f'{k} {v}' for k, v in counts.items())})")

    jobs = [(u, i) for group in units.values() for u in group for i in range(len(u.jobs))]
    rng = np.random.default_rng(1)
    pick = [jobs[j] for j in rng.choice(len(jobs), size=min(args.sample, len(jobs)), replace=False)]
    runner.run_one(pick[0][0].jobs[0], 1, 0)  # load the compiled model first
    load0 = os.getloadavg()[0]
    cpu = []
    for u, i in pick:
        c = time.process_time()
        runner.run_one(u.jobs[i], u.seed, i)
        cpu.append(time.process_time() - c)
    load1 = os.getloadavg()[0]
    per_run = float(np.mean(cpu))
    fixed = 15.0  # assumed: starting the fork server and workers, reading back, writing figures and report
    est = total * per_run / args.cores + fixed
    print(f"CPU per run: mean {per_run:.3f} s (min {min(cpu):.3f}, max {max(cpu):.3f}) over {len(cpu)} sampled runs")
    print(f"load average while timing: {load0:.1f} -> {load1:.1f} on {os.cpu_count()} CPUs")
    print(
        f"estimated wall time on {args.cores} idle cores: {est:.0f} s ({est / 60:.1f} min; target < 300 s), "
        f"of which {fixed:.0f} s assumed for start-up and writing"
    )


if __name__ == "__main__":
    main()
