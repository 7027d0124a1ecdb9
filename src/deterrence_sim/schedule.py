"""Dated, piecewise-constant schedules for policy parameters.

A scenario can give any schedulable parameter either a constant or a table of dates, for
example ``flights_per_week = { "2025-09-15" = 1.5, "2026-03-01" = 6 }``: the value holds
from each date until the next one. Before the first date the parameter has its *baseline*
value (what the lever is when the policy is not in force: no flights, no detention, ...).

Schedules are expanded once, when a model is built, into one value per simulated day, so the
daily tick reads a number from an array and never searches a table.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping

import numpy as np

from .errors import ConfigError


def parse_date(value, key: str) -> dt.date:
    """Turn ``value`` (a ``datetime.date`` or an ISO string ``YYYY-MM-DD``) into a date.

    Raises ConfigError naming ``key`` when the value is not a valid calendar date.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ConfigError(f"{key}: {value!r} is not a date; write it as YYYY-MM-DD (for example 2025-09-18)")


def run_calendar(start, end) -> tuple[dt.date, dt.date, int, list[dt.date]]:
    """The days of a run from ``start`` to ``end`` inclusive (dates or ISO strings): the first and
    last day, the number of days and the list of dates. Raises ConfigError for a bad date or an
    end before the start. The fast model and the reference model both take their days from here."""
    start_date, end_date = parse_date(start, "start"), parse_date(end, "end")
    if end_date < start_date:
        raise ConfigError(f"end: {end_date} is before start {start_date}")
    n_days = (end_date - start_date).days + 1
    dates = (np.datetime64(start_date, "D") + np.arange(n_days)).astype(object).tolist()  # datetime.date each
    return start_date, end_date, n_days, dates


def is_schedule(value) -> bool:
    """True when ``value`` is written as a dated table rather than a constant."""
    return isinstance(value, Mapping)


def normalise_schedule(key: str, table: Mapping, check_value) -> tuple[tuple[dt.date, object], ...]:
    """Validate a ``{date: value}`` table and return it as sorted ``(date, value)`` pairs.

    ``check_value(key, value)`` validates and converts each value (range, type).
    """
    if len(table) == 0:
        raise ConfigError(f"{key}: a schedule needs at least one date = value entry")
    pairs = []
    for raw_date, raw_value in table.items():
        day = parse_date(raw_date, f"{key} (schedule date)")
        pairs.append((day, check_value(f"{key} (from {day.isoformat()})", raw_value)))
    pairs.sort(key=lambda p: p[0])
    for (a, _), (b, _) in itertools.pairwise(pairs):
        if a == b:
            raise ConfigError(f"{key}: the date {a.isoformat()} appears twice in the schedule")
    return tuple(pairs)


def expand(pairs, baseline, start: dt.date, n_days: int, dtype=float) -> np.ndarray:
    """One value per day from ``start`` for ``n_days`` days.

    ``pairs`` is a sorted tuple of ``(date, value)`` (or ``None`` for a constant ``baseline``).
    """
    out = np.full(n_days, baseline, dtype=dtype)
    if pairs:
        for day, value in pairs:
            offset = (day - start).days
            out[max(offset, 0) :] = value
    return out
