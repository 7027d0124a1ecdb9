"""Fitting the model's uncertain parameters to the observed data: ``deterrence-sim calibrate``.

Method: approximate Bayesian computation by sequential Monte Carlo (ABC-SMC; Toni et al. 2009,
Beaumont et al. 2009), with the library **pyabc** (Schaelte et al. 2022). pyabc provides the
population Monte Carlo machinery: the importance weights, the multivariate normal perturbation
kernel fitted to each generation, the adaptive epsilon schedule (the median of the previous
generation's distances) and an SQLite history from which a run continues after an interruption.

Two things are added here:

* :class:`SeededSampler`, a pyabc sampler that gives candidate ``i`` of generation ``t`` its own
  random seed derived from (``seed``, ``t``, ``i``), runs candidates on a pool of worker processes
  and accepts the first ``n`` accepted candidates *in index order*. The posterior is therefore the
  same, bit for bit, whatever the number of workers (pyabc's own multicore samplers reseed every
  worker from the operating system, so their results cannot be repeated).
* Generations are run one ``ABCSMC.run`` call at a time. After each one the history is on disk,
  so an interrupted calibration continues from its last finished generation (``ABCSMC.load``)
  and ends with the same posterior as one that was never interrupted. Only the generation that
  was in progress is lost.

The budget is a number of model simulations per fit: a new generation is started only if its
expected cost (population / last acceptance rate x 1.3) fits in what is left.

Two fits are made by default (``--fit both``):

* ``holdout``: data up to 2025-06-30 only, simulated 2023-01-01..2025-06-30 (the held-out check:
  ``deterrence-sim validate`` forecasts 2025-07-01..12-31 from it);
* ``full``: all the data, simulated 2023-01-01..2026-01-31; its posterior medians are the model's
  defaults (``experiments/calibration/calibrated.toml``).

The fits are made with the month-to-month inflow noise off. Its size, ``inflow_month_sd``, is then
estimated for each fit by the method of moments from the monthly residuals of its point estimate
(:func:`estimate_inflow_month_sd`), written to ``inflow_month_sd.json``, and the full fit's value
goes into ``calibrated.toml``. ``deterrence-sim calibrate --only-inflow-month-sd --out DIR`` runs
this last step alone on the posteriors already in ``DIR``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import random
import sys
import time
import tomllib
from pathlib import Path

import numpy as np

from . import resources
from .errors import ConfigError
from .model import ChannelModel
from .population import WAITING
from .targets import TargetSet, monthly_seasonality
from .workers import worker_pool

CALIBRATED_DIR = resources.path("experiments/calibration")  # the calibrated set, shipped with the package
CALIBRATED_FILE = CALIBRATED_DIR / "calibrated.toml"
DEFAULT_BUDGET = 500
DEFAULT_POPULATION = 50
DEFAULT_SEED = 20250710
FITS = ("holdout", "full")


# --------------------------------------------------------------------------- priors
@dataclasses.dataclass(frozen=True)
class Prior:
    """A prior distribution: ``uniform`` (low, high), ``loguniform`` (low, high) or ``lognormal``
    (median, sigma of the log)."""

    dist: str
    a: float
    b: float

    def rv(self):
        import pyabc

        if self.dist == "uniform":
            return pyabc.RV("uniform", self.a, self.b - self.a)
        if self.dist == "loguniform":
            return pyabc.RV("loguniform", self.a, self.b)
        return pyabc.RV("lognorm", self.b, 0, self.a)

    def scipy(self):
        from scipy import stats

        if self.dist == "uniform":
            return stats.uniform(self.a, self.b - self.a)
        if self.dist == "loguniform":
            return stats.loguniform(self.a, self.b)
        return stats.lognorm(self.b, 0, self.a)

    def text(self) -> str:
        if self.dist == "lognormal":
            return f"lognormal(median {self.a:g}, sigma {self.b:g})"
        return f"{self.dist}({self.a:g}, {self.b:g})"

    def as_dict(self) -> dict:
        return {"dist": self.dist, "a": self.a, "b": self.b}


@dataclasses.dataclass(frozen=True)
class CalibParam:
    """One calibrated quantity, its prior, and why."""

    name: str
    prior: Prior
    why: str
    unit: str = ""


#: The calibrated parameters. Everything else keeps its default (docs/ODD.md, section 10).
CALIBRATED: dict[str, CalibParam] = {p.name: p for p in [
    CalibParam("inflow_2023", Prior("uniform", 20_000, 60_000),
               "people reaching the coast in 2023 (inflow_per_year from 2023-01-01); wide: about 0.7-2 times "
               "the 29,437 arrivals", "people/year"),
    CalibParam("inflow_2024", Prior("uniform", 20_000, 60_000),
               "inflow_per_year from 2024-01-01 (36,816 arrivals)", "people/year"),
    CalibParam("inflow_2025", Prior("uniform", 20_000, 60_000),
               "inflow_per_year from 2025-01-01 (41,472 arrivals)", "people/year"),
    CalibParam("try_prob", Prior("uniform", 0.05, 0.6),
               "daily chance of trying on a sea-viable day; sets how fast the coast empties after rough spells",
               "probability/day"),
    CalibParam("beach_prevention_prob", Prior("uniform", 0.2, 0.8),
               "French beach prevention up to 2025-06-30 (SB02 share stopped 42% in 2024, 39% in 2025 H1)",
               "probability per boat"),
    CalibParam("beach_prevention_2025h2", Prior("uniform", 0.2, 0.8),
               "beach prevention from 2025-07-01 (SB02 share stopped fell to 31% in 2025 H2)",
               "probability per boat"),
    CalibParam("people_per_boat_initial", Prior("uniform", 35, 55),
               "networks' load on 2023-01-01 (SB01: 41.7 people per boat in 2023 Q1)", "people/boat"),
    CalibParam("people_per_boat_gain", Prior("uniform", 0.0, 0.6),
               "rise in load per boat lost to the police (SB01: 42 to 65 people per boat, 2023-2025)",
               "people/boat per boat lost"),
    CalibParam("returnee_recross_daily", Prior("loguniform", 0.0002, 0.02),
               "returnees going back to the coast (2 re-crossings by November 2025); log-uniform over two "
               "orders of magnitude", "probability/day"),
    CalibParam("deterrence_strength", Prior("lognormal", 0.77, 1.0),
               "outside evidence (docs/ODD.md section 8): median sqrt(0.2 x 3), the geometric middle of US "
               "border studies (~0.1-0.3) and the Australian turnbacks (>= 3); 90% prior interval 0.15-4.0",
               "per unit of perceived risk"),
]}


def load_priors(path: str | Path | None) -> dict[str, CalibParam]:
    """The calibrated parameters, with priors overridden from a TOML file if given::

        [try_prob]
        dist = "uniform"      # uniform | loguniform (low, high) | lognormal (median, sigma)
        low = 0.1
        high = 0.5
    """
    out = dict(CALIBRATED)
    if path is None:
        return out
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"prior file {path} not found")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({str(exc).splitlines()[0]})") from None
    for name, spec in raw.items():
        if name not in CALIBRATED:
            raise ConfigError(f"{path}: unknown parameter {name!r}; the calibrated parameters are "
                              f"{', '.join(CALIBRATED)}")
        if not isinstance(spec, dict):
            raise ConfigError(f"{path}: [{name}] must be a table with dist and its numbers")
        dist = spec.get("dist")
        keys = {"uniform": ("low", "high"), "loguniform": ("low", "high"), "lognormal": ("median", "sigma")}
        if dist not in keys:
            raise ConfigError(f"{path}: {name}.dist = {dist!r}; use uniform, loguniform or lognormal")
        try:
            a, b = (float(spec[k]) for k in keys[dist])
        except (KeyError, TypeError, ValueError):
            raise ConfigError(f"{path}: {name} needs numbers {' and '.join(keys[dist])} for a {dist} prior") from None
        if dist == "lognormal" and not (a > 0 and b > 0) or dist != "lognormal" and not (b > a) \
                or dist == "loguniform" and a <= 0:
            raise ConfigError(f"{path}: {name}: {keys[dist][0]} = {a:g}, {keys[dist][1]} = {b:g} do not make a "
                              f"valid {dist} prior")
        out[name] = dataclasses.replace(out[name], prior=Prior(dist, a, b))
    return out


# --------------------------------------------------------------------------- the simulated setting
@dataclasses.dataclass(frozen=True)
class Setting:
    """A fit's simulated window, data cut-off and fixed (not calibrated) settings."""

    name: str
    start: str
    end: str
    fit_end: str
    seasonality_years: tuple[int, int]

    def fixed(self) -> dict:
        """Model settings held fixed during the fit. The weather is the observed record of crossing
        days (an exogenous driver; section 10 of docs/ODD.md), and the inflow's monthly shape is
        the share of arrivals by month over the years the fit may see. The month-to-month inflow
        noise is off (``inflow_month_sd = 0``): its multiplier has mean one, so it does not move the
        fitted levels, and leaving it out keeps the ABC distance from being noisier than it need
        be. Its size is estimated afterwards from the fit's monthly residuals
        (:func:`estimate_inflow_month_sd`); a ``theta`` that carries ``inflow_month_sd`` switches
        it on (:func:`model_kwargs`)."""
        return {"weather_mode": "observed", "initial_waiting": 3000, "inflow_month_sd": 0.0,
                "inflow_seasonality": monthly_seasonality(*self.seasonality_years)}

    def targets(self) -> TargetSet:
        return TargetSet(self.start, self.end, self.fit_end)

    def describe(self) -> str:
        return (f"simulated {self.start}..{self.end}, observed data up to {self.fit_end}, "
                f"inflow seasonality from {self.seasonality_years[0]}-{self.seasonality_years[1]}")


SETTINGS = {
    "holdout": Setting("holdout", "2023-01-01", "2025-06-30", "2025-06-30", (2023, 2024)),
    "full": Setting("full", "2023-01-01", "2026-01-31", "2026-01-31", (2023, 2025)),
}


def model_kwargs(theta: dict, setting: Setting, end: str | None = None, weather: str | None = None) -> dict:
    """ChannelModel keyword arguments for one calibrated parameter set in a fit's setting.

    ``theta`` holds calibrated values by their names in :data:`CALIBRATED`, and may also hold
    ``inflow_month_sd`` (off in the fit's setting, see :meth:`Setting.fixed`)."""
    kw = {"start": setting.start, "end": end or setting.end, **setting.fixed()}
    if weather:
        kw["weather_mode"] = weather
    inflow = {f"{y}-01-01": float(theta[f"inflow_{y}"]) for y in (2023, 2024, 2025) if f"inflow_{y}" in theta}
    if inflow:
        kw["inflow_per_year"] = inflow
    if "beach_prevention_prob" in theta:
        beach = {setting.start: float(theta["beach_prevention_prob"])}
        if "beach_prevention_2025h2" in theta:
            beach["2025-07-01"] = float(theta["beach_prevention_2025h2"])
        kw["beach_prevention_prob"] = beach
    for name in ("try_prob", "people_per_boat_initial", "people_per_boat_gain", "returnee_recross_daily",
                 "deterrence_strength", "inflow_month_sd"):
        if name in theta:
            kw[name] = float(theta[name])
    return kw


def simulate(theta: dict, setting: Setting, seed: int, end: str | None = None, weather: str | None = None):
    """Run the model once; return the finished model."""
    return ChannelModel(rng=int(seed), **model_kwargs(theta, setting, end=end, weather=weather)).run()


class _SimModel:
    """The pyabc model: parameters -> summary statistics (the simulated targets, as one array).

    The model seed is drawn from numpy's global generator, which :class:`SeededSampler` seeds for
    every candidate, so each simulation is repeatable."""

    def __init__(self, setting: Setting, targets: TargetSet, simulator=None):
        self.setting, self.targets, self.simulator = setting, targets, simulator

    def __call__(self, par) -> dict:
        seed = int(np.random.randint(0, 2**31 - 1))
        if self.simulator is not None:
            return {"s": self.simulator(dict(par), seed)}
        model = simulate(dict(par), self.setting, seed)
        return {"s": self.targets.simulated(model.datacollector.model_vars)}


class _Distance:
    def __init__(self, targets: TargetSet):
        self.targets = targets

    def __call__(self, x, x0) -> float:
        return self.targets.distance(x["s"])


# --------------------------------------------------------------------------- deterministic sampler
_WORK = {}


def _set_work(seed: int, simulate_one: bytes) -> None:
    """Worker set-up: the generation's seed and pyabc's ``simulate_one`` (a closure, so sent
    cloudpickled, as pyabc's own samplers do)."""
    import cloudpickle

    _WORK.update(seed=seed, simulate_one=cloudpickle.loads(simulate_one))


def _candidate(task):
    """Worker: evaluate candidate ``i`` of generation ``t`` with its own seed."""
    t, i = task
    seed = np.random.SeedSequence([_WORK["seed"], t + 1, i]).generate_state(2)
    np.random.seed(seed)
    random.seed(int(seed[0]))
    return _WORK["simulate_one"]()


def _sampler_base():
    from pyabc.sampler import Sampler

    return Sampler


class SeededSampler(_sampler_base()):
    """A pyabc sampler whose result does not depend on the number of worker processes.

    Candidate ``i`` of generation ``t`` is simulated with numpy's global generator seeded from
    (``seed``, ``t``, ``i``). Candidates are evaluated in batches on a forkserver process pool and
    read back in index order; the generation keeps the first ``n`` accepted. Candidates computed
    beyond that point are discarded and not counted.
    """

    def __init__(self, seed: int, workers: int = 1, progress=None):
        super().__init__()
        self.seed, self.workers, self.progress = int(seed), max(1, int(workers)), progress
        self.budget_left = np.inf

    def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False, ana_vars=None):
        _WORK.update(seed=self.seed, simulate_one=simulate_one)
        sample = self._create_empty_sample()
        accepted = evaluated = 0
        limit = min(max_eval, self.budget_left)

        def take(particle):
            nonlocal accepted, evaluated
            evaluated += 1
            sample.append(particle)
            if particle.accepted:
                accepted += 1
            if self.progress:
                self.progress(1)

        i = 0
        if self.workers == 1:
            while accepted < n and evaluated < limit:
                take(_candidate((t, i)))
                i += 1
        else:
            import cloudpickle

            # forkserver workers (deterrence_sim.workers), not fork: forking a process that runs
            # threads can deadlock the child. Each worker gets simulate_one once, at start.
            work = (self.seed, cloudpickle.dumps(simulate_one))
            with worker_pool(self.workers, 4 * self.workers, _set_work, work) as pool:
                while accepted < n and evaluated < limit:
                    batch = [(t, j) for j in range(i, i + 4 * self.workers)]
                    for particle in pool.map(_candidate, batch):
                        if accepted < n and evaluated < limit:
                            take(particle)
                    i += len(batch)
        self.nr_evaluations_ = evaluated
        if accepted < n:
            sample.ok = False
        return sample


# --------------------------------------------------------------------------- running a fit
def _epsilon():
    """Median epsilon (alpha 0.5 of the last generation's weighted distances), infinite at t = 0.

    pyabc's QuantileEpsilon with a numeric initial value restarts from that value when a run is
    continued with ``ABCSMC.load``; this one recomputes the threshold from the stored population
    instead, so a continued run takes exactly the steps an uninterrupted one would, and the first
    generation needs no extra calibration sample from the prior."""
    import pyabc

    class ResumableMedianEpsilon(pyabc.QuantileEpsilon):
        def initialize(self, t, get_weighted_distances, get_all_records, max_nr_populations, acceptor_config):
            if t > 0 and t not in self._look_up:
                self._update(t, get_weighted_distances())

    return ResumableMedianEpsilon(initial_epsilon=np.inf, alpha=0.5)


def _quiet_pyabc():
    for name in ("ABC", "pyabc", "ABC.Sampler", "ABC.History", "ABC.Distance", "ABC.Epsilon", "ABC.Adaptation"):
        logging.getLogger(name).setLevel(logging.WARNING)


def _setup_record(setting, priors, population, seed, targets) -> dict:
    return {"fit": setting.name, "setting": dataclasses.asdict(setting), "population": population, "seed": seed,
            "priors": {k: p.prior.as_dict() for k, p in priors.items()},
            "targets": dict(zip(targets.names, targets.observed.round(6).tolist()))}


def run_fit(setting: Setting, out: Path, budget: int, population: int, seed: int, workers: int,
            priors: dict[str, CalibParam] | None = None, progress: bool = True, simulator=None,
            targets: TargetSet | None = None, max_generations: int | None = None, log=print) -> dict:
    """Run (or continue) one ABC-SMC fit; the history is ``out/<fit>.db``. Returns a summary dict.

    ``simulator(theta, seed) -> stats`` replaces the model (used by tests with synthetic models).
    ``max_generations`` stops after that many generations in this call (used to test resumption).
    """
    import pyabc
    from tqdm.auto import tqdm

    _quiet_pyabc()
    priors = priors or dict(CALIBRATED)
    targets = targets or setting.targets()
    out.mkdir(parents=True, exist_ok=True)
    db_path = out / f"{setting.name}.db"
    record_path = out / f"{setting.name}_setup.json"
    record = _setup_record(setting, priors, population, seed, targets)
    if simulator is not None:
        record["simulator"] = getattr(simulator, "__name__", "custom")

    prior = pyabc.Distribution(**{k: p.prior.rv() for k, p in priors.items()})
    bar = tqdm(total=budget, desc=f"calibrate {setting.name}", unit="sim", disable=not progress,
               dynamic_ncols=True)
    sampler = SeededSampler(seed, workers, progress=bar.update)
    abc = pyabc.ABCSMC(_SimModel(setting, targets, simulator), prior, _Distance(targets),
                       population_size=population, sampler=sampler,
                       eps=_epsilon())
    db = f"sqlite:///{db_path.resolve()}"
    if db_path.exists():
        previous = json.loads(record_path.read_text()) if record_path.exists() else None
        if previous != json.loads(json.dumps(record)):
            raise ConfigError(f"{out}: an earlier calibration ({setting.name}) with different settings is stored "
                              f"there; use another --out folder or delete {db_path.name}")
        history = abc.load(db, 1)
        if history.max_t >= 0:
            log(f"{setting.name}: continuing from generation {history.max_t} "
                f"({history.total_nr_simulations} simulations already done)")
    else:
        record_path.write_text(json.dumps(record, indent=1) + "\n")
        history = abc.new(db, {"s": targets.observed})
    bar.update(min(budget, history.total_nr_simulations if history.max_t >= 0 else 0))
    t_start = time.perf_counter()
    generations_run = 0
    while True:
        done = history.total_nr_simulations if history.max_t >= 0 else 0
        left = budget - done
        if history.max_t >= 0:
            pops = history.get_all_populations()
            last = pops[pops.t == history.max_t].iloc[0]
            rate = population / max(int(last.samples), 1)
            expected = population / rate * (2.0 if history.max_t == 0 else 1.3)
        else:
            expected = population
        if left < expected or (max_generations is not None and generations_run >= max_generations):
            break
        sampler.budget_left = left
        abc._initial_population = None  # pyabc caches it across run() calls; read it afresh
        t_before = history.max_t
        abc.run(max_nr_populations=1)
        if history.max_t == t_before:
            # the budget left ran out before the generation had all its particles: pyabc stores
            # nothing, so trying again would only spend the same simulations again
            break
        generations_run += 1
        pops = history.get_all_populations()
        last = pops[pops.t == history.max_t].iloc[0]
        bar.set_postfix_str(f"generation {history.max_t}, epsilon {last.epsilon:.3g}")
        tqdm.write(f"{setting.name}: generation {history.max_t} epsilon {last.epsilon:.4g}, accepted "
                   f"{population}/{int(last.samples)}; {history.total_nr_simulations} simulations so far",
                   file=sys.stderr) if progress else None
    bar.close()
    if history.max_t < 0:
        raise ConfigError(f"--budget {budget} is too small for one generation of {population} particles")
    return {"fit": setting.name, "db": str(db_path), "generations": int(history.max_t) + 1,
            "simulations": int(history.total_nr_simulations), "seconds_this_call": time.perf_counter() - t_start}


def posterior(db_path: Path, t: int | None = None):
    """Posterior samples (DataFrame with a ``weight`` column) of the last (or given) generation."""
    import pyabc

    h = pyabc.History(f"sqlite:///{Path(db_path).resolve()}", _id=1)
    df, w = h.get_distribution(t=t)
    df = df.reset_index(drop=True)
    df["weight"] = np.asarray(w) / np.sum(w)
    return df


def generations(db_path: Path):
    import pyabc

    h = pyabc.History(f"sqlite:///{Path(db_path).resolve()}", _id=1)
    return h.get_all_populations()


# --------------------------------------------------------------------------- summaries and outputs
def weighted_quantile(x, w, q):
    x, w = np.asarray(x, float), np.asarray(w, float)
    order = np.argsort(x)
    x, w = x[order], w[order]
    cdf = (np.cumsum(w) - 0.5 * w) / w.sum()
    return np.interp(q, cdf, x)


def parameter_table(post, priors: dict[str, CalibParam]) -> list[dict]:
    rows = []
    for name, p in priors.items():
        d = p.prior.scipy()
        lo, hi = d.ppf([0.05, 0.95])
        q = weighted_quantile(post[name], post["weight"], [0.05, 0.5, 0.95])
        rows.append({"parameter": name, "prior": p.prior.text(), "prior_median": float(d.median()),
                     "prior_p05": float(lo), "prior_p95": float(hi), "post_median": float(q[1]),
                     "post_p05": float(q[0]), "post_p95": float(q[2]),
                     "width_ratio": float((q[2] - q[0]) / (hi - lo))})
    return rows


def _fmt(x: float) -> str:
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    if abs(x) >= 0.1:
        return f"{x:.3f}"
    return f"{x:.2g}"


def parameter_markdown(rows: list[dict]) -> str:
    lines = ["| parameter | prior | prior median [90%] | posterior median | posterior 90% interval | "
             "posterior/prior width |", "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| `{r['parameter']}` | {r['prior']} | {_fmt(r['prior_median'])} "
                     f"[{_fmt(r['prior_p05'])}, {_fmt(r['prior_p95'])}] | {_fmt(r['post_median'])} | "
                     f"[{_fmt(r['post_p05'])}, {_fmt(r['post_p95'])}] | {r['width_ratio']:.2f} |")
    return "\n".join(lines)


def plot_prior_posterior(posts: dict, priors: dict[str, CalibParam], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(priors)
    cols = 4
    rows = -(-len(names) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 2.8 * rows))
    for ax, name in zip(np.ravel(axes), names):
        d = priors[name].prior.scipy()
        lo, hi = d.ppf([0.005, 0.995])
        xs = np.linspace(lo, hi, 300)
        ax.plot(xs, d.pdf(xs), color="grey", lw=1.5, label="prior")
        for (label, post), colour in zip(posts.items(), ("tab:blue", "tab:orange")):
            ax.hist(post[name], weights=post["weight"], bins=25, range=(lo, hi), density=True, alpha=0.45,
                    color=colour, label=f"posterior ({label})")
        ax.set_title(name, fontsize=9)
        ax.tick_params(labelsize=7)
    for ax in np.ravel(axes)[len(names):]:
        ax.axis("off")
    np.ravel(axes)[0].legend(fontsize=7)
    fig.suptitle("Prior (line) and ABC-SMC posterior (histograms)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def point_estimate(post) -> dict:
    """The calibrated parameter set: the posterior median of each parameter."""
    return {k: float(weighted_quantile(post[k], post["weight"], 0.5)) for k in post.columns
            if k not in ("weight",)}


def state_on(theta: dict, setting: Setting, day: str, seeds=range(8)) -> dict:
    """Mean networks' load and people waiting on the coast at the end of ``day`` in the fit's
    setting: the starting values for runs that begin the day after (the model's default start)."""
    loads, waiting = [], []
    for s in seeds:
        model = ChannelModel(rng=1000 + s, **model_kwargs(theta, setting, end=day))
        model.run()
        loads.append(float(model.networks["load"].mean()))
        waiting.append(int(model.population.count(WAITING)))
    return {"people_per_boat_initial": round(float(np.mean(loads)), 1), "initial_waiting": int(np.mean(waiting))}


def default_values(theta: dict, setting: Setting) -> dict:
    """Model defaults (for runs starting 2025-01-01) from the calibrated parameter set."""
    start_state = state_on(theta, setting, "2024-12-31")
    r = lambda x, n: float(f"{x:.{n}g}")  # noqa: E731
    return {
        "inflow_per_year": {"2023-01-01": round(theta["inflow_2023"], -1), "2024-01-01": round(theta["inflow_2024"], -1),
                            "2025-01-01": round(theta["inflow_2025"], -1)},
        "inflow_seasonality": list(setting.fixed()["inflow_seasonality"]),
        "initial_waiting": start_state["initial_waiting"],
        "try_prob": r(theta["try_prob"], 3),
        "deterrence_strength": r(theta["deterrence_strength"], 3),
        "people_per_boat_initial": min(start_state["people_per_boat_initial"], 80.0),
        "people_per_boat_gain": r(theta["people_per_boat_gain"], 3),
        "beach_prevention_prob": {"2023-01-01": r(theta["beach_prevention_prob"], 3),
                                  "2025-07-01": r(theta["beach_prevention_2025h2"], 3)},
        "returnee_recross_daily": r(theta["returnee_recross_daily"], 3),
    }


# --------------------------------------------------------------------------- month-to-month inflow noise
MONTH_SD_REPLICATES = 30
MONTH_SD_FILE = "inflow_month_sd.json"


def _monthly_arrivals_job(args) -> np.ndarray:
    """Worker: one run's arrivals in each observed month of the fit window."""
    theta, setting, end, weather, seed, months = args
    model = simulate(theta, setting, seed, end=end, weather=weather)
    arrivals = np.asarray(model.datacollector.model_vars["arrivals"], dtype=float)
    return np.array([arrivals[days].sum() for days in months])


def _monthly_runs(theta, setting, sd, replicates, seed, workers, weather, months, end) -> np.ndarray:
    """log monthly arrivals, replicates x months, with the month noise set to ``sd``. Replicate i
    has seed ``replicate_seed(seed, i)`` whatever ``sd`` is (common random numbers)."""
    from .runner import replicate_seed

    jobs = [({**theta, "inflow_month_sd": float(sd)}, setting, end, weather, replicate_seed(seed, i), months)
            for i in range(replicates)]
    with worker_pool(workers, len(jobs)) as pool:
        out = list((pool.map if pool else map)(_monthly_arrivals_job, jobs))
    return np.log(np.maximum(np.array(out), 1.0))


def month_residual_variance(log_x: np.ndarray, center: np.ndarray, year: np.ndarray) -> np.ndarray:
    """The moment matched by :func:`estimate_inflow_month_sd`, for one series or each row of many.

    ``d = log_x - center`` by month; each year's mean of ``d`` is taken out (the yearly inflow
    levels are calibrated, so a year's mean residual is a misfit of its level, not month-to-month
    variation) and the sum of squares is divided by (months - years), the degrees of freedom
    left after removing one mean per year."""
    d = np.atleast_2d(log_x) - center
    r = d.copy()
    for y in np.unique(year):
        cols = year == y
        r[:, cols] -= d[:, cols].mean(axis=1, keepdims=True)
    out = (r * r).sum(axis=1) / (len(year) - len(np.unique(year)))
    return out if np.ndim(log_x) == 2 else float(out[0])


def estimate_inflow_month_sd(theta: dict, setting: Setting, replicates: int = MONTH_SD_REPLICATES,
                             seed: int = DEFAULT_SEED, workers: int = 1, weather: str = "observed",
                             log=None) -> dict:
    """Estimate ``inflow_month_sd`` by the (simulated) method of moments: a step of ``calibrate``.

    The ABC fit sets the inflow's yearly levels and everything else with the month noise off
    (:meth:`Setting.fixed`). What the fitted model does not produce is the month-to-month
    scatter of the observed arrivals around it: this step sizes the noise so that the model's
    scatter matches the data's. For the fit's point estimate ``theta`` (posterior medians):

    1. ``replicates`` runs with ``inflow_month_sd = 0`` give ``log S[r, m]``, the log arrivals of
       replicate r in observed month m (2023-01..2025-12 for the full fit, 36 months; to
       2025-06 for the held-out fit), and the centre ``c[m]``, their mean over replicates.
    2. Observed moment: ``V_obs = month_residual_variance(log O, c)``, the variance over months
       of ``log(O[m]) - c[m]`` after taking out each year's mean (divided by months - years).
    3. The model's own scatter at sd = 0, ``T0``: the same statistic for each replicate as if it
       were the observations (with a leave-one-out centre), averaged over replicates. It holds
       what the model already produces: Poisson newcomers, behavioural draws, queues carried
       from month to month.
    4. First estimate, ``sd1 = sqrt(max(0, V_obs - T0))``: right if a month's inflow factor
       passed one for one into that month's arrivals.
    5. It does not: people who reach the coast late in a month, or wait for a calm spell, cross
       the next month, so part of a month's surge is spread over its neighbours and the scatter
       of arrivals grows by less than ``sd^2``. The same replicates (same seeds) are run with
       ``inflow_month_sd = sd1``; their statistic ``T1`` gives the transmission
       ``k = (T1 - T0) / sd1^2``, and the estimate is ``sd = sqrt((V_obs - T0) / k)``, capped at
       the parameter's upper bound 1.
    6. Check: runs at ``sd`` give ``T(sd)``, which should be close to ``V_obs``.

    The plain version, ``var_m(log(O / mean S)) - mean_m var_r(log S)`` with no year means taken
    out and no transmission, is reported as ``simple_sd`` for comparison.

    **Why observed weather** (the default, as in the fit and in the in-sample validation): with
    the observed crossing days replayed, the residual ``log O - c`` is what the weather record
    does not explain, which is what a month-to-month inflow term is for; the model's own scatter
    (step 3) then holds no weather variance either. With stochastic weather both the observed
    residual and the model's scatter contain the whole weather variance, and the estimate is the
    small difference of two large numbers, right only if the Markov chain and the model's
    response to it reproduced the real months. They do not: with stochastic weather this
    estimator gives 0 for the calibrated model, whose Markov weather alone scatters the months
    more than the data do, because the model responds to the crossing-day record about 1.5
    times too strongly. That over-response leaves a little of the weather in the observed-weather
    residual too; taking it out would move the estimate by about -0.01, well inside its sampling
    error, so it is not corrected for (docs/ODD.md section 10).

    ``sd`` is rounded to two decimals: the 36 months pin it down only to about +-0.1 (the rough
    90% interval ``approx_90`` reflects the sampling error of ``V_obs`` alone). Returns a dict with
    ``sd`` and the moments behind it.
    """
    from .targets import TargetSet

    say = log or (lambda *a: None)
    targets = TargetSet(setting.start, setting.end, setting.fit_end)
    monthly = [t for t in targets.targets if t.group == "monthly"]
    if len(monthly) < 6:
        raise ConfigError(f"{setting.name}: only {len(monthly)} observed months in the fit window; need at least 6")
    if replicates < 10 or replicates > 10_000:
        raise ConfigError(f"--month-sd-replicates {replicates} is out of range; allowed: 10..10000")
    months = [t.days for t in monthly]
    end = (dt.date.fromisoformat(setting.start) + dt.timedelta(days=int(max(d[-1] for d in months)))).isoformat()
    year = np.array([int(t.name[-7:-3]) for t in monthly])
    log_obs = np.log(np.array([t.observed for t in monthly]))
    theta = {k: v for k, v in theta.items() if k != "inflow_month_sd"}

    def run(sd):
        return _monthly_runs(theta, setting, sd, replicates, seed, workers, weather, months, end)

    t0 = time.perf_counter()
    out = {"setting": setting.name, "weather": weather, "months": len(monthly), "first_month": monthly[0].name[-7:],
           "last_month": monthly[-1].name[-7:], "replicates": replicates, "seed": seed,
           "theta": {k: float(v) for k, v in theta.items()}}
    out.update(moment_estimate(log_obs, year, run))
    out["seconds"] = time.perf_counter() - t0
    say(f"inflow_month_sd ({setting.name}, {weather} weather): observed moment {out['observed_moment']:.4f}, model "
        f"at sd = 0 {out['model_moment_sd0']:.4f}; first estimate {out['first_sd']:.3f}"
        + (f"; transmission to arrivals k = {out['transmission']:.3f}; estimate {out['sd_unrounded']:.3f} (rough 90% "
           f"interval {out['approx_90'][0]:.2f}-{out['approx_90'][1]:.2f}), model moment there "
           f"{out['model_moment_at_sd']:.4f}" if out["transmission"] else "; estimate 0"))
    return out


def moment_estimate(log_obs: np.ndarray, year: np.ndarray, run) -> dict:
    """Steps 2-6 of :func:`estimate_inflow_month_sd`: ``log_obs`` are the observed log monthly
    arrivals, ``year`` each month's year, and ``run(sd)`` returns the simulated log monthly
    arrivals (replicates x months) with the month noise at ``sd``, the same seeds for every sd."""
    from scipy import stats

    s0 = run(0.0)
    replicates = len(s0)
    center = s0.mean(axis=0)
    v_obs = month_residual_variance(log_obs, center, year)
    loo = (center * replicates - s0) / (replicates - 1)  # leave-one-out centre of each replicate
    t_0 = float(np.mean([month_residual_variance(s0[r], loo[r], year) for r in range(replicates)]))
    simple_var = float(np.var(log_obs - np.log(np.exp(s0).mean(axis=0)), ddof=1) - np.var(s0, axis=0, ddof=1).mean())
    out = {"observed_moment": v_obs, "model_moment_sd0": t_0, "simple_sd": float(np.sqrt(max(0.0, simple_var))),
           "first_sd": float(np.sqrt(max(0.0, v_obs - t_0)))}
    if v_obs <= t_0:
        out.update(sd=0.0, sd_unrounded=0.0, approx_90=None, transmission=None, model_moment_sd1=None,
                   model_moment_at_sd=t_0)
        return out
    sd1 = out["first_sd"]
    t_1 = float(np.mean(month_residual_variance(run(sd1), center, year)))
    k = (t_1 - t_0) / sd1**2
    if k <= 0:
        raise ConfigError(f"inflow_month_sd: the month noise did not add to the model's monthly scatter "
                          f"(moment {t_1:.4f} at sd {sd1:.3f} against {t_0:.4f} at 0); use more replicates")
    sd = float(min(1.0, np.sqrt((v_obs - t_0) / k)))
    t_sd = float(np.mean(month_residual_variance(run(sd), center, year)))
    # sampling error of V_obs alone (months - years degrees of freedom, residuals taken as
    # independent and normal): a rough 90% interval for sd
    dof = len(year) - len(np.unique(year))
    v_lo, v_hi = v_obs * dof / stats.chi2.ppf([0.95, 0.05], dof)
    interval = [float(min(1.0, np.sqrt(max(0.0, v - t_0) / k))) for v in (v_lo, v_hi)]
    out.update(sd=round(sd, 2), sd_unrounded=sd, approx_90=interval, transmission=float(k), model_moment_sd1=t_1,
               model_moment_at_sd=t_sd)
    return out


def estimate_month_sd_for(folder: Path, fits=FITS, replicates: int = MONTH_SD_REPLICATES, seed: int = DEFAULT_SEED,
                          workers: int = 1, log=print) -> dict:
    """:func:`estimate_inflow_month_sd` for each fit whose posterior is in ``folder``, at its point
    estimate (posterior medians); writes ``folder/inflow_month_sd.json`` and returns its content."""
    import pandas as pd

    results = {}
    for name in fits:
        path = folder / f"posterior_{name}.csv"
        if not path.is_file():
            continue
        theta = point_estimate(pd.read_csv(path))
        results[name] = estimate_inflow_month_sd(theta, SETTINGS[name], replicates=replicates, seed=seed,
                                                 workers=workers, log=log)
    if not results:
        raise ConfigError(f"{folder}: no posterior_full.csv or posterior_holdout.csv; run `deterrence-sim calibrate "
                          f"--out {folder}` first")
    (folder / MONTH_SD_FILE).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return results


def read_month_sd(folder: Path) -> dict[str, float]:
    """The estimated ``inflow_month_sd`` of each fit stored in ``folder`` (``{}`` if none)."""
    path = Path(folder) / MONTH_SD_FILE
    if not path.is_file():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {name: float(r["sd"]) for name, r in raw.items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ConfigError(f"{path}: not a valid inflow_month_sd estimate; rerun `deterrence-sim calibrate "
                          f"--only-inflow-month-sd --out {folder}`") from None


MONTH_SD_COMMENT = (
    "# inflow_month_sd: method-of-moments estimate (deterrence_sim.calibration.estimate_inflow_month_sd)",
    "#   from the full fit's monthly residuals, {first}..{last}, {weather} weather, {replicates} runs per moment,",
    "#   corrected for the share of a month's inflow that reaches its arrivals (k = {k}); details in {file}.",
    "#   Written by `deterrence-sim calibrate` (alone: `deterrence-sim calibrate --only-inflow-month-sd`). The",
    "#   month multiplier has mean one, so the values above, fitted with it off, stay valid.",
)


def month_sd_toml_lines(estimate: dict) -> list[str]:
    k = estimate.get("transmission")
    text = "\n".join(MONTH_SD_COMMENT).format(
        replicates=estimate["replicates"], file=MONTH_SD_FILE, k="-" if k is None else f"{k:.2f}",
        first=estimate.get("first_month", "?"), last=estimate.get("last_month", "?"),
        weather=estimate.get("weather", "observed"))
    return [*text.splitlines(), f"inflow_month_sd = {_toml_value(float(estimate['sd']))}"]


def set_month_sd_in_toml(path: Path, estimate: dict) -> None:
    """Put the estimate into an existing calibrated.toml: replace its ``inflow_month_sd`` line and
    the comment above it, or add them at the end of ``[params]``."""
    lines, skipping = [], False
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.startswith("# inflow_month_sd:"):
            skipping = True
        elif not (skipping and line.startswith("#   ")):
            skipping = False
            if not line.startswith("inflow_month_sd ="):
                lines.append(line)
    while lines and not lines[-1].strip():
        lines.pop()
    Path(path).write_text("\n".join(lines + month_sd_toml_lines(estimate)) + "\n", encoding="utf-8")


def _toml_value(v) -> str:
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, float) and v.is_integer():
        return f"{v:.1f}"
    return repr(v) if not isinstance(v, str) else json.dumps(v)


def calibrated_toml(values: dict, theta: dict, meta: dict) -> str:
    header = [
        "# The calibrated parameter set: the model's defaults (src/deterrence_sim/params.py) and the",
        "# base of experiments/scenarios/pilot.toml. Written by `deterrence-sim calibrate`.",
        f"#   date of the fit:   {meta['date']}",
        f"#   command:           {meta['command']}",
        f"#   data window:       {meta['window']}",
        f"#   budget:            {meta['budget']} simulations per fit, population {meta['population']}, "
        f"seed {meta['seed']}",
        f"#   full fit:          {meta['generations']} generations, {meta['simulations']} simulations, "
        f"final epsilon {meta['epsilon']:.3g}",
        "#   method:            ABC-SMC (pyabc), posterior median of each parameter; see docs/ODD.md section 10",
        "# people_per_boat_initial and initial_waiting are the calibrated run's state on 2024-12-31, so that",
        "# runs starting 2025-01-01 (the default) carry on from it. For runs starting 2023-01-01 use",
        f"# people_per_boat_initial = {theta['people_per_boat_initial']:.1f} and initial_waiting = 3000.",
        'name = "calibrated"',
        'description = "The calibrated parameter set (ABC-SMC fit to SB01/SB02/pilot data 2023-2025); the '
        'model\'s defaults."',
        "",
        "[params]",
    ]
    body = [f"{k} = {_toml_value(v)}" for k, v in values.items()]
    return "\n".join(header + body) + "\n"


def write_outputs(out: Path, priors, fits: dict, meta: dict, setting: Setting) -> dict:
    """posterior CSVs, parameters.md, prior_posterior.png and calibrated.toml for finished fits."""
    posts = {name: posterior(Path(info["db"])) for name, info in fits.items()}
    for name, post in posts.items():
        post.to_csv(out / f"posterior_{name}.csv", index=False, float_format="%.6g")
    lines = ["# Calibration: parameter table", "",
             f"Written by `{meta['command']}` on {meta['date']}. ABC-SMC with pyabc; budget {meta['budget']} "
             f"simulations per fit, population {meta['population']}, seed {meta['seed']}.", ""]
    tables = {}
    for name, post in posts.items():
        info, s = fits[name], SETTINGS[name]
        pops = generations(Path(info["db"]))
        rows = parameter_table(post, priors)
        tables[name] = rows
        lines += [f"## Fit `{name}`: {s.describe()}", "",
                  f"{info['generations']} generations, {info['simulations']} simulations; epsilon by generation: "
                  + ", ".join(f"{e:.3g}" for e in pops.epsilon if np.isfinite(e)) + ".", "",
                  parameter_markdown(rows), ""]
    lines += ["`posterior/prior width` is the width of the posterior 90% interval over the prior's: near 1 means the "
              "data say little about that parameter.", ""]
    (out / "parameters.md").write_text("\n".join(lines), encoding="utf-8")
    plot_prior_posterior(posts, priors, out / "prior_posterior.png")
    result = {"tables": tables}
    if "full" in posts:
        theta = point_estimate(posts["full"])
        values = default_values(theta, setting)
        pops = generations(Path(fits["full"]["db"]))
        meta = {**meta, "generations": fits["full"]["generations"], "simulations": fits["full"]["simulations"],
                "epsilon": float(pops.epsilon.iloc[-1])}
        (out / "calibrated.toml").write_text(calibrated_toml(values, theta, meta), encoding="utf-8")
        result["theta"], result["values"] = theta, values
    return result


def calibrate(out: Path, budget: int = DEFAULT_BUDGET, population: int = DEFAULT_POPULATION,
              seed: int = DEFAULT_SEED, workers: int | None = None, fit: str = "both",
              prior_file: str | None = None, progress: bool = True, command: str = "deterrence-sim calibrate",
              log=print, month_sd_replicates: int = MONTH_SD_REPLICATES) -> dict:
    """The ``calibrate`` command: the held-out and/or the full fit, the output files, then the
    month-to-month inflow noise estimated from each fit's residuals (:func:`calibrate_month_sd`)."""
    from .runner import default_workers

    if fit not in ("both", *FITS):
        raise ConfigError(f"--fit {fit!r}: choose both, holdout or full")
    if population < 10 or population > 10_000:
        raise ConfigError(f"--population {population} is out of range; allowed: 10..10000")
    if budget < 2 * population or budget > 10_000_000:
        raise ConfigError(f"--budget {budget} is out of range; allowed: {2 * population}..10000000 simulations "
                          f"(at least two generations of --population {population})")
    if month_sd_replicates < 10 or month_sd_replicates > 10_000:
        raise ConfigError(f"--month-sd-replicates {month_sd_replicates} is out of range; allowed: 10..10000")
    priors = load_priors(prior_file)
    workers = default_workers() if workers is None else workers
    for f in ("holdout", "full"):  # check the data before any simulation
        if fit in ("both", f):
            SETTINGS[f].targets()
    fits = {}
    t0 = time.perf_counter()
    for name in FITS:
        if fit in ("both", name):
            fits[name] = run_fit(SETTINGS[name], out, budget, population, seed, workers, priors, progress, log=log)
    for name in FITS:  # a fit made by an earlier call into the same folder is reported too
        db = out / f"{name}.db"
        if name not in fits and db.exists():
            pops = generations(db)
            fits[name] = {"fit": name, "db": str(db), "generations": int(pops.t.max()) + 1,
                          "simulations": int(pops.samples.sum())}
    meta = {"date": dt.date.today().isoformat(), "command": command, "budget": budget, "population": population,
            "seed": seed,
            "window": "SB01 daily arrivals 2023-01-01..2025-12-31 (weather: observed crossing days; inflow "
                      "seasonality 2023-25), SB02 preventions 2024-05..2025-12, pilot returns/admissions "
                      "2025-09-18..2026-01-27; simulated 2023-01-01..2026-01-31"}
    result = write_outputs(out, priors, fits, meta, SETTINGS["full"])
    # last step: the month-to-month inflow noise, from the fits' residuals (estimate_inflow_month_sd)
    month_sd = estimate_month_sd_for(out, [name for name in FITS if name in fits], replicates=month_sd_replicates,
                                     seed=seed, workers=workers, log=log)
    if "full" in month_sd and (out / "calibrated.toml").is_file():
        set_month_sd_in_toml(out / "calibrated.toml", month_sd["full"])
        result["values"]["inflow_month_sd"] = month_sd["full"]["sd"]
    result.update(fits=fits, seconds=time.perf_counter() - t0, priors=priors, month_sd=month_sd)
    return result


def calibrate_month_sd(out: Path, fit: str = "both", replicates: int = MONTH_SD_REPLICATES, seed: int = DEFAULT_SEED,
                       workers: int | None = None, log=print) -> dict:
    """``deterrence-sim calibrate --only-inflow-month-sd``: the last step of :func:`calibrate` alone.

    Estimates ``inflow_month_sd`` from the posteriors already in ``out`` (``posterior_full.csv``,
    ``posterior_holdout.csv``; ``--fit`` picks which), writes ``out/inflow_month_sd.json`` and puts
    the full fit's estimate into ``out/calibrated.toml`` when that file is there. No ABC fit is
    run and the other calibrated values are left as they are."""
    from .runner import default_workers

    if fit not in ("both", *FITS):
        raise ConfigError(f"--fit {fit!r}: choose both, holdout or full")
    workers = default_workers() if workers is None else workers
    t0 = time.perf_counter()
    month_sd = estimate_month_sd_for(Path(out), [f for f in FITS if fit in ("both", f)], replicates=replicates,
                                     seed=seed, workers=workers, log=log)
    toml = Path(out) / "calibrated.toml"
    if "full" in month_sd and toml.is_file():
        set_month_sd_in_toml(toml, month_sd["full"])
    return {"month_sd": month_sd, "seconds": time.perf_counter() - t0, "toml": toml if toml.is_file() else None}


__all__ = ["CALIBRATED", "SETTINGS", "Setting", "calibrate", "calibrate_month_sd", "estimate_inflow_month_sd",
           "read_month_sd", "run_fit", "posterior", "model_kwargs", "simulate",
           "load_priors", "parameter_table", "weighted_quantile", "SeededSampler"]
