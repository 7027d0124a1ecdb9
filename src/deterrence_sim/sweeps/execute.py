"""Running a sweep: every design point times every replicate, on Dask or in this process.

A *run* is one replicate at one design point: it simulates every scenario of the spec (the
bases and the contrast) with the point's parameter values and the replicate's seed, and gives
one row: ``run``, ``point``, ``replicate``, ``seed``, the factor values, each scenario's summary
outputs per year (``label/output_year``; events summed, levels averaged over the year's days),
and each base's effect against the contrast (``base-contrast/output_year``), plus ``error``
(empty unless the run failed: then the outputs are missing and the sweep goes on).

Seeds. One root seed (the spec's ``seed``) gives replicate ``i`` the seed
``runner.replicate_seed(root, i)`` (``numpy.random.SeedSequence(root).spawn``), the same seed as
replicate ``i`` of ``deterrence-sim run --seed root``. Replicate ``i`` of *every* design point
shares that seed, and so does every scenario of the run: common random numbers across the
design. The reason: the difference between two design points (or between a base and its
contrast) then reflects the parameters, not a different draw of weather, newcomers and
inflow surges, so response surfaces are smoother and sensitivity indices less polluted by noise
for the same number of runs. A run's result depends only on its point and replicate, never on
which worker ran it or when it finished, and the results are sorted by run at the end: any
number of workers gives the same table.

Where runs go:

* ``workers=1`` without a client: in this process, one after the other ("plain local");
* more workers on this machine, without a client: the package's own process pool
  (``workers.worker_pool``: forked from a server that has the compiled model loaded, so workers
  start at once; they die with this process). On a two-core machine a Dask ``LocalCluster``
  spent about a third of a 200-run sweep's time starting its workers and scheduling
  (1.5x one worker, against 1.8x or more with the pool);
* a Dask client: the one given (``client=``, any ``distributed.Client``: a cluster made by
  dask-jobqueue on Slurm, Kubernetes, ...), one connected to ``scheduler`` (an address such as
  ``tcp://host:8786``), or, with ``scheduler="local"``, a ``LocalCluster`` of ``workers``
  processes (one thread each) made here and closed at the end (to watch it on Dask's dashboard).

Only a bounded window of runs is in flight at once, so memory stays flat however large the
sweep is.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sys
import time
import traceback
from pathlib import Path

import numpy as np
import pandas as pd

from .. import __version__, safeio
from ..errors import ConfigError
from ..model import DAILY_COLUMNS
from ..runner import replicate_seed, simulate
from . import design as designs
from . import store
from .spec import Spec, effect_label, is_event


def arm_kwargs(spec: Spec, values: dict) -> dict[str, dict]:
    """The model keyword arguments (without ``rng``) of every scenario at one design point: the
    scenario's checked values with the point's factors applied (only the factors' targets are
    checked, here; ConfigError for a value the model would refuse)."""
    out = {}
    for arm in spec.arms:
        sc = arm.scenario
        current = sc.values
        for f in spec.factors:
            if arm.contrast and not f.in_contrast:
                continue
            changed = f.apply(current, values[f.name], sc.start)
            current = current.replace({t: changed[t] for t in f.targets})
        out[arm.label] = {**sc.model_kwargs(), "values": current}
    return out


def summarise(daily: np.ndarray, dates: list[dt.date], outputs, years) -> dict:
    """Per-year summaries of one simulation's daily figures: events summed, levels averaged."""
    year_of = np.array([d.year for d in dates])
    out = {}
    for o in outputs:
        col = daily[:, DAILY_COLUMNS.index(o)]
        for y in years:
            sel = col[year_of == y]
            out[f"{o}_{y}"] = float(sel.sum()) if is_event(o) else float(np.nanmean(sel)) if len(sel) else np.nan
    return out


def run_task(task: dict) -> tuple[dict, pd.DataFrame | None]:
    """Do one run (see the module docstring). Never raises on a model error: the row carries
    it in ``error`` instead, so one bad run does not stop the sweep."""
    row = {
        "run": task["run"],
        "point": task["point"],
        "replicate": task["replicate"],
        "seed": task["seed"],
        **task["values"],
        "error": None,
    }
    daily_frames = []
    try:
        summaries = {}
        for label, kwargs in task["arms"].items():
            result = simulate(kwargs, seed=task["seed"])
            figures = result.figures
            summaries[label] = summarise(figures, list(result.dates), task["outputs"], task["years"])
            if task["daily"]:
                d = pd.DataFrame(figures, columns=list(DAILY_COLUMNS))
                d.insert(0, "date", pd.to_datetime(list(result.dates)))
                d.insert(0, "scenario", label)
                d.insert(0, "run", task["run"])
                daily_frames.append(d)
        for label, s in summaries.items():
            row.update({f"{label}/{k}": v for k, v in s.items()})
        for base, contrast in task["effects"]:
            row.update({f"{base}-{contrast}/{k}": v - summaries[contrast][k] for k, v in summaries[base].items()})
    except Exception as exc:  # recorded, and the sweep goes on
        last = traceback.format_exception_only(type(exc), exc)[-1].strip()
        row["error"] = last[:500]
        daily_frames = []
    return row, (pd.concat(daily_frames, ignore_index=True) if daily_frames else None)


def tasks(spec: Spec, table: pd.DataFrame, skip: set[int]):
    """The runs of the sweep not in ``skip``, in run order (run = point x replicates + replicate)."""
    effects = [(b.label, spec.contrast.label) for b in spec.bases] if spec.contrast else []
    names = [f.name for f in spec.factors]
    seeds = [replicate_seed(spec.seed, i) for i in range(spec.replicates)]
    for point, values in zip(table["point"].tolist(), table[names].itertuples(index=False, name=None)):
        vals = dict(zip(names, (float(v) for v in values)))
        kwargs = None
        for rep in range(spec.replicates):
            run = point * spec.replicates + rep
            if run in skip:
                continue
            kwargs = kwargs or arm_kwargs(spec, vals)
            yield {
                "run": run,
                "point": point,
                "replicate": rep,
                "seed": seeds[rep],
                "values": vals,
                "arms": kwargs,
                "outputs": list(spec.outputs),
                "years": spec.years,
                "effects": effects,
                "daily": spec.daily,
            }


def check_points(spec: Spec, table: pd.DataFrame) -> None:
    """Refuse, before anything runs, a design any of whose points the model would reject
    (one ConfigError line naming the point and the problem)."""
    names = [f.name for f in spec.factors]
    for point, values in zip(table["point"].tolist(), table[names].itertuples(index=False, name=None)):
        vals = dict(zip(names, (float(v) for v in values)))
        try:
            arm_kwargs(spec, vals)  # checks the point's values
        except ConfigError as exc:
            shown = ", ".join(f"{k}={v:g}" for k, v in vals.items())
            raise ConfigError(f"{spec.path}: design point {point} ({shown}) is refused: {exc}") from None


def settings(spec: Spec, n_points: int) -> dict:
    """What the output folder records about the sweep (checked by ``--resume``)."""
    return {
        "sweep": spec.name,
        "spec": str(spec.path),
        "fingerprint": spec.fingerprint(),
        "points": n_points,
        "replicates": spec.replicates,
        "runs": n_points * spec.replicates,
        "seed": spec.seed,
        "replicate_seeds": [replicate_seed(spec.seed, i) for i in range(spec.replicates)],
        "scenarios": [a.label for a in spec.arms],
        "version": __version__,
    }


def prepare_folder(spec: Spec, out: Path, resume: bool, table: pd.DataFrame) -> set[int]:
    """Check the output folder and lay it out; return the runs already done there.

    A new or empty folder is started. A folder holding a sweep is continued only with
    ``resume`` and only if it was made by the same spec (same fingerprint); otherwise one line
    says why, before anything runs.
    """
    out = safeio.prepare_output_dir(out)
    meta_file = out / store.META
    marker = safeio.read_partial(out)
    mine = settings(spec, len(table))
    if meta_file.exists() or marker is not None:
        try:
            theirs = json.loads(meta_file.read_text(encoding="utf-8")) if meta_file.exists() else (marker or {})
        except (OSError, ValueError):
            theirs = {}
        if theirs.get("fingerprint") != mine["fingerprint"]:
            raise ConfigError(
                f"{out} holds results of another sweep ({theirs.get('sweep', 'unknown')}, made from a "
                "different spec or scenarios); choose another --out or delete that folder"
            )
        if not resume:
            state = "an unfinished" if marker is not None else "a finished"
            raise ConfigError(
                f"{out} already holds {state} run of this sweep; add --resume to "
                f"{'finish it' if marker is not None else 'reuse it'}, or choose another --out"
            )
        store.clean_temporaries(out)
        return store.done_runs(out)
    safeio.mark_partial(out, mine)
    safeio.write_text(out / store.SPEC_COPY, spec.path.read_text(encoding="utf-8"))
    safeio.write_parquet(out / store.DESIGN, table)
    safeio.write_json(meta_file, mine)
    return set()


@contextlib.contextmanager
def dask_client(workers: int | None, scheduler: str | None, client=None):
    """The Dask client to use: ``client`` as given, one connected to ``scheduler``, or a new
    ``LocalCluster`` of ``workers`` single-threaded worker processes (closed on leaving)."""
    if client is not None:
        yield client
        return
    from distributed import Client, LocalCluster

    if scheduler and scheduler != "local":
        try:
            c = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise ConfigError(f"--scheduler {scheduler}: cannot connect ({exc})") from None
        try:
            yield c
        finally:
            c.close()
        return
    from ..workers import default_workers

    n = default_workers() if workers is None else workers
    cluster = LocalCluster(
        n_workers=n,
        threads_per_worker=1,
        processes=True,
        dashboard_address="127.0.0.1:0",
        silence_logs=40,
        host="127.0.0.1",
    )
    c = Client(cluster)
    try:
        yield c
    finally:
        with contextlib.suppress(Exception):
            c.close(timeout=10)
        with contextlib.suppress(Exception):
            cluster.close(timeout=10)


def progress_bar(total: int, done: int, label: str, progress: bool | None):
    """A tqdm bar (runs done, runs/s, time left): live on a terminal, a line every 30 s in a log."""
    from tqdm.auto import tqdm

    if progress is False:
        return tqdm(total=total, initial=done, disable=True)
    tty = sys.stderr.isatty()
    return tqdm(
        total=total,
        initial=done,
        desc=label,
        unit="run",
        mininterval=0.5 if tty else 30,
        smoothing=0.1,
        dynamic_ncols=True,
        file=sys.stderr,
    )


def _local(todo, on_result):
    for task in todo:
        on_result(*run_task(task))


def _on_pool(workers: int | None, todo, n_todo: int, on_result):
    """Run ``todo`` on a local process pool of ``workers`` processes (None: one per CPU), keeping
    a bounded window of runs in flight; hand each result over as it comes."""
    from concurrent.futures import FIRST_COMPLETED, wait

    from ..workers import default_workers, worker_pool

    n = default_workers() if workers is None else workers
    todo = iter(todo)
    with worker_pool(n, n_todo) as pool:
        if pool is None:
            _local(todo, on_result)
            return
        pending = {pool.submit(run_task, t) for _, t in zip(range(4 * n + 4), todo)}
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                on_result(*fut.result())
                nxt = next(todo, None)
                if nxt is not None:
                    pending.add(pool.submit(run_task, nxt))


def _on_dask(client, todo, on_result, window: int):
    """Keep at most ``window`` runs in flight on ``client``; hand each result over as it comes."""
    from distributed import as_completed

    todo = iter(todo)
    pending = as_completed()
    for task in (t for _, t in zip(range(window), todo)):
        pending.add(client.submit(run_task, task, key=f"deterrence-sim-run-{task['run']}-{id(pending)}", pure=False))
    for fut in pending:
        on_result(*fut.result())
        fut.release()
        nxt = next(todo, None)
        if nxt is not None:
            pending.add(client.submit(run_task, nxt, key=f"deterrence-sim-run-{nxt['run']}-{id(pending)}", pure=False))


def run_sweep(
    spec: Spec,
    out: str | Path,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    client=None,
    progress: bool | None = None,
    flush_seconds: float = 5.0,
) -> dict:
    """Run (or finish, with ``resume``) the sweep ``spec`` into the folder ``out``.

    Returns a summary: runs in the design, done before, done now, failed, seconds, and the
    results table (``results.parquet``, sorted by run).
    """
    out = Path(out)
    table = designs.design_table(spec)
    check_points(spec, table)
    done = prepare_folder(spec, out, resume, table)
    total = len(table) * spec.replicates
    todo_n = total - len(done)
    t0 = time.perf_counter()
    rows = store.PartWriter(out, store.PARTS, flush_seconds=flush_seconds)
    daily = store.PartWriter(out, store.DAILY, flush_seconds=flush_seconds) if spec.daily else None
    failed_now = ran_now = 0

    def on_result(row, daily_frame):
        nonlocal failed_now, ran_now
        failed_now += row["error"] is not None
        ran_now += 1
        if daily is not None and daily_frame is not None:
            daily.add(daily_frame)
            daily.flush()  # a run's daily rows are written before its summary row, so a summary
        rows.add(row)  # on disk always has its daily rows
        bar.update()

    with progress_bar(total, len(done), spec.name, progress) as bar:
        try:
            if todo_n:
                todo = tasks(spec, table, done)
                if client is None and scheduler is None and workers == 1:
                    _local(todo, on_result)
                elif client is None and scheduler is None:
                    _on_pool(workers, todo, todo_n, on_result)
                else:
                    with dask_client(workers, scheduler, client) as c:
                        n_workers = max(1, len(c.scheduler_info().get("workers", {})))
                        _on_dask(c, todo, on_result, window=4 * n_workers + 4)
        finally:
            rows.flush()  # whatever finished is kept, also on Ctrl-C or SIGTERM
    results = store.finish(
        out, ["run", "point", "replicate", "seed"] + [f.name for f in spec.factors] + spec.output_columns() + ["error"]
    )
    safeio.mark_complete(out)
    failed = int(results["error"].notna().sum())
    return {
        "runs": total,
        "done_before": len(done),
        "done_now": ran_now,
        "failed": failed,
        "failed_now": failed_now,
        "seconds": time.perf_counter() - t0,
        "results": results,
        "out": out,
    }


__all__ = ["run_sweep", "run_task", "tasks", "arm_kwargs", "summarise", "dask_client", "effect_label"]
