"""What a fit simulates, and the one mapping from fitted values to model parameters.

A :class:`Setting` is a fit's simulated window, its data cut-off and the model settings held
fixed while fitting. :func:`fitted_params` is the only place where calibrated values (named as
in :data:`~deterrence_sim.calibration.priors.CALIBRATED`: ``inflow_2024``,
``beach_prevention_2025h2``, ...) become ChannelModel parameters (``inflow_per_year`` schedules
and so on). Everything else uses it: the fit's simulations (:func:`model_kwargs`), the
calibrated parameter set written to ``calibrated.toml``
(:func:`deterrence_sim.calibration.outputs.default_values`), validation and forecasts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from .. import resources
from ..observed.targets import TargetSet, monthly_seasonality
from .priors import CALIBRATED, CalibParam

CALIBRATED_DIR = resources.path("experiments/calibration")  # the calibrated set, shipped with the package
CALIBRATED_FILE = CALIBRATED_DIR / "calibrated.toml"
DEFAULT_BUDGET = 500
DEFAULT_POPULATION = 50
DEFAULT_SEED = 20250710
FITS = ("holdout", "full")
#: The first day every fit simulates (SB01's large-flow years begin; the targets start here).
FIT_START = "2023-01-01"
#: The day the second-half-2025 beach prevention takes over (SB02's share stopped fell).
BEACH_2025H2_FROM = "2025-07-01"
_INFLOW_YEAR = re.compile(r"inflow_(\d{4})")
_SCALARS = (
    "try_prob",
    "people_per_boat_initial",
    "people_per_boat_gain",
    "returnee_recross_daily",
    "deterrence_strength",
    "inflow_month_sd",
)


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
        days (an exogenous driver inside the fit window only; section 10 of docs/ODD.md), and the
        inflow's monthly shape is the share of arrivals by month over the years the fit may see.
        The month-to-month inflow noise is off (``inflow_month_sd = 0``): its multiplier has mean
        one, so it does not move the fitted levels, and leaving it out keeps the ABC distance from
        being noisier than it need be. Its size is estimated afterwards from the fit's monthly
        residuals (:mod:`~deterrence_sim.calibration.month_sd`); a ``theta`` that carries
        ``inflow_month_sd`` switches it on (:func:`fitted_params`)."""
        return {
            "weather_mode": "observed",
            "initial_waiting": 3000,
            "inflow_month_sd": 0.0,
            "inflow_seasonality": monthly_seasonality(*self.seasonality_years),
        }

    def targets(self) -> TargetSet:
        return TargetSet(self.start, self.end, self.fit_end)

    def describe(self) -> str:
        return (
            f"simulated {self.start}..{self.end}, observed data up to {self.fit_end}, "
            f"inflow seasonality from {self.seasonality_years[0]}-{self.seasonality_years[1]}"
        )


SETTINGS = {
    "holdout": Setting("holdout", FIT_START, "2025-06-30", "2025-06-30", (2023, 2024)),
    "full": Setting("full", FIT_START, "2026-01-31", "2026-01-31", (2023, 2025)),
}


def origin_setting(origin: str | dt.date) -> Setting:
    """The setting of a fit that may use the data up to ``origin`` only (forecasts and backtests):
    simulated from 2023-01-01 to the origin, the inflow's monthly shape from the last two complete
    calendar years before the origin."""
    day = dt.date.fromisoformat(str(origin))
    last_complete = day.year if day == dt.date(day.year, 12, 31) else day.year - 1
    return Setting(f"origin-{day}", FIT_START, day.isoformat(), day.isoformat(), (last_complete - 1, last_complete))


def informed_priors(setting: Setting, priors: dict[str, CalibParam] | None = None) -> dict[str, CalibParam]:
    """The calibrated parameters the data inside ``setting``'s window can inform: a year's inflow
    once the window reaches into that year, the second-half-2025 beach prevention once it reaches
    July 2025, re-crossing and deterrence once it holds pilot returns. The others change nothing
    the fit sees; forecasts draw them from their priors."""
    priors = dict(CALIBRATED if priors is None else priors)
    end = dt.date.fromisoformat(setting.fit_end)
    targets = setting.targets()
    has_pilot = bool(len(targets.select("returns")))

    def informed(name: str) -> bool:
        year = _INFLOW_YEAR.fullmatch(name)
        if year:
            return dt.date(int(year.group(1)), 1, 1) <= end
        if name == "beach_prevention_2025h2":
            return end >= dt.date.fromisoformat(BEACH_2025H2_FROM)
        if name in ("deterrence_strength", "returnee_recross_daily"):
            return has_pilot
        return True

    return {k: p for k, p in priors.items() if informed(k)}


def fitted_params(theta: dict, start: str = FIT_START) -> dict:
    """ChannelModel parameters from calibrated values (the one mapping).

    ``theta`` holds values by their names in :data:`CALIBRATED` (any subset), and may also hold
    ``inflow_month_sd``. ``inflow_YYYY`` becomes the ``inflow_per_year`` level from YYYY-01-01;
    ``beach_prevention_prob`` holds from ``start`` and ``beach_prevention_2025h2`` from
    2025-07-01; the others are model parameters of the same name."""
    out = {}
    years = sorted((int(m.group(1)), k) for k in theta if (m := _INFLOW_YEAR.fullmatch(k)))
    if years:
        out["inflow_per_year"] = {f"{y}-01-01": float(theta[k]) for y, k in years}
    if "beach_prevention_prob" in theta:
        beach = {start: float(theta["beach_prevention_prob"])}
        if "beach_prevention_2025h2" in theta:
            beach[BEACH_2025H2_FROM] = float(theta["beach_prevention_2025h2"])
        out["beach_prevention_prob"] = beach
    for name in _SCALARS:
        if name in theta:
            out[name] = float(theta[name])
    return out


def model_kwargs(theta: dict, setting: Setting, end: str | None = None, weather: str | None = None) -> dict:
    """ChannelModel keyword arguments for one calibrated parameter set in a fit's setting."""
    kw = {"start": setting.start, "end": end or setting.end, **setting.fixed()}
    if weather:
        kw["weather_mode"] = weather
    kw.update(fitted_params(theta, setting.start))
    return kw


def simulate(theta: dict, setting: Setting, seed: int, end: str | None = None, weather: str | None = None):
    """Run the model once (``runner.simulate``) with the parameter set ``theta`` in the fit's
    setting; return its ``runner.Result`` (the daily figures by name)."""
    from ..runner import simulate as run

    return run(model_kwargs(theta, setting, end=end, weather=weather), seed=int(seed))
