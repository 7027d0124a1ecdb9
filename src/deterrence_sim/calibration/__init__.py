"""Fitting the model's uncertain parameters to the observed data: ``deterrence-sim calibrate``.

Method: approximate Bayesian computation by sequential Monte Carlo (ABC-SMC; Toni et al. 2009,
Beaumont et al. 2009), with the library **pyabc** (Schaelte et al. 2022). One concern per module:

* :mod:`.priors`: which parameters are fitted, their priors and why, the ``--priors`` file;
* :mod:`.setting`: what a fit simulates (window, data cut-off, fixed settings) and
  :func:`~.setting.fitted_params`, the one mapping from fitted values to model parameters;
* :mod:`.fit`: the repeatable, resumable ABC-SMC sampler and the fit (pyabc);
* :mod:`.month_sd`: the month-to-month inflow noise, estimated by the method of moments from a
  fit's residuals;
* :mod:`.outputs`: posterior summaries, the calibrated parameter set and the files written;
* :mod:`.command`: the ``calibrate`` command that runs them in order.

Two fits are made by default (``--fit both``):

* ``holdout``: data up to 2025-06-30 only, simulated 2023-01-01..2025-06-30 (the held-out check:
  ``deterrence-sim validate`` forecasts 2025-07-01..12-31 from it);
* ``full``: all the data, simulated 2023-01-01..2026-01-31; its posterior medians are the model's
  defaults (``experiments/calibration/calibrated.toml``).

Forecasts and backtests (:mod:`deterrence_sim.forecasting.forecast`, :mod:`deterrence_sim.forecasting.backtest`) make
fits of their own at any origin with :func:`~.setting.origin_setting`.

The fits are made with the month-to-month inflow noise off. Its size, ``inflow_month_sd``, is then
estimated for each fit (:func:`~.month_sd.estimate_inflow_month_sd`), written to
``inflow_month_sd.json``, and the full fit's value goes into ``calibrated.toml``.
``deterrence-sim calibrate --only-inflow-month-sd --out DIR`` runs this last step alone.
"""

from .command import calibrate, calibrate_month_sd, estimate_month_sd_for
from .fit import SeededSampler, generations, posterior, run_fit
from .month_sd import (
    MONTH_SD_FILE,
    MONTH_SD_REPLICATES,
    estimate_inflow_month_sd,
    moment_estimate,
    month_residual_variance,
    read_month_sd,
)
from .outputs import (
    calibrated_toml,
    default_values,
    parameter_markdown,
    parameter_table,
    plot_prior_posterior,
    point_estimate,
    set_month_sd_in_toml,
    state_on,
    weighted_quantile,
    write_outputs,
)
from .priors import CALIBRATED, CalibParam, Prior, load_priors
from .setting import (
    CALIBRATED_DIR,
    CALIBRATED_FILE,
    DEFAULT_BUDGET,
    DEFAULT_POPULATION,
    DEFAULT_SEED,
    FIT_START,
    FITS,
    SETTINGS,
    Setting,
    fitted_params,
    informed_priors,
    model_kwargs,
    origin_setting,
    simulate,
)

__all__ = [
    "CALIBRATED",
    "CALIBRATED_DIR",
    "CALIBRATED_FILE",
    "DEFAULT_BUDGET",
    "DEFAULT_POPULATION",
    "DEFAULT_SEED",
    "FITS",
    "FIT_START",
    "MONTH_SD_FILE",
    "MONTH_SD_REPLICATES",
    "SETTINGS",
    "CalibParam",
    "Prior",
    "SeededSampler",
    "Setting",
    "calibrate",
    "calibrate_month_sd",
    "calibrated_toml",
    "default_values",
    "estimate_inflow_month_sd",
    "estimate_month_sd_for",
    "fitted_params",
    "generations",
    "informed_priors",
    "load_priors",
    "model_kwargs",
    "moment_estimate",
    "month_residual_variance",
    "origin_setting",
    "parameter_markdown",
    "parameter_table",
    "plot_prior_posterior",
    "point_estimate",
    "posterior",
    "read_month_sd",
    "run_fit",
    "set_month_sd_in_toml",
    "simulate",
    "state_on",
    "weighted_quantile",
    "write_outputs",
]
