"""numba's compiled cache, keyed by the package's sources, so that it can never serve a stale rule.

numba caches each compiled function beside its source file (``cache=True``) and keys the entry
on that file alone: a function compiled together with the functions it calls in other files
(``model.simulate_day`` calls every rule in ``rules/``) keeps the old version of a rule after the
rule's file is edited (numba issue 1833). A developer, or a user who edits a rule, would
silently run stale code.

So the package points numba's cache at a folder named by a hash of all its own sources
(:func:`source_hash`): any edit to any module of the package gives a new folder, and everything
is compiled afresh once. :func:`use_keyed_cache` is called by ``deterrence_sim/__init__.py``
before any compiled function is defined (numba reads ``config.CACHE_DIR`` when a function is
decorated). The folders live under ``$NUMBA_CACHE_DIR`` if set (``./dsim`` sets it to
``.venv/numba-cache``), else under ``<sys.prefix>/numba-cache`` (the same folder for a virtual
environment); only the few most recent are kept.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
#: How many cache folders (one per version of the sources) are kept.
KEEP = 4


def source_hash(package_dir: Path = PACKAGE_DIR) -> str:
    """A hash of every Python source of the package (paths and contents), 16 hex digits. The package
    data under ``_data`` (links to the repository's seeds/ and experiments/, whose experiment scripts
    are not the package's code, and which a copied or installed package holds as plain folders) is
    left out."""
    digest = hashlib.sha256()
    for path in sorted(p for p in package_dir.rglob("*.py") if "_data" not in p.relative_to(package_dir).parts):
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
        folders = sorted((p for p in root.glob("deterrence-sim-*") if p.is_dir() and p != current),
                         key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return
    for old in folders[KEEP - 1:]:
        shutil.rmtree(old, ignore_errors=True)
