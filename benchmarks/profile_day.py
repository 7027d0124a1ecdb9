"""Where the compiled day's time goes, step by step: a profile of ``model.simulate_day``.

The day's source (``deterrence_sim.model.simulate_day``) is read and compiled again with a cycle
counter (the processor's time-stamp counter, read in a few nanoseconds) around each of its
lines, so the profile always follows the day as it is written; ``simulate_days`` is compiled
again to call it. The calibrated 2025 pilot year (default parameters) is then simulated
``--repeats`` times and the time of each line is printed in microseconds per simulated day,
over the whole year and over its ramp-up (from 2025-08-06, when detention starts), with the
share of the day. The figures of the timed runs are checked against an untimed run with the same
seed, so the profile is of the same simulation, draw for draw.

    python benchmarks/profile_day.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import ast
import inspect
import statistics
import textwrap
import time

import llvmlite.ir as ir
import numpy as np
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

from deterrence_sim import ChannelModel
from deterrence_sim import model as model_module

RAMP_UP = "2025-08-06"


@intrinsic
def _cycles(typingctx):
    """The processor's cycle counter (LLVM's readcyclecounter), as an int64."""

    def codegen(context, builder, signature, args):
        fn = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.IntType(64), []), "llvm.readcyclecounter"
        )
        return builder.call(fn, [])

    return types.int64(), codegen


def _timed(function, rename: dict[str, str]) -> ast.FunctionDef:
    """The source tree of ``function`` with an extra argument ``_clk`` (a [days, lines] array)
    and, after each line of its body, the cycles it took added to ``_clk[t, line]``; calls named
    in ``rename`` are redirected."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    fn = tree.body[0]
    fn.decorator_list = []
    fn.name = rename.get(fn.name, fn.name)
    fn.args.args.append(ast.arg(arg="_clk"))
    for node in ast.walk(fn):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in rename:
            node.func.id = rename[node.func.id]
            node.args.append(ast.Name(id="_clk", ctx=ast.Load()))
    return fn


def timed_day():
    """``simulate_day`` and ``simulate_days`` compiled with a timer per line of the day."""
    day = _timed(model_module.simulate_day, {"simulate_day": "_timed_day"})
    body, labels = [ast.parse("_t0 = _cycles()").body[0]], []
    for stmt in day.body:
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):  # the docstring
            continue
        body.append(stmt)
        labels.append(ast.unparse(stmt).split("\n")[0][:70])
        body.extend(ast.parse(f"_t1 = _cycles()\n_clk[t, {len(labels) - 1}] += _t1 - _t0\n_t0 = _t1").body)
    day.body = body
    days = _timed(model_module.simulate_days, {"simulate_days": "_timed_days", "simulate_day": "_timed_day"})
    module = ast.Module(body=[day, days], type_ignores=[])
    ast.fix_missing_locations(module)
    namespace = dict(vars(model_module), _cycles=_cycles)
    exec(compile(module, "<timed day>", "exec"), namespace)
    namespace["_timed_day"] = njit(namespace["_timed_day"])
    namespace["_timed_days"] = njit(namespace["_timed_days"])
    return namespace["_timed_days"], labels


def run_timed(seed: int, timed_days, n_lines: int) -> tuple[np.ndarray, float, np.ndarray, ChannelModel]:
    """One year with the timed day: cycles per day and line, wall seconds, and the figures."""
    model = ChannelModel(rng=seed)
    clk = np.zeros((model.n_days, n_lines), dtype=np.int64)
    plain = model_module.simulate_days
    model_module.simulate_days = lambda *args: timed_days(*args, clk)
    try:
        t0 = time.perf_counter()
        model._simulate(model.n_days)
        wall = time.perf_counter() - t0
    finally:
        model_module.simulate_days = plain
    return clk, wall, model.figures.copy(), model


def cycles_per_second() -> float:
    """The cycle counter's rate, measured against the wall clock over a quarter second."""
    c0, t0 = _cycles_now(), time.perf_counter()
    while time.perf_counter() - t0 < 0.25:
        pass
    return (_cycles_now() - c0) / (time.perf_counter() - t0)


@njit
def _cycles_now():
    return _cycles()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    timed_days, labels = timed_day()
    ChannelModel(rng=0, end="2025-01-31").run()  # warm-up: the untimed model's compiled cache
    run_timed(0, timed_days, len(labels))  # compiles the timed day
    rate = cycles_per_second()
    per_run, walls = [], []
    for seed in range(1, args.repeats + 1):
        clk, wall, figures, model = run_timed(seed, timed_days, len(labels))
        plain = ChannelModel(rng=seed).run().figures
        if not np.array_equal(figures, plain, equal_nan=True):
            raise SystemExit("profile_day: the timed day gave other figures than the day itself")
        per_run.append(clk / rate * 1e6)
        walls.append(wall / model.n_days * 1e6)
    ramp = (np.datetime64(RAMP_UP) - np.datetime64(model.start_date)).astype(int)
    year = np.median([r.mean(axis=0) for r in per_run], axis=0)
    late = np.median([r[ramp:].mean(axis=0) for r in per_run], axis=0)
    print(
        f"the compiled day, microseconds per simulated day (median of {args.repeats} years, default "
        f"parameters; ramp-up: from {RAMP_UP})"
    )
    print(f"  {'line of model.simulate_day':72s}{'year':>8s}{'ramp-up':>9s}{'share':>7s}")
    for label, a, b in zip(labels, year, late):
        print(f"  {label:72s}{a:8.1f}{b:9.1f}{b / late.sum():7.0%}")
    print(f"  {'all lines of the day':72s}{year.sum():8.1f}{late.sum():9.1f}")
    print(f"  {'whole run (simulate_days, with compaction and entry numbers)':72s}{statistics.median(walls):8.1f}")


if __name__ == "__main__":
    main()
