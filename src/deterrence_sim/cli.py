"""Command line: ``deterrence-sim run | compare | params``.

Bad input (an unknown parameter, a value out of range, a malformed date or schedule, a missing
file) prints one line ``deterrence-sim: error: ...`` naming the problem and exits with status 2.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import __version__
from .errors import ConfigError

EXIT_BAD_INPUT = 2


def _parse_sets(items) -> dict:
    from .params import parse_cli_value

    out = {}
    for item in items or []:
        if "=" not in item:
            raise ConfigError(f"--set {item!r}: write it as NAME=VALUE (for example deterrence_strength=2)")
        name, text = item.split("=", 1)
        out[name.strip()] = parse_cli_value(name.strip(), text.strip())
    return out


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def cmd_run(args) -> int:
    from . import runner, scenario

    sc = scenario.load(args.scenario).with_overrides(end=args.end, overrides=_parse_sets(args.set))
    out = Path(args.out or Path("results") / "runs" / sc.name)
    t0 = time.perf_counter()
    daily = runner.run_replicates(sc, args.replicates, args.seed, workers=args.workers)
    runner.write_run(out, sc, daily, args.seed)
    tot = runner.totals(daily)
    print(f"{sc.name}: {args.replicates} replicate(s), {sc.start} to {sc.end}, "
          f"{time.perf_counter() - t0:.1f} s; written to {out}/daily.csv and summary.json")
    for col in ("arrivals", "prevented", "removed", "admitted_legal_route", "recrossings", "deaths"):
        s = tot[col]
        print(f"  {col:<22} mean {s.mean():>10.1f}   min {s.min():>8d}   max {s.max():>8d}")
    return 0


def cmd_compare(args) -> int:
    from . import compare

    out = Path(args.out)
    t0 = time.perf_counter()
    summary = compare.compare(args.scenarios or None, replicates=args.replicates, horizon_end=args.horizon_end,
                              out=out, seed=args.seed, workers=args.workers, dose_replicates=args.dose_replicates,
                              with_dose=not args.no_dose)
    print(f"compared {summary['scenario'].nunique()} scenarios in {time.perf_counter() - t0:.0f} s; "
          f"report: {out}/report.md")
    years = sorted(m for m in summary["metric"].unique() if m.startswith("crossings_"))
    for name, g in summary.groupby("scenario", sort=False):
        g = g.set_index("metric")
        cells = [f"{y[-4:]}: {g.loc[y, 'mean']:>7,.0f} ({g.loc[y, 'diff_mean']:+6,.0f})" for y in years]
        print(f"  {name:<24} " + "  ".join(cells) + f"  removed {g.loc['removed', 'mean']:>8,.0f}")
    return 0


def cmd_params(args) -> int:
    from .params import PARAMS

    if args.markdown:
        from .docs import parameter_table_markdown

        print(parameter_table_markdown())
        return 0
    for p in PARAMS.values():
        default = p.default if not isinstance(p.default, dict) else ", ".join(f"{k}: {v}" for k, v in p.default.items())
        print(f"{p.name} = {default}  [{p.unit}; {p.range_text()}{'; schedulable' if p.schedulable else ''}]")
        print(f"    {p.doc}  Source: {p.source}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="deterrence-sim", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"deterrence-sim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="simulate one scenario over replicates; write daily.csv and summary.json")
    run.add_argument("scenario", help="scenario TOML file, e.g. experiments/scenarios/pilot.toml")
    run.add_argument("--replicates", type=_positive, default=10, help="number of replicates (default 10)")
    run.add_argument("--seed", type=int, default=20250710, help="seed of the run (default 20250710)")
    run.add_argument("--end", help="last simulated date, YYYY-MM-DD (default: the scenario's)")
    run.add_argument("--set", action="append", metavar="NAME=VALUE", help="override a parameter (repeatable)")
    run.add_argument("--out", help="output folder (default results/runs/<scenario name>)")
    run.add_argument("--workers", type=_positive, default=None, help="worker processes (default: all CPUs)")
    run.set_defaults(func=cmd_run)

    cmp = sub.add_parser("compare", help="compare scenarios against no_deal; dose-response; report and figures")
    cmp.add_argument("scenarios", nargs="*", help="scenario files (default: all of experiments/scenarios/)")
    cmp.add_argument("--replicates", type=_positive, default=30, help="replicates per scenario (default 30)")
    cmp.add_argument("--horizon-end", default="2027-12-31", help="last simulated date (default 2027-12-31)")
    cmp.add_argument("--out", default="results/compare", help="output folder (default results/compare)")
    cmp.add_argument("--seed", type=int, default=20250710)
    cmp.add_argument("--workers", type=_positive, default=None, help="worker processes (default: all CPUs)")
    cmp.add_argument("--dose-replicates", type=_positive, default=10,
                     help="replicates per point of the dose-response curve (default 10)")
    cmp.add_argument("--no-dose", action="store_true", help="skip the dose-response curve")
    cmp.set_defaults(func=cmd_compare)

    par = sub.add_parser("params", help="list every parameter with its default, unit, range and source")
    par.add_argument("--markdown", action="store_true", help="print the table as Markdown (as in docs/ODD.md)")
    par.set_defaults(func=cmd_params)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ConfigError as exc:
        print(f"deterrence-sim: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("deterrence-sim: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
