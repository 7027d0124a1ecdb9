"""The interactive view: watch the model run day by day in the browser (Mesa's SolaraViz).

    ./dsim app            (or, in the environment: solara run deterrence_sim.app)

Choose a standard scenario (``experiments/scenarios/``), the deterrence strength (0: removals
change nobody's choices; 0.72: calibrated; 3: the Australian turnbacks' scale) and the seed,
press *Reset*, then *Play* or *Step*. Each step is one day from 2025-01-01 to the end of 2027.
The panels show crossings and removals per month, the people waiting in France and held in the
UK, what the waiting believe about their chance of removal (the mean, and the spread over the
Migrant agents themselves), the smugglers' boats and prices, and the running totals.

Solara loads its page assets from a CDN: offline, install ``solara[assets]`` as well. The app
only shows the model; it adds nothing to it. For intervals over replicates use
``deterrence-sim compare``; this view is one replicate, for building intuition.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import solara
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz, make_plot_component
from mesa.visualization.utils import update_counter

from . import compare, scenario
from .agents import Migrant
from .model import ChannelModel

matplotlib.use("Agg")

#: The scenarios the app offers: the standard set of ``deterrence-sim compare``.
SCENARIOS = {path.stem: path for path in compare.standard_scenarios()}
APP_END = "2027-12-31"


class AppModel(ChannelModel):
    """ChannelModel set up from the app's controls: a standard scenario, run to the end of 2027,
    with the deterrence strength of the slider (a constant over the run)."""

    def __init__(self, scenario_name: str = "pilot", deterrence_strength: float = 0.72, rng=42):
        kwargs = scenario.load(SCENARIOS[scenario_name]).with_overrides(end=APP_END).model_kwargs()
        kwargs["deterrence_strength"] = float(deterrence_strength)
        super().__init__(rng=int(rng), **kwargs)
        self.scenario_name = scenario_name


model_params = {
    "scenario_name": {"type": "Select", "value": "pilot", "values": list(SCENARIOS), "label": "Scenario"},
    "deterrence_strength": {"type": "SliderFloat", "value": 0.72, "min": 0.0, "max": 3.0, "step": 0.05,
                            "label": "Deterrence strength"},
    "rng": {"type": "InputText", "value": 42, "label": "Random seed"},
}


def daily_frame(model: ChannelModel) -> pd.DataFrame:
    """The days simulated so far, indexed by date."""
    df = model.datacollector.get_model_vars_dataframe()
    df.index = pd.DatetimeIndex(model.dates[: len(df)], name="date")
    return df


@solara.component
def MonthlyCrossings(model):
    """Arrivals in the UK per month (bars) and removals to France per month (line)."""
    update_counter.get()
    fig = Figure(figsize=(7, 3))
    ax = fig.subplots()
    df = daily_frame(model)
    if len(df):
        monthly = df[["arrivals", "removed"]].resample("MS").sum()
        ax.bar(monthly.index, monthly["arrivals"], width=25, color="C0", label="arrivals (crossings)")
        ax.plot(monthly.index, monthly["removed"], color="C3", marker="o", ms=3, label="removed to France")
        ax.legend(fontsize=8, loc="upper left")
    ax.set_title(f"{model.scenario_name}: per month, up to {model.date}", fontsize=10)
    fig.autofmt_xdate()
    fig.tight_layout()
    solara.FigureMatplotlib(fig)


@solara.component
def BeliefSpread(model):
    """Perceived removal risk of each person waiting on the coast, read from the Migrant agents."""
    update_counter.get()
    risks = np.array([a.perceived_removal_risk for a in model.agents_by_type.get(Migrant, [])
                      if a.state == "waiting"], dtype=float)
    fig = Figure(figsize=(4, 3))
    ax = fig.subplots()
    if len(risks):
        ax.hist(risks, bins=np.linspace(0, max(0.05, risks.max()), 30), color="C2")
    ax.set_xlabel("perceived removal risk")
    ax.set_ylabel("people waiting")
    ax.set_title(f"{len(risks):,} people waiting: what they believe", fontsize=10)
    fig.tight_layout()
    solara.FigureMatplotlib(fig)


@solara.component
def Totals(model):
    """Running totals since the start, and the day's state of the pilot's institutions."""
    update_counter.get()
    t = model.totals
    df = daily_frame(model)
    rows = [
        ("crossings (arrivals in the UK)", int(df["arrivals"].sum()) if len(df) else 0),
        ("removed to France", t["removed"]),
        ("admitted by the legal route", t["admitted"]),
        ("re-crossings by returnees", int(df["recrossings"].sum()) if len(df) else 0),
        ("legal challenges won", model.court.won_total),
        ("deaths at sea", t["dead"]),
        ("gave up on the UK", t["left_route"]),
        ("waiting in France now", model.in_simulation()["waiting"]),
        ("detained in the UK now", model.in_simulation()["detained"]),
        ("awareness of the legal route", f"{model.awareness:.0%}"),
    ]
    table = "\n".join(f"| {name} | {value:,} |" if isinstance(value, int) else f"| {name} | {value} |"
                      for name, value in rows)
    solara.Markdown(f"**{model.date}** (day {model.day})\n\n| since 2025-01-01 | |\n|---|---:|\n{table}")


model = AppModel()
page = SolaraViz(
    model,
    components=[
        (MonthlyCrossings, 0),
        (Totals, 0),
        make_plot_component({"waiting_in_france": "C0", "detained": "C3"}),
        make_plot_component({"perceived_removal_risk": "C2"}),
        (BeliefSpread, 0),
        make_plot_component({"people_per_boat": "C4"}),
        make_plot_component({"price_gbp": "C5"}),
    ],
    model_params=model_params,
    name="deterrence-sim: Channel crossings and the one-in-one-out pilot",
    play_interval=50,
)
