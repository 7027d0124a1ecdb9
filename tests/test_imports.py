"""The package's modules import each other without a circle (counting imports made inside
functions too: a circle broken only by a late import is still a circle of the design)."""

from __future__ import annotations

import ast
from pathlib import Path

import deterrence_sim

PACKAGE = Path(deterrence_sim.__file__).resolve().parent


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Each module of the package -> the modules of the package it imports, anywhere in its code."""
    files = {module_name(p): p for p in PACKAGE.rglob("*.py") if "_data" not in p.parts}
    graph = {}
    for name, path in files.items():
        base = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        deps = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                target = (
                    ".".join(base[: len(base) - node.level + 1] + [node.module or ""]).strip(".")
                    if node.level
                    else node.module or ""
                )
                subs = [f"{target}.{a.name}" for a in node.names]
                found = subs + ([target] if any(s not in files for s in subs) else [])
            elif isinstance(node, ast.Import):
                found = [a.name for a in node.names]
            else:
                continue
            deps |= {f for f in found if f in files and f != name}
        graph[name] = deps
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of two or more modules that import each other, directly or through others."""
    order, low, stack, out, counter = {}, {}, [], [], [0]

    def visit(v):
        order[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in order:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], order[w])
        if low[v] == order[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(graph):
        if v not in order:
            visit(v)
    return out


def test_no_import_circles():
    graph = import_graph()
    assert "deterrence_sim.model" in graph["deterrence_sim"]  # the graph sees the package's imports
    assert circles(graph) == []


def test_circles_are_found():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_forecasts_and_backtests_do_not_go_through_validation():
    graph = import_graph()
    for name in ("deterrence_sim.forecasting.forecast", "deterrence_sim.forecasting.backtest"):
        assert "deterrence_sim.calibration.validation" not in graph[name]


#: The package's layers, lowest first: a module may import modules of its own layer or below, never
#: above. The house (errors, limits, safe writing, worker pools, the package's files, numba's cache);
#: what was observed; the model and its machinery (parameters, scenarios, the compiled day, its
#: rules, the Mesa agents, the runner, the reference model); the studies made with it (calibration,
#: analyses, forecasting, sweeps); the interfaces (command line, app, docs). The package itself
#: (``__init__``) stands outside: it names the model.
LAYERS = {
    "house": ("errors", "limits", "safeio", "workers", "resources", "numba_cache"),
    "observed": ("observed",),
    "model": (
        "params",
        "schedule",
        "scenario",
        "daybook",
        "population",
        "draws",
        "collector",
        "rules",
        "model",
        "agents",
        "runner",
        "reference",
        "compiling",
    ),
    "studies": ("calibration", "analyses", "forecasting", "sweeps"),
    "interfaces": ("cli", "app", "app_panels", "docs", "__main__"),
}


def layer_of(module: str) -> int:
    """The layer (0 = lowest) of a module of the package, by its first name below the package."""
    top = module.split(".")[1]
    for i, names in enumerate(LAYERS.values()):
        if top in names:
            return i
    raise AssertionError(f"{module}: in no layer of tests/test_imports.py's LAYERS; add it to one")


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    """Every import of a module from a higher layer than its own, as 'importer -> imported'."""
    package = "deterrence_sim"  # the package itself (its version, its name for the model) is below every layer
    return [
        f"{m} -> {d}"
        for m, deps in sorted(graph.items())
        if m != package
        for d in sorted(deps)
        if d != package and layer_of(d) > layer_of(m)
    ]


def test_the_layers_import_only_downward():
    assert upward_imports(import_graph()) == []


def test_an_upward_import_is_found():
    graph = {"deterrence_sim.model": {"deterrence_sim.analyses.compare"}, "deterrence_sim.analyses.compare": set()}
    assert upward_imports(graph) == ["deterrence_sim.model -> deterrence_sim.analyses.compare"]
