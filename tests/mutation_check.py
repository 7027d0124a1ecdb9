"""Mutation check: make realistic one-line bugs in the rules, one at a time, and see which tests fail.

Each entry of :data:`MUTATIONS` is a bug: the file under ``src/deterrence_sim/``, the function it
is in, the code as it is and the code with the bug. The code is matched as Python tokens inside
that function (spaces, line breaks and comments do not count), so a reformatted rule keeps its
bugs; a bug whose code is no longer found exactly once in its function stops the check with a
message naming it, and so does a module of ``rules/`` with no bug in the list.

For each bug, the script copies the package to a temporary folder, makes the bug there (the
worktree is never touched), runs the tests of each rule (``tests/test_rules_*.py``; ``--tests``
to choose others) against the copy, and prints the tests that fail. Only a failing test of a
rule's test file counts as catching the bug (a snapshot of whole runs, such as the exact
baseline, does not). A bug that no rule test catches is reported as SURVIVED and the script
exits 1.

By default the compiled functions run as plain Python (``NUMBA_DISABLE_JIT=1``): the rules are
the same code, the unit tests run in seconds, and no bug needs the model compiled afresh.
``--jit`` compiles each mutant instead (a minute or more per bug).

    .venv/bin/python tests/mutation_check.py                  # every bug
    .venv/bin/python tests/mutation_check.py --check          # only check that every bug still applies
    .venv/bin/python tests/mutation_check.py parity_ratio_ignored --jit --tests tests/test_model.py
"""

from __future__ import annotations

import argparse
import ast
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tokenize
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "deterrence_sim"
RULE_TESTS = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests").glob("test_rules_*.py"))


class Bug(NamedTuple):
    """A one-line bug: in ``function`` of ``file`` (under src/deterrence_sim), ``old`` becomes ``new``."""

    file: str
    function: str
    old: str
    new: str


#: name -> the bug
MUTATIONS: dict[str, Bug] = {
    # ---- the bugs that survived the suite or were caught only by a snapshot hash (issue 17)
    "recrossing_switched_off": Bug(
        "rules/returns.py", "returnee_move", "return u < recross, recross <= u", "return False, recross <= u"
    ),
    "court_win_inverted": Bug("rules/courts.py", "challenge_succeeds", "uniform(rng) < p", "uniform(rng) >= p"),
    "parity_forgets_admissions": Bug(
        "rules/legal_route.py",
        "parity_room",
        "np.floor(ratio * returned_total) - admitted_total",
        "np.floor(ratio * returned_total)",
    ),
    "parity_ratio_ignored": Bug(
        "rules/legal_route.py",
        "parity_room",
        "np.floor(ratio * returned_total) - admitted_total",
        "np.floor(returned_total) - admitted_total",
    ),
    "max_people_per_boat_ignored": Bug(
        "rules/smugglers.py", "adapt_load", "np.minimum(load + gain * boats_lost, load_max)", "load + gain * boats_lost"
    ),
    "france_week_not_mondays": Bug("rules/france.py", "week_of", "return (t + weekday0) // 7", "return t // 7"),
    "france_preference_swapped": Bug(
        "rules/france.py",
        "acceptance_probability",
        "return p_returnable if group == returnable_group else p_other",
        "return p_other if group == returnable_group else p_returnable",
    ),
    "returnees_not_barred": Bug("rules/uk.py", "fly", "p.barred[board] = True", "p.barred[board] = False"),
    "fast_track_detained_last": Bug(
        "rules/uk.py",
        "detention_order",
        'order[np.argsort(~fast_track[order], kind="mergesort")]',
        'order[np.argsort(fast_track[order], kind="mergesort")]',
    ),
    "removal_window_plus_30_days": Bug(
        "rules/uk.py", "window_expired", "today - arrived_day >= window_days", "today - arrived_day >= window_days + 30"
    ),
    "removal_salience_ignored": Bug(
        "rules/belief.py",
        "risk_signal",
        "np.clip(salience * share + announcement, 0.0, 1.0)",
        "np.clip(share + announcement, 0.0, 1.0)",
    ),
    "window_expiry_counted_but_kept_detained": Bug(
        "rules/uk.py", "expire_window", "leave_one(p, held[j], IN_UK_ASYLUM, w.leavers)", "pass"
    ),
    "belief_weights_swapped": Bug(
        "rules/belief.py",
        "risk_signal",
        "social_weight * own + (1.0 - social_weight) * everyone",
        "(1.0 - social_weight) * own + social_weight * everyone",
    ),
    "price_floor_ignored": Bug(
        "rules/smugglers.py",
        "adapt_price",
        "np.clip(price * np.exp(response * (pressure + losses)), lo, hi)",
        "np.minimum(price * np.exp(response * (pressure + losses)), hi)",
    ),
    "people_per_boat_rounded_up": Bug(
        "rules/smugglers.py", "launch", "np.floor(net.load).astype(np.int64)", "np.ceil(net.load).astype(np.int64)"
    ),
    # ---- more, across the mechanisms
    "weekly_cap_one_more": Bug(
        "rules/france.py",
        "within_weekly_cap",
        "np.floor(weekly_cap) - accepted_this_week",
        "np.floor(weekly_cap) + 1 - accepted_this_week",
    ),
    "deferred_to_sunday_not_monday": Bug(
        "rules/france.py", "next_monday", "return (week + 1) * 7 - weekday0", "return (week + 1) * 7 - weekday0 - 1"
    ),
    "injunction_ignored": Bug(
        "rules/courts.py", "injunction", "return challenge == CHALLENGE_PENDING", "return challenge < 0"
    ),
    "flight_credit_not_carried": Bug("rules/uk.py", "flights_today", "return n, credit - n", "return n, 0.0"),
    "capacity_ignores_the_held": Bug(
        "rules/uk.py",
        "screen",
        "np.floor(d.detention_capacity[t]) - len(held)",
        "np.floor(d.detention_capacity[t]) - 0",
    ),
    "boarding_newest_first": Bug(
        "rules/uk.py",
        "boarding_order",
        'np.argsort(arrived_day, kind="mergesort")',
        'np.argsort(-arrived_day, kind="mergesort")',
    ),
    "admission_not_earliest_decision_first": Bug(
        "rules/legal_route.py", "first_in_line", "np.flatnonzero(decided < cut)", "np.flatnonzero(decided > cut)"
    ),
    "detained_may_apply": Bug("model.py", "people_day", "elif s == WAITING:", "elif s == WAITING or s == DETAINED:"),
    "refused_applicant_approved": Bug(
        "rules/legal_route.py", "applicant_step", "if not approved(w.stream, c.legal_approval_prob):", "if False:"
    ),
    # ---- the person steps that write their own state (issue 23)
    "returnee_back_wait_not_restarted": Bug(
        "rules/returns.py", "returnee_step", "p.since[i] = t", "p.since[i] = p.since[i]"
    ),
    "returnee_giving_up_not_counted": Bug(
        "rules/returns.py", "returnee_step", "today.left_route += 1", "today.left_route += 0"
    ),
    "application_not_counted": Bug(
        "rules/legal_route.py", "application_step", "today.legal_applications += 1", "today.legal_applications += 0"
    ),
    "application_approved_unheard": Bug(
        "rules/legal_route.py", "application_step", "p.answer[i] = ANSWER_PENDING", "p.answer[i] = ANSWER_ACCEPTED"
    ),
    "limbo_leaver_not_barred": Bug(
        "rules/legal_route.py", "applicant_step", "p.barred[i] = True", "p.barred[i] = False"
    ),
    "approved_not_listed_for_admission": Bug("rules/legal_route.py", "applicant_step", "push(w.ready, i)", "None"),
    "comeback_wait_not_restarted": Bug("rules/decision.py", "away_step", "p.since[i] = t", "p.since[i] = 0"),
    "leaving_not_counted": Bug("rules/decision.py", "decision_step", "today.left_route += 1", "today.left_route += 0"),
    "everyone_listed_tries": Bug(
        "rules/decision.py", "decision_step", "tryers.n[0] += tries(", "tryers.n[0] += 1 + 0 * tries("
    ),
    "belief_of_the_first_group": Bug("rules/belief.py", "belief_step", "signal[p.group[i]]", "signal[0]"),
    "newcomers_turn_back_any_day": Bug("rules/inflow.py", "turn_back_step", "p.since[i] == t", "p.since[i] <= t"),
    "turning_back_not_counted": Bug(
        "rules/inflow.py", "turn_back_step", "today.left_route += 1", "today.left_route += 0"
    ),
    "force_restraint_raises_prevention": Bug(
        "rules/france.py",
        "beach_stop_probability",
        "beach * (1.0 - restraint_effect * restraint)",
        "beach * (1.0 + restraint_effect * restraint)",
    ),
    "interception_gain_ignored": Bug(
        "rules/interception.py",
        "taxi_stop_probability",
        "min(1.0, taxi + interception_gain * interception)",
        "min(1.0, taxi)",
    ),
    "interception_stops_beach_launches": Bug(
        "rules/interception.py",
        "stop_at_sea",
        "stopped = launch.is_taxi & (launch.police_draw < p_taxi)",
        "stopped = launch.police_draw < p_taxi",
    ),
    "rescue_only_of_stopped_boats": Bug(
        "rules/crossing.py", "cross_sea", "rescued = ~stopped & boats_rescued(", "rescued = stopped & boats_rescued("
    ),
    "crowding_ignored": Bug(
        "rules/crossing.py",
        "death_probability",
        "death_prob * (load / REFERENCE_LOAD) ** exponent",
        "death_prob + 0.0 * load",
    ),
    "stock_unbounded": Bug(
        "rules/smugglers.py", "restock", "np.minimum(boats + new, STOCK_DAYS * max_launches)", "boats + new"
    ),
    "savings_ignored": Bug(
        "rules/decision.py", "can_pay", "budget + savings_per_day * days_waited >= price", "budget >= price"
    ),
    "impatience_uncapped": Bug(
        "rules/decision.py", "try_probability", "np.minimum(days_waited, 90) / 30.0", "days_waited / 30.0"
    ),
    "risk_lowers_leaving": Bug(
        "rules/decision.py", "leave_probability", "np.minimum(1.0, base / factor)", "np.minimum(1.0, base * factor)"
    ),
    "awareness_restarts_daily": Bug("rules/legal_route.py", "spread_awareness", "if k.awareness == 0.0:", "if True:"),
    "prices_move_on_rough_days": Bug("rules/smugglers.py", "adapt", "if viable:", "if True:"),
    "min_fill_ignored": Bug(
        "rules/smugglers.py", "boats_to_launch", "np.maximum(min_fill * np.floor(load), 1.0)", "1.0"
    ),
    "newcomers_believe_nothing": Bug(
        "rules/inflow.py", "add_newcomers", "p.belief[n:n + m] = signal[new.group[lo:hi]]", "p.belief[n:n + m] = 0.0"
    ),
    "approval_inverted": Bug("rules/legal_route.py", "approved", "return uniform(rng) < p", "return uniform(rng) >= p"),
    "recrossings_not_counted": Bug(
        "rules/crossing.py",
        "cross_sea",
        "recrossings += p.times_returned[i] > 0",
        "recrossings += 0",
    ),
    "arrivals_of_a_group_miscounted": Bug(
        "rules/crossing.py",
        "cross_sea",
        "today.arrivals_protection = by_group[PROTECTION]",
        "today.arrivals_protection = by_group[OTHER]",
    ),
    # ---- rule 2, weather (issue 23: it had no test of its own)
    "weather_stationary_share_wrong": Bug(
        "rules/weather.py",
        "stationary_calm_share",
        "denom = 1.0 - calm_after_calm + calm_after_rough",
        "denom = 1.0 + calm_after_calm - calm_after_rough",
    ),
    "weather_transitions_swapped": Bug(
        "rules/weather.py", "markov_weather", "(cc[i] if calm else cr[i])", "(cr[i] if calm else cc[i])"
    ),
    "weather_months_shifted": Bug(
        "rules/weather.py",
        "markov_weather",
        "np.asarray(calm_after_calm)[months - 1]",
        "np.asarray(calm_after_calm)[months % 12]",
    ),
    "weather_first_day_always_calm": Bug(
        "rules/weather.py",
        "markov_weather",
        "calm = u[0] < stationary_calm_share(cc[0], cr[0]) if len(months) else False",
        "calm = True",
    ),
    "weather_observed_rough_days_ignored": Bug(
        "rules/weather.py", "observed_weather", "if flag is not None:", "if flag:"
    ),
    # ---- rule 1, inflow
    "inflow_seasonality_not_normalised": Bug(
        "rules/inflow.py", "expected_newcomers_per_day", "share = w / w.sum()", "share = w"
    ),
    "inflow_months_shifted": Bug(
        "rules/inflow.py", "expected_newcomers_per_day", "share[month - 1]", "share[month % 12]"
    ),
    "inflow_leap_centuries": Bug(
        "rules/inflow.py",
        "_days_in_month",
        "(year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))",
        "(year % 4 == 0)",
    ),
    "inflow_month_factor_not_mean_one": Bug(
        "rules/inflow.py", "month_multipliers", "np.exp(sd * z - 0.5 * sd * sd)", "np.exp(sd * z)"
    ),
    "inflow_protection_share_one_third": Bug(
        "rules/inflow.py",
        "draw_newcomers",
        "c.share_returnable_nationality + rest * 2 / 3",
        "c.share_returnable_nationality + rest * 1 / 3",
    ),
    "inflow_ties_take_the_eligible_share": Bug(
        "rules/inflow.py",
        "draw_newcomers",
        "rng.random(n) < c.share_family_ties",
        "rng.random(n) < c.share_scheme_eligible",
    ),
    "inflow_budget_spread_ignored": Bug(
        "rules/inflow.py",
        "draw_newcomers",
        "np.exp(c.budget_spread * rng.standard_normal(n))",
        "np.exp(rng.standard_normal(n))",
    ),
    "inflow_newcomers_wait_since_day_zero": Bug(
        "rules/inflow.py", "add_newcomers", "p.since[n:n + m] = t", "p.since[n:n + m] = 0"
    ),
    "inflow_stays_away_inverted": Bug(
        "rules/inflow.py",
        "stays_away",
        "1.0 - np.exp(-elasticity * strength * risk)",
        "np.exp(-elasticity * strength * risk)",
    ),
    # ---- rule 6a, interception at sea
    "interception_stops_on_equal_draw": Bug(
        "rules/interception.py", "stop_at_sea", "launch.police_draw < p_taxi", "launch.police_draw <= p_taxi"
    ),
    "interception_schedule_of_the_first_day": Bug(
        "rules/interception.py", "stop_at_sea", "d.at_sea_interception[t]", "d.at_sea_interception[0]"
    ),
    "interception_uses_the_beach_probability": Bug(
        "rules/interception.py",
        "stop_at_sea",
        "taxi_stop_probability(d.taxi_prevention_prob[t]",
        "taxi_stop_probability(d.beach_prevention_prob[t]",
    ),
    "interception_counts_ordinary_stops": Bug(
        "rules/interception.py",
        "intercepted_on_the_water",
        "is_taxi & (police_draw >= taxi) & (police_draw < p_taxi)",
        "is_taxi & (police_draw < p_taxi)",
    ),
    "interception_counts_boats_not_people": Bug(
        "rules/interception.py", "stop_at_sea", "load[water].sum()", "water.sum()"
    ),
    "interception_uncapped": Bug(
        "rules/interception.py",
        "taxi_stop_probability",
        "min(1.0, taxi + interception_gain * interception)",
        "taxi + interception_gain * interception",
    ),
}

_LAYOUT = {tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.COMMENT, tokenize.ENDMARKER}


def _tokens(text: str) -> list[tokenize.TokenInfo]:
    """The code tokens of ``text`` (no line breaks, indentation or comments); a fragment that
    leaves a bracket open is tokenized as far as it goes."""
    out = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type not in _LAYOUT:
                out.append(tok)
    except tokenize.TokenError:
        pass
    return out


def patched(text: str, name: str, bug: Bug) -> str:
    """``text`` (the source of ``bug.file``) with the bug made: ``bug.old`` found as tokens in the
    function ``bug.function``, exactly once, and replaced by ``bug.new``. Stops with a message
    naming the bug when the function or the code is not found exactly once."""
    where = f"{name}: {bug.file}"
    funcs = [
        node
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == bug.function
    ]
    if len(funcs) != 1:
        raise SystemExit(f"{where}: the function {bug.function} occurs {len(funcs)} times; update MUTATIONS")
    lo, hi = funcs[0].lineno, funcs[0].end_lineno or funcs[0].lineno
    code = [t for t in _tokens(text) if lo <= t.start[0] <= hi]
    want = [t.string for t in _tokens(bug.old)]
    if not want:
        raise SystemExit(f"{where}: the code to change is empty")
    hits = [i for i in range(len(code) - len(want) + 1) if [t.string for t in code[i : i + len(want)]] == want]
    if len(hits) != 1:
        raise SystemExit(
            f"{where}: `{bug.old}` occurs {len(hits)} times in {bug.function}; update MUTATIONS "
            "(the bug no longer applies)"
        )
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    first, last = code[hits[0]], code[hits[0] + len(want) - 1]
    a = starts[first.start[0] - 1] + first.start[1]
    b = starts[last.end[0] - 1] + last.end[1]
    out = text[:a] + bug.new + text[b:]
    try:
        ast.parse(out)
    except SyntaxError as e:
        raise SystemExit(f"{where}: the code with the bug is not valid Python ({e})") from None
    return out


def check_list() -> None:
    """Every module of rules/ has at least one bug in the list, and every bug still applies."""
    rules = sorted(f"rules/{p.name}" for p in (PACKAGE / "rules").glob("*.py") if p.name != "__init__.py")
    missing = [r for r in rules if not any(bug.file == r for bug in MUTATIONS.values())]
    if missing:
        raise SystemExit(f"no bug in MUTATIONS for {', '.join(missing)}: add at least one, caught by its rule test")
    for name, bug in MUTATIONS.items():
        patched((PACKAGE / bug.file).read_text(), name, bug)


def mutate(src: Path, name: str) -> None:
    bug = MUTATIONS[name]
    path = src / "deterrence_sim" / bug.file
    path.write_text(patched(path.read_text(), name, bug))


def failing_tests(src: Path, tests: list[str], jit: bool, first_only: bool = False) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(src), "NUMBA_CACHE_DIR": str(src.parent / "numba-cache")}
    if not jit:
        env["NUMBA_DISABLE_JIT"] = "1"
    stop = ["-x"] if first_only else []
    # -n 0: one process per mutant (pytest.ini_options asks for two; the mutants already run side by side)
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rf", "-n", "0", "-p", "no:cacheprovider", *stop, *tests],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    return sorted(set(re.findall(r"^FAILED (\S+?)(?: - |$)", out.stdout, flags=re.M)))


def _rule_tests_first(bug: Bug, tests: list[str], seconds: dict[str, float]) -> list[str]:
    """The tests, those of the bug's own rule first, then the quickest (so that ``-x`` stops early)."""
    stem = Path(bug.file).stem
    return sorted(tests, key=lambda t: (stem not in Path(t).stem, seconds.get(t, 0.0)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="bugs to make (default: all)")
    parser.add_argument("--tests", nargs="+", default=RULE_TESTS)
    parser.add_argument("--jit", action="store_true", help="compile each mutant (slow)")
    parser.add_argument("--check", action="store_true", help="only check that every bug applies, run no test")
    parser.add_argument(
        "--all-failures",
        action="store_true",
        help="list every failing test (default: stop at the first rule test that fails)",
    )
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1), help="mutants run at once")
    args = parser.parse_args()
    unknown = [n for n in args.names if n not in MUTATIONS]
    if unknown:
        raise SystemExit(f"unknown bug {unknown[0]!r}")
    check_list()
    if args.check:
        print(f"{len(MUTATIONS)} bugs apply; every rule module has at least one")
        return 0
    names = args.names or list(MUTATIONS)
    rule_tests = {t for t in args.tests if Path(t).name.startswith("test_rules_")}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        seconds = {}  # each test file's time without a bug: the quickest are run first
        for test in args.tests:
            t0 = time.perf_counter()
            clean = failing_tests(ROOT / "src", [test], args.jit)
            if clean:
                raise SystemExit(f"tests fail without any bug: {clean}")
            seconds[test] = time.perf_counter() - t0

        def one(name: str) -> tuple[str, list[str]]:
            src = Path(tmp) / name / "src"
            shutil.copytree(PACKAGE, src / "deterrence_sim", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
            mutate(src, name)
            bug = MUTATIONS[name]
            first_only = not args.all_failures and set(args.tests) <= rule_tests
            tests = _rule_tests_first(bug, args.tests, seconds) if first_only else args.tests
            return name, failing_tests(src, tests, args.jit, first_only=first_only)

        survived = []
        with ThreadPoolExecutor(max(1, args.workers)) as pool:
            for name, failed in pool.map(one, names):
                caught = [f for f in failed if f.split("::")[0] in rule_tests]
                print(
                    f"{name}: "
                    + (
                        ", ".join(f.split("::")[-1] for f in failed)
                        if caught
                        else "SURVIVED" + (f" (only {', '.join(failed)})" if failed else "")
                    ),
                    flush=True,
                )
                if not caught:
                    survived.append(name)
    print(
        f"{len(names) - len(survived)} of {len(names)} bugs caught by a rule test "
        f"in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
