"""Write the project's notebooks from the cells below (and, with --check, run them).

The notebooks are kept as code here, so that a change to them reads as a plain diff; they are
committed without outputs (open one and run it to see them), and ``tests/test_notebooks.py``
runs each one from top to bottom, so they cannot silently rot.

    .venv/bin/python notebooks/build_notebooks.py [--check]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent

EXPLORE = [
    ("md", """# Exploring deterrence-sim

This notebook walks through the model one question at a time. Each cell runs in seconds.

* **The model**: every person who reaches the northern French coast is a Mesa agent. Each day
  they may leave the route, or try to cross if the sea allows it and they can pay a smuggler.
  The UK can detain arrivals and, under the "one in, one out" pilot, return them to France,
  which admits the same number of people with family in the UK by a legal route. Courts can
  stop removals; returnees live freely in France and may try again.
* **Deterrence** works only through belief: people waiting on the coast estimate their chance
  of being removed from what they see and hear, and the higher it is, the less they try. How
  strongly belief bites is the `deterrence_strength` parameter, which the data of 2025 barely
  pin down (see `docs/ODD.md`, section 8). So ask every question at several strengths.

The rules live in `src/deterrence_sim/rules/` (one file per mechanism), the order of a day in
`src/deterrence_sim/model.py`, every parameter with its source in `src/deterrence_sim/params.py`."""),
    ("code", """import numpy as np
import pandas as pd
import matplotlib.pyplot as plt

from deterrence_sim import ChannelModel
from deterrence_sim.agents import Migrant
from deterrence_sim import data

pd.set_option("display.precision", 3)"""),
    ("md", """## 1. One year, as it happened

`ChannelModel()` with no arguments is 2025 with the calibrated parameters and the pilot's
policy path (detentions from August, returns from 18 September). `run()` simulates the year;
the daily figures are in Mesa's DataCollector."""),
    ("code", """model = ChannelModel(rng=1).run()
daily = model.datacollector.get_model_vars_dataframe()
daily.index = pd.DatetimeIndex(model.dates, name="date")
daily[["arrivals", "boats", "prevented", "removed", "admitted_legal_route", "deaths"]].sum()"""),
    ("md", """How does that compare with what the Home Office counted? The observed daily arrivals are
in `seeds/` (source and licence in `seeds/SOURCES.md`)."""),
    ("code", """obs = data.daily_arrivals()
observed = pd.Series(obs["arrivals"], index=pd.DatetimeIndex(obs["date"]))
months = pd.DataFrame({
    "observed 2025": observed["2025"].resample("MS").sum(),
    "model (seed 1)": daily["arrivals"].resample("MS").sum(),
})
ax = months.plot.bar(figsize=(9, 3), rot=0)
ax.set_xticks(range(len(months)), [d.strftime("%b") for d in months.index])
ax.set_ylabel("people arriving per month")
months.sum()"""),
    ("md", """One seed is one possible 2025: weather and the inflow vary from seed to seed. The
calibration and its checks over many seeds are in `experiments/calibration/validation.md`.

## 2. The agents

Each person still in the simulation is a `Migrant` agent. Its attributes (state, nationality
group, perceived removal risk, times returned) are read from the model's population table."""),
    ("code", """migrants = model.agents_by_type[Migrant]
print(len(migrants), "people in the simulation on", model.dates[-1])
pd.Series([a.state for a in migrants]).value_counts()"""),
    ("code", """waiting = [a for a in migrants if a.state == "waiting"]
risk = pd.Series([a.perceived_removal_risk for a in waiting])
ax = risk.plot.hist(bins=40, figsize=(6, 3))
ax.set_xlabel("perceived removal risk of people waiting on the coast")
risk.describe()"""),
    ("md", """After a few months of the pilot, the people waiting believe their chance of removal is
a few per cent at most: about 200 removals against about 40,000 arrivals. Returnees know better:
their belief is set to 1 when they are flown back."""),
    ("md", """## 3. Ramping up removals

The question of the project: would removing many more people deter crossings? Run the pilot,
a five-fold ramp-up and *parity* (remove as many as arrive) to the end of 2026, on common
random numbers (replicate *i* of each scenario shares its weather and newcomers, so their
difference is sharp). Ten replicates keep this quick; `deterrence-sim compare` runs thirty."""),
    ("code", """from deterrence_sim import runner, scenario
from deterrence_sim.compare import SCENARIO_DIR

def crossings_2026(name, replicates=10, **overrides):
    sc = scenario.load(SCENARIO_DIR / f"{name}.toml").with_overrides(end="2026-12-31", overrides=overrides)
    d = runner.run_replicates(sc, replicates, seed=1, workers=1, progress=False)
    d = d[pd.to_datetime(d["date"]).dt.year == 2026]
    return d.groupby("replicate")["arrivals"].sum()

runs = {name: crossings_2026(name) for name in ("no_deal", "pilot", "rampup_x5", "parity")}
change = pd.DataFrame({name: runs[name] / runs["no_deal"] - 1 for name in runs if name != "no_deal"})
(100 * change).describe().loc[["mean", "min", "max"]].round(1)"""),
    ("md", """Percentage change in 2026 crossings from `no_deal`, over the ten replicates. Removing
as many as arrive cuts crossings by roughly a seventh at the calibrated strength.

## 4. How much depends on the deterrence strength

Repeat `parity` with deterrence switched off, at the calibrated value, and at the strength of
the Australian turnbacks. The removals are much the same; what changes is how people respond."""),
    ("code", """rows = {}
for strength in (0.0, 0.72, 3.0):
    parity = crossings_2026("parity", deterrence_strength=strength)
    base = crossings_2026("no_deal", deterrence_strength=strength)
    rows[strength] = 100 * (parity / base - 1)
pd.DataFrame(rows).describe().loc[["mean", "min", "max"]].round(1)"""),
    ("md", """With no deterrence at all, parity still changes crossings a little: returned people who
re-cross are counted again, and the legal route takes some people off the boats. With strong
deterrence crossings collapse. The data of 2025 cannot tell these worlds apart, which is the
main caveat on any answer the model gives; the dose-response curve of `deterrence-sim compare`
shows where, for each strength, removals start to bite.

## Where next

* `./dsim app`: the interactive view, day by day.
* `deterrence-sim run SCENARIO.toml --set name=value`: your own scenario (`deterrence-sim params`
  lists every parameter with its range and source).
* `docs/ODD.md`: the full description of the model."""),
]

NOTEBOOKS = {"01_explore.ipynb": EXPLORE}


def build(name: str, cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell(src) if kind == "md" else nbformat.v4.new_code_cell(src)
                for kind, src in cells]
    return nb


def execute(nb: nbformat.NotebookNode, timeout: int = 600) -> nbformat.NotebookNode:
    """Run every cell in a fresh kernel, in the notebooks folder; raises on the first error."""
    NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(HERE)}}).execute()
    return nb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="also run each notebook (outputs are not kept)")
    args = parser.parse_args()
    for name, cells in NOTEBOOKS.items():
        nb = build(name, cells)
        nbformat.write(nb, HERE / name)
        print(f"wrote {HERE / name}")
        if args.check:
            execute(nb)
            print(f"ran {name}: no errors")


if __name__ == "__main__":
    main()
