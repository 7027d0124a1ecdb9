"""The joint fit's prior and its reference table: simulations of 2023-01-01..2026-04-30 drawn from
the joint prior of every parameter the fit estimates, stored as Parquet parts (resumable).

The fit to the data (:mod:`.abc`) reuses one table for every data set: the real data to
2026-04-30, the same data cut at 2025-12-31 (what 2026 taught), and the synthetic data sets of
simulation-based calibration (:mod:`.sbc`). Which parameters, their priors and why:

* the ten of :data:`~.priors.CALIBRATED` (the 2023-2025 inflow levels, the try probability, beach
  prevention, the smugglers' load and its ratchet, the returnees' re-crossing rate and the
  deterrence strength), with the priors of the ABC-SMC fit, except the deterrence strength's,
  which is the main job's (:data:`MAIN_JOB_PRIORS`);
* ``inflow_2026_step``: the 2026 inflow level as a step from 2025's,
  ``inflow_2026 = inflow_2025 * exp(step)``, ``step ~ normal(0, 0.35)``: a random walk in the log
  level whose size is the root mean square of the observed year-on-year log change of 12-month
  arrivals, December 2022 to December 2025 (0.33-0.37 at the backtest's origins; docs/ODD.md
  section 11). Without it a fall in 2026 could only be read as deterrence;
* ``leave_route_daily`` and ``removal_salience``: the main job's priors
  (:data:`deterrence_sim.analyses.uncertainty.PRIORS`), because they drive the headline;
* the dated mechanisms of 2026 whose priors put mass on "no effect"
  (``uncertainty.MECHANISM_PRIORS``, where the model defines them).

Every draw is stored twice: its value, and its prior quantile ``u`` in (0, 1), from which the value
is read (``value = prior.ppf(u)``). The estimator works on ``probit(u)``, on which every prior is a
standard normal, and maps back through the same quantile function, so bounded, log-scale and
point-mass priors are handled alike.

Run ``i`` draws its ``u`` and its model seed from ``(seed, i)`` alone, so the table is the same,
run for run, whatever the number of workers and however often it was interrupted and resumed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import time
from pathlib import Path

import numpy as np

from .. import params as parameters
from ..analyses import uncertainty
from ..errors import ConfigError
from ..sweeps import store
from ..workers import worker_pool
from .priors import CALIBRATED
from .setting import FIT_START, Setting, fitted_params

#: The last day the joint fit simulates and the last day of data it reads.
JOINT_END = "2026-04-30"
#: The data cut of the fit "to 2025" (what the data knew before 2026).
CUT_2025 = "2025-12-31"
#: The joint fit's setting: the inflow's monthly shape from 2023-2025 (the complete years).
JOINT_SETTING = Setting("joint", FIT_START, JOINT_END, JOINT_END, (2023, 2025))
#: Size of the random-walk step of the log inflow level from 2025 to 2026 (docs/ODD.md section 11).
INFLOW_STEP_SD = 0.35
#: The crossing-day record is the weather up to this day only; afterwards the model's Markov chain
#: (``weather_mode = "observed_to_2025"``). Why: the record is the days with at least one arrival, so
#: in 2026, when the measures to be told apart (deterrence, interception, supply) could themselves
#: empty a day of launches, replaying it would let the weather absorb part of their effect.
WEATHER_OBSERVED_UNTIL = "2025-12-31"
TABLE_META = "table.json"
#: The model's largest deterrence strength (params.py): a draw above it runs at it.
DETERRENCE_BOUND = float(parameters.PARAMS["deterrence_strength"].high)
#: The month-to-month inflow noise is on in the table (the calibrated default, 0.43, estimated by
#: the method of moments; docs/ODD.md section 10): the observed months carry it, and a simulator
#: without it would make every monthly target look more informative than it is.
MONTH_SD = float(parameters.PARAMS["inflow_month_sd"].default)


@dataclasses.dataclass(frozen=True)
class JointParam:
    """One parameter of the joint fit: its prior's quantile function and why."""

    name: str
    text: str
    why: str
    ppf: object  # u in (0, 1) -> value

    def value(self, u: float) -> float:
        return float(self.ppf(float(u)))


def _calibrated(name: str) -> JointParam:
    p = CALIBRATED[name]
    dist = p.prior.scipy()
    return JointParam(name, p.prior.describe(), p.why, dist.ppf)


def _main_job(prior) -> JointParam:
    return JointParam(prior.name, prior.describe(), prior.source, prior.quantile)


def _step_ppf(u: float) -> float:
    from scipy.stats import norm

    return float(INFLOW_STEP_SD * norm.ppf(u))


#: Parameters of :data:`~.priors.CALIBRATED` whose prior here is the main job's
#: (:data:`deterrence_sim.analyses.uncertainty.PRIORS`), so that the posterior the main job draws from is
#: the update of the prior its brief states: the deterrence strength's, derived by simulating the
#: anchor episodes in the model (``deterrence-sim prior``; lognormal, median 0.82, truncated at 8.3),
#: not the ABC-SMC fit's older lognormal(0.77, 1.0).
MAIN_JOB_PRIORS = ("deterrence_strength",)


def joint_params() -> dict[str, JointParam]:
    """The joint fit's parameters, in a fixed order (the order of the table's ``u`` draws)."""
    out = [_main_job(uncertainty.PRIORS[n]) if n in MAIN_JOB_PRIORS else _calibrated(n) for n in CALIBRATED]
    out.append(
        JointParam(
            "inflow_2026_step",
            f"normal(0, {INFLOW_STEP_SD:g})",
            "log of the 2026 inflow level over 2025's: a random walk whose step is the root mean square "
            "of the observed year-on-year log change of 12-month arrivals, 2022-12..2025-12 "
            "(docs/ODD.md section 11: 0.33-0.37)",
            _step_ppf,
        )
    )
    for name in ("leave_route_daily", "removal_salience"):
        out.append(_main_job(uncertainty.PRIORS[name]))
    for prior in getattr(uncertainty, "MECHANISM_PRIORS", {}).values():
        out.append(_main_job(prior))
    return {p.name: p for p in out}


def theta_from_u(u: np.ndarray, names: list[str] | None = None) -> dict:
    """Parameter values from prior quantiles (in the order of :func:`joint_params`)."""
    params = joint_params()
    names = names or list(params)
    return {n: params[n].value(x) for n, x in zip(names, u)}


def model_params(theta: dict) -> dict:
    """ChannelModel parameters for one joint parameter set (the calibrated ones through
    :func:`~.setting.fitted_params`; the 2026 inflow level as a dated step; mechanisms that start
    on a known day as dated schedules)."""
    calibrated = {k: v for k, v in theta.items() if k in CALIBRATED}
    out = fitted_params(calibrated, FIT_START)
    if "deterrence_strength" in out:  # the prior's far tail (0.06% of its mass) runs at the model's bound
        out["deterrence_strength"] = min(out["deterrence_strength"], DETERRENCE_BOUND)
    if "inflow_2026_step" in theta:
        out["inflow_per_year"]["2026-01-01"] = float(theta["inflow_2025"]) * float(np.exp(theta["inflow_2026_step"]))
    mechanisms = getattr(uncertainty, "MECHANISM_PRIORS", {})
    for name in ("leave_route_daily", "removal_salience", *mechanisms):
        if name in theta:
            prior = mechanisms.get(name)
            value = float(theta[name])
            out[name] = {prior.from_date: value} if prior is not None and prior.from_date else value
    return out


def simulate(theta: dict, seed: int, setting: Setting = JOINT_SETTING):
    """One run of the joint fit's setting (``runner.simulate``); returns its ``runner.Result``."""
    from ..runner import simulate as run

    kw = {"start": setting.start, "end": setting.end, **setting.fixed(), **model_params(theta)}
    kw["weather_mode"] = "observed_to_2025"  # the record to 2025-12-31, the Markov chain after (rules/weather.py)
    kw["inflow_month_sd"] = MONTH_SD
    return run(kw, seed=int(seed))


# --------------------------------------------------------------------------- the reference table
def run_draw(seed: int, run: int) -> tuple[np.ndarray, int]:
    """Run ``run``'s prior quantiles and model seed, from (``seed``, ``run``) alone."""
    n = len(joint_params())
    ss = np.random.SeedSequence([int(seed), 24, int(run)])
    rng = np.random.default_rng(ss)
    u = rng.random(n)
    u = np.clip(u, 1e-6, 1 - 1e-6)
    return u, int(rng.integers(0, 2**31 - 1))


_TARGETS = {}


def _set_targets(seeds_folder: str | None) -> None:
    from ..observed.data import use_folder
    from ..observed.targets import TargetSet

    use_folder(seeds_folder)
    _TARGETS["set"] = TargetSet(JOINT_SETTING.start, JOINT_SETTING.end, JOINT_SETTING.fit_end)


def one_run(args) -> dict:
    """Worker: simulate run ``run`` of the table; one row (run, seed, u_*, parameter values, targets)."""
    seed, run = args
    if "set" not in _TARGETS:
        _set_targets(None)
    targets = _TARGETS["set"]
    names = list(joint_params())
    u, model_seed = run_draw(seed, run)
    theta = theta_from_u(u, names)
    t0 = time.perf_counter()
    sim = targets.simulated(simulate(theta, model_seed))
    row = {"run": int(run), "model_seed": model_seed, "seconds": time.perf_counter() - t0}
    row.update({f"u:{n}": float(x) for n, x in zip(names, u)})
    row.update({f"p:{n}": float(theta[n]) for n in names})
    row.update({f"t:{n}": float(v) for n, v in zip(targets.names, sim)})
    return row


def table_record(seed: int) -> dict:
    """What a table folder holds: checked before a resume adds to it."""
    from ..observed.targets import TargetSet

    targets = TargetSet(JOINT_SETTING.start, JOINT_SETTING.end, JOINT_SETTING.fit_end)
    params = joint_params()
    return {
        "seed": int(seed),
        "setting": dataclasses.asdict(JOINT_SETTING),
        "weather_observed_until": WEATHER_OBSERVED_UNTIL,
        "inflow_month_sd": MONTH_SD,
        "parameters": {n: p.text for n, p in params.items()},
        "targets": targets.names,
    }


def build_table(out: Path, simulations: int, seed: int, workers: int = 1, log=print, chunk: int = 8) -> dict:
    """Simulate runs 0..simulations-1 of the reference table into ``out`` (Parquet parts), skipping
    those a previous call already wrote. Returns a summary."""
    import os

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    record = table_record(seed)
    meta_path = out / TABLE_META
    if meta_path.exists():
        previous = json.loads(meta_path.read_text())
        if previous != json.loads(json.dumps(record)):
            raise ConfigError(
                f"{out}: a reference table with other settings (seed, parameters or targets) is stored "
                f"there; use another --out folder"
            )
    else:
        meta_path.write_text(json.dumps(record, indent=1) + "\n")
    store.clean_temporaries(out)
    done = store.done_runs(out)
    todo = [i for i in range(simulations) if i not in done]
    log(f"reference table {out}: {len(done)} runs stored, {len(todo)} to simulate")
    t0 = time.perf_counter()
    writer = store.PartWriter(out, store.PARTS, flush_seconds=30.0, flush_rows=200)
    finished = 0
    try:
        with worker_pool(workers, len(todo), _set_targets, (os.environ.get("DETERRENCE_SIM_SEEDS"),)) as pool:
            tasks = [(seed, i) for i in todo]
            results = pool.map(one_run, tasks, chunksize=chunk) if pool else map(one_run, tasks)
            for row in results:
                writer.add(row)
                finished += 1
                if finished % 100 == 0:
                    rate = finished / (time.perf_counter() - t0)
                    log(f"  {finished}/{len(todo)} runs, {rate:.2f} runs/s")
    finally:
        writer.flush()
    return {"runs": len(done) + finished, "seconds": time.perf_counter() - t0}


def load_table(folder: Path):
    """The stored runs, sorted by run number, cut to the longest unbroken prefix 0..M-1 (so that a
    table stopped part-way gives the same fit whatever order its workers finished in)."""
    df = store.load_results(Path(folder))
    runs = df["run"].to_numpy()
    gaps = np.flatnonzero(runs != np.arange(len(runs)))
    if len(gaps):
        df = df.iloc[: gaps[0]]
    return df.reset_index(drop=True)


def table_date() -> str:
    return dt.date.today().isoformat()
