"""Write the project's notebooks from the cells below (and, with --check, run them).

The notebooks are kept as code here, so that a change to them reads as a plain diff; they are
committed without outputs (open one and run it to see them), and ``tests/test_notebooks.py``
runs each one from top to bottom and checks what every figure shows, so they cannot silently rot.

    .venv/bin/python notebooks/build_notebooks.py [--check]

Each notebook explains a mechanism in plain words before the code, runs in well under three
minutes, and ends with exercises. Every figure is made with ``plt.subplots(num=NAME)``, so the
tests can find it by name.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent

SETUP = """import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
import matplotlib.dates as mdates

from deterrence_sim import ChannelModel, params, runner, scenario
from deterrence_sim.analyses import compare

pd.set_option("display.precision", 3)
SCENARIOS = {path.stem: path for path in compare.standard_scenarios()}  # experiments/scenarios/*.toml


def month_axis(ax):
    \"\"\"Months as Jan, Feb, ... on a date x axis.\"\"\"
    ax.xaxis.set_major_locator(mdates.MonthLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b"))"""

FIRST_RUN = [
    (
        "md",
        """# 1. A first run: the pilot in 2025, and the people in it

**What the model is, in plain words.** Every person who reaches the beaches of northern France
hoping to cross the Channel is one *agent*. The model moves one day at a time. Each day:

* newcomers reach the coast (more in summer than in winter);
* the sea is calm enough to cross, or it is not;
* a person waiting on the coast may give up on the UK, or, on a calm day and if they can pay a
  smuggler, try to board a boat. French police stop some launches on the beach;
* boats that get through land in the UK. Under the UK-France "one in, one out" pilot (from
  August 2025) the UK may detain some of those who arrive and, within three months, fly them back
  to France, if France accepts them and no court stops it. For each person returned, France lets
  one person with family in the UK travel by a legal route;
* the people waiting hear about removals and update what they believe their own chance of being
  removed is. The higher that belief, the less they try to cross. This is the only way removals
  *deter* in the model.

`ChannelModel()` with no arguments is 2025 with the calibrated parameters and the pilot as it
happened. Every parameter, with its default, unit and source, is in `deterrence_sim.params.PARAMS`
(or run `deterrence-sim params`).

The first model run on a machine compiles the model (about a minute, once); later runs take a
fraction of a second.""",
    ),
    ("code", SETUP),
    (
        "md",
        """## One simulated year

`run()` simulates every day to the end date; the daily figures are in Mesa's DataCollector, one
row per day. We run to the end of January 2026, the last date the pilot's figures were reported.""",
    ),
    (
        "code",
        """model = ChannelModel(rng=1, end="2026-01-31").run()
daily = model.datacollector.get_model_vars_dataframe()
daily.index = pd.DatetimeIndex(model.dates, name="date")
daily.loc["2025", ["arrivals", "boats", "prevented", "removed", "admitted_legal_route", "deaths"]].sum()""",
    ),
    (
        "md",
        """## The model against what the Home Office counted

The observed daily arrivals are in `seeds/small_boats_daily.csv` (sources in `seeds/SOURCES.md`).
One seed is one possible 2025: the weather and the flow of newcomers differ from seed to seed. So
we run twenty seeds and draw the middle 90% of their months as a band.""",
    ),
    (
        "code",
        """observed = pd.read_csv("../seeds/small_boats_daily.csv", parse_dates=["date"], index_col="date")
obs_months = observed.loc["2025", "migrants_arrived"].resample("MS").sum()

pilot = scenario.load(SCENARIOS["pilot"]).with_overrides(end="2026-01-31")
runs = runner.run_replicates(pilot, 20, seed=1, workers=1, progress=False)
runs["month"] = pd.to_datetime(runs["date"]).dt.to_period("M").dt.to_timestamp()
per_month = runs[runs["month"].dt.year == 2025].groupby(["replicate", "month"])["arrivals"].sum().unstack("month")
band = per_month.quantile([0.05, 0.5, 0.95])

fig, ax = plt.subplots(figsize=(9, 3.5), num="monthly arrivals")
days = obs_months.index.days_in_month
ax.bar(obs_months.index, obs_months, width=0.8 * days, align="edge", color="0.6", label="observed (Home Office)")
mid = band.columns + pd.Timedelta(days=14)
ax.fill_between(mid, band.loc[0.05], band.loc[0.95], color="C0", alpha=0.3, label="model, 5-95% of 20 seeds")
ax.plot(mid, band.loc[0.5], "o-", color="C0", label="model, median")
month_axis(ax)
ax.set_xlim(pd.Timestamp("2025-01-01"), pd.Timestamp("2026-01-01"))
ax.set_ylabel("people arriving per month")
ax.set_title("Small-boat arrivals in 2025: observed and simulated")
ax.legend(fontsize=8)
pd.DataFrame({"observed": obs_months.values, "model median": band.loc[0.5].values},
             index=obs_months.index.strftime("%b")).T""",
    ),
    (
        "md",
        """Each grey bar covers its month; the blue band is where the model puts 90% of its
seeds. A month outside the band is not necessarily a failure: twelve months, each with a 10%
chance of falling outside, should see one or two outside. `experiments/calibration/validation.md`
makes this check over many seeds and the years 2023-2025.

## The pilot's returns

Ministers reported how many people had been returned to France and admitted by the legal route
on a few dates (`seeds/one_in_one_out_observations.csv`). The model's removals add up to its own
cumulative count.""",
    ),
    (
        "code",
        """reported = pd.read_csv("../seeds/one_in_one_out_observations.csv", parse_dates=["date"])
runs["date"] = pd.to_datetime(runs["date"])
cum = runs.pivot(index="date", columns="replicate", values="removed").cumsum()
cum_band = cum.quantile([0.05, 0.5, 0.95], axis=1).T.loc["2025-08-01":]

fig, ax = plt.subplots(figsize=(9, 3.5), num="pilot returns")
ax.fill_between(cum_band.index, cum_band[0.05], cum_band[0.95], color="C3", alpha=0.3,
                label="model, 5-95% of 20 seeds")
ax.plot(cum_band.index, cum_band[0.5], color="C3", label="model, median")
in_run = reported[reported["date"] <= cum_band.index.max()]  # the figures reported within the simulated window
ax.plot(in_run["date"], in_run["returned_to_france_cumulative"], "ks", label="reported returns")
month_axis(ax)
ax.set_xlim(pd.Timestamp("2025-08-01"), pd.Timestamp("2026-02-01"))
ax.set_ylabel("people returned to France (total)")
ax.set_title("Returns under the pilot")
ax.legend(fontsize=8)
reported[["date", "returned_to_france_cumulative", "admitted_to_uk_cumulative"]]""",
    ),
    (
        "md",
        """## Meet the agents

Each person still in the simulation is a Mesa `Migrant` agent. Its attributes are read from the
model's population table: where the person is (`state`), their nationality group, what they
believe their chance of removal is, whether they have family in the UK, and how often they have
been returned.""",
    ),
    (
        "code",
        """from deterrence_sim.agents import Migrant

migrants = list(model.agents_by_type[Migrant])
print(len(migrants), "people in the simulation on", model.dates[-1])
pd.DataFrame([{"id": a.unique_id, "state": a.state, "group": a.nationality_group,
               "perceived removal risk": a.perceived_removal_risk, "family in the UK": a.has_family_ties,
               "times returned": a.times_returned} for a in migrants[:8]])""",
    ),
    ("code", """pd.Series([a.state for a in migrants]).value_counts()"""),
    (
        "code",
        """waiting = np.array([a.perceived_removal_risk for a in migrants if a.state == "waiting"])
fig, ax = plt.subplots(figsize=(7, 3), num="beliefs")
ax.hist(100 * waiting, bins=30, color="C2")
ax.set_xlabel("perceived chance of removal (%)")
ax.set_ylabel("people waiting")
ax.set_title(f"What the {len(waiting):,} people waiting on {model.dates[-1]} believe")
pd.Series(100 * waiting).describe()""",
    ),
    (
        "md",
        """After five months of the pilot, most people waiting believe their chance of being
removed is a few per cent at most: a few hundred removals against tens of thousands of arrivals.
People who have been returned know better: their belief is set to one when they are flown back.

## Exercises

1. Run `ChannelModel(rng=2, end="2026-01-31")` and compare its 2025 total with seed 1. How much
   do two seeds differ? Is the observed total (41,472) inside the band of twenty seeds?
2. Which months does the model get worst? Look up `inflow_seasonality` in
   `params.PARAMS["inflow_seasonality"]`: where does the seasonal shape come from?
3. Set `deterrence_strength=0` (removals change nobody's choices) and redraw the first figure.
   Can you see a difference in 2025? Why (or why not)?
4. Count the Migrant agents who have been returned at least once (`times_returned > 0`). What
   state are they in now?""",
    ),
]

DOES_REMOVAL_DETER = [
    (
        "md",
        """# 2. Does removal deter? The ramp-up question, step by step

**The mechanism, in plain words.** Removals can cut crossings in two ways, and the model keeps
them apart:

* *deterrence*: people waiting on the coast see and hear about removals, believe their own chance
  of removal is higher, and so try less often and give up more often. How strongly belief bites
  is the parameter `deterrence_strength`: 0 means removals change nobody's choices;
* *no deterrence at all*: people removed to France may cross again (and are counted again), and
  the legal route takes a few people off the boats. These effects are there even at strength 0.

The question: if the UK scaled removals up from March 2026 (more detention places, more flights,
France accepting more), would crossings fall, and by how much? The answer depends on
`deterrence_strength`, which the data of 2025 barely pin down. So we ask it three times: for one
seed, over many seeds, and over everything the data leave uncertain.""",
    ),
    ("code", SETUP),
    (
        "md",
        """## Step 1: one seed, two worlds

`no_deal` is the world without the pilot; `rampup_x10` is the pilot, then ten times its removal
capacity from 2026-03-01. With the same seed, both worlds share their weather and their newcomers
(*common random numbers*), so the difference between them is the policy, not luck.""",
    ),
    (
        "code",
        """def run(name, seed=1, end="2027-12-31", **overrides):
    sc = scenario.load(SCENARIOS[name]).with_overrides(end=end, overrides=overrides)
    model = ChannelModel(rng=seed, **sc.model_kwargs()).run()
    df = model.datacollector.get_model_vars_dataframe()
    df.index = pd.DatetimeIndex(model.dates, name="date")
    return df

worlds = {name: run(name) for name in ("no_deal", "rampup_x10")}
monthly = pd.DataFrame({name: df["arrivals"].resample("MS").sum() for name, df in worlds.items()})

fig, ax = plt.subplots(figsize=(9, 3.5), num="one seed")
for name in monthly:
    ax.step(monthly.index, monthly[name], where="post", label=name)
ax.axvline(pd.Timestamp("2026-03-01"), color="k", ls=":", label="ramp-up starts")
ax.set_ylabel("people arriving per month")
ax.set_title("Seed 1: the same weather and newcomers, two policies")
ax.legend(fontsize=8)
monthly.loc["2027"].sum()""",
    ),
    (
        "md",
        """## Step 2: many seeds

One seed could be lucky. Six seeds per scenario, still on common random numbers: replicate *i*
of every scenario shares its weather and newcomers, so we compare each ramp-up with `no_deal`
replicate by replicate. Every other parameter stays at its calibrated value, so this spread is
the model's own chance only.""",
    ),
    (
        "code",
        """def crossings_2027(name, replicates=6, **overrides):
    sc = scenario.load(SCENARIOS[name]).with_overrides(end="2027-12-31", overrides=overrides)
    d = runner.run_replicates(sc, replicates, seed=1, workers=1, progress=False)
    return d[pd.to_datetime(d["date"]).dt.year == 2027].groupby("replicate")["arrivals"].sum()

names = ["pilot", "rampup_x5", "parity"]
base = crossings_2027("no_deal")
change = pd.DataFrame({name: 100 * (crossings_2027(name) / base - 1) for name in names})

fig, ax = plt.subplots(figsize=(7, 3.5), num="change by scenario")
for i, name in enumerate(names):
    ax.plot(np.full(len(change), i), change[name], "o", color="C0", alpha=0.4)
    ax.plot(i, change[name].mean(), "D", color="k", ms=8)
ax.set_xticks(range(len(names)), names)
ax.axhline(0, color="0.5", lw=0.8)
ax.set_ylabel("change in 2027 crossings\\nfrom no_deal (%)")
ax.set_title("Each dot one replicate; diamonds the mean")
change.describe().loc[["mean", "min", "max"]].round(1)""",
    ),
    (
        "md",
        """## Step 3: how much of it is deterrence?

Run parity again with `deterrence_strength = 0`. What is left is the part that needs no
deterrence (re-crossings counted again, the legal route); the rest is people choosing not to
cross because they believe they would be removed.""",
    ),
    (
        "code",
        """parity_no_deterrence = 100 * (crossings_2027("parity", deterrence_strength=0.0)
                              / crossings_2027("no_deal", deterrence_strength=0.0) - 1)
pd.DataFrame({"parity, calibrated strength": change["parity"],
              "parity, strength 0": parity_no_deterrence}).describe().loc[["mean", "min", "max"]].round(1)""",
    ),
    (
        "md",
        """## Step 4: the uncertainty in the answer

So far every parameter but the seed stayed at its calibrated value. But much of the model is
uncertain, above all `deterrence_strength`: the calibration could not tell strengths apart, so it
keeps its prior, a log-normal with median 0.77 and a 90% interval of about 0.15 to 4, set from
outside evidence (US border studies at the low end, the Australian turnbacks at the high end).
The main job, `deterrence-sim compare`, therefore gives the answer as a distribution: each
replicate draws the calibrated parameters jointly from the calibration's posterior sample and
the others from the priors below (`deterrence_sim.analyses.uncertainty`), and each scenario is compared
with the `no_deal` run that shares its draw and seed.""",
    ),
    (
        "code",
        """from deterrence_sim.analyses import uncertainty

pd.DataFrame({p.name: {"prior": p.describe(), "5%": p.quantile(0.05), "95%": p.quantile(0.95)}
              for p in uncertainty.PRIORS.values()}).T""",
    ),
    (
        "md",
        """The same machinery, small: parity against no_deal, 16 paired replicates (the main job
runs 200), without the dose-response and the decomposition. It writes its report and tables to a
folder, as `deterrence-sim compare` does.""",
    ),
    (
        "code",
        """import tempfile
from pathlib import Path
from deterrence_sim.analyses import effects

out = Path(tempfile.mkdtemp()) / "compare"
headline = compare.compare([SCENARIOS["parity"]], replicates=16, horizon_end="2027-12-31", out=out,
                           with_dose=False, decomposition_replicates=0, alternative_replicates=0,
                           workers=1, progress=False)
metrics = {name: effects.replicate_metrics(pd.read_parquet(out / "daily" / f"{name}.parquet"))
           for name in ("no_deal", "parity")}
pairs = effects.paired_effects(metrics, "no_deal")
pairs = pairs[pairs["year"] == 2027].set_index("replicate")
draws = pd.read_csv(out / "draws.csv", index_col="replicate")

fig, ax = plt.subplots(figsize=(7, 3.5), num="change by strength")
ax.semilogx(draws.loc[pairs.index, "deterrence_strength"], 100 * pairs["effect"], "o", color="C3")
ax.axvline(params.PARAMS["deterrence_strength"].default, color="k", ls=":", label="calibrated value")
ax.axhline(0, color="0.5", lw=0.8)
ax.set_xlabel("deterrence strength drawn (log scale)")
ax.set_ylabel("change in 2027 crossings\\nunder parity (%)")
ax.set_title("Each dot one replicate: its own draw of every uncertain parameter")
ax.legend(fontsize=8)
headline[headline["year"] == 2027].round(3).T""",
    ),
    (
        "md",
        """`effect_p05` to `effect_p95` is the 90% interval of the change in 2027 crossings over the
paired replicates: the uncertainty in the answer. It is far wider than the spread over seeds in
step 2, and the dots show why: most of it comes from the deterrence strength drawn. *Whether
removal deters* is mostly a question about how people respond, which the pilot's small numbers
cannot yet answer. `prob_cut_over_10pct` is the share of replicates in which crossings fall by more
than 10%. The report the run wrote (`report.md` in the output folder) says the same in words.

## Exercises

1. Add `rampup_flights_only` to `names` in step 2. Why does adding flights alone change so little?
   (Hint: look at `detention_capacity` and `france_weekly_cap` in that scenario file.)
2. In step 3, try `returnee_recross_daily=0` as well: how much of the strength-0 effect came from
   re-crossings?
3. In step 4, which other drawn parameter moves the effect? Plot the effect against each column of
   `draws` (`effects.drivers` computes their rank correlations).
4. What strength would make parity cut 2027 crossings by half? Is that value plausible, given the
   evidence in `uncertainty.PRIORS["deterrence_strength"].source`?""",
    ),
]

WHAT_MATTERS = [
    (
        "md",
        """# 3. What matters? A small sweep and a sensitivity analysis

**The idea, in plain words.** The model has many uncertain parameters. A *sweep* runs the model
over a grid of values of a few of them and shows how the output moves. A *sensitivity analysis*
asks a sharper question: of all the variation in the output when every uncertain parameter varies
over its range at once, how much is due to each one?

*Sobol indices* answer that by splitting the output's variance:

* the **first-order index** S1 of a parameter is the share of the variance it explains on its own;
* the **total index** ST adds the share it explains through interactions with the others
  (ST >= S1; a big gap means the parameter matters mostly in combination);
* the S1 add up to at most 1; the rest is interactions. An ST near 0 means the parameter can be
  fixed anywhere in its range without changing the answer.

They are estimated from many runs at parameter sets chosen by a special design (Saltelli's), with
the SALib library. With few runs the estimates are rough: each comes with a confidence interval,
and small negative values are noise, not a real effect.

Both are done here with the project's own machinery, `deterrence_sim.sweeps` (the same as the
commands `deterrence-sim sweep` and `deterrence-sim sensitivity`): a sweep is a small TOML *spec*
saying what to vary, how, and what to record (`experiments/sweeps/` holds the project's studies).""",
    ),
    (
        "code",
        SETUP
        + """

import tempfile
from pathlib import Path
from deterrence_sim import sweeps
from deterrence_sim.sweeps import sensitivity

work = Path(tempfile.mkdtemp())


def spec_file(name, text):
    \"\"\"Write a sweep spec and read it back (the spec is checked as it is read).\"\"\"
    path = work / f"{name}.toml"
    path.write_text(text)
    return sweeps.load_spec(path)""",
    ),
    (
        "md",
        """## A small sweep

The 2027 crossings of the pilot when its removal capacity (detention places, flights and the
French weekly cap together) is multiplied from 2026-03-01, for three deterrence strengths: none,
the calibrated value, and the strength of the Australian turnbacks. Two replicates per point, on
common random numbers (the same seeds at every point).""",
    ),
    (
        "code",
        """strengths = [0.0, params.PARAMS["deterrence_strength"].default, 3.0]
grid = spec_file("capacity_by_strength", f\"\"\"
name = "capacity_by_strength"
scenario = "{SCENARIOS['pilot']}"
end = 2027-12-31
seed = 1
replicates = 2
outputs = ["arrivals"]

[design]
kind = "grid"

[parameters.removal_capacity]
multiplier_of = ["detention_capacity", "flights_per_week", "france_weekly_cap"]
from = 2026-03-01
values = [1, 2, 5, 10]

[parameters.deterrence_strength]
values = {strengths}
\"\"\")
done = sweeps.run_sweep(grid, work / "grid", workers=1, progress=False)
column = [c for c in done["results"].columns if c.endswith("arrivals_2027")][0]
sweep = done["results"].groupby(["removal_capacity", "deterrence_strength"])[column].mean().unstack()

fig, ax = plt.subplots(figsize=(7, 3.5), num="sweep")
for s in sweep.columns:
    ax.plot(sweep.index, sweep[s], "o-", label=f"deterrence strength {s:g}")
ax.set_xscale("log")
ax.set_xticks(sweep.index, [f"x{m:g}" for m in sweep.index])
ax.set_xlabel("removal capacity from 2026-03-01 (multiple of the pilot's)")
ax.set_ylabel("crossings in 2027 (people)")
ax.legend(fontsize=8)
print(done["runs"], "runs in", round(done["seconds"]), "s")
sweep.round(0)""",
    ),
    (
        "md",
        """## A sensitivity analysis with Sobol indices

Four uncertain parameters, each over a plausible range (the ranges are for teaching; the priors
of the main job are in `deterrence_sim.analyses.uncertainty.PRIORS`), and one output: crossings in 2026
under the ten-fold ramp-up, one replicate per parameter set. The `sobol` design draws the
parameter sets (`base_samples` x (4 + 2) of them, for first-order and total indices) and the
analysis estimates the indices from the outputs. `base_samples = 16` keeps this to about a
minute; a real study uses 512 or more.""",
    ),
    (
        "code",
        """design = spec_file("four_factors", f\"\"\"
name = "four_factors"
scenario = "{SCENARIOS['rampup_x10']}"
end = 2026-12-31
seed = 1
replicates = 1
outputs = ["arrivals"]

[design]
kind = "sobol"
base_samples = 16

[parameters.deterrence_strength]
low = 0.0
high = 3.0
[parameters.returnee_recross_daily]
low = 0.0
high = 0.01
[parameters.challenge_success_prob]
low = 0.0
high = 1.0
[parameters.try_prob]
low = 0.15
high = 0.35
\"\"\")
done = sweeps.run_sweep(design, work / "sobol", workers=1, progress=False)
output = [c for c in design.output_columns() if c.endswith("arrivals_2026")][0]
indices = sensitivity.write(design, work / "sobol", outputs=[output])["table"].set_index("parameter")
print(done["runs"], "runs in", round(done["seconds"]), "s")
indices[["S1", "S1_conf", "ST", "ST_conf"]].round(3)""",
    ),
    (
        "code",
        """order = ["deterrence_strength", "returnee_recross_daily", "challenge_success_prob", "try_prob"]
table = indices.loc[order]
fig, ax = plt.subplots(figsize=(7, 3.5), num="sobol")
x = np.arange(len(table))
ax.bar(x - 0.2, table["S1"], 0.4, yerr=table["S1_conf"], capsize=3, label="first order S1")
ax.bar(x + 0.2, table["ST"], 0.4, yerr=table["ST_conf"], capsize=3, label="total ST")
ax.set_xticks(x, table.index, rotation=15, fontsize=8)
ax.axhline(0, color="0.5", lw=0.8)
ax.set_ylabel("share of the variance\\nof 2026 crossings")
ax.legend(fontsize=8)""",
    ),
    (
        "md",
        """**How to read it.** A parameter with a tall ST bar drives the answer: pin it down (with
data, or by reporting results for each plausible value) before trusting a headline. A parameter
whose ST is near zero can be left at its default. Error bars that cross zero mean the design had
too few runs to tell; raise `base_samples` before reading anything into them. With 16 base
samples an index can even come out above 1 or below 0, which no true index can be: a sign of too
few runs, not of a real effect.

## The project's own study

`experiments/sweeps/study3_sobol` is the real thing: Morris screening of 41 parameters, then Sobol
indices of the ten that mattered, on the *effect* of two ramp-ups (their 2027 crossings minus the
pilot's, replicate by replicate). Its table, largest total index first:""",
    ),
    (
        "code",
        """study = pd.read_csv("../experiments/sweeps/study3_sobol/sobol.csv")
study.pivot(index="parameter", columns="output", values="ST").sort_values(study["output"].iloc[0],
                                                                         ascending=False).round(2)""",
    ),
    (
        "md",
        """## Exercises

1. Raise `base_samples` to 64. Which indices change most? Are the confidence intervals four times
   narrower, or two?
2. Add a line `contrast = "..."` to the Sobol spec with the path of `SCENARIOS["no_deal"]`, so that
   every point also runs `no_deal` on the same seeds, and analyse the effect column
   (`rampup_x10-no_deal/arrivals_2026`) instead. Which parameters matter for the effect of the ramp-up, rather than for the level of
   crossings?
3. Widen `deterrence_strength` to `low = 0, high = 10`. What happens to its S1, and why?
4. In the sweep, why does the curve for strength 0 barely move with capacity? Read the removals
   (`outputs = ["arrivals", "removed"]`) to check.""",
    ),
]

THE_DATA = [
    (
        "md",
        """# 4. The data behind the model

The model is calibrated to four small files in `seeds/` (their sources and licences are in
`seeds/SOURCES.md`):

* `small_boats_daily.csv`: people and boats arriving in the UK each day, 2018-2025 (Home Office);
* `small_boats_weekly_with_french_preventions.csv`: weekly arrivals and the people French
  authorities stopped from crossing;
* `one_in_one_out_observations.csv`: the pilot's cumulative returns and admissions, as reported;
* `scheme_events.csv`: the dated events of the pilot.

**What the data show, in plain words.** This notebook looks at four features of the data that
the model's rules are built on:
**seasonality** (more people come in summer), **crossing days** (the sea allows crossings only on
some days, and calm days come in runs), **people per boat** (smugglers have packed boats fuller
and fuller) and the **pilot's timeline**. Each section shows the data, then the value the model
uses, read from `deterrence_sim.params.PARAMS`.""",
    ),
    (
        "code",
        SETUP
        + """

daily = pd.read_csv("../seeds/small_boats_daily.csv", parse_dates=["date"], index_col="date")
daily.loc["2025"].sum()""",
    ),
    (
        "md",
        """## Seasonality

Each year's monthly share of its arrivals. The model spreads each year's inflow over the months
with the shape of 2023-2025 (the years it is calibrated on): `inflow_seasonality`.""",
    ),
    (
        "code",
        """monthly = daily["migrants_arrived"].resample("MS").sum()
shares = monthly.groupby(monthly.index.year).transform(lambda m: 100 * m / m.sum())
month_names = pd.date_range("2025-01-01", periods=12, freq="MS").strftime("%b")
model_shape = np.array(params.PARAMS["inflow_seasonality"].default)
model_shape = 100 * model_shape / model_shape.sum()

fig, ax = plt.subplots(figsize=(8, 3.5), num="seasonality")
for year in range(2019, 2026):
    ax.plot(range(12), shares[str(year)].values, color="0.7", lw=1)
ax.plot(range(12), model_shape, "o-", color="C3", lw=2, label="model (inflow_seasonality)")
ax.set_xticks(range(12), month_names)
ax.set_ylabel("share of the year's arrivals (%)")
ax.set_title("Each grey line is one year, 2019-2025")
ax.legend(fontsize=8)
pd.Series(model_shape.round(1), index=month_names)""",
    ),
    (
        "md",
        """## Crossing days

Nobody crosses on a rough day, so a day with at least one arrival stands for a day the sea allowed
it. Calm days come in runs: the chance of a crossing day is higher after a crossing day than after
a day without. The model draws its weather from a two-state chain with these two chances for each
month (`calm_after_calm`, `calm_after_rough`), estimated from 2022-2025.""",
    ),
    (
        "code",
        """calm = daily.loc["2022":"2025", "migrants_arrived"] > 0
after_calm = calm.shift(1).fillna(False).astype(bool)
by_month = pd.DataFrame({"month": calm.index.month, "calm": calm, "after_calm": after_calm}).iloc[1:]
chain = pd.DataFrame({
    "after a crossing day": by_month[by_month.after_calm].groupby("month")["calm"].mean(),
    "after a day without": by_month[~by_month.after_calm].groupby("month")["calm"].mean(),
    "model: calm_after_calm": params.PARAMS["calm_after_calm"].default,
    "model: calm_after_rough": params.PARAMS["calm_after_rough"].default,
})

fig, ax = plt.subplots(figsize=(8, 3.5), num="crossing days")
ax.plot(range(12), chain["after a crossing day"], "o", color="C0", label="data: after a crossing day")
ax.plot(range(12), chain["model: calm_after_calm"], "-", color="C0", label="model: calm_after_calm")
ax.plot(range(12), chain["after a day without"], "s", color="C1", label="data: after a day without")
ax.plot(range(12), chain["model: calm_after_rough"], "-", color="C1", label="model: calm_after_rough")
ax.set_xticks(range(12), month_names)
ax.set_ylim(0, 1)
ax.set_ylabel("chance of a crossing day")
ax.legend(fontsize=7, ncols=2)
chain.round(3)""",
    ),
    (
        "md",
        """## People per boat

Boats have carried more and more people: from about 13 in 2019 to over 60 in 2025. In the model,
each smuggling network packs its boats fuller after losing one to the police
(`people_per_boat_gain`), up to `people_per_boat_max`.""",
    ),
    (
        "code",
        """per_boat = (daily["migrants_arrived"].resample("MS").sum()
            / daily["boats_arrived"].resample("MS").sum().where(lambda b: b > 0)).loc["2019":].dropna()

fig, ax = plt.subplots(figsize=(8, 3.5), num="people per boat")
ax.plot(per_boat.index, per_boat.values, color="C4", label="observed, monthly")
ax.axhline(params.PARAMS["people_per_boat_max"].default, color="k", ls=":", label="model: people_per_boat_max")
ax.set_ylabel("people per arriving boat")
ax.set_ylim(0, 90)
ax.legend(fontsize=8)
per_boat.groupby(per_boat.index.year).mean().round(1)""",
    ),
    (
        "md",
        """## The pilot's timeline

The pilot's events and its reported figures. The model's defaults follow the same dates:
detentions and the legal route from 2025-08-06, flights from 2025-09-15.""",
    ),
    (
        "code",
        """events = pd.read_csv("../seeds/scheme_events.csv", parse_dates=["date"])
reported = pd.read_csv("../seeds/one_in_one_out_observations.csv", parse_dates=["date"])

fig, ax = plt.subplots(figsize=(9, 3.5), num="pilot timeline")
ax.plot(reported["date"], reported["returned_to_france_cumulative"], "o-", color="C3", label="returned to France")
ax.plot(reported["date"], reported["admitted_to_uk_cumulative"], "s-", color="C2", label="admitted to the UK")
for when in events["date"]:
    ax.axvline(when, color="0.7", lw=0.8)
ax.set_xlim(pd.Timestamp("2025-07-01"), pd.Timestamp("2026-07-01"))
ax.xaxis.set_major_locator(mdates.MonthLocator())
ax.xaxis.set_major_formatter(mdates.DateFormatter("%b"))
ax.set_ylabel("people (total since the start)")
ax.set_title("The pilot: reported totals, with its events as grey lines")
ax.legend(fontsize=8)
events[["date", "event"]]""",
    ),
    (
        "md",
        """## Exercises

1. Which year's seasonal shape differs most from the model's? What might have caused it?
2. Compute the share of crossing days per month in 2025 alone. Is 2025 calmer or rougher than
   2022-2025 on average?
3. The weekly file has French preventions from May 2024. Compute the share of attempts stopped
   (prevented / (prevented + arrived)) in 2024 and in each half of 2025, and compare with
   `params.PARAMS["beach_prevention_prob"].default`.
4. From the pilot's reported totals, how many returns a week did the pilot manage between
   October and January? How does that compare with `france_weekly_cap`?""",
    ),
]

NOTEBOOKS = {
    "01_first_run.ipynb": FIRST_RUN,
    "02_does_removal_deter.ipynb": DOES_REMOVAL_DETER,
    "03_what_matters.ipynb": WHAT_MATTERS,
    "04_the_data.ipynb": THE_DATA,
}


def build(name: str, cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell(src) if kind == "md" else nbformat.v4.new_code_cell(src) for kind, src in cells
    ]
    for i, cell in enumerate(nb.cells):  # stable ids, so that rebuilding gives the same file
        cell["id"] = f"{Path(name).stem[:2]}-{i:02d}"
    return nb


def execute(nb: nbformat.NotebookNode, timeout: int = 600) -> nbformat.NotebookNode:
    """Run every cell in a fresh kernel, in the notebooks folder; raises on the first error."""
    NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(HERE)}}).execute()
    return nb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="also run each notebook (outputs are not kept)")
    args = parser.parse_args()
    for old in HERE.glob("*.ipynb"):
        if old.name not in NOTEBOOKS:
            old.unlink()
            print(f"removed {old}")
    for name, cells in NOTEBOOKS.items():
        nb = build(name, cells)
        nbformat.write(nb, HERE / name)
        print(f"wrote {HERE / name}")
        if args.check:
            t0 = time.perf_counter()
            execute(nb)
            print(f"ran {name}: no errors, {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
