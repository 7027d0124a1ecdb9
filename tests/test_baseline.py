"""The exact regression baseline: short runs' daily figures, compared figure for figure with
the stored ones (``tests/baseline/``; how and when to update them: ``update_baseline.py``).

This test says *that* the model's figures changed, not which rule changed them (the tests of
each rule, ``tests/test_rules_*.py``, say that): a refactor must leave it passing, and an
intended change re-baselines with the reason in the commit message.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "baseline"))

import update_baseline as baseline


@pytest.mark.parametrize("setting", list(baseline.SETTINGS))
def test_daily_figures_equal_the_stored_baseline(setting):
    now, then = baseline.simulate(setting), baseline.stored(setting)
    assert then["removed"].sum() > 0 and then["admitted_legal_route"].sum() > 0  # the pilot acts
    diff = baseline.differences(now, then)
    assert not diff, (
        f"{setting}: the daily figures changed ({diff}); if intended, see tests/baseline/update_baseline.py"
    )
