"""Mutation check: make realistic one-line bugs in the rules, one at a time, and see which tests fail.

Each entry of :data:`MUTATIONS` is a bug (a name, the file under ``src/deterrence_sim/``, the
line as it is and the line with the bug). For each, the script copies the package to a
temporary folder, makes the bug there (the worktree is never touched), runs the tests of each
rule (``tests/test_rules_*.py``; ``--tests`` to choose others) against the copy, and prints the
tests that fail. A bug that no test catches is reported as SURVIVED and the script exits 1.

By default the compiled functions run as plain Python (``NUMBA_DISABLE_JIT=1``): the rules are
the same code, the unit tests run in seconds, and no bug needs the model compiled afresh.
``--jit`` compiles each mutant instead (a minute or more per bug).

    .venv/bin/python tests/mutation_check.py                  # every bug
    .venv/bin/python tests/mutation_check.py parity_ratio_ignored --jit --tests tests/test_model.py
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RULE_TESTS = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests").glob("test_rules_*.py"))

#: name -> (file under src/deterrence_sim, the line as it is, the line with the bug)
MUTATIONS: dict[str, tuple[str, str, str]] = {
    # ---- the bugs that survived the suite or were caught only by a snapshot hash (issue 17)
    "recrossing_switched_off": ("rules/returns.py", "return u < recross, recross <= u < recross + settle",
                                "return False, recross <= u < recross + settle"),
    "court_win_inverted": ("rules/courts.py", "    return rng.random(n) < p\n\n\n@njit(cache=True)\ndef injunction",
                           "    return rng.random(n) >= p\n\n\n@njit(cache=True)\ndef injunction"),
    "parity_forgets_admissions": ("rules/legal_route.py", "np.floor(ratio * returned_total) - admitted_total",
                                  "np.floor(ratio * returned_total)"),
    "parity_ratio_ignored": ("rules/legal_route.py", "np.floor(ratio * returned_total) - admitted_total",
                             "np.floor(returned_total) - admitted_total"),
    "max_people_per_boat_ignored": ("rules/smugglers.py", "np.minimum(load + gain * boats_lost, load_max)",
                                    "load + gain * boats_lost"),
    "france_week_not_mondays": ("rules/france.py", "return (t + weekday0) // 7", "return t // 7"),
    "france_preference_swapped": ("rules/france.py",
                                  "np.where(group == returnable_group, p_returnable, p_other)",
                                  "np.where(group == returnable_group, p_other, p_returnable)"),
    "returnees_not_barred": ("rules/uk.py", "p.barred[board] = True", "p.barred[board] = False"),
    "fast_track_detained_last": ("rules/uk.py", "order[np.argsort(~fast_track[order], kind=\"mergesort\")]",
                                 "order[np.argsort(fast_track[order], kind=\"mergesort\")]"),
    "removal_window_plus_30_days": ("rules/uk.py", "today - arrived_day >= window_days",
                                    "today - arrived_day >= window_days + 30"),
    "removal_salience_ignored": ("rules/belief.py", "np.clip(salience * share + announcement, 0.0, 1.0)",
                                 "np.clip(share + announcement, 0.0, 1.0)"),
    "window_expiry_counted_but_kept_detained": ("rules/uk.py", "    leave(w.p, out, IN_UK_ASYLUM, w.leavers)",
                                                "    pass"),
    "belief_weights_swapped": ("rules/belief.py", "social_weight * own + (1.0 - social_weight) * everyone",
                               "(1.0 - social_weight) * own + social_weight * everyone"),
    "price_floor_ignored": ("rules/smugglers.py",
                            "np.clip(price * np.exp(response * (pressure + losses)), lo, hi)",
                            "np.minimum(price * np.exp(response * (pressure + losses)), hi)"),
    "people_per_boat_rounded_up": ("rules/smugglers.py", "whole_load = np.floor(net.load).astype(np.int64)",
                                   "whole_load = np.ceil(net.load).astype(np.int64)"),
    # ---- more, across the mechanisms
    "weekly_cap_one_more": ("rules/france.py", "np.floor(weekly_cap) - accepted_this_week",
                            "np.floor(weekly_cap) + 1 - accepted_this_week"),
    "deferred_to_sunday_not_monday": ("rules/france.py", "return (week + 1) * 7 - weekday0",
                                      "return (week + 1) * 7 - weekday0 - 1"),
    "injunction_ignored": ("rules/courts.py", "return challenge == CHALLENGE_PENDING", "return challenge < 0"),
    "flight_credit_not_carried": ("rules/uk.py", "return n, credit - n", "return n, 0.0"),
    "capacity_ignores_the_held": ("rules/uk.py", "np.floor(d.detention_capacity[t]) - len(held)",
                                  "np.floor(d.detention_capacity[t]) - 0"),
    "boarding_newest_first": ("rules/uk.py", "by_arrival = np.argsort(arrived_day, kind=\"mergesort\")",
                              "by_arrival = np.argsort(-arrived_day, kind=\"mergesort\")"),
    "admission_not_earliest_decision_first": ("rules/legal_route.py", "below = np.flatnonzero(decided < cut)",
                                              "below = np.flatnonzero(decided > cut)"),
    "detained_may_apply": ("model.py", "elif s == WAITING and route_open and legal_route.may_apply",
                           "elif route_open and legal_route.may_apply"),
    "refused_applicant_stays_applied": ("model.py", "# refused: back to waiting, the wait not restarted\n"
                                        "                    s = state[i] = WAITING\n",
                                        "# refused\n                    s = APPLIED\n"),
    "force_restraint_raises_prevention": ("rules/france.py", "beach * (1.0 - restraint_effect * restraint)",
                                          "beach * (1.0 + restraint_effect * restraint)"),
    "interception_gain_ignored": ("rules/interception.py", "min(1.0, taxi + interception_gain * interception)",
                                  "min(1.0, taxi)"),
    "interception_stops_beach_launches": ("rules/interception.py",
                                          "return launch.is_taxi & (launch.police_draw < p_taxi)",
                                          "return launch.police_draw < p_taxi"),
    "rescue_only_of_stopped_boats": ("rules/crossing.py", "rescued = ~stopped & boats_rescued(",
                                     "rescued = stopped & boats_rescued("),
    "crowding_ignored": ("rules/crossing.py", "death_prob * (load / REFERENCE_LOAD) ** exponent", "death_prob"),
    "stock_unbounded": ("rules/smugglers.py", "np.minimum(boats + new, STOCK_DAYS * max_launches)",
                        "boats + new"),
    "savings_ignored": ("rules/decision.py", "budget + savings_per_day * days_waited >= price",
                        "budget >= price"),
    "impatience_uncapped": ("rules/decision.py", "np.minimum(days_waited, 90) / 30.0", "days_waited / 30.0"),
    "risk_lowers_leaving": ("rules/decision.py", "np.minimum(1.0, base / factor)", "np.minimum(1.0, base * factor)"),
    "awareness_restarts_daily": ("rules/legal_route.py", "if k.awareness == 0.0:", "if True:"),
    "prices_move_on_rough_days": ("rules/smugglers.py", "    if viable:\n        floor",
                                  "    if True:\n        floor"),
    "min_fill_ignored": ("rules/smugglers.py", "np.maximum(min_fill * np.floor(load), 1.0)", "1.0"),
    "newcomers_believe_nothing": ("rules/inflow.py", "p.belief[n:n + m] = signal[new.group[lo:hi]]",
                                  "p.belief[n:n + m] = 0.0"),
    "approval_inverted": ("rules/legal_route.py", "    return rng.random() < p\n", "    return rng.random() >= p\n"),
    "recrossings_not_counted": ("rules/crossing.py", "today.recrossings = (p.times_returned[arrived_rows] > 0).sum()",
                                "today.recrossings = 0"),
}


def mutate(src: Path, name: str) -> None:
    file, old, new = MUTATIONS[name]
    path = src / "deterrence_sim" / file
    text = path.read_text()
    if text.count(old) != 1:
        raise SystemExit(f"{name}: the line to change occurs {text.count(old)} times in {file}")
    path.write_text(text.replace(old, new))


def failing_tests(src: Path, tests: list[str], jit: bool) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(src), "NUMBA_CACHE_DIR": str(src.parent / "numba-cache")}
    if not jit:
        env["NUMBA_DISABLE_JIT"] = "1"
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rf", "-p", "no:cacheprovider", *tests],
                         cwd=ROOT, env=env, capture_output=True, text=True)
    return sorted(set(re.findall(r"^FAILED (\S+?)(?: - |$)", out.stdout, flags=re.M)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="bugs to make (default: all)")
    parser.add_argument("--tests", nargs="+", default=RULE_TESTS)
    parser.add_argument("--jit", action="store_true", help="compile each mutant (slow)")
    args = parser.parse_args()
    survived = []
    with tempfile.TemporaryDirectory() as tmp:
        clean = failing_tests(ROOT / "src", args.tests, args.jit)
        if clean:
            raise SystemExit(f"tests fail without any bug: {clean}")
        for name in args.names or MUTATIONS:
            src = Path(tmp) / name / "src"
            shutil.copytree(ROOT / "src" / "deterrence_sim", src / "deterrence_sim",
                            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
            mutate(src, name)
            failed = failing_tests(src, args.tests, args.jit)
            print(f"{name}: " + (", ".join(f.split("::")[-1] for f in failed) if failed else "SURVIVED"), flush=True)
            if not failed:
                survived.append(name)
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
