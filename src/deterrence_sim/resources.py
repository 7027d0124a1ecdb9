"""Where the package finds the files it ships: observed data, scenarios and the calibrated set.

The repository's top-level ``seeds/`` and ``experiments/`` are the single source of truth. The
package sees them as ``deterrence_sim/_data/seeds`` and ``deterrence_sim/_data/experiments``:
in a checkout (and an editable install) these are symbolic links to the top-level folders; when
a wheel is built, setuptools follows the links and copies the files named by
``[tool.setuptools.package-data]`` in ``pyproject.toml`` into the wheel. Either way the files are
found through :mod:`importlib.resources`, so an installed package runs from any folder, without
the checkout. ``tests/test_packaging.py`` checks that every file the package reads is reachable
here and is covered by the package-data patterns, and (slow suite) builds, installs and runs a wheel.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.resources
from pathlib import Path

from .errors import ConfigError

#: The package's data root, relative to the ``deterrence_sim`` package.
DATA_ROOT = "_data"

_extracted = contextlib.ExitStack()  # for a package imported from a zip file (rare): files extracted once
atexit.register(_extracted.close)


def path(relative: str) -> Path:
    """The file or folder ``relative`` (e.g. ``"experiments/scenarios"``, ``"seeds"``) shipped with
    the package, as a real filesystem path (so scenario ``extends`` chains resolve beside it).

    Raises ConfigError naming the path when it is not there (for example a checkout made without
    symbolic links, where ``_data/seeds`` is a small text file instead of a link)."""
    target = importlib.resources.files("deterrence_sim").joinpath(DATA_ROOT, *Path(relative).parts)
    if not isinstance(target, Path):  # zip import: extract to a temporary folder for the session
        target = _extracted.enter_context(importlib.resources.as_file(target))
    if not target.exists():
        raise ConfigError(
            f"package data {DATA_ROOT}/{relative} not found in {Path(str(target)).parent}; "
            "reinstall the package (a source checkout needs symbolic links enabled)"
        )
    return Path(target)
