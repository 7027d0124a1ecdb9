"""Command line: ``deterrence-sim run | compare | calibrate | validate | forecast | backtest | score-forecasts |
attribute | albania | params | sweep | sensitivity``.

Every command checks all of its input (arguments, scenario and data files, parameter values,
the size of the run) and its output folder (created and tested for writing) before any
simulation. Bad input, and any operating-system error (a read-only place, a full disk, a name
too long), prints one line ``deterrence-sim: error: ...`` naming the problem and exits with
status 2. SIGTERM stops a command like Ctrl-C: workers stopped, no traceback, exit status 143
(130 for Ctrl-C). The flag names and the parsing of ``--set NAME=VALUE`` live here; the
library's messages name its keyword arguments.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

from . import __version__
from .errors import ConfigError
from .limits import seed_problem

EXIT_BAD_INPUT = 2


class ArgumentParser(argparse.ArgumentParser):
    """argparse, with its errors on one line (``deterrence-sim: error: ...``) like every other
    bad input, and exit status 2."""

    def error(self, message: str):
        sub = self.prog.split(" ", 1)[1] if " " in self.prog else ""
        hint = f" (see deterrence-sim {sub + ' ' if sub else ''}--help)"
        print(f"deterrence-sim: error: {message}{hint}", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)


def parse_set_value(name: str, text: str):
    """Parse the value of ``--set NAME=VALUE``: a number, true/false, a word, or a TOML inline
    value (a list, or a dated schedule such as ``{2025-09-15=1.5, 2026-03-01=6}``). The value
    is validated later, with the rest of the scenario (``params.validate``)."""
    import tomllib

    from .params import PARAMS, unknown_key_error

    if name not in PARAMS:
        raise unknown_key_error(name, PARAMS)
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def parse_sets(items) -> dict:
    """Every ``--set NAME=VALUE`` of the command line, by name (each name at most once)."""
    out = {}
    for item in items or []:
        if "=" not in item:
            raise ConfigError(f"--set {item!r}: write it as NAME=VALUE (for example deterrence_strength=2)")
        name, text = (part.strip() for part in item.split("=", 1))
        value = parse_set_value(name, text)
        if name in out:
            from .params import PARAMS

            hint = (
                f" (a dated schedule is one value, for example --set '{name}={{2025-09-15=1.5, 2026-03-01=6}}')"
                if PARAMS[name].schedulable
                else ""
            )
            raise ConfigError(f"--set {name}: given twice; give each parameter once{hint}")
        out[name] = value
    return out


def _whole_number(text: str, minimum: int) -> int:
    """A whole number of at least ``minimum``, or argparse's one-line error."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(
            f"{value} must be at least 1" if minimum == 1 else f"{value} must be {minimum} or more"
        )
    return value


def _positive(text: str) -> int:
    return _whole_number(text, 1)


def _non_negative(text: str) -> int:
    return _whole_number(text, 0)


def _replicates(text: str) -> int:
    from .limits import MAX_REPLICATES

    value = _positive(text)
    if value > MAX_REPLICATES:
        raise argparse.ArgumentTypeError(f"{value} is more than {MAX_REPLICATES:,}, the most replicates of a run")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    problem = seed_problem(value)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return value


def _date(text: str):
    from .schedule import parse_date

    try:
        return parse_date(text, "date")
    except ConfigError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it as YYYY-MM-DD") from None


def _flag(flag: str, exc: ConfigError, key: str | None = None) -> ConfigError:
    """The library's error about its keyword ``key`` (``end``, ...), named as the flag ``flag``."""
    text = str(exc)
    key = key or flag.lstrip("-").replace("-", "_")
    return ConfigError(f"{flag}{text[len(key) :]}" if text.startswith(key + ":") else text)


def check_size(replicates: int, start, end, workers: int | None, runs: int = 1) -> dict:
    """Refuse, before any work, a run whose estimated memory exceeds what the machine has
    (:func:`deterrence_sim.limits.check_fits`); say how long a long one will take."""
    from . import limits
    from .workers import default_workers

    est = limits.check_fits(replicates, (end - start).days + 1, workers or default_workers(), runs)
    if est["seconds"] > 60:
        print(f"deterrence-sim: this will take {limits.describe(est)} (estimate)", file=sys.stderr)
    return est


def cmd_run(args) -> int:
    from . import runner, safeio, scenario

    sc = scenario.load(args.scenario)
    try:
        sc = sc.with_overrides(end=args.end, overrides=parse_sets(args.set))
    except ConfigError as exc:
        raise _flag("--end", exc) from None
    out = safeio.prepare_output_dir(args.out or Path("results") / "runs" / sc.name)
    check_size(args.replicates, sc.start, sc.end, args.workers)
    safeio.check_free_space(out, runner.output_bytes(args.replicates, (sc.end - sc.start).days + 1), "daily.csv")
    t0 = time.perf_counter()
    with safeio.partial_output(
        out,
        {
            "command": "run",
            "scenario": sc.name,
            "seed": args.seed,
            "replicates": args.replicates,
            "end": sc.end.isoformat(),
        },
    ):
        daily = runner.run_replicates(sc, args.replicates, args.seed, workers=args.workers)
        runner.write_run(out, sc, daily, args.seed)
    tot = runner.totals(daily)
    print(
        f"{sc.name}: {args.replicates} replicate(s), {sc.start} to {sc.end}, "
        f"{time.perf_counter() - t0:.1f} s; written to {out}/daily.csv and summary.json"
    )
    for col in ("arrivals", "prevented", "removed", "admitted_legal_route", "recrossings", "deaths"):
        s = tot[col]
        print(f"  {col:<22} mean {s.mean():>10.1f}   min {s.min():>8d}   max {s.max():>8d}")
    return 0


def cmd_compare(args) -> int:
    from .analyses import compare

    out = Path(args.out)
    try:
        headline = compare.compare(
            args.scenarios or None,
            replicates=args.replicates,
            horizon_end=args.horizon_end,
            out=out,
            seed=args.seed,
            workers=args.workers,
            dose_replicates=args.dose_replicates,
            with_dose=not args.no_dose,
            sets=parse_sets(args.set),
            uncertainty=args.uncertainty,
            decomposition_replicates=args.decomposition_replicates,
            alternative_replicates=args.alternative_replicates,
            resume=args.resume,
            posterior=args.posterior,
            before=_before_folder(args.before),
        )
    except ConfigError as exc:
        raise _flag("--horizon-end", exc, key="end") from None
    timing = compare.last_timing()
    print(
        f"compared {headline['scenario'].nunique()} scenarios against the pilot and no_deal in {timing['seconds']:.0f} s "
        f"({timing['runs']} runs, {timing['runs_kept']} kept from an earlier run); report: {out}/report.md"
    )
    for against, h in headline.groupby("against", sort=False):
        _print_contrast(against, h)
    return 0


def _before_folder(value: str | None):
    """``--before``: a folder; ``none`` for no comparison; by default the comparison drawn from the
    fit to 2025-12-31 that the package ships (``compare.default_before``)."""
    if value is None:
        return "default"
    return None if value.lower() == "none" else value


def _print_contrast(against, headline) -> None:
    print(f"  effect on crossings vs {against}: median (90% interval); P(cut > 10%)")
    for name, g in headline.groupby("scenario", sort=False):
        cells = [
            f"{int(r.year)}: {100 * r.effect_p50:+6.1f}% ({100 * r.effect_p05:+.0f}..{100 * r.effect_p95:+.0f}); "
            f"{100 * r.prob_cut_over_10pct:3.0f}%"
            for r in g.itertuples()
        ]
        print(f"  {name:<24} " + "   ".join(cells))


def _budget(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of simulations") from None
    return value  # the range is checked by calibration.calibrate (one-line error, exit 2)


def cmd_fit_joint(args) -> int:
    from . import safeio
    from .calibration import joint
    from .workers import default_workers

    if args.simulations < 0 or args.simulations > 10_000_000:
        raise ConfigError(f"--simulations {args.simulations} is out of range; allowed: 0..10000000")
    if args.sbc < 0 or args.sbc > 100_000:
        raise ConfigError(f"--sbc {args.sbc} is out of range; allowed: 0..100000")
    table = Path(args.table)
    if args.simulations == 0 and not table.is_dir():
        raise ConfigError(f"--table {table}: no reference table there; give --simulations N to build one")
    table = safeio.prepare_output_dir(table)
    out = safeio.prepare_output_dir(args.out) if args.out else None
    if args.simulations:
        res = joint.build_table(
            table, args.simulations, args.seed, workers=default_workers() if args.workers is None else args.workers
        )
        print(f"reference table: {res['runs']} runs in {table}/ ({res['seconds']:.0f} s this call)")
    if out is not None:
        from .calibration import joint_fit

        res = joint_fit.fit_and_check(
            table, out, seed=args.seed, sbc=args.sbc, command=" ".join(["deterrence-sim", *sys.argv[1:]])
        )
        print(f"joint fit on {res['runs']} runs written to {out}/ ({res['seconds']:.0f} s)")
        for r in res["identification"]:
            print(
                f"  {r['parameter']:<28} prior {r['prior_width90']:<10.4g} to 2025 {r['posterior_width90_to_2025']:<10.4g}"
                f" to 2026-04 {r['posterior_width90_to_2026_04']:.4g}"
            )
    return 0


def cmd_calibrate(args) -> int:
    from . import calibration, safeio

    out = safeio.prepare_output_dir(args.out)
    # the input files, checked before any work (a binary priors file, an empty posterior)
    if args.priors is not None:
        safeio.read_toml(args.priors, "prior file")
    if args.only_inflow_month_sd:
        for name in ("full", "holdout"):
            if (out / f"posterior_{name}.csv").exists():
                safeio.read_csv(out / f"posterior_{name}.csv", "posterior sample", columns=("weight",))
        res = calibration.calibrate_month_sd(
            out, fit=args.fit, replicates=args.month_sd_replicates, seed=args.seed, workers=args.workers
        )
        print(
            f"estimated inflow_month_sd in {res['seconds']:.0f} s; written to {out / calibration.MONTH_SD_FILE}"
            + (f" and {res['toml']}" if res["toml"] and "full" in res["month_sd"] else "")
        )
        for name, r in res["month_sd"].items():
            print(
                f"  fit {name}: inflow_month_sd = {r['sd']:g} ({r['months']} months {r['first_month']}.."
                f"{r['last_month']}, {r['weather']} weather, {r['replicates']} replicates)"
            )
        return 0
    command = (
        " ".join(["deterrence-sim", *sys.argv[1:]])
        if sys.argv[1:2] == ["calibrate"]
        else f"deterrence-sim calibrate --budget {args.budget} --out {out}"
    )
    res = calibration.calibrate(
        out,
        budget=args.budget,
        population=args.population,
        seed=args.seed,
        workers=args.workers,
        fit=args.fit,
        prior_file=args.priors,
        progress=not args.quiet,
        command=command,
        month_sd_replicates=args.month_sd_replicates,
    )
    fits = ", ".join(
        f"{k}: {v['generations']} generations, {v['simulations']} simulations" for k, v in res["fits"].items()
    )
    print(f"calibrated in {res['seconds']:.0f} s ({fits}); written to {out}/")
    for name, rows in res["tables"].items():
        print(f"  fit {name}: parameter         prior median [90%]            posterior median [90%]")
        for r in rows:
            print(
                f"    {r['parameter']:<26} {r['prior_median']:>9.4g} [{r['prior_p05']:.3g}, {r['prior_p95']:.3g}]"
                f"   {r['post_median']:>9.4g} [{r['post_p05']:.3g}, {r['post_p95']:.3g}]"
            )
    for name, r in res["month_sd"].items():
        print(f"  fit {name}: inflow_month_sd = {r['sd']:g} (method of moments, {r['months']} months)")
    return 0


def cmd_validate(args) -> int:
    from . import safeio
    from .calibration import validation

    out = safeio.prepare_output_dir(args.out)
    t0 = time.perf_counter()
    try:
        res = validation.validate(
            out,
            calibration=args.calibration,
            replicates=args.replicates,
            seed=args.seed,
            workers=args.workers,
            progress=not args.quiet,
            with_holdout=not args.no_holdout,
            inflow_month_sd=args.inflow_month_sd,
        )
    except ConfigError as exc:  # the library names its keywords; the user typed flags
        for flag in ("--replicates", "--calibration", "--inflow-month-sd"):
            exc = _flag(flag, exc)
        raise exc from None
    print(
        f"validated {args.replicates} replicates from {res['folder']} in {time.perf_counter() - t0:.0f} s; "
        f"report: {out}/validation.md"
    )
    s = res["summary"]
    print(f"  {'measure':<48} {'observed':>9}  {'observed weather':>18}  {'stochastic weather':>18}  criterion")
    for _, r in s.iterrows():
        print(
            f"  {r['measure']:<48} {r['observed']:>9}  {r['observed weather']:>18}  {r['stochastic weather']:>18}"
            f"  {r['criterion']}"
        )
    print(f"  {res['identifiability']}")
    return 0


def cmd_forecast(args) -> int:
    from .forecasting import forecast

    out = Path(args.out or Path("results") / "forecast" / f"{args.origin}_{args.to}")
    command = (
        " ".join(["deterrence-sim", *sys.argv[1:]])
        if sys.argv[1:2] == ["forecast"]
        else f"deterrence-sim forecast --origin {args.origin} --to {args.to}"
    )
    res = forecast.make_forecast(
        args.origin,
        args.to,
        args.scenario,
        out=out,
        draws=args.draws,
        budget=args.budget,
        population=args.population,
        seed=args.seed,
        workers=args.workers,
        parameter_uncertainty=not args.no_parameter_uncertainty,
        progress=not args.quiet,
        refit=args.refit,
    )
    summary = forecast.write_forecast(out, res, command)
    a = summary["totals"]["arrivals"]
    print(
        f"forecast {summary['first_month']}..{summary['last_month']} ({summary['scenario']}) in "
        f"{res['seconds']:.0f} s; written to {out}/forecast.csv, forecast.md and fan_chart.png"
    )
    print(f"  arrivals: median {a['p50']:,.0f}, 90% band {a['p05']:,.0f}-{a['p95']:,.0f}")
    return 0


def cmd_score_forecasts(args) -> int:
    from .forecasting import registry

    res = registry.score_registry(args.registry, out=args.out)
    for n in res["notes"]:
        print(f"{n['id']}: {n['status']}" + "".join(f"; FLAGGED: {f}" for f in n["flags"]))
    t = res["table"]
    for _, r in (t[t.month.str.contains("..", regex=False)] if len(t) else t).iterrows():
        print(
            f"  {r['id']} {r.month}: observed {r.observed:,.0f}, median {r.p50:,.0f} [90%: {r.p05:,.0f}-"
            f"{r.p95:,.0f}], PIT {r.pit:.2f}, CRPS {r.crps:,.0f}"
        )
    print(f"scores (data to {res['data_end']}): {res['report']}")
    return 0


def cmd_backtest(args) -> int:
    from .forecasting import backtest

    out = Path(args.out)
    res = backtest.backtest(
        out,
        budget=args.budget,
        population=args.population,
        draws=args.draws,
        seed=args.seed,
        workers=args.workers,
        progress=not args.quiet,
        first=args.first_origin,
        last=args.last_origin,
        resume=args.resume,
        command=" ".join(["deterrence-sim", *sys.argv[1:]])
        if sys.argv[1:2] == ["backtest"]
        else "deterrence-sim backtest",
    )
    o = res["overall"]
    print(
        f"backtest of {o['origins']} origins ({o['months']} origin-months) in "
        f"{res['meta']['seconds_this_call'] / 60:.0f} min; report: {out}/backtest.md"
    )
    for name, f in o["forecasters"].items():
        print(
            f"  {name:<32} CRPS {f['crps']:8,.0f}  log score {f['log_score']:6.2f}  coverage 50/80/90% "
            f"{f['coverage_50']:.0%}/{f['coverage_80']:.0%}/{f['coverage_90']:.0%}"
        )
    print(
        f"  the model's CRPS is no worse than the better baseline at {o['share_model_no_worse_crps']:.0%} of the "
        f"origins"
    )
    return 0


def cmd_attribute(args) -> int:
    from .analyses import attribution

    command = " ".join(["deterrence-sim", *sys.argv[1:]]) if sys.argv[1:2] == ["attribute"] else None
    res = attribution.attribute(
        args.window,
        args.against,
        draws=args.draws,
        out=Path(args.out),
        workers=args.workers,
        seed=args.seed,
        resume=args.resume,
        command=command,
    )
    m = res["meta"]
    print(
        f"attributed {m['windows']['window'][0]}..{m['windows']['window'][1]} against "
        f"{m['windows']['against'][0]}..{m['windows']['against'][1]} in {m['seconds']:.0f} s ({m['runs_now']} runs "
        f"now, {m['draws_kept']} draws kept); report: {args.out}/attribution.md"
    )
    print(f"  {'part':<62} {'median':>8}  90% interval")
    for r in res["table"].itertuples():
        print(f"  {r.component:<62} {r.effect_p50:>+8,.0f}  {r.effect_p05:+,.0f} to {r.effect_p95:+,.0f}")
    return 0


def cmd_albania(args) -> int:
    from .analyses import albania
    from . import safeio

    out = safeio.prepare_output_dir(args.out)
    t0 = time.perf_counter()
    table = albania.simulate(replicates=args.replicates, seed=args.seed, workers=args.workers)
    albania.write(out, table)
    print(f"Albania check in {time.perf_counter() - t0:.0f} s; written to {out}/albania.md and albania.csv")
    print("  " + albania.verdict(table))
    return 0


def cmd_prior(args) -> int:
    from .calibration import deterrence_prior as prior
    from . import safeio

    out = safeio.prepare_output_dir(args.out)
    t0 = time.perf_counter()
    derived = prior.run(out, replicates=args.replicates, seed=args.seed, workers=args.workers)
    print(f"deterrence prior in {time.perf_counter() - t0:.0f} s; written to {out}/prior.md, prior.json, prior.csv")
    print(
        f"  anchors {derived['anchors']}; lognormal median {derived['median']}, sigma {derived['sigma']}, "
        f"truncated at {derived['high']}"
    )
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


def _sweep(args, label: str):
    """Run (or finish) the sweep of ``args.spec``; print its summary. Shared by ``sweep`` and
    ``sensitivity``."""
    from .sweeps import execute, figures, spec as sweep_spec

    spec = sweep_spec.load(args.spec)
    figures.check(spec)
    out = Path(args.out or Path("results") / "sweeps" / spec.name)
    res = execute.run_sweep(
        spec,
        out,
        workers=args.workers,
        scheduler=args.scheduler,
        resume=args.resume,
        progress=False if args.quiet else None,
        flush_seconds=args.flush_seconds,
    )
    done = res["done_now"]
    rate = done / res["seconds"] if res["seconds"] > 0 and done else 0.0
    print(
        f"{label} {spec.name}: {res['runs']} runs ({res['runs'] // spec.replicates} points x {spec.replicates} "
        f"replicates, {len(spec.arms)} scenario(s) each); {done} run now in {res['seconds']:.0f} s "
        f"({rate:.2f} runs/s), {res['done_before']} done before; {res['failed']} failed; results: "
        f"{out}/results.parquet"
    )
    for path in figures.draw_all(spec, res["results"], out):
        print(f"  figure: {path}")
    return spec, out, res


def cmd_sweep(args) -> int:
    _, _, res = _sweep(args, "swept")
    return 0 if res["failed"] == 0 else 1


def cmd_sensitivity(args) -> int:
    from .sweeps import sensitivity

    args.resume = True  # the analysis continues or reuses the sweep in --out
    spec, out, res = _sweep(args, "swept")
    if res["failed"]:
        print(f"  note: {res['failed']} failed run(s) are left out of their points' means")
    sens = sensitivity.write(spec, out, args.output)
    t = sens["table"]
    print(f"{sens['method']} indices: {sens['csv']} and {sens['png']}")
    for o, g in t.groupby("output", sort=False):
        print(f"  {o}")
        for _, r in g.head(args.top).iterrows():
            if sens["method"] == "morris":
                print(
                    f"    {r['parameter']:<30} mu* {r['mu_star']:>10.4g} +- {r['mu_star_conf']:<9.3g} "
                    f"sigma {r['sigma']:.4g}"
                )
            else:
                print(
                    f"    {r['parameter']:<30} ST {r['ST']:>6.3f} +- {r['ST_conf']:.3f}   "
                    f"S1 {r['S1']:>6.3f} +- {r['S1_conf']:.3f}"
                )
    return 0


def _sweep_arguments(p) -> None:
    p.add_argument("spec", help="sweep spec (TOML), e.g. experiments/sweeps/capacity_x_challenge.toml")
    p.add_argument("--out", help="output folder (default results/sweeps/<spec name>)")
    p.add_argument(
        "--workers",
        type=_positive,
        default=None,
        help="worker processes on this machine (default: all CPUs; 1: run in this process)",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="run on an existing Dask cluster, e.g. tcp://host:8786 (then --workers is ignored), "
        "or 'local': a Dask LocalCluster of --workers processes",
    )
    p.add_argument(
        "--resume",
        action="store_true",
        help="finish an interrupted sweep in --out: only the runs not yet recorded are run",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument(
        "--flush-seconds",
        type=float,
        default=5.0,
        help="write finished runs to disk at least this often (default 5; 0: after every run)",
    )


def _seed_and_workers(p, seed: int) -> None:
    """The options ``--seed`` (checked: a whole number 0..2**63-1, default ``seed``) and
    ``--workers`` (worker processes, default all CPUs) that the simulating commands share."""
    p.add_argument("--seed", type=_seed, default=seed, help=f"seed, 0..2**63-1 (default {seed})")
    p.add_argument("--workers", type=_positive, default=None, help="worker processes (default: all CPUs)")


def _episode_parser(sub, name: str, text: str, func, replicates: tuple[int, str], seed: int) -> None:
    """A command that simulates an outside episode (``albania``, ``prior``): ``--out`` (default
    ``experiments/<name>``), ``--replicates`` (default and what one replicate is per), ``--seed``
    and ``--workers``."""
    p = sub.add_parser(name, help=text)
    p.add_argument("--out", default=f"experiments/{name}", help=f"output folder (default experiments/{name})")
    p.add_argument(
        "--replicates",
        type=_positive,
        default=replicates[0],
        help=f"replicates per {replicates[1]} (default {replicates[0]})",
    )
    _seed_and_workers(p, seed)
    p.set_defaults(func=func)


def _run_parser(sub) -> None:
    """The ``run`` command and its options."""
    from .limits import MAX_REPLICATES, horizon_text

    run = sub.add_parser("run", help="simulate one scenario over replicates; write daily.csv and summary.json")
    run.add_argument("scenario", help="scenario TOML file, e.g. experiments/scenarios/pilot.toml")
    run.add_argument(
        "--replicates",
        type=_replicates,
        default=10,
        help=f"number of replicates, 1..{MAX_REPLICATES:,} (default 10); a run whose estimated memory "
        f"exceeds what the machine has is refused before it starts",
    )
    run.add_argument("--seed", type=_seed, default=20250710, help="seed of the run, 0..2**63-1 (default 20250710)")
    run.add_argument(
        "--end", type=_date, help=f"last simulated date, YYYY-MM-DD, {horizon_text()} (default: the scenario's)"
    )
    run.add_argument("--set", action="append", metavar="NAME=VALUE", help="override a parameter (repeatable)")
    run.add_argument("--out", help="output folder (default results/runs/<scenario name>)")
    run.add_argument("--workers", type=_positive, default=None, help="worker processes (default: all CPUs)")
    run.set_defaults(func=cmd_run)


def _compare_parser(sub) -> None:
    """The ``compare`` command and its options."""
    cmp = sub.add_parser(
        "compare",
        help="the main job: every scenario vs no_deal under uncertainty; "
        "decomposition, structural alternatives, dose-response; report and figures",
    )
    cmp.add_argument("scenarios", nargs="*", help="scenario files (default: all of experiments/scenarios/)")
    cmp.add_argument(
        "--replicates",
        type=_replicates,
        default=200,
        help="replicates per scenario, each with its own parameter draw and seed, paired with no_deal (default 200)",
    )
    cmp.add_argument(
        "--decomposition-replicates",
        type=_non_negative,
        default=100,
        help="replicates of the counterfactual runs that split the effect into its parts (default 100; 0 skips)",
    )
    cmp.add_argument(
        "--alternative-replicates",
        type=_non_negative,
        default=40,
        help="replicates of each structural alternative (default 40; 0 skips)",
    )
    cmp.add_argument(
        "--uncertainty",
        choices=("full", "fixed"),
        default="full",
        help="full: draw the uncertain parameters (default); fixed: every replicate at the calibrated "
        "values (the conditional answer)",
    )
    cmp.add_argument(
        "--set",
        action="append",
        metavar="NAME=VALUE",
        help="fix a parameter in every scenario (repeatable; it is then not drawn)",
    )
    cmp.add_argument("--horizon-end", default="2027-12-31", help="last simulated date (default 2027-12-31)")
    cmp.add_argument("--out", default="results/compare", help="output folder (default results/compare)")
    cmp.add_argument(
        "--resume",
        action="store_true",
        help="keep the runs an interrupted (or earlier) compare in --out completed with the same "
        "settings; without it, --out's earlier outputs are replaced",
    )
    _seed_and_workers(cmp, 20250710)
    cmp.add_argument(
        "--dose-replicates",
        type=_positive,
        default=2,
        help="replicates per point of the dose-response curve (default 2)",
    )
    cmp.add_argument("--no-dose", action="store_true", help="skip the dose-response curve")
    cmp.add_argument(
        "--posterior",
        default=None,
        metavar="FILE",
        help="posterior sample of the fitted parameters (default: the joint fit to 2026-04-30, "
        "experiments/calibration/posterior_joint.csv; the fit cut at 2025-12-31 is "
        "posterior_joint_to_2025.csv beside it)",
    )
    cmp.add_argument(
        "--before",
        default=None,
        metavar="DIR",
        help="an earlier comparison's folder to show beside this one in the report (default: "
        "experiments/headline/before_2026, the headline drawn from the fit to 2025-12-31; "
        "'none' to leave it out)",
    )
    cmp.set_defaults(func=cmd_compare)


def _calibrate_parser(sub) -> None:
    """The ``calibrate`` command and its options."""
    cal = sub.add_parser("calibrate", help="fit the uncertain parameters to the observed data (ABC-SMC, pyabc)")
    cal.add_argument(
        "--budget",
        type=_budget,
        default=500,
        help="model simulations per fit (default 500; a held-out and a full fit are made)",
    )
    cal.add_argument("--population", type=_positive, default=50, help="particles per generation (default 50)")
    cal.add_argument("--out", default="results/calibration", help="output folder (default results/calibration)")
    cal.add_argument(
        "--fit",
        choices=("both", "holdout", "full"),
        default="both",
        help="which fit(s): the held-out fit (data to 2025-06-30), the full fit, or both (default)",
    )
    cal.add_argument("--priors", help="TOML file overriding priors, e.g. [try_prob] dist='uniform' low=0.1 high=0.5")
    _seed_and_workers(cal, 20250710)
    cal.add_argument("--quiet", action="store_true", help="no progress bar")
    cal.add_argument(
        "--only-inflow-month-sd",
        action="store_true",
        help="run only the last step: estimate inflow_month_sd from the posterior(s) already in --out "
        "and update calibrated.toml there (no ABC fit)",
    )
    cal.add_argument(
        "--month-sd-replicates",
        type=int,
        default=30,
        help="model runs per moment when estimating inflow_month_sd (default 30)",
    )
    cal.set_defaults(func=cmd_calibrate)


def _fit_joint_parser(sub) -> None:
    """The ``fit-joint`` command and its options."""
    jf = sub.add_parser(
        "fit-joint",
        help="the joint fit to 2026-04-30: a reference table of simulations from the "
        "joint prior, then regression ABC for the data to 2025 and to 2026-04, and its calibration check",
    )
    jf.add_argument(
        "--table",
        default="results/joint/table",
        help="reference table folder (Parquet parts; resumed when it exists; default results/joint/table)",
    )
    jf.add_argument(
        "--simulations",
        type=_budget,
        default=0,
        help="runs the table should hold (simulates the missing ones; default 0: use what is stored)",
    )
    jf.add_argument(
        "--out",
        default=None,
        help="where the fit writes (posterior_joint.csv, identification.csv, sbc/); default: no fit, only the table",
    )
    jf.add_argument(
        "--sbc",
        type=int,
        default=300,
        help="synthetic data sets of the calibration check, besides those near deterrence 0.3, 1 and 2.5 (default 300)",
    )
    _seed_and_workers(jf, 20260430)
    jf.set_defaults(func=cmd_fit_joint)


def _validate_parser(sub) -> None:
    """The ``validate`` command and its options."""
    val = sub.add_parser("validate", help="observed vs simulated for the calibrated model; writes validation.md")
    val.add_argument("--out", default="results/validation", help="output folder (default results/validation)")
    val.add_argument(
        "--calibration",
        default=None,
        help="folder with posterior_full.csv (default results/calibration, else experiments/calibration)",
    )
    val.add_argument("--replicates", type=int, default=40, help="replicates, at least 30 (default 40)")
    _seed_and_workers(val, 1)
    val.add_argument("--no-holdout", action="store_true", help="skip the held-out forecast")
    val.add_argument(
        "--inflow-month-sd",
        type=float,
        default=None,
        help="month-to-month inflow noise for every run (default: each fit's estimate in the "
        "calibration folder's inflow_month_sd.json, else the model default)",
    )
    val.add_argument("--quiet", action="store_true", help="no progress bar")
    val.set_defaults(func=cmd_validate)


def _forecast_parser(sub) -> None:
    """The ``forecast`` command and its options."""
    fc = sub.add_parser("forecast", help="posterior-predictive forecast from a fit on the data up to --origin")
    fc.add_argument(
        "scenario",
        nargs="?",
        default=None,
        help="scenario TOML file for the policy path (default experiments/scenarios/pilot.toml)",
    )
    fc.add_argument("--origin", required=True, help="last day of data the forecast may use, YYYY-MM-DD")
    fc.add_argument("--to", required=True, help="last forecast day, YYYY-MM-DD")
    fc.add_argument("--out", default=None, help="output folder (default results/forecast/<origin>_<to>)")
    fc.add_argument("--draws", type=int, default=100, help="runs, one posterior draw each (default 100)")
    fc.add_argument("--budget", type=_budget, default=1000, help="simulations of the fit at the origin (default 1000)")
    fc.add_argument("--population", type=_positive, default=40, help="particles per generation (default 40)")
    fc.add_argument(
        "--no-parameter-uncertainty",
        action="store_true",
        help="every run takes the posterior medians (to see how much parameter uncertainty adds)",
    )
    _seed_and_workers(fc, 20250710)
    fc.add_argument(
        "--refit", action="store_true", help="fit at the origin even if a committed fit made at the same origin exists"
    )
    fc.add_argument("--quiet", action="store_true", help="no progress bar")
    fc.set_defaults(func=cmd_forecast)


def _backtest_parser(sub) -> None:
    """The ``backtest`` command and its options."""
    bt = sub.add_parser("backtest", help="rolling-origin backtest of the model against probabilistic baselines")
    bt.add_argument("--out", default="results/backtest", help="output folder (default results/backtest)")
    bt.add_argument("--first-origin", default="2023-06-30", help="first origin, a month-end (default 2023-06-30)")
    bt.add_argument("--last-origin", default="2026-01-31", help="last origin, a month-end (default 2026-01-31)")
    bt.add_argument(
        "--resume",
        action="store_true",
        help="keep the origins an earlier call with the same settings finished, and do the rest",
    )
    bt.add_argument(
        "--budget",
        type=_budget,
        default=1000,
        help="simulations of a fit, where no stored fit can be reused (default 1000)",
    )
    bt.add_argument("--population", type=_positive, default=40, help="particles per generation (default 40)")
    bt.add_argument("--draws", type=int, default=200, help="draws per forecaster and origin (default 200)")
    _seed_and_workers(bt, 20250710)
    bt.add_argument("--quiet", action="store_true", help="no progress bar")
    bt.set_defaults(func=cmd_backtest)


def _attribute_parser(sub) -> None:
    """The ``attribute`` command and its options."""
    att = sub.add_parser(
        "attribute",
        help="explain the observed change in arrivals between two windows as a sum of "
        "parts (Shapley over counterfactual runs), with 90%% intervals over the parameter draws",
    )
    att.add_argument(
        "--window",
        default="2026-01-01:2026-04-30",
        help="the window to explain, START:END (default 2026-01-01:2026-04-30)",
    )
    att.add_argument(
        "--against", default="2025", help="the year whose same calendar days the window is compared with (default 2025)"
    )
    att.add_argument("--draws", type=_positive, default=100, help="parameter draws, one seed each (default 100)")
    att.add_argument("--out", default="results/attribution", help="output folder (default results/attribution)")
    _seed_and_workers(att, 20250710)
    att.add_argument(
        "--resume", action="store_true", help="keep the draws an earlier run in --out finished with the same settings"
    )
    att.set_defaults(func=cmd_attribute)


def _score_forecasts_parser(sub) -> None:
    """The ``score-forecasts`` command and its options."""
    sf = sub.add_parser(
        "score-forecasts", help="score every registered forecast whose period has begun against the data in seeds/"
    )
    sf.add_argument(
        "--registry", default=None, help="registry CSV file (default experiments/forecast/registry.csv, as shipped)"
    )
    sf.add_argument("--out", default=None, help="folder for scores.md and scores.csv (default: the registry's)")
    sf.set_defaults(func=cmd_score_forecasts)


def _params_parser(sub) -> None:
    """The ``params`` command and its options."""
    par = sub.add_parser("params", help="list every parameter with its default, unit, range and source")
    par.add_argument("--markdown", action="store_true", help="print the table as Markdown (as in docs/ODD.md)")
    par.set_defaults(func=cmd_params)


def _sweep_parser(sub) -> None:
    """The ``sweep`` command and its options."""
    swp = sub.add_parser("sweep", help="run a parameter sweep (grid, Latin hypercube, Sobol, Morris) to Parquet")
    _sweep_arguments(swp)
    swp.set_defaults(func=cmd_sweep)


def _sensitivity_parser(sub) -> None:
    """The ``sensitivity`` command and its options."""
    sen = sub.add_parser("sensitivity", help="Morris or Sobol indices (SALib) of a sweep, running what is missing")
    _sweep_arguments(sen)
    sen.add_argument(
        "--output",
        action="append",
        metavar="COLUMN",
        help="output to analyse, e.g. rampup_x5-pilot/arrivals_2027 (repeatable; default: the spec's)",
    )
    sen.add_argument("--top", type=_positive, default=10, help="parameters printed per output (default 10)")
    sen.set_defaults(func=cmd_sensitivity)


def build_parser() -> argparse.ArgumentParser:
    """The command line: its sub-commands in the order ``--help`` lists them, each built by its own function."""
    parser = ArgumentParser(prog="deterrence-sim", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"deterrence-sim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    _run_parser(sub)
    _compare_parser(sub)
    _calibrate_parser(sub)
    _fit_joint_parser(sub)
    _validate_parser(sub)
    _forecast_parser(sub)
    _backtest_parser(sub)
    _attribute_parser(sub)
    _score_forecasts_parser(sub)
    _episode_parser(
        sub,
        "albania",
        "outside check of the deterrence strength: the UK-Albania episode of 2022",
        cmd_albania,
        replicates=(4, "point"),
        seed=20221213,
    )
    _episode_parser(
        sub,
        "prior",
        "derive the deterrence prior by simulating the anchor episodes in the model",
        cmd_prior,
        replicates=(2, "strength"),
        seed=20131219,
    )
    _params_parser(sub)
    _sweep_parser(sub)
    _sensitivity_parser(sub)
    return parser


def _show_warning(message, category, filename, lineno, file=None, line=None):
    """The command line's warnings: one line each, ``deterrence-sim: warning: ...``."""
    print(f"deterrence-sim: warning: {message}", file=sys.stderr if file is None else file)


def main(argv=None) -> int:
    from .workers import EXIT_INTERRUPTED, EXIT_TERMINATED, Terminated, handle_sigterm

    handle_sigterm()  # SIGTERM (timeout, kill, batch schedulers) stops cleanly, like Ctrl-C
    try:
        return _main(argv)
    except Terminated:
        print("deterrence-sim: terminated", file=sys.stderr)
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        print("deterrence-sim: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _main(argv) -> int:
    from .safeio import describe_os_error

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            return args.func(args)
    except ConfigError as exc:
        print(f"deterrence-sim: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:  # a file or folder the checks could not foresee (full disk, removed folder)
        print(f"deterrence-sim: error: {describe_os_error(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except MemoryError:
        print("deterrence-sim: error: out of memory; use fewer replicates or a shorter horizon", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
