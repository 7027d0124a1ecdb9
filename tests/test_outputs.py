"""The declared table of daily outputs (``daybook.OUTPUTS``) against the code: every declared
column is written by the rule it names (and by the reference model), every figure the code
writes is declared, a level is never summed as an event, and the declared types hold in the
stored baseline runs."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deterrence_sim import ChannelModel, daybook, runner
from deterrence_sim.daybook import DAILY_COLUMNS, EVENT, EVENT_COLUMNS, FLOAT_COLUMNS, GROUP_ARRIVALS, LEVEL, OUTPUTS
from deterrence_sim.population import GROUP_NAMES, N_GROUPS
from deterrence_sim.rules.belief import fade_factor

PACKAGE = Path(daybook.__file__).resolve().parent
BASELINE = Path(__file__).resolve().parent / "baseline"


def writes_of_today() -> list[tuple[str, str, str, bool]]:
    """Every write of a daily figure in the compiled model's code (``today.<name> = ...`` or
    ``+= ...``): (name, file under the package, function, whether it adds to the figure)."""
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "reference" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        funcs = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                targets = [e for t in node.targets for e in (t.elts if isinstance(t, ast.Tuple) else [t])]
            elif isinstance(node, ast.AugAssign):
                targets = [node.target]
            else:
                continue
            for t in targets:
                if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "today":
                    func = max(
                        (f for f in funcs if f.lineno <= node.lineno <= (f.end_lineno or 0)), key=lambda f: f.lineno
                    ).name
                    out.append((t.attr, path.relative_to(PACKAGE).as_posix(), func, isinstance(node, ast.AugAssign)))
    return out


def test_outputs_declared_once_and_the_lists_made_from_them():
    assert len(set(DAILY_COLUMNS)) == len(OUTPUTS)
    for o in OUTPUTS:
        assert o.kind in (EVENT, LEVEL) and o.dtype in ("int", "float") and o.meaning, o
        assert o.rule == "records" or (PACKAGE / "rules" / f"{o.rule}.py").exists(), f"{o.name}: no rule {o.rule}"
    assert set(EVENT_COLUMNS) == {o.name for o in OUTPUTS if o.kind == EVENT}
    assert set(FLOAT_COLUMNS) == {o.name for o in OUTPUTS if o.dtype == "float"}


def test_outputs_every_declared_column_is_written_by_its_rule():
    """A declared figure that no code writes would be 0 every day, silently. Each is written in
    its rule's module, or by the day itself in model.py (the per-person pass and the weather flag),
    or, for the end-of-day levels ("records"), by daybook.record_levels."""
    writers: dict[str, set[str]] = {}
    for name, file, func, _ in writes_of_today():
        writers.setdefault(name, set()).update({file, f"{file}:{func}"})
    for o in OUTPUTS:
        allowed = {"daybook.py:record_levels"} if o.rule == "records" else {f"rules/{o.rule}.py", "model.py"}
        assert writers.get(o.name, set()) & allowed, (
            f"{o.name}: declared as written by {o.rule}, written by {sorted(writers.get(o.name, [])) or 'nothing'}"
        )


def test_outputs_every_written_figure_is_declared():
    undeclared = sorted({name for name, *_ in writes_of_today()} - set(DAILY_COLUMNS))
    assert not undeclared, f"written but not declared in daybook.OUTPUTS: {undeclared}"


def test_outputs_a_level_is_never_declared_or_summed_as_an_event():
    """The end-of-day figures (record_levels) and the figures of the day's state are levels; a
    figure that is added to during the day is an event; yearly totals sum the events only."""
    kind = {o.name: o.kind for o in OUTPUTS}
    for name, _, func, adds in writes_of_today():
        if func == "record_levels":
            assert kind[name] == LEVEL, f"{name} is written at the end of the day (a level) but declared an event"
        if adds:
            assert kind[name] == EVENT, f"{name} is added to during the day (an event) but declared a level"
    daily = pd.DataFrame({"replicate": [0, 0], **{c: [1.0, 2.0] for c in DAILY_COLUMNS}})
    assert list(runner.totals(daily).columns) == list(EVENT_COLUMNS)


def test_outputs_the_reference_model_writes_every_column():
    """The reference model (deterrence_sim.reference) records each declared figure itself: a
    column it forgot would be 0 there and dock against the compiled model's figure by accident."""
    code = "".join(p.read_text() for p in (PACKAGE / "reference").glob("*.py"))
    missing = [c for c in DAILY_COLUMNS if not re.search(rf"today\[\"{c}\"\]\s*\+?=", code)]
    assert not missing, f"the reference model does not write {missing}"


def test_outputs_arrivals_by_group_add_up_and_are_each_groups_own():
    """The arrivals of each nationality group (``arrivals_<group>``, one column per
    population.GROUP_NAMES) add up to ``arrivals`` every day, and each is its own group's: the
    community's fading record of arrivals by group (rule 4: record = keep x (record before +
    today's arrivals)), read day by day, grows by exactly that group's column."""
    assert GROUP_ARRIVALS == tuple(f"arrivals_{g}" for g in GROUP_NAMES) and len(GROUP_ARRIVALS) == N_GROUPS
    model = ChannelModel(rng=3, start="2025-06-01", end="2025-08-31")
    keep = fade_factor(model.c.memory_half_life_days)
    before, seen = np.zeros(N_GROUPS), np.zeros(N_GROUPS)
    while model.running:
        model.step()
        today = model.today
        by_group = np.array([today[c] for c in GROUP_ARRIVALS], dtype=float)
        assert by_group.sum() == today["arrivals"], model.date
        after = model.arrived_record.copy()
        np.testing.assert_allclose(after / keep - before, by_group, atol=1e-6, err_msg=str(model.date))
        before, seen = after, seen + by_group
    assert (seen > 0).all()  # every group arrived on some day


@pytest.mark.parametrize("setting", ["pilot", "binding"])
def test_outputs_types_hold_in_the_stored_baseline(setting):
    """Counts are whole numbers; the float figures take other values too."""
    df = pd.read_csv(BASELINE / f"{setting}.csv")
    assert list(df.columns[-len(DAILY_COLUMNS) :]) == list(DAILY_COLUMNS)
    for o in OUTPUTS:
        values = df[o.name].dropna()
        whole = bool((values == values.round()).all())
        assert whole == (o.dtype == "int"), f"{o.name}: declared {o.dtype}"
