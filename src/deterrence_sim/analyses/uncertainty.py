"""What is uncertain, in one place: the parameter set each replicate of the main job draws.

The main job (``deterrence-sim compare``) answers "would scaling up removals deter crossings?"
as a distribution over what the data cannot pin down. Replicate ``i`` draws one parameter set
(:meth:`Uncertainty.draw`) and one seed (``runner.replicate_seed(seed, i)``); every scenario's
replicate ``i``, and its paired ``no_deal`` run, share both, so the effect of a scenario is taken
pair by pair and the spread over pairs is the spread of what we do not know (plus the model's
own chance, which common random numbers keep small).

Two kinds of uncertain parameters:

* **fitted** (:data:`POSTERIOR_COLUMNS`, and :data:`JOINT_COLUMNS` when the sample has them):
  drawn jointly, as one row of the joint fit's posterior sample
  (``experiments/calibration/posterior_joint.csv``: the data to 2026-04-30, the behavioural
  unknowns that drive the headline fitted together with the others; rows drawn with their
  weights), so that their correlations are kept. The deterrence strength, the rate of leaving the
  route, the salience of removals and the 2026 inflow level come from it;
* **not touched by the data** (:data:`PRIORS`, less whatever the posterior sample holds): each is
  drawn independently from the prior written below, with its source or reasoning.
  ``docs/ODD.md`` section 8 explains the choice of each range.

An older posterior sample without the joint columns (``posterior_full.csv`` of the ABC-SMC fit)
still works: its rows give the calibrated parameters and every prior is drawn as before.

Rules when a draw meets a scenario (:func:`apply_draw`): a scenario's own policy lever wins (a
parameter the scenario sets differently from the pilot keeps the scenario's value; for a dated
schedule, the drawn value replaces what the parameter is before the scenario's first date), and
a user's ``--set`` wins over both (that parameter is then fixed, not drawn).

A *degenerate* uncertainty (``Uncertainty.fixed()``) draws nothing: every replicate runs the
calibrated parameter set, which is the conditional answer the main job gave before.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np

from .. import params as parameters
from .. import resources
from ..errors import ConfigError
from ..schedule import parse_date

#: The joint fit's posterior sample the fitted parameters are drawn from (docs/ODD.md section 10).
POSTERIOR_FILE = resources.path("experiments/calibration/posterior_joint.csv")  # shipped with the package
#: Stream of the parameter draws, apart from the model's own streams (docs/ODD.md section 4).
STREAM_DRAWS = 11


@dataclasses.dataclass(frozen=True)
class Prior:
    """The prior of one parameter: its distribution and why. The one prior class of the package:
    the main job's draws (:data:`PRIORS`) and the calibrated parameters
    (``calibration.priors.CALIBRATED``) both use it."""

    name: str
    dist: str  # uniform | loguniform | lognormal
    a: float  # uniform/loguniform: low; lognormal: median
    b: float  # uniform/loguniform: high; lognormal: sigma of the log
    source: str = ""
    high: float | None = None  # truncation (lognormal only)
    whole: bool = False  # a whole number (rounded)
    #: a point mass at "no effect": with chance ``p_none`` the draw is ``none_value`` (which must
    #: lie at one end of the distribution above, or outside it), otherwise it comes from it
    p_none: float = 0.0
    none_value: float = 0.0
    #: when set, a draw is the dated schedule ``{from_date: value}`` (the parameter keeps its
    #: default before that date): a mechanism that starts on a known day
    from_date: str | None = None

    def __post_init__(self):
        if not 0.0 <= self.p_none < 1.0:
            raise ValueError(f"{self.name}: p_none must be in [0, 1)")
        if self.p_none and self._slab(0.0) < self.none_value < self._slab(1.0):
            raise ValueError(f"{self.name}: the point mass must lie at an end of the distribution")

    def sample(self, rng: np.random.Generator):
        """One draw (uses exactly one uniform number from ``rng``, whatever the distribution)."""
        value = self.quantile(rng.random()) if self.p_none else self._sample(rng.random())
        value = int(round(value)) if self.whole else value
        return {self.from_date: value} if self.from_date else value

    def _sample(self, u: float) -> float:
        if self.dist == "uniform":
            return float(self.a + (self.b - self.a) * u)
        if self.dist == "loguniform":
            return float(np.exp(np.log(self.a) + (np.log(self.b) - np.log(self.a)) * u))
        if self.dist == "lognormal":
            from scipy.stats import norm

            hi = 1.0 if self.high is None else norm.cdf(np.log(self.high / self.a) / self.b)
            return float(self.a * np.exp(self.b * norm.ppf(u * hi)))
        raise AssertionError(self.dist)

    def describe(self) -> str:
        if self.dist == "lognormal":
            trunc = f", truncated at {self.high:g}" if self.high is not None else ""
            text = f"lognormal(median {self.a:g}, sigma {self.b:g}{trunc})"
        else:
            text = f"{self.dist}({self.a:g}, {self.b:g})"
        if self.p_none:
            text = f"{self.none_value:g} (no effect) with probability {self.p_none:g}, else {text}"
        return text + (f", from {self.from_date}" if self.from_date else "")

    def quantile(self, q: float) -> float:
        """The prior's ``q`` quantile (for the report's table), the point mass included."""
        if not self.p_none:
            return self._slab(q)
        if self.none_value <= self._slab(0.0):  # no effect at the low end
            return self.none_value if q < self.p_none else self._slab((q - self.p_none) / (1.0 - self.p_none))
        return self._slab(q / (1.0 - self.p_none)) if q < 1.0 - self.p_none else self.none_value

    def scipy(self):
        """The distribution as a frozen scipy variable (a plain prior: no truncation, no point mass)."""
        from scipy import stats

        if self.high is not None or self.p_none:
            raise ValueError(f"{self.name}: a truncated prior or one with a point mass has no scipy form here")
        if self.dist == "uniform":
            return stats.uniform(self.a, self.b - self.a)
        if self.dist == "loguniform":
            return stats.loguniform(self.a, self.b)
        return stats.lognorm(self.b, 0, self.a)

    def rv(self):
        """The distribution as a pyabc random variable (a plain prior, as :meth:`scipy`)."""
        import pyabc

        self.scipy()  # refuses what it cannot say
        if self.dist == "uniform":
            return pyabc.RV("uniform", self.a, self.b - self.a)
        if self.dist == "loguniform":
            return pyabc.RV("loguniform", self.a, self.b)
        return pyabc.RV("lognorm", self.b, 0, self.a)

    def as_dict(self) -> dict:
        """The distribution as a fit records it in its settings."""
        return {"dist": self.dist, "a": self.a, "b": self.b}

    def _slab(self, q: float) -> float:
        """The ``q`` quantile of the distribution without the point mass."""
        if self.dist == "uniform":
            return self.a + (self.b - self.a) * q
        if self.dist == "loguniform":
            return float(np.exp(np.log(self.a) + (np.log(self.b) - np.log(self.a)) * q))
        from scipy.stats import norm

        hi = 1.0 if self.high is None else norm.cdf(np.log(self.high / self.a) / self.b)
        return float(self.a * np.exp(self.b * norm.ppf(q * hi)))


#: The priors of the unidentified parameters that matter for the answer (one place; the report
#: and docs/ODD.md section 8 print this table). Ranges bracket the model default.
PRIORS: dict[str, Prior] = {
    p.name: p
    for p in [
        Prior(
            "deterrence_strength",
            "lognormal",
            0.82,
            0.86,
            "derived by simulating the anchor episodes in the model itself (deterrence-sim prior, "
            "experiments/prior/prior.md; docs/ODD.md section 8): the Australian turnbacks of 2013-14 (a 99.2% fall) "
            "are reproduced from a strength of about 2.7, the Albania episode of 2022-23 (88% or more) from about "
            "4.2, each read as caused by the policy alone, so their geometric mean 3.4 is the 95th percentile; the "
            "median is the geometric middle of that and the US border build-up's 0.2 (not simulated); truncated at "
            "twice the larger episode strength",
            high=8.3,
        ),
        Prior(
            "leave_route_daily",
            "loguniform",
            0.001,
            0.016,
            "assumption: the mean time before a person on the coast gives up (asylum in France, moving on) is "
            "between about 2 months and 3 years when no removal risk is perceived (default 0.004, 8 months); no "
            "series of people leaving the camps exists",
        ),
        Prior(
            "removal_salience",
            "loguniform",
            1.0,
            4.0,
            "assumption: a removal weighs between as much as a plain count (1) and four times as much (returned "
            "people live freely in French centres and tell their story, seed 001); default 2",
        ),
        Prior(
            "impatience_per_month",
            "uniform",
            0.0,
            1.0,
            "assumption: the try probability rises by 0-100% per month waited (default 50%); the waiting times of "
            "the camps are not observed",
        ),
        Prior(
            "memory_half_life_days",
            "loguniform",
            20.0,
            120.0,
            "assumption: news of removals fades with a half-life between three weeks and four months (default 45 days)",
        ),
        Prior(
            "share_family_ties",
            "uniform",
            0.05,
            0.20,
            "assumption: the legal route is for people with family in the UK; 5-20% of people on the coast "
            "(default 10%); PILOT: 350 admitted by 2026-01-27 is far below any of these pools, so parity binds",
        ),
        Prior(
            "application_rate",
            "loguniform",
            0.02,
            0.10,
            "assumption: an aware, eligible person applies within 10-50 days on average (default 0.05/day, 20 days)",
        ),
        Prior(
            "legal_approval_prob",
            "uniform",
            0.5,
            0.9,
            "assumption: 50-90% of applications approved (default 0.7); not published",
        ),
        Prior(
            "share_scheme_eligible",
            "uniform",
            0.55,
            0.85,
            "assumption: the pilot takes adults who are not excluded (children, families, some vulnerable people); "
            "adult men are about three quarters of small-boat arrivals (Home Office), default 0.70",
        ),
        Prior(
            "challenge_prob",
            "uniform",
            0.3,
            0.8,
            "assumption: the first three planned flights left empty after last-minute challenges (seed 000), so "
            "most detained people challenge; 30-80% (default 55%)",
        ),
        Prior(
            "challenge_success_prob",
            "uniform",
            0.15,
            0.55,
            "assumption: share of challenges (judicial review, modern-slavery claims) that succeed; 15-55% "
            "(default 35%); not published for the pilot",
        ),
        Prior(
            "limbo_give_up_daily",
            "loguniform",
            0.003,
            0.03,
            "assumption: an approved applicant kept waiting for parity room gives up after about 1 to 11 months on "
            "average (default 0.01/day, 100 days); nothing is published on these waits",
        ),
        Prior(
            "limbo_max_days",
            "uniform",
            30,
            180,
            "assumption around the 90-day validity of a UK visa vignette (default 90): an approval not used within "
            "one to six months lapses",
            whole=True,
        ),
        Prior(
            "ineligible_risk_weight",
            "uniform",
            0.0,
            1.0,
            "issue 21, assumption: people the scheme cannot remove (children, families; about 30% of arrivals) most "
            "likely know it (0 with probability 0.5); otherwise they misperceive their own risk as a share, up to all, "
            "of what their group hears (default 0)",
            p_none=0.5,
            none_value=0.0,
        ),
    ]
}

#: The priors of the structural alternatives that have one (docs/ODD.md section 8.3): a weight on
#: the structure being there at all (the point mass at 0 is today's model). Not drawn by the main
#: job's headline; the brief shows each structure beside it or mixes them with these weights.
STRUCTURE_PRIORS: dict[str, Prior] = {
    p.name: p
    for p in [
        Prior(
            "inflow_outcome_elasticity",
            "uniform",
            0.0,
            1.0,
            "structural alternative (a), assumption: people further up the route hear of removals less directly "
            "than people on the coast; 0 (today's model, the inflow ignores the UK) with probability 0.5, otherwise "
            "up to as strongly deterred as people on the coast (1, relative to deterrence_strength)",
            p_none=0.5,
            none_value=0.0,
        ),
    ]
}

#: The priors of the dated mechanisms that may explain the fall in crossings of 2026 (docs/ODD.md
#: section 7.13), in one place for the fit (issue 24) and the attribution to read. Each puts mass on
#: "no effect" (the parameter's default), because nobody has shown that the measure moved
#: crossings; the rest spreads over effects of a plausible size. A draw is a dated schedule from the
#: day the measure took effect. The main job (:data:`PRIORS`) does not draw them: they act alike on
#: every scenario from 2026, and what they are is for the fit to 2026-04-30 to say.
MECHANISM_PRIORS: dict[str, Prior] = {
    p.name: p
    for p in [
        Prior(
            "at_sea_interception_gain",
            "uniform",
            0.0,
            0.1,
            "EVENTS: a handful of interceptions on the water documented from mid-January 2026 (2026-01-17 at "
            "Gravelines, 2026-03-03 near Dunkirk; officers may act only before people board). Half the mass on no "
            "effect; otherwise up to 0.1 added to the 0.19 chance of stopping a taxi boat: at 0.1 the model stops about 7-10 "
            "taxi boats (450-600 people) on the water in January-April 2026 (2 seeds), against a handful documented",
            p_none=0.5,
            none_value=0.0,
        ),
        Prior(
            "asylum_reform_inflow_factor",
            "uniform",
            0.7,
            1.0,
            "EVENTS: the UK asylum reform (announced 2025-11-17; 30-month status for new adult claims from "
            "2026-03-02). Half the mass on no effect (1); otherwise up to 30% fewer people setting out for the coast "
            "from the day the status took effect (assumption: no study of its effect exists)",
            p_none=0.5,
            none_value=1.0,
            from_date="2026-03-02",
        ),
        Prior(
            "boat_supply_factor",
            "uniform",
            0.5,
            1.0,
            "EVENTS: Germany's law against storing boats and engines for smuggling to the UK (2025-12-19) and the "
            "UK-China engine agreement (2026-01-29), taken together from the first. Half the mass on no effect (1); "
            "otherwise the networks' supply of boats falls by up to half (assumption)",
            p_none=0.5,
            none_value=1.0,
            from_date="2025-12-19",
        ),
    ]
}

#: Columns of the posterior sample and the model parameters they become (``inflow_20XX`` and the
#: two beach-prevention levels are put back into their dated schedules, as ``calibrated.toml`` does).
POSTERIOR_COLUMNS = (
    "inflow_2023",
    "inflow_2024",
    "inflow_2025",
    "try_prob",
    "beach_prevention_prob",
    "beach_prevention_2025h2",
    "people_per_boat_gain",
    "returnee_recross_daily",
)
CALIBRATED_PARAMS = (
    "inflow_per_year",
    "try_prob",
    "beach_prevention_prob",
    "people_per_boat_gain",
    "returnee_recross_daily",
)
#: Columns of the joint fit's sample that replace a prior of :data:`PRIORS` (or a mechanism's
#: default) when present: drawn with the rest of their row.
JOINT_COLUMNS = (
    "deterrence_strength",
    "leave_route_daily",
    "removal_salience",
    "at_sea_interception_gain",
    "asylum_reform_inflow_factor",
    "boat_supply_factor",
)
#: Days from which a mechanism drawn from the joint sample acts (the measure's date; the parameter
#: keeps its default before).
JOINT_FROM = {p.name: p.from_date for p in MECHANISM_PRIORS.values() if p.from_date}


def _posterior_params(row) -> dict:
    """One posterior row as model parameters: the calibrated ones, the 2026 inflow level
    (``inflow_2026``) and the :data:`JOINT_COLUMNS` when the row has them (the deterrence strength
    capped at its prior's truncation, 10). ``people_per_boat_initial`` and ``initial_waiting`` stay
    at the calibrated run's state on 2024-12-31 (the posterior's values are for 2023-01-01)."""
    out = _calibrated_params(row)
    if "inflow_2026" in row and np.isfinite(row["inflow_2026"]):
        out["inflow_per_year"]["2026-01-01"] = float(row["inflow_2026"])
    for name in JOINT_COLUMNS:
        if name in row and np.isfinite(row[name]):
            value = float(row[name])
            if name == "deterrence_strength":
                value = min(value, PRIORS[name].high)
            out[name] = {JOINT_FROM[name]: value} if name in JOINT_FROM else value
    return out


def _calibrated_params(row) -> dict:
    return {
        "inflow_per_year": {
            "2023-01-01": float(row["inflow_2023"]),
            "2024-01-01": float(row["inflow_2024"]),
            "2025-01-01": float(row["inflow_2025"]),
        },
        "try_prob": float(row["try_prob"]),
        "beach_prevention_prob": {
            "2023-01-01": float(row["beach_prevention_prob"]),
            "2025-07-01": float(row["beach_prevention_2025h2"]),
        },
        "people_per_boat_gain": float(row["people_per_boat_gain"]),
        "returnee_recross_daily": float(row["returnee_recross_daily"]),
    }


@dataclasses.dataclass(frozen=True)
class Uncertainty:
    """What each replicate draws: the posterior rows (or none) and the priors (or none).

    ``fixed_names`` are parameters the user fixed with ``--set``: never drawn.
    """

    priors: tuple = tuple(PRIORS.values())
    posterior: tuple = ()  # rows (dicts) of the posterior sample
    weights: tuple = ()
    fixed_names: frozenset = frozenset()

    @classmethod
    def full(cls, posterior_file: str | Path | None = None, fixed_names=()) -> Uncertainty:
        """Calibrated parameters from the posterior sample, the others from :data:`PRIORS`."""
        rows, weights = read_posterior(posterior_file or POSTERIOR_FILE)
        fixed = frozenset(fixed_names)
        fitted = set(rows[0]) & set(JOINT_COLUMNS)
        return cls(
            priors=tuple(p for p in PRIORS.values() if p.name not in fixed | fitted),
            posterior=tuple(rows),
            weights=tuple(weights),
            fixed_names=fixed,
        )

    @classmethod
    def fixed(cls) -> Uncertainty:
        """The degenerate uncertainty: nothing drawn; every replicate runs the calibrated set."""
        return cls(priors=(), posterior=(), weights=())

    @property
    def is_degenerate(self) -> bool:
        return not self.priors and not self.posterior

    def draw(self, seed: int, replicate: int) -> dict:
        """The parameter values of replicate ``replicate`` (the same whatever the number of replicates)."""
        if self.is_degenerate:
            return {}
        rng = np.random.default_rng([int(seed) % 2**63, STREAM_DRAWS, int(replicate)])
        out = {}
        if self.posterior:
            u = rng.random()
            cum = np.cumsum(self.weights)
            row = self.posterior[int(min(np.searchsorted(cum, u * cum[-1], side="right"), len(cum) - 1))]
            out.update({k: v for k, v in _posterior_params(row).items() if k not in self.fixed_names})
        for prior in self.priors:
            out[prior.name] = prior.sample(rng)
        return out

    def draws(self, seed: int, n: int) -> list[dict]:
        return [self.draw(seed, i) for i in range(n)]

    def names(self) -> list[str]:
        """The parameters that vary from replicate to replicate."""
        joint = [n for n in JOINT_COLUMNS if self.posterior and n in self.posterior[0]]
        post = [n for n in (*CALIBRATED_PARAMS, *joint) if n not in self.fixed_names] if self.posterior else []
        return post + [p.name for p in self.priors]


def read_posterior(path: str | Path) -> tuple[list[dict], list[float]]:
    """The rows and weights of a posterior sample CSV; a missing, empty or malformed file gives a
    one-line ConfigError naming it."""
    import pandas as pd

    path = Path(path)
    try:
        df = pd.read_csv(path)
    except FileNotFoundError:
        raise ConfigError(f"posterior sample {path} not found") from None
    except (ValueError, UnicodeDecodeError, OSError) as exc:
        raise ConfigError(f"posterior sample {path} cannot be read ({str(exc).splitlines()[0]})") from None
    missing = [c for c in POSTERIOR_COLUMNS if c not in df.columns]
    if missing:
        raise ConfigError(f"posterior sample {path}: missing column {missing[0]!r}")
    if len(df) == 0:
        raise ConfigError(f"posterior sample {path} has no rows")
    w = df["weight"].to_numpy(float) if "weight" in df.columns else np.ones(len(df))
    if not np.all(np.isfinite(w)) or (w < 0).any() or w.sum() <= 0:
        raise ConfigError(f"posterior sample {path}: weights must be non-negative numbers, not all zero")
    if not np.isfinite(df[list(POSTERIOR_COLUMNS)].to_numpy(float)).all():
        raise ConfigError(f"posterior sample {path}: a value is missing or not a number")
    # a joint fit's sample is told by its 2026 level; the ABC-SMC sample's deterrence column is not used
    extra = [c for c in ("inflow_2026", *JOINT_COLUMNS) if c in df.columns] if "inflow_2026" in df.columns else []
    if not np.isfinite(df[extra].to_numpy(float)).all():
        raise ConfigError(f"posterior sample {path}: a value is missing or not a number")
    return df[list(POSTERIOR_COLUMNS) + extra].to_dict("records"), list(w)


def _iso(key) -> str:
    return key.isoformat() if isinstance(key, dt.date) else str(key)


def apply_draw(params: dict, base_params: dict, draw: dict, start: dt.date, fixed: dict | None = None) -> dict:
    """A scenario's parameters with replicate's ``draw`` applied (rules in the module docstring).

    ``params``: the scenario's; ``base_params``: the pilot's (what a scenario inherits); ``fixed``:
    the user's ``--set`` values, applied last.
    """
    out = dict(params)
    defaults = parameters.PARAMS
    for name, value in draw.items():
        own = params.get(name, defaults[name].default)
        base = base_params.get(name, defaults[name].default)
        if own == base:
            out[name] = value
        elif isinstance(own, dict) and not isinstance(value, dict):
            dates = {_iso(k): v for k, v in own.items()}
            if all(parse_date(k, name) > start for k in dates):  # drawn value until the scenario's first date
                out[name] = {start.isoformat(): value, **dates}
        # else: the scenario's own constant lever is kept
    out.update(fixed or {})
    return out


def prior_table(unc: Uncertainty | None = None) -> list[dict]:
    """Rows for the report: every uncertain parameter, how it is drawn and why. The parameters the
    joint fit's posterior sample holds are drawn from it (one row says which, with their posterior
    5%, 50% and 95%); only the others are drawn from their priors, said so row by row."""
    unc = Uncertainty.full() if unc is None else unc
    rows = [
        {
            "parameter": p.name,
            "distribution": "prior (the data cannot touch it): " + p.describe(),
            "p05": p.quantile(0.05),
            "p50": p.quantile(0.5),
            "p95": p.quantile(0.95),
            "source": p.source,
        }
        for p in unc.priors
    ]
    if unc.posterior:
        w = np.asarray(unc.weights, float)
        for name in [n for n in JOINT_COLUMNS if n in unc.posterior[0]] + ["inflow_2026"]:
            if name not in unc.posterior[0] or name in unc.fixed_names:
                continue
            x = np.array([r[name] for r in unc.posterior], float)
            order = np.argsort(x)
            cdf = (np.cumsum(w[order]) - 0.5 * w[order]) / w.sum()
            q = np.interp([0.05, 0.5, 0.95], cdf, x[order])
            rows.append(
                {
                    "parameter": name,
                    "distribution": "joint posterior (data to 2026-04-30)",
                    "p05": q[0],
                    "p50": q[1],
                    "p95": q[2],
                    "source": "joint fit, experiments/calibration/posterior_joint.csv (docs/ODD.md section 10)",
                }
            )
        rows.append(
            {
                "parameter": ", ".join(n for n in CALIBRATED_PARAMS if n not in unc.fixed_names),
                "distribution": "joint posterior (rows)",
                "p05": np.nan,
                "p50": np.nan,
                "p95": np.nan,
                "source": "fitted to SB01 2023-2026-04, SB02 to 2026-04-26 and the pilot's returns "
                "(experiments/calibration/posterior_joint.csv)",
            }
        )
    return rows
