"""No function of the package runs to 100 lines or more: a long function is split into named
parts a reader can find (the compiled day's ``model.people_day`` is being reshaped apart)."""

from __future__ import annotations

import ast
from pathlib import Path

import deterrence_sim

PACKAGE = Path(deterrence_sim.__file__).resolve().parent
MAX_LINES = 100
#: Functions allowed to be longer for now, by (file, name): the compiled day's per-person loop.
EXEMPT = {("model.py", "people_day")}


def long_functions(root: Path, max_lines: int = MAX_LINES) -> list[str]:
    """Every function (or method) under ``root`` of ``max_lines`` lines or more, as 'file:name (n lines)'."""
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                if n >= max_lines and (path.relative_to(root).as_posix(), node.name) not in EXEMPT:
                    found.append(f"{path.relative_to(root).as_posix()}:{node.name} ({n} lines)")
    return found


def test_no_function_of_100_lines_or_more():
    assert long_functions(PACKAGE) == []


def test_a_long_function_is_found(tmp_path):
    (tmp_path / "m.py").write_text("def f():\n" + "    x = 1\n" * 120 + "\n\ndef g():\n    pass\n")
    assert long_functions(tmp_path) == ["m.py:f (121 lines)"]
