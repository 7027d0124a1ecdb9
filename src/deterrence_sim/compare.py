"""The main job: compare ramp-up scenarios against the no-deal baseline, and trace the
dose-response of crossings to removals for weak, calibrated and strong deterrence.

Every scenario runs on common random numbers: replicate i of each scenario uses the same seed,
so it sees the same weather and the same newcomers. A scenario's difference from the baseline
is taken replicate by replicate, which makes the interval of the difference narrower.

Outputs (in ``--out``, default ``results/compare``):

* ``daily/<scenario>.parquet``: the raw daily output of every replicate (written as each
  scenario finishes, so an interruption keeps what was done);
* ``summary.csv``: scenario, metric, mean, p05, p95, diff_mean, diff_p05, diff_p95;
* ``report.md``: the same as tables, with the dose-response table and the answer in words;
* ``crossings_per_month.png`` and ``dose_response.png``.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from . import params as parameters
from . import runner, scenario
from .errors import ConfigError

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "experiments" / "scenarios"
BASELINE = "no_deal"
STANDARD_ORDER = ("no_deal", "pilot", "rampup_x2", "rampup_x5", "rampup_x10", "parity", "rampup_flights_only",
                  "modern_slavery_review", "french_force_restraint", "biometric_fast_track",
                  "legal_route_awareness", "danish_style", "rwanda_style")
#: Deterrence strengths for the dose-response curve: weak (US border studies), calibrated
#: (the model default), strong (Australian turnbacks). See docs/ODD.md.
DOSE_STRENGTHS = {"weak": 0.2, "calibrated": None, "strong": 3.0}
#: Removal capacity as multiples of the pilot's (detention, flights, French cap), from the ramp-up date.
#: At 100x every eligible arrival is already detained; more capacity changes nothing (400x gave
#: results identical to 100x), because the legal challenges that succeed cap removals near 80%.
DOSE_LEVELS = (0, 2, 5, 10, 30, 100)
RAMP_DATE = "2026-03-01"


def standard_scenarios() -> list[Path]:
    """The standard set, in a fixed order (others found in the folder come after)."""
    found = {p.stem: p for p in sorted(SCENARIO_DIR.glob("*.toml"))}
    ordered = [found.pop(name) for name in STANDARD_ORDER if name in found]
    return ordered + list(found.values())


def replicate_metrics(daily: pd.DataFrame) -> pd.DataFrame:
    """One row per replicate: the report's metrics, computed from the raw daily output."""
    d = daily.copy()
    d["year"] = pd.to_datetime(d["date"]).dt.year
    g = d.groupby("replicate")
    out = pd.DataFrame({
        "arrivals": g["arrivals"].sum(),
        "removed": g["removed"].sum(),
        "admitted": g["admitted_legal_route"].sum(),
        "recrossings": g["recrossings"].sum(),
        "deaths": g["deaths"].sum(),
        "people_detained": g["detentions"].sum(),
        "legal_challenges": g["legal_challenges_filed"].sum(),
        "attempts": g["attempts"].sum(),
        "mean_price_gbp": g["price_gbp"].mean(),
    })
    out["net_flow"] = out["arrivals"] - out["removed"] + out["admitted"]
    per_year = d.pivot_table(index="replicate", columns="year", values="arrivals", aggfunc="sum")
    for year in per_year.columns:
        out[f"crossings_{year}"] = per_year[year]
    return out


def summarise(metrics: dict[str, pd.DataFrame], baseline: str) -> pd.DataFrame:
    """summary.csv rows: mean and 90% interval of each metric, and of its difference from the
    baseline taken replicate by replicate (common random numbers)."""
    rows = []
    base = metrics.get(baseline)
    for name, m in metrics.items():
        for metric in m.columns:
            v = m[metric]
            row = {"scenario": name, "metric": metric, "mean": v.mean(), "p05": v.quantile(0.05),
                   "p95": v.quantile(0.95)}
            if base is not None and metric in base.columns:
                diff = (v - base[metric]).dropna()
                row.update(diff_mean=diff.mean(), diff_p05=diff.quantile(0.05), diff_p95=diff.quantile(0.95))
            rows.append(row)
    return pd.DataFrame(rows, columns=["scenario", "metric", "mean", "p05", "p95", "diff_mean", "diff_p05",
                                       "diff_p95"])


def dose_scenario(base: scenario.Scenario, level: float, strength: float | None) -> scenario.Scenario:
    """The pilot with removal capacity scaled by ``level`` from the ramp-up date; everyone
    scheme-eligible and France accepting all, so removals can approach every arrival."""
    p = {
        "detention_capacity": {"2025-08-06": 100, RAMP_DATE: 100 * level},
        "flights_per_week": {"2025-09-15": 1.5, "2025-12-01": 2.0, RAMP_DATE: 2.0 * level},
        "france_weekly_cap": {"2025-08-06": 50, RAMP_DATE: 50 * level},
        "share_scheme_eligible": 1.0,
        "france_accept_other": {RAMP_DATE: 1.0},
        "france_accept_returnable": {RAMP_DATE: 1.0},
    }
    if strength is not None:
        p["deterrence_strength"] = strength
    return base.with_overrides(overrides=p)


def dose_scenarios(base: scenario.Scenario, strengths: dict | None = None,
                   levels=DOSE_LEVELS) -> list[tuple[str, float, scenario.Scenario]]:
    """(strength label, capacity multiple, scenario) for every point of the dose-response curve."""
    return [(label, level, dose_scenario(base, level, strength))
            for label, strength in (strengths or DOSE_STRENGTHS).items() for level in levels]


def dose_table(points: list[tuple[str, float, scenario.Scenario]], dailies: list[pd.DataFrame]) -> pd.DataFrame:
    """Change in crossings (arrivals and attempts) after the ramp-up date against removals as a
    share of arrivals; each strength's first capacity level is the reference every change is
    measured from, replicate by replicate."""
    rows, ref = [], {}
    for (label, level, sc), daily in zip(points, dailies):
        after = daily[pd.to_datetime(daily["date"]) >= pd.Timestamp(RAMP_DATE)]
        g = after.groupby("replicate")[["arrivals", "attempts", "removed"]].sum()
        base = ref.setdefault(label, g)
        share = g["removed"] / g["arrivals"].clip(lower=1)
        change = g["arrivals"] / base["arrivals"] - 1.0
        change_att = g["attempts"] / base["attempts"] - 1.0
        rows.append({"deterrence": label, "removed": g["removed"].mean(), "attempts": g["attempts"].mean(),
                     "arrivals": g["arrivals"].mean(),
                     "strength": parameters.validate(sc.params)["deterrence_strength"],
                     "capacity_multiple": level, "removal_share": share.mean(),
                     "removal_share_p05": share.quantile(0.05), "removal_share_p95": share.quantile(0.95),
                     "crossings_change": change.mean(), "crossings_change_p05": change.quantile(0.05),
                     "crossings_change_p95": change.quantile(0.95),
                     "attempts_change": change_att.mean(), "attempts_change_p05": change_att.quantile(0.05),
                     "attempts_change_p95": change_att.quantile(0.95)})
    return pd.DataFrame(rows)


def dose_response(base: scenario.Scenario, replicates: int, seed: int, workers, progress,
                  strengths: dict | None = None, levels=DOSE_LEVELS) -> pd.DataFrame:
    """The dose-response table (see :func:`dose_table`) for each deterrence strength
    (``{label: strength, or None for the scenario's own}``, default :data:`DOSE_STRENGTHS`) and
    capacity level (the first level is the reference)."""
    points = dose_scenarios(base, strengths, levels)
    with runner.worker_pool(workers, replicates * len(points)) as pool:
        handles = [runner.submit_replicates(sc, replicates, seed, pool) for _, _, sc in points]
        with runner.progress_bar(replicates * len(points), "dose-response", progress) as bar:
            return dose_table(points, [runner.gather(h, bar) for h in handles])


def plot_monthly(dailies: dict[str, pd.DataFrame], path: Path) -> None:
    """Crossings per month, median and 90% band over replicates, one panel per scenario."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(dailies)
    cols = 4
    rows = int(np.ceil(len(names) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 2.6 * rows), sharex=True, sharey=True, squeeze=False)
    base = dailies.get(BASELINE)
    for ax, name in zip(axes.flat, names):
        layers = [(dailies[name], "C0", name)]
        if base is not None and name != BASELINE:
            layers.insert(0, (base, "0.6", BASELINE))
        for df, colour, label in layers:
            m = df.assign(month=pd.to_datetime(df["date"]).dt.to_period("M").dt.to_timestamp())
            monthly = m.groupby(["replicate", "month"])["arrivals"].sum().unstack("replicate")
            ax.fill_between(monthly.index, monthly.quantile(0.05, axis=1), monthly.quantile(0.95, axis=1),
                            color=colour, alpha=0.3, linewidth=0)
            ax.plot(monthly.index, monthly.median(axis=1), color=colour, label=label)
        ax.set_title(name, fontsize=10)
        ax.axvline(pd.Timestamp(RAMP_DATE), color="k", lw=0.6, ls=":")
        ax.legend(fontsize=7, loc="upper left")
    for ax in list(axes.flat)[len(names):]:
        ax.set_visible(False)
    fig.supylabel("arrivals in the UK per month (median, 90% band)")
    fig.suptitle(f"Crossings per month by scenario (grey: {BASELINE}; dotted line: ramp-up date {RAMP_DATE})")
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


def plot_dose(dose: pd.DataFrame, path: Path) -> None:
    """Change in crossings against removals as a share of arrivals, with 90% intervals."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

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
    ax.set_title("Dose-response: do removals deter crossings?")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


def _fmt(v):
    if pd.isna(v):
        return ""
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.2f}"


HEADLINE_SCENARIOS = ("pilot", "rampup_x5", "parity")


def headline(summary: pd.DataFrame) -> list[str]:
    """Crossings per year of the headline scenarios and their change from the baseline."""
    years = sorted(m for m in summary["metric"].unique() if m.startswith("crossings_"))
    names = [n for n in HEADLINE_SCENARIOS if n in set(summary["scenario"])] or \
        [n for n in summary["scenario"].unique() if n != BASELINE][:3]
    if not years or not names:
        return []
    lines = ["| scenario | " + " | ".join(f"crossings {y[-4:]}" for y in years) + " |",
             "|---|" + "---:|" * len(years)]
    for name in [BASELINE] + names:
        g = summary[summary["scenario"] == name].set_index("metric")
        cells = []
        for y in years:
            r = g.loc[y]
            cell = f"{r['mean']:,.0f} ({r['p05']:,.0f} to {r['p95']:,.0f})"
            if name != BASELINE and not pd.isna(r["diff_mean"]):
                base = summary[(summary["scenario"] == BASELINE) & (summary["metric"] == y)]["mean"].iloc[0]
                cell += (f"; {r['diff_mean']:+,.0f} ({r['diff_p05']:+,.0f} to {r['diff_p95']:+,.0f}), "
                         f"{100 * r['diff_mean'] / base:+.1f}%")
            cells.append(cell)
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def where_removals_bite(dose: pd.DataFrame, threshold: float = -0.10) -> list[str]:
    """One sentence per deterrence strength: the smallest removal share at which crossings fall
    by more than 10% with the whole 90% interval below zero, if any."""
    out = []
    for label, g in dose.groupby("deterrence", sort=False):
        bites = g[(g["crossings_change"] <= threshold) & (g["crossings_change_p95"] < 0)]
        top = g.iloc[-1]
        if bites.empty:
            out.append(f"- **{label}** deterrence (strength {g['strength'].iloc[0]:g}): removals do not cut crossings "
                       f"by 10% at any tested level; at {100 * top['removal_share']:.0f}% of arrivals removed, "
                       f"crossings change by {100 * top['crossings_change']:+.1f}% "
                       f"({100 * top['crossings_change_p05']:+.1f}% to {100 * top['crossings_change_p95']:+.1f}%).")
        else:
            r = bites.iloc[0]
            out.append(f"- **{label}** deterrence (strength {g['strength'].iloc[0]:g}): crossings first fall by more "
                       f"than 10% when about {100 * r['removal_share']:.0f}% of arrivals are removed "
                       f"({100 * r['crossings_change']:+.1f}%); at {100 * top['removal_share']:.0f}% removed, "
                       f"{100 * top['crossings_change']:+.1f}% ({100 * top['crossings_change_p05']:+.1f}% to "
                       f"{100 * top['crossings_change_p95']:+.1f}%).")
    return out


def write_report(path: Path, summary: pd.DataFrame, dose: pd.DataFrame | None, settings: dict) -> None:
    """report.md: the headline, then per scenario each metric's mean [90% interval] and the
    difference from baseline, then the dose-response table."""
    lines = ["# Ramp-up comparison", "",
             f"{settings['replicates']} replicates per scenario, simulated {settings['start']} to "
             f"{settings['end']}, seed {settings['seed']}, common random numbers. Intervals are the 5th-95th "
             f"percentiles over replicates; differences are from `{BASELINE}`, taken replicate by replicate.",
             f"Run time: {settings['seconds']:.0f} s.", ""]
    head = headline(summary)
    if head:
        lines += ["## Headline", "",
                  f"Crossings (arrivals in the UK) per year: mean (90% interval); then the change from `{BASELINE}` "
                  "(90% interval) and in per cent.", ""] + head + [""]
    if dose is not None:
        lines += ["Where removals start to bite (dose-response below):", ""] + where_removals_bite(dose) + [""]
    for name, g in summary.groupby("scenario", sort=False):
        lines += [f"## {name}", "", settings["descriptions"].get(name, ""), "",
                  "| metric | mean | 90% interval | difference from baseline | 90% interval of difference |",
                  "|---|---:|---:|---:|---:|"]
        for _, r in g.iterrows():
            lines.append(f"| {r['metric']} | {_fmt(r['mean'])} | {_fmt(r['p05'])} to {_fmt(r['p95'])} | "
                         f"{_fmt(r['diff_mean'])} | {_fmt(r['diff_p05'])} to {_fmt(r['diff_p95'])} |")
        lines.append("")
    if dose is not None:
        lines += ["## Dose-response", "",
                  f"Removal capacity scaled from {RAMP_DATE} as multiples of the pilot's, with every arrival "
                  "scheme-eligible and France accepting all referrals. Change in crossings after the ramp-up "
                  "date relative to the same deterrence strength with no ramp-up (mean, 90% interval).", "",
                  "| deterrence | capacity x | removals / arrivals | change in crossings | 90% interval | "
                  "change in attempts |", "|---|---:|---:|---:|---:|---:|"]
        for _, r in dose.iterrows():
            lines.append(f"| {r['deterrence']} ({r['strength']:g}) | {r['capacity_multiple']} | "
                         f"{100 * r['removal_share']:.1f}% | {100 * r['crossings_change']:+.1f}% | "
                         f"{100 * r['crossings_change_p05']:+.1f}% to {100 * r['crossings_change_p95']:+.1f}% | "
                         f"{100 * r['attempts_change']:+.1f}% |")
        lines.append("")
    lines += ["Figures: `crossings_per_month.png`, `dose_response.png`. Raw daily output: `daily/`.", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def compare(files=None, replicates: int = 30, horizon_end: str = "2027-12-31", out: Path = Path("results/compare"),
            seed: int = 20250710, workers=None, dose_replicates: int = 10, progress=None,
            with_dose: bool = True) -> pd.DataFrame:
    """Run the comparison and write its outputs; return the summary table."""
    t0 = time.perf_counter()
    paths = [Path(f) for f in files] if files else standard_scenarios()
    scenarios = [scenario.load(p).with_overrides(end=horizon_end) for p in paths]  # validate all first
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise ConfigError(f"two scenarios share a name: {sorted(n for n in names if names.count(n) > 1)[0]}")
    if BASELINE not in names:
        scenarios.insert(0, scenario.load(SCENARIO_DIR / f"{BASELINE}.toml").with_overrides(end=horizon_end))
    out = Path(out)
    (out / "daily").mkdir(parents=True, exist_ok=True)
    pilot = scenario.load(SCENARIO_DIR / "pilot.toml").with_overrides(end=horizon_end)
    points = dose_scenarios(pilot) if with_dose else []
    n_runs = replicates * len(scenarios) + dose_replicates * len(points)
    with runner.worker_pool(workers, n_runs) as pool:
        # everything is queued at once, so workers never wait for a scenario to finish
        handles = [runner.submit_replicates(sc, replicates, seed, pool) for sc in scenarios]
        dose_handles = [runner.submit_replicates(sc, dose_replicates, seed, pool) for _, _, sc in points]
        dailies, metrics = {}, {}
        with runner.progress_bar(n_runs, "compare", progress) as bar:
            for sc, h in zip(scenarios, handles):
                bar.set_postfix_str(sc.name)
                daily = runner.gather(h, bar)
                daily.to_parquet(out / "daily" / f"{sc.name}.parquet", index=False)  # kept if interrupted
                dailies[sc.name] = daily
                metrics[sc.name] = replicate_metrics(daily)
            summary = summarise(metrics, BASELINE)
            summary.to_csv(out / "summary.csv", index=False, float_format="%.6g")
            dose = None
            if with_dose:
                bar.set_postfix_str("dose-response")
                dose = dose_table(points, [runner.gather(h, bar) for h in dose_handles])
                dose.to_csv(out / "dose_response.csv", index=False, float_format="%.6g")
    if dose is not None:
        plot_dose(dose, out / "dose_response.png")
    plot_monthly(dailies, out / "crossings_per_month.png")
    settings = {"replicates": replicates, "start": scenarios[0].start, "end": horizon_end, "seed": seed,
                "seconds": time.perf_counter() - t0, "descriptions": {s.name: s.description for s in scenarios}}
    write_report(out / "report.md", summary, dose, settings)
    return summary
