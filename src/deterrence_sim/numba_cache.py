"""numba's compiled cache, keyed by the package's sources, so that it can never serve a stale rule.

numba caches each compiled function beside its source file (``cache=True``) and keys the entry
on that file alone: a function compiled together with the functions it calls in other files
(``model.simulate_day`` calls every rule in ``rules/``) keeps the old version of a rule after the
rule's file is edited (numba issue 1833). A developer, or a user who edits a rule, would
silently run stale code.

So the package points numba's cache at a folder named by a hash of the sources compiled code can
reach (:func:`source_hash`): every module that imports numba and every module of the package those
import, directly or through others (:func:`compiled_sources`; a compiled function can read only
what its module imports). Any edit to one of them gives a new folder, and everything is compiled
afresh once; an edit to an analysis module the model never imports (the report, the comparison,
the command line) leaves the compiled model in place, so it is not compiled twice. :func:`use_keyed_cache` is called by ``deterrence_sim/__init__.py``
before any compiled function is defined (numba reads ``config.CACHE_DIR`` when a function is
decorated). The folders live under ``$NUMBA_CACHE_DIR`` if set (``./dsim`` sets it to
``.venv/numba-cache``), else under ``<sys.prefix>/numba-cache`` (the same folder for a virtual
environment); only the few most recent are kept.
"""

from __future__ import annotations

import ast
import hashlib
import os
import shutil
import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
#: How many cache folders (one per version of the sources) are kept.
KEEP = 4


def package_sources(package_dir: Path = PACKAGE_DIR) -> list[Path]:
    """The package's Python sources. The package data under ``_data`` (links to the repository's
    seeds/ and experiments/, whose experiment scripts are not the package's code, and which a
    copied or installed package holds as plain folders) is left out."""
    return sorted(p for p in package_dir.rglob("*.py") if "_data" not in p.relative_to(package_dir).parts)


def _module_file(package_dir: Path, parts: list[str]) -> Path | None:
    base = package_dir.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _package_imports(path: Path, package_dir: Path) -> set[Path]:
    """The package's modules ``path`` imports anywhere in its text (inside functions too), as files."""
    here = list(path.relative_to(package_dir).parent.parts)
    found: set[Path] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[list[str]] = []
        if isinstance(node, ast.ImportFrom):
            module = node.module.split(".") if node.module else []
            if node.level:  # relative: from . import x, from ..rules import y
                if node.level - 1 > len(here):
                    continue
                base = here[: len(here) - (node.level - 1)] + module
            elif module and module[0] == package_dir.name:
                base = module[1:]
            else:
                continue
            targets = [base] + [base + [alias.name] for alias in node.names]  # a name may be a submodule
        elif isinstance(node, ast.Import):
            targets = [a.name.split(".")[1:] for a in node.names if a.name.split(".")[0] == package_dir.name]
        for parts in targets:
            file = _module_file(package_dir, parts)
            if file is not None:
                found.add(file)
    return found


def _imports_numba(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    if "numba" not in text:  # most modules: no need to parse
        return False
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "numba" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").split(".")[0] == "numba":
            return True
    return False


def compiled_sources(package_dir: Path = PACKAGE_DIR) -> list[Path]:
    """The sources compiled code can reach: every module that imports numba, and every module of
    the package it imports, directly or through others."""
    todo = [p for p in package_sources(package_dir) if _imports_numba(p)]
    seen: set[Path] = set()
    while todo:
        path = todo.pop()
        if path not in seen:
            seen.add(path)
            todo.extend(_package_imports(path, package_dir) - seen)
    return sorted(seen)


def source_hash(package_dir: Path = PACKAGE_DIR) -> str:
    """A hash of the sources compiled code can reach (:func:`compiled_sources`: paths and
    contents), 16 hex digits."""
    package_dir = Path(package_dir).resolve()
    digest = hashlib.sha256()
    for path in compiled_sources(package_dir):
        digest.update(path.relative_to(package_dir).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def cache_root() -> Path:
    """Where the cache folders are made."""
    base = os.environ.get("NUMBA_CACHE_DIR")
    return Path(base) if base else Path(sys.prefix) / "numba-cache"


def use_keyed_cache(package_dir: Path = PACKAGE_DIR) -> Path | None:
    """Point numba's cache at ``cache_root()/deterrence-sim-<source hash>`` and return it (None,
    leaving numba's own choice, if that folder cannot be written)."""
    import numba

    root = cache_root()
    folder = root / f"deterrence-sim-{source_hash(package_dir)}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        os.utime(folder)  # most recently used
    except OSError:
        return None
    numba.config.CACHE_DIR = str(folder)
    _prune(root, folder)
    return folder


def _prune(root: Path, current: Path) -> None:
    """Remove all but the KEEP most recently used cache folders."""
    try:
        folders = sorted(
            (p for p in root.glob("deterrence-sim-*") if p.is_dir() and p != current),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
    except OSError:
        return
    for old in folders[KEEP - 1 :]:
        shutil.rmtree(old, ignore_errors=True)
