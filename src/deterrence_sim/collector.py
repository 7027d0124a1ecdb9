"""The model's Mesa DataCollector: the day's figures, one row per day, read off the compiled
day's array (``model.figures``) instead of calling a reporter per figure, with running totals of
the event figures so that ``mesa.batch_run`` gets each run's and each year's totals."""

from __future__ import annotations

import mesa
import numpy as np

from .daybook import DAILY_COLUMNS, EVENT_COLUMNS, FLOAT_COLUMNS


class DailyCollector(mesa.DataCollector):
    """Mesa's DataCollector for the day's figures, one row per day.

    The compiled day writes each day's figures straight into the model's ``figures`` array;
    ``collect`` only notes that a day was collected, and ``model_vars`` (a dict of lists, as in
    Mesa) is read off the array when asked for. Mesa's generic ``collect`` calls a reporter per
    figure and deep-copies its value, which cost about an eighth of a simulated year.
    ``model_vars``, ``get_model_vars_dataframe()`` and Mesa's ``batch_run`` behave as in Mesa.

    Beside the day's figures, ``model_vars`` holds running totals of every event figure
    (:data:`EVENT_COLUMNS`): ``<figure>_total``, the count since the start, and ``<figure>_<year>``,
    the count in that calendar year up to the day (see :func:`running_totals`). Read on the last
    day, as ``mesa.batch_run`` does by default (``data_collection_period=-1``), they are the run's
    and each year's totals.
    """

    def __init__(self, figures: np.ndarray, dates=()):
        self._figures = figures
        self._years = np.array([d.year for d in dates], dtype=np.int64)
        super().__init__(model_reporters={name: reporter(name) for name in DAILY_COLUMNS})

    @property
    def model_vars(self) -> dict[str, list]:
        n = len(self._collection_steps)
        if self._vars_n == n:
            return self._vars
        values = self._figures[:n]
        self._vars = {
            name: (values[:, i] if name in FLOAT_COLUMNS else values[:, i].astype(np.int64)).tolist()
            for i, name in enumerate(DAILY_COLUMNS)
        }
        if n:
            self._vars.update(running_totals(values, self._years[:n]))
        else:  # as Mesa sets up its reporters: nothing collected, no totals to work out
            self._vars.update({f"{name}_total": np.zeros(0, dtype=np.int64) for name in EVENT_COLUMNS})
        self._vars_n = n
        return self._vars

    @model_vars.setter
    def model_vars(self, value) -> None:  # Mesa's __init__ sets it empty
        self._vars, self._vars_n = value, None

    def collect(self, model) -> None:
        self._collection_steps.append(model.time)

    def collect_times(self, times) -> None:
        """Note the days ending at each of ``times`` (Mesa's clock) as collected, in one go: the
        same as :meth:`collect` once a day at each of them (their figures are in the array already)."""
        self._collection_steps.extend(times)


def running_totals(figures: np.ndarray, years: np.ndarray) -> dict[str, np.ndarray]:
    """Running totals of the event figures, one value per day: ``<figure>_total`` (since the
    first day) and ``<figure>_<year>`` (within each calendar year of the run, 0 before it)."""
    out = {}
    if len(years) != len(figures):  # a collector made without the dates: no yearly totals
        return out
    in_year = {year: years == year for year in np.unique(years).tolist()}
    for name in EVENT_COLUMNS:
        col = figures[:, DAILY_COLUMNS.index(name)].astype(np.int64)
        out[f"{name}_total"] = np.cumsum(col)
        for year, days in in_year.items():
            out[f"{name}_{year}"] = np.cumsum(np.where(days, col, 0))
    return out


def reporter(name):
    """A Mesa model reporter of the day's figure ``name`` (``model.today[name]``)."""

    def report(model):
        return model.today[name]

    report.__name__ = name
    return report
