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

from . import effects
from .. import safeio
from .alternatives import ALTERNATIVES, FIT_TOLERANCE
from ..scenario import RAMP_DATE
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
    headline = headline[headline["against"] == BASELINE] if "against" in headline.columns else headline
    names = list(dict.fromkeys(headline["scenario"]))
    years = sorted(headline["year"].unique())
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(names) * max(1, len(years) / 2) + 1.5))
    step = 0.8 / max(len(years), 1)
    for j, year in enumerate(years):
        h = headline[headline["year"] == year].set_index("scenario").reindex(names)
        y = np.arange(len(names)) + (j - (len(years) - 1) / 2) * step
        ax.errorbar(
            100 * h["effect_p50"],
            y,
            xerr=[100 * (h["effect_p50"] - h["effect_p05"]), 100 * (h["effect_p95"] - h["effect_p50"])],
            fmt="o",
            ms=4,
            capsize=2,
            color=f"C{j}",
            label=str(year),
        )
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
    fig, axes = plt.subplots(1, max(len(names), 1), figsize=(4.2 * max(len(names), 1), 3.2), sharey=True, squeeze=False)
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
        ax.plot(
            x,
            100 * g["crossings_change"],
            "o-",
            color=f"C{i}",
            label=f"{label} deterrence (strength {g['strength'].iloc[0]:g})",
        )
        ax.fill_between(
            x, 100 * g["crossings_change_p05"], 100 * g["crossings_change_p95"], color=f"C{i}", alpha=0.2, linewidth=0
        )
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
        at_top = (
            f"at {100 * top['removal_share']:.0f}% of arrivals removed, crossings change by "
            f"{pct(top['crossings_change'])} ({interval(top['crossings_change_p05'], top['crossings_change_p95'])})"
        )
        if bites.empty:
            out.append(f"{head} removals do not cut crossings by 10% at any tested level; {at_top}.")
        else:
            r = bites.iloc[0]
            out.append(
                f"{head} crossings first fall by more than 10% when about {100 * r['removal_share']:.0f}% "
                f"of arrivals are removed ({pct(r['crossings_change'])}); {at_top}."
            )
    return out


DECISION_COMPARATOR = effects.DECISION_COMPARATOR
#: The ramp-ups the decision is about, in the order the brief lists them.
RAMPUPS = ("rampup_x2", "rampup_x5", "rampup_x10", "parity", "rampup_flights_only")


def _contrast_table(headline, against, names) -> list[str]:
    """The lead table: each scenario against ``against`` in the last year."""
    last = int(headline["year"].max())
    h = headline[(headline["against"] == against) & (headline["year"] == last)].set_index("scenario")
    lines = [
        f"| scenario against `{against}` | {last}: median | 90% interval | P(cut > 10%) | P(cut > 50%) | pairs |",
        "|---|---:|---|---:|---:|---:|",
    ]
    for name in [n for n in names if n in h.index]:
        r = h.loc[name]
        lines.append(
            f"| `{name}` | **{pct(r['effect_p50'])}** | {interval(r['effect_p05'], r['effect_p95'])} | "
            f"{pct(r['prob_cut_over_10pct'], False)} | {pct(r['prob_cut_over_50pct'], False)} | "
            f"{int(r['n_pairs'])} |"
        )
    return lines


def _decision(headline) -> list[str]:
    """Each ramp-up against the pilot (the decision), then against no_deal."""
    present = list(dict.fromkeys(headline["scenario"]))
    ramps = [n for n in RAMPUPS if n in present] or [n for n in present if n != DECISION_COMPARATOR]
    lines = []
    if (headline["against"] == DECISION_COMPARATOR).any():
        lines += (
            [
                f"The decision is whether to scale up from the pilot, so each ramp-up is first taken against "
                f"`{DECISION_COMPARATOR}` (replicate *i* of both shares its draw and seed): crossings in the "
                "last simulated year, scenario over pilot minus one.",
                "",
            ]
            + _contrast_table(headline, DECISION_COMPARATOR, ramps)
            + [""]
        )
    lines += [f"Second, against `{BASELINE}` (no deal at all):", ""] + _contrast_table(
        headline, BASELINE, [DECISION_COMPARATOR, *ramps]
    )
    return lines


def collapse_sentence(bands) -> str:
    """One sentence: what has to be true for the collapse regime (a cut of more than half)."""
    if bands is None or bands.empty:
        return ""
    b = bands[bands["against"] == DECISION_COMPARATOR]
    b = b if len(b) else bands
    hits = b[(b["prob_cut_over_50pct"] >= 0.5) & (b["n"] > 0)]
    if hits.empty:
        top = b.loc[b["prob_cut_over_50pct"].idxmax()]
        return (
            f"No band of deterrence strength gives a cut of more than half in most replicates; the most is "
            f"{pct(top['prob_cut_over_50pct'], False)} for `{top['scenario']}` at strengths {top['band']}."
        )
    first = hits.iloc[0]
    same = b[b["scenario"] == first["scenario"]].reset_index(drop=True)
    at = same.index[same["band"] == first["band"]][0]
    below = same.iloc[:at]
    return (
        f"**The collapse regime** (crossings more than halved) needs people on the coast to respond to perceived "
        f"removal risk with a deterrence strength of at least about {first['band'].split('-')[0].strip('> ')} "
        f"(`{first['scenario']}` against `{first['against']}`: P(cut > 50%) "
        f"{pct(first['prob_cut_over_50pct'], False)} for strengths {first['band']}, at most "
        f"{pct(below['prob_cut_over_50pct'].max(), False) if len(below) else 'n/a'} below), a response at the "
        "scale of the anchor episodes (Australia 2013-14, Albania 2022-23) read as caused by removals alone."
    )


#: The contrasts set before and after the 2026 data: the pilot against no deal, the ramp-ups against the pilot.
BEFORE_AFTER = (("pilot", BASELINE), ("rampup_x5", DECISION_COMPARATOR), ("parity", DECISION_COMPARATOR))


def _strength(draws) -> str:
    """Median and 90% range of the drawn deterrence strength, or an empty string."""
    if draws is None or "deterrence_strength" not in draws.columns:
        return ""
    q = draws["deterrence_strength"].quantile([0.05, 0.5, 0.95]).to_numpy()
    return f"{q[1]:.2f} ({q[0]:.2f} to {q[2]:.2f})"


def before_after(headline, draws, before) -> list[str]:
    """The headline drawn from the fit to 2025-12-31 (``before``, an earlier comparison read by
    :func:`deterrence_sim.analyses.compare.read_before`) beside this run's, for :data:`BEFORE_AFTER`, in the
    last year both simulate; and the deterrence strength each drew."""
    if not before:
        return []
    old = before["headline"]
    last = int(min(headline["year"].max(), old["year"].max()))

    def cell(h, name, against):
        r = h[(h["scenario"] == name) & (h["against"] == against) & (h["year"] == last)]
        if r.empty:
            return "not run", None
        r = r.iloc[0]
        return (
            f"{pct(r['effect_p50'])} ({interval(r['effect_p05'], r['effect_p95'])}); P(>10%) "
            f"{pct(r['prob_cut_over_10pct'], False)}, P(>50%) {pct(r['prob_cut_over_50pct'], False)}; "
            f"{int(r['n_pairs'])} pairs"
        ), r

    lines = [
        f"The same comparison (same seed, scenarios and horizon) drawn from the joint fit to the data cut at "
        f"2025-12-31 (before: `{before['settings'].get('posterior') or 'the priors'}`, read from "
        f"`{before['folder']}`) and from the fit to 2026-04-30 (after: this run). Effect on crossings in {last}, "
        "median (90% interval) and the chances of a cut over 10% and over half.",
        "",
        "| contrast | before: fitted to 2025-12-31 | after: fitted to 2026-04-30 | median moved by |",
        "|---|---|---|---:|",
    ]
    for name, against in BEFORE_AFTER:
        b, rb = cell(old, name, against)
        a, ra = cell(headline, name, against)
        moved = "" if rb is None or ra is None else f"{100 * (ra['effect_p50'] - rb['effect_p50']):+.1f} points"
        lines.append(f"| `{name}` against `{against}` | {b} | {a} | {moved} |")
    sb, sa = _strength(before.get("draws")), _strength(draws)
    if sb and sa:
        lines += ["", f"Deterrence strength drawn by the replicates, median (90% range): before {sb}; after {sa}."]
    settings = before["settings"]
    if settings.get("seed") is not None:
        lines += [
            "",
            f"Before: seed {settings.get('seed')}, horizon {settings.get('horizon_end')}, version "
            f"{settings.get('version')}.",
        ]
    return lines


def _band_table(bands) -> list[str]:
    """Rows: bands of strength; columns: each scenario against the pilot (the pilot against no_deal)."""
    if bands is None or bands.empty:
        return []
    keep = bands[(bands["against"] == DECISION_COMPARATOR) | (bands["scenario"] == DECISION_COMPARATOR)]
    cols = list(dict.fromkeys(zip(keep["scenario"], keep["against"])))
    lines = [
        "| strength band | replicates | " + " | ".join(f"`{n}` vs `{a}`" for n, a in cols) + " |",
        "|---|---:|" + "---|" * len(cols),
    ]
    for band, g in keep.groupby("band", sort=False):
        g = g.set_index(["scenario", "against"])
        n = int(g["n"].max())
        cells = []
        for k in cols:
            r = g.loc[k]
            cells.append(
                ""
                if r["n"] == 0
                else f"{pct(r['effect_p50'])} ({interval(r['effect_p05'], r['effect_p95'])}); "
                f"P(>10%) {pct(r['prob_cut_over_10pct'], False)}, P(>50%) {pct(r['prob_cut_over_50pct'], False)}"
            )
        lines.append(f"| {band} | {n} | " + " | ".join(cells) + " |")
    return lines


def _brief(headline, decomposition, drivers, info, bands=None) -> list[str]:
    """The answer in plain words, after the decision's tables."""
    last = int(headline["year"].max())
    lines = []
    h = headline[headline["year"] == last]
    for name in [n for n in HEADLINE_SCENARIOS if n in set(h["scenario"]) and n != DECISION_COMPARATOR]:
        r = h[(h["scenario"] == name) & (h["against"] == DECISION_COMPARATOR)]
        if r.empty:
            continue
        r = r.iloc[0]
        lines.append(
            f"- **{name}** against the pilot: in {last}, crossings change by a median "
            f"**{pct(r['effect_p50'])}** (90% interval {interval(r['effect_p05'], r['effect_p95'])}); the "
            f"chance of a cut over 10% is **{pct(r['prob_cut_over_10pct'], False)}**, of a cut over half "
            f"**{pct(r['prob_cut_over_50pct'], False)}**."
        )
    sentence = collapse_sentence(bands)
    if sentence:
        lines.append(f"- {sentence} See the table by band of deterrence strength below.")
    if decomposition is not None and len(decomposition):
        d = decomposition[
            (decomposition["scenario"] == "pilot")
            & (decomposition["period"] == str(last))
            & (decomposition["against"] == BASELINE)
        ]
        if len(d):
            s = d.set_index("part")
            lines.append(
                f"- Of the pilot's mean effect in {last} against `{BASELINE}` "
                f"({pct(s.loc['total', 'effect_mean'])}, {int(s.loc['total', 'n_pairs'])} replicates), "
                f"{pct(s.loc['legal route', 'effect_mean'])} comes from the legal route, "
                f"{pct(s.loc['deterrence by removals', 'effect_mean'])} from deterrence by removals and "
                f"{pct(s.loc['removals themselves', 'effect_mean'])} from removals themselves "
                "(90% bootstrap intervals below)."
            )
    if info["uncertainty"] == "fixed":
        lines.append(
            "- These figures hold every uncertain parameter at its calibrated value (`--uncertainty "
            "fixed`): their intervals show the model's own chance only, not what we do not know."
        )
    else:
        top = ""
        if drivers is not None and len(drivers):
            col = drivers.columns[-1]
            order = drivers[col].abs().sort_values(ascending=False)
            top = (
                f" The spread is driven mostly by `{order.index[0]}` (rank correlation with the {col} effect "
                f"{drivers.loc[order.index[0], col]:+.2f})"
                + (f" and `{order.index[1]}` ({drivers.loc[order.index[1], col]:+.2f})" if len(order) > 1 else "")
                + "."
            )
        lines.append(
            "- **What the data cannot tell.** "
            + _identification_sentence(info)
            + " The legal route's and the courts' rates are drawn from the priors listed below. The "
            "intervals are as wide as that ignorance; they are not forecasts." + top
        )
    if info["replicates"] < effects.MIN_PAIRS:
        lines.append(
            f"- **Warning: only {info['replicates']} replicates per scenario.** The 5th and 95th "
            f"percentiles rest on fewer than {max(int(0.05 * info['replicates']), 1)} replicates beyond "
            f"each end; use at least {effects.MIN_PAIRS} (`--replicates`) before quoting the intervals."
        )
    return lines


def _identification_sentence(info) -> str:
    """What the fit left unknown about the deterrence strength: its drawn 90% range against its prior's."""
    from .uncertainty import PRIORS

    prior = PRIORS["deterrence_strength"]
    lo, hi = prior.quantile(0.05), prior.quantile(0.95)
    source = info.get("posterior") or "the posterior sample"
    post = info.get("strength_posterior")
    if post is None:
        return (
            f"How strongly removals deter (`deterrence_strength`) is drawn from its prior, {lo:.2f} to {hi:.2f} "
            "(90%): no posterior sample holds it."
        )
    ratio = (post[2] - post[0]) / (hi - lo)
    verdict = (
        "the data barely narrow it"
        if ratio > 0.8
        else "the data narrow it"
        if ratio > 0.4
        else "the data narrow it much"
    )
    return (
        f"How strongly removals deter (`deterrence_strength`), how fast people give up on the coast and how much "
        f"a removal weighs in people's minds are drawn jointly with the fitted parameters from `{source}`: its "
        f"90% posterior interval for the deterrence strength is {post[0]:.2f} to {post[2]:.2f} (median "
        f"{post[1]:.2f}), against {lo:.2f} to {hi:.2f} under the prior ({100 * ratio:.0f}% of its width: "
        f"{verdict}; experiments/calibration/validation.md says why)."
    )


def _scenario_table(headline, descriptions) -> list[str]:
    headline = headline[headline["against"] == BASELINE] if "against" in headline.columns else headline
    yrs = sorted(headline["year"].unique())
    lines = [
        "| scenario | " + " | ".join(f"{y}: median (90% interval); P(cut > 10%)" for y in yrs) + " |",
        "|---|" + "---|" * len(yrs),
    ]
    for name in dict.fromkeys(headline["scenario"]):
        h = headline[headline["scenario"] == name].set_index("year")
        cells = [
            f"{pct(h.loc[y, 'effect_p50'])} ({interval(h.loc[y, 'effect_p05'], h.loc[y, 'effect_p95'])}); "
            f"{pct(h.loc[y, 'prob_cut_over_10pct'], signed=False)}"
            for y in yrs
        ]
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    base = headline.drop_duplicates("year").set_index("year")["baseline_crossings_p50"]
    lines += [
        "",
        f"`{BASELINE}` crossings (median over replicates): " + ", ".join(f"{y}: {base[y]:,.0f}" for y in yrs) + ".",
        "",
    ]
    lines += [f"- `{n}`: {d}" for n, d in descriptions.items() if d]
    return lines


TOTALS = (
    ("removed", "removed to France"),
    ("admitted", "admitted by the legal route"),
    ("recrossings", "re-crossings"),
    ("deaths", "deaths at sea"),
    ("mean_price_gbp", "mean price (GBP)"),
)


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
    if dec is None or dec.empty:
        return []
    period = str(max(int(p) for p in dec["period"].unique() if p != "all"))
    d = dec[dec["period"] == period]
    n = int(d["n_pairs"].min())
    parts = ("removals themselves", "deterrence by removals", "legal route")
    from .decomposition import INTERACTION

    lines = [
        f"The mean effect on crossings in {period}, the headline's estimand (per cent of the comparator's "
        f"crossings in that year, pair by pair), split into its parts on {n} replicates (the first {n} of the "
        "headline's, same draws and seeds; every number here is from those runs). *Removals themselves*: "
        "the world with no deterrence (strength 0) and no legal route. *Deterrence by removals* and *legal "
        "route*: the exact Shapley values of the two causes over the four worlds with each on or off, so no "
        "order is assumed; the interaction (what the two do only together) is shown on its own and is "
        "already shared equally between them. Each cell: mean (90% bootstrap interval over replicates); "
        "share of the total (its interval). The parts add up to the total.",
        "",
        "| scenario | against | " + " | ".join(parts) + " | interaction | total |",
        "|---|---|" + "---:|" * (len(parts) + 2),
    ]
    for (name, against), g in d.groupby(["scenario", "against"], sort=False):
        r = g.set_index("part")
        cells = []
        for part in (*parts, INTERACTION, "total"):
            x = r.loc[part]
            cell = f"{pct(x['effect_mean'])} ({interval(x['effect_lo'], x['effect_hi'])})"
            if part in parts:
                cell += (
                    f"; {pct(x['share_of_total'], False)} ({pct(x['share_lo'], False)} to {pct(x['share_hi'], False)})"
                )
            cells.append(cell)
        lines.append(f"| `{name}` | `{against}` | " + " | ".join(cells) + " |")
    tot = d[(d["part"] == "total")].set_index(["scenario", "against"])
    lines += [
        "",
        "In people over the year (mean, 90% bootstrap interval): "
        + "; ".join(
            f"`{k[0]}` vs `{k[1]}` {people(r['change_mean'])} ({interval(r['change_lo'], r['change_hi'], people)})"
            for k, r in tot.iterrows()
        )
        + ". Every period, in people and per cent: `decomposition.csv`.",
    ]
    return lines


def _delay_table(delay) -> list[str]:
    if delay is None or delay.empty:
        return []
    year = int(delay["year"].iloc[0])
    lines = [
        "People who have not crossed yet are not deterred: they are still in northern France at the horizon "
        "(waiting on the coast, applied to the legal route, or returned to France) and may cross later. Per "
        "scenario: those people on the last day (mean over replicates), how many more than in the "
        f"comparator's paired run (mean, 90% range), the effect on {year}'s crossings (median), and the same "
        "effect with those people counted as crossings later ((crossings + still in France) over the "
        "comparator's, minus one); the last column is the extra people in France as a share of the whole "
        "run's cut in crossings (the part of the cut that is delay if they all cross later).",
        "",
        "| scenario | against | still in France | more than comparator | effect | effect counting them later "
        "| delay share of the cut |",
        "|---|---|---:|---|---:|---:|---:|",
    ]
    for _, r in delay.iterrows():
        share = "n/a (no cut)" if pd.isna(r["delay_share_of_cut"]) else pct(r["delay_share_of_cut"], False)
        lines.append(
            f"| `{r['scenario']}` | `{r['against']}` | {r['in_france_at_end']:,.0f} | "
            f"{people(r['extra_in_france_mean'])} ({interval(r['extra_in_france_p05'], r['extra_in_france_p95'], people)}) | "
            f"{pct(r['effect_p50'])} | {pct(r['effect_counting_later_p50'])} | {share} |"
        )
    return lines


def _structure_a(alt) -> list[str]:
    """Structure (a) beside today's structure on the same replicates, with the Albania check."""
    if alt is None or alt.empty:
        return []
    a = [x for x in ALTERNATIVES if x.name == "inflow_responds"]
    if not a:
        return []
    label = a[0].label
    today = alt[alt["alternative"].str.startswith("today's structure")]
    with_a = alt[alt["alternative"] == label]
    if with_a.empty or today.empty:
        return []
    year = int(alt["year"].iloc[0])
    against = "against" in alt.columns
    lines = [
        f"The largest structural question is whether people further up the route stay away when they hear of "
        f"removals (structure (a): {a[0].meaning}). Effect in {year}, on the same "
        f"{int(with_a['n_pairs'].max())} replicates (draws and seeds): median (90% interval); P(cut > 10%); "
        "P(cut > 50%).",
        "",
        "| scenario | against | today's structure | with (a) |",
        "|---|---|---|---|",
    ]
    keys = ["scenario", "against"] if against else ["scenario"]
    t = today.set_index(keys)
    for k, r in with_a.set_index(keys).iterrows():
        if k not in t.index:
            continue
        o = t.loc[k]

        def cell(x):
            return (
                f"{pct(x['effect_p50'])} ({interval(x['effect_p05'], x['effect_p95'])}); "
                f"{pct(x['prob_cut_over_10pct'], False)}; {pct(x.get('prob_cut_over_50pct', np.nan), False)}"
            )

        name, ag = k if against else (k, BASELINE)
        lines.append(f"| `{name}` | `{ag}` | {cell(o)} | {cell(r)} |")
    from .uncertainty import STRUCTURE_PRIORS

    w = STRUCTURE_PRIORS.get("inflow_outcome_elasticity")
    if w is not None:
        lines += [
            "",
            f"Weights: the structure's prior (`uncertainty.STRUCTURE_PRIORS`) gives today's structure "
            f"(elasticity 0) probability {w.p_none:g} and spreads the rest as {w.dist}({w.a:g}, {w.b:g}); the "
            f'column "with (a)" is its upper end ({", ".join(f"{k} = {v}" for k, v in a[0].overrides.items())}, '
            "relative to the deterrence strength). A decision-maker who accepts those weights should read the "
            "answer as lying between the two columns, nearer today's.",
        ]
    lines += ["", albania_evidence()]
    return lines


def albania_evidence() -> str:
    """The Albania check's verdict (experiments/albania/albania.csv) read as evidence on structure (a)."""
    from . import albania
    from .. import resources
    from ..errors import ConfigError

    try:
        table = pd.read_csv(resources.path("experiments/albania/albania.csv"))
        verdict = albania.verdict(table)
    except (ConfigError, OSError, ValueError, KeyError):
        return "The Albania check (`deterrence-sim albania`) has not been run; no evidence on (a) from it."
    q1 = table[table["quarter"] == "Q1"]
    best = q1.loc[q1["fall_mean"].idxmax()]
    return (
        f"**Evidence from the Albania check** (`experiments/albania/albania.md`, today's structure): {verdict} "
        f"In the first quarter the largest fall is {best['fall_mean']:.0%} (strength "
        f"{best['deterrence_strength']:g}) against the observed 88% or more, because without (a) deterrence acts "
        "only on people already on the coast and builds up as removals are seen. If the December 2022 deal "
        "caused most of the Albanian fall, that speed is evidence *for* a channel like (a) (newcomers staying "
        "away); but the fall began before the deal, grant rates fell at the same time and a returnee was home, "
        "so the episode cannot tell (a) from those confounders. It is weak evidence for (a), not a reason to "
        "make it the default: the brief shows both."
    )


def _alternatives_table(alt) -> list[str]:
    if alt is None or alt.empty:
        return []
    if "against" in alt.columns:
        alt = alt[alt["against"] == BASELINE]
    year = int(alt["year"].iloc[0])
    names = list(dict.fromkeys(alt["scenario"]))
    lines = [
        f"Effect on crossings in {year} against `{BASELINE}`: median (90% interval); P(cut > 10%). Each structure is run on the "
        'same replicates (draws and seeds) as the row "today\'s structure".',
        "",
        "| structure | " + " | ".join(f"`{n}`" for n in names) + " | replicates |",
        "|---|" + "---|" * len(names) + "---:|",
    ]
    for label, g in alt.groupby("alternative", sort=False):
        g = g.set_index("scenario")
        cells = [
            f"{pct(g.loc[n, 'effect_p50'])} ({interval(g.loc[n, 'effect_p05'], g.loc[n, 'effect_p95'])}); "
            f"{pct(g.loc[n, 'prob_cut_over_10pct'], False)}"
            if n in g.index
            else ""
            for n in names
        ]
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {int(g['n_pairs'].max())} |")
    if ALTERNATIVES:
        lines += [""] + [
            f"- **{a.label}** (`{', '.join(f'{k} = {v}' for k, v in a.overrides.items())}`): {a.meaning}"
            for a in ALTERNATIVES
        ]
    lines += [
        "",
        f"The last rows keep only the replicates whose `pilot` run reproduces the observed 2025 arrivals "
        f"within {FIT_TOLERANCE:.0%}: the unidentified parameters are drawn independently of the calibration, "
        "and some combinations (fast leaving, say) would not reproduce 2025.",
    ]
    return lines


def write_report(path: Path, result: dict, info: dict) -> None:
    headline, dec, alt, dose = (
        result["headline"],
        result.get("decomposition"),
        result.get("alternatives"),
        result.get("dose"),
    )
    drivers = result.get("drivers")
    bands, delay = result.get("bands"), result.get("delay")
    lines = (
        [
            "# Would scaling up removals deter crossings?",
            "",
            f"{info['replicates']} replicates per scenario, simulated {info['start']} to {info['end']}, seed "
            f"{info['seed']}. Replicate *i* of every scenario draws one set of uncertain parameters and one seed, "
            f"shared with its paired `{BASELINE}` run; effects are taken pair by pair."
            + (f" Fixed by `--set`: {', '.join(f'`{k}`' for k in info['sets'])}." if info["sets"] else ""),
            "",
            "## The decision: scaling up from the pilot",
            "",
        ]
        + _decision(headline)
        + ["", "## The answer in brief", ""]
        + _brief(headline, dec, drivers, info, bands)
        + [""]
    )
    if bands is not None and len(bands):
        lines += (
            [
                "## Where the tail comes from: the effect by deterrence strength",
                "",
                f"The effect in {int(bands['year'].iloc[0])} by band of the drawn `deterrence_strength` "
                "(replicates in the band, median, 90% range, P(cut > 10%), P(cut > 50%)). The distribution has a "
                "threshold, not a spread: the lower end of the headline's interval is the top band.",
                "",
            ]
            + _band_table(bands)
            + ["", collapse_sentence(bands), ""]
        )
    moved = before_after(headline, result.get("draws"), info.get("before"))
    if moved:
        lines += ["## How the 2026 data moved the answer", ""] + moved + [""]
    a = _structure_a(alt)
    if a:
        lines += ["## Structure (a): does the inflow respond to removals?", ""] + a + [""]
    if dec is not None and len(dec):
        lines += ["## Where the effect comes from", ""] + _decomposition_table(dec) + [""]
    if delay is not None and len(delay):
        lines += ["## Deterrence or delay", ""] + _delay_table(delay) + [""]
    lines += (
        [
            "## Every scenario",
            "",
            "Effect on crossings against `no_deal`, per year (metric names defined at the end).",
            "",
        ]
        + _scenario_table(headline, info["descriptions"])
        + ["", "![effects](effects_forest.png)", "", "Crossings per month: `crossings_per_month.png`.", ""]
    )
    lines += (
        ["Other totals over the whole run: mean (90% interval over replicates).", ""]
        + _totals_table(result["summary"])
        + [""]
    )
    if alt is not None and len(alt):
        lines += ["## Structural alternatives", ""] + _alternatives_table(alt) + [""]
    if drivers is not None and len(drivers):
        lines += _drivers_lines(drivers, int(headline["year"].max()))
    if info["uncertainty"] == "full":
        lines += _uncertainty_lines()
    if dose is not None:
        lines += _dose_lines(dose, info)
    lines += ["## Metrics", ""] + [f"- `{k}`: {v}" for k, v in effects.METRIC_DEFINITIONS.items()]
    lines += [
        "",
        "Files: `headline.csv` (column `against`: the comparator), `bands.csv` (the effect by band of "
        "deterrence strength), `delay.csv` (people still in France at the horizon), `decomposition.csv`, "
        "`alternatives.csv`, `summary.csv` (every metric, "
        "mean and 90% interval, and the paired difference), `draws.csv` (each replicate's parameters), "
        "`dose_response.csv`; raw daily output in `daily/`.",
        "",
    ]
    safeio.write_text(path, "\n".join(lines))


def _drivers_lines(drivers: pd.DataFrame, year: int) -> list[str]:
    """report.md's "What drives the spread": each drawn parameter's rank correlation with the effect."""
    lines = [
        "## What drives the spread",
        "",
        "Spearman rank correlation between each drawn parameter and the "
        f"effect in {year} (negative: higher values mean larger cuts).",
        "",
        "| parameter | " + " | ".join(f"`{c}`" for c in drivers.columns) + " |",
        "|---|" + "---:|" * len(drivers.columns),
    ]
    order = drivers.abs().max(axis=1).sort_values(ascending=False).index
    lines += [
        f"| `{p}` | " + " | ".join(f"{drivers.loc[p, c]:+.2f}" for c in drivers.columns) + " |" for p in order
    ] + [""]
    return lines


def _uncertainty_lines() -> list[str]:
    """report.md's "What is uncertain, and why": the priors every replicate draws from."""
    lines = [
        "## What is uncertain, and why",
        "",
        "Drawn afresh for every replicate "
        "(`src/deterrence_sim/analyses/uncertainty.py`, the one place these priors are written):",
        "",
        "| parameter | drawn from | 5% | median | 95% | source or reasoning |",
        "|---|---|---:|---:|---:|---|",
    ]
    for r in prior_table():
        q = [("" if pd.isna(r[k]) else f"{r[k]:.4g}") for k in ("p05", "p50", "p95")]
        lines.append(f"| `{r['parameter']}` | {r['distribution']} | {q[0]} | {q[1]} | {q[2]} | {r['source']} |")
    lines.append("")
    return lines


def _dose_lines(dose: pd.DataFrame, info: dict) -> list[str]:
    """report.md's second view: the dose-response at fixed deterrence strengths."""
    lines = (
        [
            "## Second view: dose-response at fixed deterrence strengths",
            "",
            f"Conditional on the calibrated parameters and on each strength: removal capacity scaled from "
            f"{RAMP_DATE} as multiples of the pilot's, every arrival scheme-eligible and France accepting all. "
            f"Change in crossings after {RAMP_DATE} against the same strength with no ramp-up "
            f"({info['dose_replicates']} replicates a point).",
            "",
        ]
        + where_removals_bite(dose)
        + [
            "",
            "| deterrence | capacity x | removals / arrivals | change in crossings (mean, 90% interval) | "
            "change in attempts |",
            "|---|---:|---:|---:|---:|",
        ]
    )
    for _, r in dose.iterrows():
        lines.append(
            f"| {r['deterrence']} ({r['strength']:g}) | {r['capacity_multiple']:g} | "
            f"{100 * r['removal_share']:.1f}% | {pct(r['crossings_change'])} "
            f"({interval(r['crossings_change_p05'], r['crossings_change_p95'])}) | "
            f"{pct(r['attempts_change'])} |"
        )
    lines += ["", "![dose-response](dose_response.png)", ""]
    return lines


def write_all(out: Path, result: dict, info: dict) -> None:
    """Every table, figure and the report, each written atomically."""
    fmt = {"index": False, "float_format": "%.6g"}
    safeio.write_csv(out / "headline.csv", result["headline"], **fmt)
    safeio.write_csv(out / "summary.csv", result["summary"], **fmt)
    if result.get("decomposition") is not None and len(result["decomposition"]):
        safeio.write_csv(out / "decomposition.csv", result["decomposition"], **fmt)
    for name in ("bands", "delay"):
        if result.get(name) is not None and len(result[name]):
            safeio.write_csv(out / f"{name}.csv", result[name], **fmt)
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
