"""The main job's outputs: tables as CSV, the figures, and ``report.md``, a briefing.

The report starts with the answer in plain words (median effect, 90% interval, chance of a cut
over 10%, and what the data cannot tell), then one table of every scenario, the forest plot of
the effects, the decomposition, the structural alternatives, the drivers of the spread, the
priors, the conditional dose-response, and the definitions of every metric. Every file is
written atomically (:mod:`deterrence_sim.safeio`); the report holds no timing, so that a resumed
run writes the same files as a run straight through (the time is in ``timing.json``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from . import effects, safeio
from .alternatives import ALTERNATIVES, FIT_TOLERANCE
from .scenario import RAMP_DATE
from .uncertainty import prior_table

HEADLINE_SCENARIOS = ("pilot", "rampup_x5", "parity")
BASELINE = "no_deal"


def pct(x, signed=True) -> str:
    if x is None or pd.isna(x):
        return "n/a"
    return f"{100 * x:+.1f}%" if signed else f"{100 * x:.0f}%"


def interval(lo, hi, fmt=pct) -> str:
    """``lo to hi``, or one value when both ends agree (never "0.00 to 0.00")."""
    a, b = fmt(lo), fmt(hi)
    return a if a == b else f"{a} to {b}"


def people(x) -> str:
    return "n/a" if pd.isna(x) else f"{x:+,.0f}"


# ------------------------------------------------------------------------------ figures
def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_forest(headline: pd.DataFrame, path: Path) -> None:
    """Median effect and 90% interval per scenario (rows) and year (colours)."""
    plt = _plt()
    names = list(dict.fromkeys(headline["scenario"]))
    years = sorted(headline["year"].unique())
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(names) * max(1, len(years) / 2) + 1.5))
    step = 0.8 / max(len(years), 1)
    for j, year in enumerate(years):
        h = headline[headline["year"] == year].set_index("scenario").reindex(names)
        y = np.arange(len(names)) + (j - (len(years) - 1) / 2) * step
        ax.errorbar(100 * h["effect_p50"], y, xerr=[100 * (h["effect_p50"] - h["effect_p05"]),
                                                     100 * (h["effect_p95"] - h["effect_p50"])],
                    fmt="o", ms=4, capsize=2, color=f"C{j}", label=str(year))
    ax.axvline(0, color="k", lw=0.6)
    ax.axvline(100 * effects.CUT_THRESHOLD, color="0.5", lw=0.6, ls=":")
    ax.set_yticks(np.arange(len(names)), names)
    ax.invert_yaxis()
    ax.set_xlabel(f"effect on crossings vs {BASELINE} (%): median and 90% interval over replicates")
    ax.set_title("Effect of each scenario on small-boat crossings, by year (dotted: a 10% cut)")
    ax.legend(title="year", fontsize=8)
    fig.tight_layout()
    safeio.save_figure(fig, path, dpi=130)
    plt.close(fig)


def plot_monthly(monthly: dict[str, pd.DataFrame], path: Path) -> None:
    """Crossings per month (median and 90% band) of the headline scenarios against no_deal."""
    plt = _plt()
    names = [n for n in HEADLINE_SCENARIOS if n in monthly] or [n for n in monthly if n != BASELINE][:3]
    fig, axes = plt.subplots(1, max(len(names), 1), figsize=(4.2 * max(len(names), 1), 3.2), sharey=True,
                             squeeze=False)
    for ax, name in zip(axes.flat, names):
        for key, colour in ((BASELINE, "0.6"), (name, "C0")):
            if key not in monthly:
                continue
            m = monthly[key]
            ax.fill_between(m.index, m["p05"], m["p95"], color=colour, alpha=0.3, linewidth=0)
            ax.plot(m.index, m["p50"], color=colour, label=key)
        ax.axvline(pd.Timestamp(RAMP_DATE), color="k", lw=0.6, ls=":")
        ax.set_title(name, fontsize=10)
        ax.legend(fontsize=7, loc="upper left")
    axes.flat[0].set_ylabel("arrivals per month (median, 90% band)")
    fig.autofmt_xdate()
    fig.tight_layout()
    safeio.save_figure(fig, path, dpi=130)
    plt.close(fig)


def plot_dose(dose: pd.DataFrame, path: Path) -> None:
    """Change in crossings against removals as a share of arrivals, with 90% intervals."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    for i, (label, g) in enumerate(dose.groupby("deterrence", sort=False)):
        x = 100 * g["removal_share"]
        ax.plot(x, 100 * g["crossings_change"], "o-", color=f"C{i}",
                label=f"{label} deterrence (strength {g['strength'].iloc[0]:g})")
        ax.fill_between(x, 100 * g["crossings_change_p05"], 100 * g["crossings_change_p95"], color=f"C{i}",
                        alpha=0.2, linewidth=0)
    ax.axhline(0, color="k", lw=0.6)
    ax.set_xlabel(f"removals as a share of arrivals after {RAMP_DATE} (%)")
    ax.set_ylabel("change in crossings vs no ramp-up (%)")
    ax.set_xlim(-2, 102)
    ax.set_title("Dose-response at fixed deterrence strengths (calibrated parameters)")
    ax.legend()
    fig.tight_layout()
    safeio.save_figure(fig, path, dpi=130)
    plt.close(fig)


# ------------------------------------------------------------------------------ text
def where_removals_bite(dose: pd.DataFrame, threshold: float = -0.10) -> list[str]:
    """One sentence per deterrence strength: the smallest removal share at which crossings fall
    by more than 10% with the whole 90% interval below zero, if any."""
    out = []
    for label, g in dose.groupby("deterrence", sort=False):
        g = g.dropna(subset=["crossings_change"])
        head = f"- **{label}** deterrence (strength {g['strength'].iloc[0]:g}):" if len(g) else f"- **{label}**:"
        if g.empty:
            out.append(f"{head} no crossings were simulated after {RAMP_DATE}; nothing to say.")
            continue
        bites = g[(g["crossings_change"] <= threshold) & (g["crossings_change_p95"] < 0)]
        top = g.iloc[-1]
        at_top = (f"at {100 * top['removal_share']:.0f}% of arrivals removed, crossings change by "
                  f"{pct(top['crossings_change'])} ({interval(top['crossings_change_p05'], top['crossings_change_p95'])})")
        if bites.empty:
            out.append(f"{head} removals do not cut crossings by 10% at any tested level; {at_top}.")
        else:
            r = bites.iloc[0]
            out.append(f"{head} crossings first fall by more than 10% when about {100 * r['removal_share']:.0f}% "
                       f"of arrivals are removed ({pct(r['crossings_change'])}); {at_top}.")
    return out


def _brief(headline, decomposition, drivers, info) -> list[str]:
    """The answer in plain words."""
    last = int(headline["year"].max())
    lines = []
    for name in [n for n in HEADLINE_SCENARIOS if n in set(headline["scenario"])]:
        r = headline[(headline["scenario"] == name) & (headline["year"] == last)].iloc[0]
        lines.append(f"- **{name}**: in {last}, crossings change by a median **{pct(r['effect_p50'])}** against "
                     f"`{BASELINE}` (90% interval {interval(r['effect_p05'], r['effect_p95'])}); the chance that "
                     f"they fall by more than 10% is **{pct(r['prob_cut_over_10pct'], signed=False)}**.")
    if decomposition is not None and len(decomposition):
        d = decomposition[(decomposition["scenario"] == "pilot") & (decomposition["period"] == "all")]
        if len(d):
            s = d.set_index("part")
            lines.append(f"- Of the pilot's effect over the whole run ({people(s.loc['total', 'change_mean'])} "
                         f"crossings on average), {people(s.loc['legal route', 'change_mean'])} come from the legal "
                         f"route, {people(s.loc['deterrence by removals', 'change_mean'])} from deterrence by "
                         f"removals and {people(s.loc['removals themselves', 'change_mean'])} from removals "
                         "themselves (see below).")
    if info["uncertainty"] == "fixed":
        lines.append("- These figures hold every uncertain parameter at its calibrated value (`--uncertainty "
                     "fixed`): their intervals show the model's own chance only, not what we do not know.")
    else:
        top = ""
        if drivers is not None and len(drivers):
            col = drivers.columns[-1]
            order = drivers[col].abs().sort_values(ascending=False)
            top = (f" The spread is driven mostly by `{order.index[0]}` (rank correlation with the {col} effect "
                   f"{drivers.loc[order.index[0], col]:+.2f})"
                   + (f" and `{order.index[1]}` ({drivers.loc[order.index[1], col]:+.2f})" if len(order) > 1 else "")
                   + ".")
        lines.append("- **What the data cannot tell.** The crossings of 2023-2025 and the pilot's few hundred "
                     "removals do not pin down how strongly removals deter (`deterrence_strength`: the "
                     "calibration's posterior is as wide as its prior), how fast people give up on the coast, "
                     "how much a removal weighs in people's minds, or the legal route's and the courts' rates. "
                     "Each replicate draws them from the priors listed below, so the intervals are as wide as "
                     "that ignorance; they are not forecasts." + top)
    if info["replicates"] < effects.MIN_PAIRS:
        lines.append(f"- **Warning: only {info['replicates']} replicates per scenario.** The 5th and 95th "
                     f"percentiles rest on fewer than {max(int(0.05 * info['replicates']), 1)} replicates beyond "
                     f"each end; use at least {effects.MIN_PAIRS} (`--replicates`) before quoting the intervals.")
    return lines


def _scenario_table(headline, descriptions) -> list[str]:
    yrs = sorted(headline["year"].unique())
    lines = ["| scenario | " + " | ".join(f"{y}: median (90% interval); P(cut > 10%)" for y in yrs) + " |",
             "|---|" + "---|" * len(yrs)]
    for name in dict.fromkeys(headline["scenario"]):
        h = headline[headline["scenario"] == name].set_index("year")
        cells = [f"{pct(h.loc[y, 'effect_p50'])} ({interval(h.loc[y, 'effect_p05'], h.loc[y, 'effect_p95'])}); "
                 f"{pct(h.loc[y, 'prob_cut_over_10pct'], signed=False)}" for y in yrs]
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    base = headline.drop_duplicates("year").set_index("year")["baseline_crossings_p50"]
    lines += ["", f"`{BASELINE}` crossings (median over replicates): "
              + ", ".join(f"{y}: {base[y]:,.0f}" for y in yrs) + ".", ""]
    lines += [f"- `{n}`: {d}" for n, d in descriptions.items() if d]
    return lines


TOTALS = (("removed", "removed to France"), ("admitted", "admitted by the legal route"),
          ("recrossings", "re-crossings"), ("deaths", "deaths at sea"), ("mean_price_gbp", "mean price (GBP)"))


def _totals_table(summary) -> list[str]:
    """Other totals over the whole run, per scenario: mean (90% interval over replicates)."""
    def num(x):
        return "n/a" if pd.isna(x) else f"{x:,.0f}"

    lines = ["| scenario | " + " | ".join(label for _, label in TOTALS) + " |", "|---|" + "---:|" * len(TOTALS)]
    for name, g in summary.groupby("scenario", sort=False):
        g = g.set_index("metric")
        cells = []
        for m, _ in TOTALS:
            if m not in g.index:
                cells.append("")
                continue
            iv = interval(g.loc[m, "p05"], g.loc[m, "p95"], num)
            cells.append(num(g.loc[m, "mean"]) + ("" if iv == num(g.loc[m, "mean"]) else f" ({iv})"))
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    return lines


def _decomposition_table(dec) -> list[str]:
    d = dec[dec["period"] == "all"]
    if d.empty:
        return []
    n = int(d["n_pairs"].min())
    lines = [f"Mean change in crossings over the whole run, in people and in per cent of `{BASELINE}`, with the "
             f"part's share of the total ({n} replicates; standard error of each mean in brackets). Removals "
             "themselves = removals with nobody deterred and no legal route; deterrence by removals = the legal "
             "route closed, deterrence on minus off; legal route = the scenario minus the same with the route "
             "closed. The parts add up to the total.", "",
             "| scenario | removals themselves | deterrence by removals | legal route | total |", "|---|---:|---:|---:|---:|"]
    for name, g in d.groupby("scenario", sort=False):
        s = g.set_index("part")
        cells = []
        for part in ("removals themselves", "deterrence by removals", "legal route", "total"):
            r = s.loc[part]
            share = "" if part == "total" or pd.isna(r["share_of_total"]) else f", {pct(r['share_of_total'], False)}"
            cells.append(f"{people(r['change_mean'])} (±{r['change_se']:,.0f}; {pct(r['effect_mean'])}{share})")
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    return lines


def _alternatives_table(alt) -> list[str]:
    if alt is None or alt.empty:
        return []
    year = int(alt["year"].iloc[0])
    names = list(dict.fromkeys(alt["scenario"]))
    lines = [f"Effect on crossings in {year}: median (90% interval); P(cut > 10%). Each structure is run on the "
             "same replicates (draws and seeds) as the row \"today's structure\".", "",
             "| structure | " + " | ".join(f"`{n}`" for n in names) + " | replicates |",
             "|---|" + "---|" * len(names) + "---:|"]
    for label, g in alt.groupby("alternative", sort=False):
        g = g.set_index("scenario")
        cells = [f"{pct(g.loc[n, 'effect_p50'])} ({interval(g.loc[n, 'effect_p05'], g.loc[n, 'effect_p95'])}); "
                 f"{pct(g.loc[n, 'prob_cut_over_10pct'], False)}" if n in g.index else "" for n in names]
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {int(g['n_pairs'].max())} |")
    if ALTERNATIVES:
        lines += [""] + [f"- **{a.label}** (`{', '.join(f'{k} = {v}' for k, v in a.overrides.items())}`): "
                         f"{a.meaning}" for a in ALTERNATIVES]
    lines += ["", f"The last rows keep only the replicates whose `pilot` run reproduces the observed 2025 arrivals "
              f"within {FIT_TOLERANCE:.0%}: the unidentified parameters are drawn independently of the calibration, "
              "and some combinations (fast leaving, say) would not reproduce 2025."]
    return lines


def write_report(path: Path, result: dict, info: dict) -> None:
    headline, dec, alt, dose = result["headline"], result.get("decomposition"), result.get("alternatives"), \
        result.get("dose")
    drivers = result.get("drivers")
    lines = ["# Would scaling up removals deter crossings?", "",
             f"{info['replicates']} replicates per scenario, simulated {info['start']} to {info['end']}, seed "
             f"{info['seed']}. Replicate *i* of every scenario draws one set of uncertain parameters and one seed, "
             f"shared with its paired `{BASELINE}` run; effects are taken pair by pair."
             + (f" Fixed by `--set`: {', '.join(f'`{k}`' for k in info['sets'])}." if info["sets"] else ""), "",
             "## The answer in brief", ""] + _brief(headline, dec, drivers, info) + [""]
    lines += ["## Every scenario", "", "Effect on crossings against `no_deal`, per year (metric names defined at the "
              "end).", ""] + _scenario_table(headline, info["descriptions"]) + ["",
              "![effects](effects_forest.png)", "", "Crossings per month: `crossings_per_month.png`.", ""]
    lines += ["Other totals over the whole run: mean (90% interval over replicates).", ""] + \
        _totals_table(result["summary"]) + [""]
    if dec is not None and len(dec):
        lines += ["## Where the effect comes from", ""] + _decomposition_table(dec) + [""]
    if alt is not None and len(alt):
        lines += ["## Structural alternatives", ""] + _alternatives_table(alt) + [""]
    if drivers is not None and len(drivers):
        lines += ["## What drives the spread", "", "Spearman rank correlation between each drawn parameter and the "
                  f"effect in {int(headline['year'].max())} (negative: higher values mean larger cuts).", "",
                  "| parameter | " + " | ".join(f"`{c}`" for c in drivers.columns) + " |",
                  "|---|" + "---:|" * len(drivers.columns)]
        order = drivers.abs().max(axis=1).sort_values(ascending=False).index
        lines += [f"| `{p}` | " + " | ".join(f"{drivers.loc[p, c]:+.2f}" for c in drivers.columns) + " |"
                  for p in order] + [""]
    if info["uncertainty"] == "full":
        lines += ["## What is uncertain, and why", "", "Drawn afresh for every replicate "
                  "(`src/deterrence_sim/uncertainty.py`, the one place these priors are written):", "",
                  "| parameter | drawn from | 5% | median | 95% | source or reasoning |", "|---|---|---:|---:|---:|---|"]
        for r in prior_table():
            q = [("" if pd.isna(r[k]) else f"{r[k]:.4g}") for k in ("p05", "p50", "p95")]
            lines.append(f"| `{r['parameter']}` | {r['distribution']} | {q[0]} | {q[1]} | {q[2]} | {r['source']} |")
        lines.append("")
    if dose is not None:
        lines += ["## Second view: dose-response at fixed deterrence strengths", "",
                  f"Conditional on the calibrated parameters and on each strength: removal capacity scaled from "
                  f"{RAMP_DATE} as multiples of the pilot's, every arrival scheme-eligible and France accepting all. "
                  f"Change in crossings after {RAMP_DATE} against the same strength with no ramp-up "
                  f"({info['dose_replicates']} replicates a point).", ""] + where_removals_bite(dose) + ["",
                  "| deterrence | capacity x | removals / arrivals | change in crossings (mean, 90% interval) | "
                  "change in attempts |", "|---|---:|---:|---:|---:|"]
        for _, r in dose.iterrows():
            lines.append(f"| {r['deterrence']} ({r['strength']:g}) | {r['capacity_multiple']:g} | "
                         f"{100 * r['removal_share']:.1f}% | {pct(r['crossings_change'])} "
                         f"({interval(r['crossings_change_p05'], r['crossings_change_p95'])}) | "
                         f"{pct(r['attempts_change'])} |")
        lines += ["", "![dose-response](dose_response.png)", ""]
    lines += ["## Metrics", ""] + [f"- `{k}`: {v}" for k, v in effects.METRIC_DEFINITIONS.items()]
    lines += ["", "Files: `headline.csv`, `decomposition.csv`, `alternatives.csv`, `summary.csv` (every metric, "
              "mean and 90% interval, and the paired difference), `draws.csv` (each replicate's parameters), "
              "`dose_response.csv`; raw daily output in `daily/`.", ""]
    safeio.write_text(path, "\n".join(lines))


def write_all(out: Path, result: dict, info: dict) -> None:
    """Every table, figure and the report, each written atomically."""
    fmt = {"index": False, "float_format": "%.6g"}
    safeio.write_csv(out / "headline.csv", result["headline"], **fmt)
    safeio.write_csv(out / "summary.csv", result["summary"], **fmt)
    if result.get("decomposition") is not None and len(result["decomposition"]):
        safeio.write_csv(out / "decomposition.csv", result["decomposition"], **fmt)
    if result.get("alternatives") is not None and len(result["alternatives"]):
        safeio.write_csv(out / "alternatives.csv", result["alternatives"], **fmt)
    if result.get("draws") is not None:
        safeio.write_csv(out / "draws.csv", result["draws"], index=True, float_format="%.6g")
    if result.get("dose") is not None:
        safeio.write_csv(out / "dose_response.csv", result["dose"], **fmt)
        plot_dose(result["dose"], out / "dose_response.png")
    plot_forest(result["headline"], out / "effects_forest.png")
    plot_monthly(result["monthly"], out / "crossings_per_month.png")
    write_report(out / "report.md", result, info)
