"""The notebooks in ``notebooks/`` run from top to bottom, and the committed files are the ones
``notebooks/build_notebooks.py`` writes (so a change made only to one of them is caught)."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
sys.path.insert(0, str(NOTEBOOKS))
import build_notebooks  # noqa: E402


@pytest.mark.parametrize("name", list(build_notebooks.NOTEBOOKS))
def test_notebook_runs_and_matches_its_source(name):
    committed = nbformat.read(NOTEBOOKS / name, as_version=4)
    built = build_notebooks.build(name, build_notebooks.NOTEBOOKS[name])
    assert [c.source for c in committed.cells] == [c.source for c in built.cells], (
        f"{name} differs from notebooks/build_notebooks.py: run that script")
    assert not any(c.get("outputs") for c in committed.cells), f"{name} is committed with outputs"
    executed = build_notebooks.execute(built)  # raises CellExecutionError on the first failing cell
    code = [c for c in executed.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code)
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
