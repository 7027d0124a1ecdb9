"""What the app's panels show (``app.py``): the charts and tables, each a plain function of a
model (and its daily figures so far), so that they can be checked without a browser.

Every chart spans the whole run on a date x axis (so the axes stay still while the run grows),
names its unit on the y axis, and draws monthly bars across their month.
"""

from __future__ import annotations

import datetime as dt

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .agents import Migrant
from .model import ChannelModel

matplotlib.use("Agg")


def daily_frame(model: ChannelModel) -> pd.DataFrame:
    """The days simulated so far, indexed by date."""
    df = model.datacollector.get_model_vars_dataframe()
    df.index = pd.DatetimeIndex(model.dates[: len(df)], name="date")
    return df


def _date_axis(ax, model) -> None:
    """Dates on the x axis, over the whole run (so the axes stay still while the run grows)."""
    ax.set_xlim(pd.Timestamp(model.dates[0]), pd.Timestamp(model.dates[-1]) + pd.Timedelta(days=1))
    locator = mdates.AutoDateLocator(minticks=4, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.grid(axis="y", alpha=0.3)


def _from_zero(ax, at_least: float = 1.0) -> None:
    """The y axis from 0 (and up to at least ``at_least``, so an empty axis shows sensible ticks)."""
    ax.set_ylim(0, max(ax.get_ylim()[1], at_least))


def _two_panels(title: str, height: float = 3.6):
    fig = Figure(figsize=(6.2, height))
    fig.subplots_adjust(left=0.16, right=0.97, top=0.9, bottom=0.1, hspace=0.15)
    top, bottom = fig.subplots(2, 1, sharex=True)
    fig.suptitle(title, fontsize=10)
    return fig, top, bottom


def _month_bars(ax, monthly: pd.Series, color: str, label: str, share: float = 1.0, offset: float = 0.0):
    """One bar per month, spanning its month (from the 1st, as wide as the month's days)."""
    days = monthly.index.days_in_month.to_numpy(dtype=float)
    left = monthly.index + pd.to_timedelta(offset * days, unit="D")
    ax.bar(left, monthly.to_numpy(), width=share * days, align="edge", color=color, label=label)


def _label_panels(
    fig: Figure, top, bottom, model: ChannelModel, top_label: str, bottom_label: str, from_zero: bool = True
) -> Figure:
    """Finish a two-panel chart: the panels' y labels, the date axis, and y from zero."""
    top.set_ylabel(top_label, fontsize=8)
    bottom.set_ylabel(bottom_label, fontsize=8)
    for ax in (top, bottom):
        _date_axis(ax, model)
        if from_zero:
            _from_zero(ax)
    return fig


def monthly_figure(model: ChannelModel, df: pd.DataFrame) -> Figure:
    """Arrivals in the UK per month (top) and, on their own axis, removals to France and
    admissions by the legal route per month (bottom)."""
    fig, top, bottom = _two_panels("Crossings and removals per month")
    if len(df):
        monthly = df[["arrivals", "removed", "admitted_legal_route"]].resample("MS").sum()
        _month_bars(top, monthly["arrivals"], "C0", "arrivals in the UK by small boat")
        _month_bars(bottom, monthly["removed"], "C3", "removed to France", share=0.5)
        _month_bars(bottom, monthly["admitted_legal_route"], "C2", "admitted by the legal route", share=0.5, offset=0.5)
        bottom.legend(fontsize=7, loc="upper left", ncols=2, framealpha=0.9)
        bottom.set_ylim(0, 1.35 * max(1, monthly[["removed", "admitted_legal_route"]].to_numpy().max()))
    return _label_panels(fig, top, bottom, model, "arrivals\n(people/month)", "removed, admitted\n(people/month)")


def people_figure(model: ChannelModel, df: pd.DataFrame) -> Figure:
    """People waiting on the French coast and people held in UK detention for return, by day."""
    fig, top, bottom = _two_panels("Where people are, each day")
    if len(df):
        top.plot(df.index, df["waiting_in_france"], color="C0")
        bottom.plot(df.index, df["detained"], color="C3")
    return _label_panels(fig, top, bottom, model, "waiting in France\n(people)", "detained in the UK\n(people)")


def belief_figure(model: ChannelModel, df: pd.DataFrame) -> Figure:
    """The mean perceived removal risk of the people waiting, by day, and removals that feed it."""
    fig, top, bottom = _two_panels("What the people waiting believe")
    if len(df):
        top.plot(df.index, 100 * df["perceived_removal_risk"], color="C2")
        weekly = df["removed"].resample("W-MON", label="left", closed="left").sum()
        bottom.fill_between(weekly.index, weekly.to_numpy(), step="post", color="C3", alpha=0.8, lw=0)
    return _label_panels(
        fig, top, bottom, model, "perceived chance\nof removal (%)", "removed to France\n(people/week)"
    )


def smugglers_figure(model: ChannelModel, df: pd.DataFrame) -> Figure:
    """People per arriving boat (over the last 14 days, days with arrivals only) and the mean
    price of a seat."""
    fig, top, bottom = _two_panels("Smugglers: boat loads and prices")
    if len(df):
        arrivals = df["arrivals"].rolling(14, min_periods=1).sum()
        boats = df["boats"].rolling(14, min_periods=1).sum()
        load = (arrivals / boats.where(boats > 0)).dropna()
        top.plot(load.index, load.to_numpy(), color="C4")
        bottom.plot(df.index, df["price_gbp"], color="C5")
    return _label_panels(
        fig, top, bottom, model, "people per boat\n(14-day mean)", "price of a seat\n(GBP)", from_zero=False
    )


def waiting_beliefs(model: ChannelModel) -> np.ndarray:
    """Perceived removal risk of each person waiting on the coast today, read from the Migrant agents."""
    return np.array(
        [a.perceived_removal_risk for a in model.agents_by_type.get(Migrant, []) if a.state == "waiting"], dtype=float
    )


def belief_spread_figure(beliefs: np.ndarray) -> Figure:
    """Today's spread of beliefs among the people waiting (one count per Migrant agent)."""
    risks = 100 * beliefs
    fig = Figure(figsize=(6.2, 3.6))
    fig.subplots_adjust(left=0.16, right=0.97, top=0.9, bottom=0.14)
    ax = fig.subplots()
    if len(risks):
        top = max(0.1, float(np.quantile(risks, 0.99)))  # in %: the spread, not the few returnees at 100%
        ax.hist(np.minimum(risks, top), bins=np.linspace(0, top, 30), color="C2")
    ax.set_xlabel("perceived chance of removal (%; the last bar holds everyone above it)", fontsize=8)
    ax.set_ylabel("people waiting", fontsize=8)
    ax.set_title(f"Today's {len(risks):,} people waiting: what each believes", fontsize=10)
    return fig


CHART_PANELS = (monthly_figure, people_figure, belief_figure, smugglers_figure)


def last_day(model: ChannelModel) -> dt.date | None:
    """The last simulated date (None before the first step)."""
    return model.dates[model.day - 1] if model.day else None


def status_text(model: ChannelModel) -> str:
    """Where the run is: the last simulated date and the day count."""
    day = last_day(model)
    when = day.strftime("%a %d %b %Y") if day else "not started (press Step or Play)"
    return f"Simulated up to: <b>{when}</b> (day {model.day:,} of {model.n_days:,})"


def totals_html(model: ChannelModel, df: pd.DataFrame) -> str:
    """Running totals since the start, and today's state of the pilot's institutions."""
    t = model.totals
    now = model.in_simulation()
    rows = [
        ("crossings (arrivals in the UK)", int(df["arrivals"].sum()) if len(df) else 0),
        ("removed to France", t["removed"]),
        ("admitted by the legal route", t["admitted"]),
        ("re-crossings by returnees", int(df["recrossings"].sum()) if len(df) else 0),
        ("legal challenges won", int(df["legal_challenges_won"].sum()) if len(df) else 0),
        ("deaths at sea", t["dead"]),
        ("gave up on the UK", t["left_route"]),
        ("waiting in France now", now["waiting"]),
        ("detained in the UK now", now["detained"]),
        ("awareness of the legal route", f"{model.awareness:.0%}"),
    ]
    cells = "".join(
        f"<tr><td>{name}</td><td style='text-align:right'>{value:,}</td></tr>"
        if isinstance(value, int)
        else f"<tr><td>{name}</td><td style='text-align:right'>{value}</td></tr>"
        for name, value in rows
    )
    return f"<table class='totals'><tr><th>since 1 Jan 2025</th><th>people</th></tr>{cells}</table>"
