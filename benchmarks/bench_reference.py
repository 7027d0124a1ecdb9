"""The fast model against the plain per-agent reference: seconds per full-scale year.

Simulates the same year (default parameters, 2025: about 47,000 newcomers, one agent per
person) with ``ChannelModel`` (median of ``--fast-runs`` runs after a warm-up) and with
``deterrence_sim.reference.ReferenceModel`` (``--reference-runs`` runs), on one
core, the two models' years taken in turn (so that the machine's drifting speed falls on both), and
prints both times side by side, the speed ratio (reference time / fast time; and the ratio seed by
seed, each pair run one after the other, with its spread) and the arrivals of each run as a sanity
check. Each timed year includes building the model and, at its
end, looking at its Mesa agents (``len(model.agents)``), which makes the fast model's Migrant
agents for everyone then in the simulation. It also times the fast model stepped day by day with
its agents looked at every day, as the interactive app does (they agree in distribution, not draw for draw;
``tests/test_docking.py`` checks that properly). Wall time and the process's CPU time are both
shown, because wall time is inflated when other work shares the machine.

    python benchmarks/bench_reference.py [--fast-runs 9] [--reference-runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_year import simulate
from deterrence_sim import ChannelModel
from deterrence_sim.reference import ReferenceModel


def one_year(cls, seed: int, daily_agents: bool = False) -> tuple[float, float, int]:
    """Time one year: the model built and simulated (``bench_year.simulate``)."""
    wall, cpu = time.perf_counter(), time.process_time()
    model = simulate(cls(rng=seed), daily_agents)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return wall, cpu, int(sum(model.datacollector.model_vars["arrivals"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast-runs", type=int, default=9)
    parser.add_argument("--reference-runs", type=int, default=5)
    args = parser.parse_args()
    ChannelModel(rng=0, end="2025-01-31").run()  # warm-up: imports, caches
    ReferenceModel(rng=0, end="2025-01-31").run()
    # the two models' years taken in turn (seed 1 of each, then seed 2, ...), so that a change in the
    # machine's speed during the benchmark falls on both
    fast, ref = [], []
    for seed in range(1, max(args.fast_runs, args.reference_runs) + 1):
        if seed <= args.reference_runs:
            ref.append(one_year(ReferenceModel, seed))
        if seed <= args.fast_runs:
            fast.append(one_year(ChannelModel, seed))
    daily = [one_year(ChannelModel, seed, daily_agents=True) for seed in range(1, args.fast_runs + 1)]
    paired = [r[1] / f[1] for r, f in zip(ref, fast)]  # the same seed, taken one after the other
    fast_wall, fast_cpu = statistics.median(r[0] for r in fast), statistics.median(r[1] for r in fast)
    ref_wall, ref_cpu = statistics.median(r[0] for r in ref), statistics.median(r[1] for r in ref)
    print("full-scale year (2025, default parameters), one core")
    print(f"  {'':34s}{'fast ChannelModel':>20s}{'ReferenceModel':>20s}")
    print(f"  {'runs':34s}{len(fast):>20d}{len(ref):>20d}")
    print(f"  {'seconds per year, median wall':34s}{fast_wall:>20.4f}{ref_wall:>20.2f}")
    print(f"  {'seconds per year, median CPU':34s}{fast_cpu:>20.4f}{ref_cpu:>20.2f}")
    print(
        f"  {'mean arrivals':34s}{statistics.mean(r[2] for r in fast):>20,.0f}"
        f"{statistics.mean(r[2] for r in ref):>20,.0f}"
    )
    print(f"  arrivals per run, fast:      {', '.join(f'{r[2]:,}' for r in fast)}")
    print(f"  arrivals per run, reference: {', '.join(f'{r[2]:,}' for r in ref)}")
    print(
        f"  speed ratio (reference time / fast time): wall {ref_wall / fast_wall:.1f}x, CPU {ref_cpu / fast_cpu:.1f}x"
    )
    print(
        f"  the same by CPU, seed by seed (each pair run one after the other): median {statistics.median(paired):.1f}x"
        f" (min {min(paired):.1f}x, max {max(paired):.1f}x, {len(paired)} pairs)"
    )
    daily_wall = statistics.median(r[0] for r in daily)
    print(
        f"  fast model stepped day by day with its Mesa agents looked at every day (as in the app): "
        f"{daily_wall:.3f} s per year, {ref_wall / daily_wall:.1f}x the reference"
    )


if __name__ == "__main__":
    main()
