"""Run a command and print its wall time, the peak memory of its whole process tree and the load.

    python benchmarks/tree_peak.py [--log FILE] -- deterrence-sim sensitivity SPEC --out DIR

The resident memory (RSS) of the command and all its descendants (Dask's worker processes,
pool workers) is summed twice a second; the peak of that sum is printed at the end, with the
1-minute load average at the start, the end and its mean over the run (the machine may be
shared: timings are only comparable at a similar load). With ``--log`` the figures are also
appended to FILE as one JSON line.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time

import psutil


def tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            total += p.memory_info().rss
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log", help="append the figures as a JSON line to this file")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    cmd = args.command[1:] if args.command[:1] == ["--"] else args.command
    t0, load0 = time.time(), os.getloadavg()[0]
    proc = subprocess.Popen(cmd)
    ps = psutil.Process(proc.pid)
    peak, loads, procs = 0, [], 0
    while proc.poll() is None:
        try:
            peak = max(peak, tree_rss(ps))
            procs = max(procs, 1 + len(ps.children(recursive=True)))
        except psutil.NoSuchProcess:
            break
        loads.append(os.getloadavg()[0])
        time.sleep(0.5)
    rc = proc.wait()
    res = {
        "command": " ".join(cmd),
        "exit": rc,
        "wall_s": round(time.time() - t0, 1),
        "peak_tree_rss_mb": round(peak / 2**20),
        "max_processes": procs,
        "load_start": load0,
        "load_end": os.getloadavg()[0],
        "load_mean": round(sum(loads) / max(1, len(loads)), 2),
        "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    print(json.dumps(res), file=sys.stderr)
    if args.log:
        with open(args.log, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(res) + "\n")
    return rc


if __name__ == "__main__":
    sys.exit(main())
