"""numba's cache can never serve a stale rule (numba issue 1833; ``deterrence_sim/numba_cache.py``).

numba keys a cached function on its own file only, so a compiled function that calls a function
of another file keeps the old callee after that file is edited. The package keys the whole
cache by a hash of its sources. The first test shows the trap and the cure on a two-file package
(cheap: it compiles two tiny functions); the second (slow: it compiles the model twice) edits a
rule in a copy of deterrence_sim itself and sees the edit take effect.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import deterrence_sim
from deterrence_sim.numba_cache import source_hash

PACKAGE = Path(deterrence_sim.__file__).resolve().parent

CALLER = """
from numba import njit
from . import callee

@njit(cache=True)
def day(x):
    return callee.rule(x)
"""
CALLEE = """
from numba import njit

@njit(cache=True)
def rule(x):
    return x + {k}
"""


def _two_file_package(root: Path, keyed: bool) -> Path:
    pkg = root / "twofile"
    pkg.mkdir()
    init = (
        (
            "from pathlib import Path\nfrom deterrence_sim.numba_cache import use_keyed_cache\n"
            "use_keyed_cache(Path(__file__).parent)\n"
        )
        if keyed
        else ""
    )
    (pkg / "__init__.py").write_text(init)
    (pkg / "caller.py").write_text(CALLER)
    (pkg / "callee.py").write_text(CALLEE.format(k=1))
    return pkg


def _run(root: Path, code: str, cache: Path) -> str:
    env = {
        **os.environ,
        "PYTHONPATH": f"{root}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
        "NUMBA_CACHE_DIR": str(cache),
    }
    if cache == Path():  # numba's own default: beside the source
        env.pop("NUMBA_CACHE_DIR")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


@pytest.mark.parametrize("keyed", [False, True], ids=["numba-default-is-stale", "keyed-by-sources"])
def test_an_edited_callee_in_another_file_takes_effect_only_with_the_keyed_cache(tmp_path, keyed):
    pkg = _two_file_package(tmp_path, keyed)
    cache = tmp_path / "cache" if keyed else Path()
    code = "from twofile import caller; print(caller.day(1))"
    assert _run(tmp_path, code, cache) == "2"
    assert _run(tmp_path, code, cache) == "2"  # served from the cache
    (pkg / "callee.py").write_text(CALLEE.format(k=10))
    # numba's own cache keeps the old callee inside the cached caller (issue 1833): 2, not 11
    assert _run(tmp_path, code, cache) == ("11" if keyed else "2")


def test_source_hash_changes_with_any_source_compiled_code_can_reach_and_no_other(tmp_path):
    """A rule's file and a module the model imports without numba (the calendar of schedule.py)
    change the cache's key; the report, which the model never imports, does not: editing it must
    not compile the model again."""
    copy = tmp_path / "deterrence_sim"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = source_hash(copy)
    assert before == source_hash(PACKAGE)
    for name in ("rules/courts.py", "schedule.py", "analyses/report.py"):
        path = copy / name
        text = path.read_text()
        path.write_text(text + "\n# an edit\n")
        assert (source_hash(copy) != before) == (name != "analyses/report.py"), name
        path.write_text(text)
    assert source_hash(copy) == before


@pytest.mark.slow
def test_an_edited_rule_of_the_package_takes_effect(tmp_path):
    """A copy of the package runs a short pilot; its try rule is then edited to never try: the
    next run has no attempts (it would keep the cached compiled day without the keyed cache)."""
    copy = tmp_path / "deterrence_sim"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    code = (
        "import deterrence_sim, numba; from deterrence_sim import ChannelModel\n"
        f"assert deterrence_sim.__file__.startswith({str(tmp_path)!r})\n"
        "m = ChannelModel(rng=1, start='2025-08-01', end='2025-08-31').run()\n"
        "print(int(sum(m.datacollector.model_vars['attempts'])))"
    )
    cache = tmp_path / "cache"
    assert int(_run(tmp_path, code, cache)) > 0
    rule = copy / "rules" / "decision.py"
    text = rule.read_text()
    edited = text.replace(
        "    return np.minimum(1.0, base * (1.0 + impatience_per_month * months) * factor)",
        "    return 0.0 * np.minimum(1.0, base * (1.0 + impatience_per_month * months) * factor)",
    )
    assert edited != text
    rule.write_text(edited)
    assert int(_run(tmp_path, code, cache)) == 0
