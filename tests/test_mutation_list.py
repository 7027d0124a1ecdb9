"""The mutation check's list (``tests/mutation_check.py``) still applies: every bug's code is found
exactly once in its function, and every module of ``rules/`` has a bug in the list. (CI runs the
whole check, each bug against the rule tests, as a step of ``.ci/run``.)"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mutation_check


def test_every_bug_of_the_mutation_check_applies_and_every_rule_has_one():
    mutation_check.check_list()


def test_a_bug_whose_code_is_gone_stops_the_check_with_its_name():
    bug = mutation_check.Bug("rules/weather.py", "markov_weather", "cc[i] if calm else cr[i]", "cr[i]")
    text = (mutation_check.PACKAGE / bug.file).read_text()
    assert "u[i] < (cr[i])" in mutation_check.patched(text, "demo", bug)
    # the same code over three lines with a comment inside: the same bug
    reformatted = text.replace(
        "(cc[i] if calm else cr[i])", "(\n                cc[i]  # calm\n                if calm else cr[i])"
    )
    assert "u[i] < (\n                cr[i])" in mutation_check.patched(reformatted, "demo", bug)
    gone = re.escape("demo: rules/weather.py: `cc[i] if calm else cr[i]` occurs 0 times")
    with pytest.raises(SystemExit, match=gone):
        mutation_check.patched(text.replace("cc[i] if calm", "cc[i] if not calm"), "demo", bug)
    with pytest.raises(SystemExit, match="the function nowhere occurs 0 times"):
        mutation_check.patched(text, "demo", bug._replace(function="nowhere"))
