"""No function of the package runs to 100 lines or more: a long function is split into named
parts a reader can find. The person-by-person pass, ``model.people_day``, is held to less: it
is only the loop over people in the order of events, each rule's step in its own module."""

from __future__ import annotations

import ast
from pathlib import Path

import deterrence_sim

PACKAGE = Path(deterrence_sim.__file__).resolve().parent
MAX_LINES = 100
#: The body of the person-by-person pass, in lines of code (docstring and comment lines aside).
PEOPLE_DAY_MAX_LINES = 30


def long_functions(root: Path, max_lines: int = MAX_LINES) -> list[str]:
    """Every function (or method) under ``root`` of ``max_lines`` lines or more, as 'file:name (n lines)'."""
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                if n >= max_lines:
                    found.append(f"{path.relative_to(root).as_posix()}:{node.name} ({n} lines)")
    return found


def test_no_function_of_100_lines_or_more():
    assert long_functions(PACKAGE) == []


def test_a_long_function_is_found(tmp_path):
    (tmp_path / "m.py").write_text("def f():\n" + "    x = 1\n" * 120 + "\n\ndef g():\n    pass\n")
    assert long_functions(tmp_path) == ["m.py:f (121 lines)"]


def test_the_person_by_person_pass_is_a_short_loop():
    """``people_day`` holds no rule of its own: each is a person's step in its module."""
    tree = ast.parse((PACKAGE / "model.py").read_text(encoding="utf-8"))
    fn = next(node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and node.name == "people_day")
    body = fn.body[1:] if isinstance(fn.body[0], ast.Expr) else fn.body  # without the docstring
    lines = {n.lineno for stmt in body for n in ast.walk(stmt) if hasattr(n, "lineno")}
    assert len(lines) <= PEOPLE_DAY_MAX_LINES, f"people_day has {len(lines)} lines of code"
