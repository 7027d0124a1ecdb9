"""Writing results safely: whole files or none, checked folders, marked partial output.

Every file a command writes goes through :func:`atomic_path` (or one of the helpers built on it):
it is written under a temporary name in the same folder and renamed into place only once it is
complete, so a crash, a kill or a full disk never leaves a truncated file under the real name
(a rename within one filesystem is atomic on POSIX). A reader therefore sees either the old
file, the new one, or none: never half of one.

Output folders are checked before any work starts (:func:`prepare_output_dir`): created, and
tested for writing with a probe file, so that a read-only place, a path through a file or a
too-long name fails at once, not after an hour of simulation.

A folder being filled carries a marker file (:data:`PARTIAL_MARKER`, see :func:`partial_output`)
holding the settings of the run that fills it; the marker is removed when the run completes.
A later run can then tell a complete folder from a partial one, and resume a partial one made
with the same settings (:func:`read_partial`), or refuse to mix.

Operating-system errors (errno 28, no space left; permission denied; name too long) are turned
into :class:`~deterrence_sim.errors.ConfigError` with one line naming the file
(:func:`os_errors_as_config`), which the command line prints before exiting with status 2.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

from .errors import ConfigError

#: Name of the marker file present in an output folder while a run is filling it.
PARTIAL_MARKER = ".incomplete.json"
#: Prefix of temporary files; they are never taken for results and are cleaned up on failure.
TEMP_PREFIX = ".tmp-"


def shown(path) -> str:
    """A path as error messages show it: whole unless very long (then its start and end)."""
    text = str(path)
    return text if len(text) <= 160 else f"{text[:80]}...{text[-60:]} ({len(text)} characters)"


def _umask() -> int:
    """The process's file-creation mask (read by setting it and putting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def describe_os_error(exc: OSError, path: str | os.PathLike | None = None) -> str:
    """One line saying what went wrong with which file, without a traceback."""
    where = exc.filename if exc.filename is not None else path
    reason = exc.strerror or exc.__class__.__name__
    return f"{shown(where)}: {reason}" if where is not None else reason


@contextlib.contextmanager
def os_errors_as_config(path: str | os.PathLike | None = None):
    """Turn an ``OSError`` raised inside the block into a one-line :class:`ConfigError`."""
    try:
        yield
    except ConfigError:
        raise
    except OSError as exc:
        raise ConfigError(f"cannot write {describe_os_error(exc, path)}") from exc


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike):
    """Yield a temporary path beside ``path``; on success, rename it to ``path``.

    Write the whole file to the yielded path (with any library: pandas, pyarrow, matplotlib).
    On leaving the block normally the file is flushed to disk and renamed into place; on an
    exception (including KeyboardInterrupt) it is deleted and ``path`` is left as it was.
    """
    path = Path(path)
    with os_errors_as_config(path):
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX + path.name + ".", dir=path.parent)
        # mkstemp makes the file private (0600); a result file gets the usual permissions
        os.fchmod(fd, 0o666 & ~_umask())
        os.close(fd)
    tmp = Path(tmp)
    try:
        yield tmp
        with os_errors_as_config(path):
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with atomic_path(path) as tmp, os_errors_as_config(path):
        tmp.write_text(text, encoding="utf-8")


def write_json(path: str | os.PathLike, obj) -> None:
    """Write ``obj`` as indented JSON to ``path`` atomically."""
    write_text(path, json.dumps(obj, indent=2, default=str) + "\n")


def write_csv(path: str | os.PathLike, df, **kwargs) -> None:
    """Write a DataFrame as CSV atomically (``kwargs`` go to ``DataFrame.to_csv``)."""
    kwargs.setdefault("index", False)
    with atomic_path(path) as tmp, os_errors_as_config(path):
        df.to_csv(tmp, **kwargs)


def write_parquet(path: str | os.PathLike, df, **kwargs) -> None:
    """Write a DataFrame as Parquet (pyarrow) atomically."""
    kwargs.setdefault("index", False)
    with atomic_path(path) as tmp, os_errors_as_config(path):
        df.to_parquet(tmp, engine="pyarrow", **kwargs)


def save_figure(fig, path: str | os.PathLike, **kwargs) -> None:
    """Save a matplotlib figure atomically (the format follows ``path``'s suffix)."""
    path = Path(path)
    kwargs.setdefault("format", path.suffix.lstrip(".") or "png")
    with atomic_path(path) as tmp, os_errors_as_config(path):
        fig.savefig(tmp, **kwargs)


def read_toml(path: str | os.PathLike, what: str = "file") -> dict:
    """Read a TOML file; any problem (missing, unreadable, a folder, binary, invalid TOML, a name
    too long) is one ConfigError naming the file."""
    import tomllib

    path = Path(path)
    try:
        if not path.is_file():
            raise ConfigError(
                f"{what} {shown(path)} not found" if not path.exists() else f"{what} {shown(path)} is not a file"
            )
        text = path.read_text(encoding="utf-8")
        return tomllib.loads(text)
    except ConfigError:
        raise
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{shown(path)}: not valid TOML ({str(exc).splitlines()[0]})") from None
    except (UnicodeDecodeError, ValueError):  # ValueError: a NUL byte
        raise ConfigError(f"{shown(path)}: not a text file (a {what} is TOML text)") from None
    except OSError as exc:
        raise ConfigError(f"{what} {describe_os_error(exc, path)}") from None


def read_csv(path: str | os.PathLike, what: str = "file", columns=()):
    """Read a CSV file with pandas; a missing, empty, binary or malformed file, or one without the
    ``columns`` required, is one ConfigError naming the file."""
    import pandas as pd

    path = Path(path)
    try:
        df = pd.read_csv(path)
    except FileNotFoundError:
        raise ConfigError(f"{what} {shown(path)} not found") from None
    except pd.errors.EmptyDataError:
        raise ConfigError(f"{shown(path)}: empty file (a {what} needs a header line and rows)") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(f"{shown(path)}: not a readable CSV file ({str(exc).splitlines()[0][:120]})") from None
    except OSError as exc:
        raise ConfigError(f"{what} {describe_os_error(exc, path)}") from None
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ConfigError(f"{shown(path)}: missing column(s) {', '.join(missing)}")
    if df.empty:
        raise ConfigError(f"{shown(path)}: no rows (a {what} needs at least one)")
    return df


def prepare_output_dir(path: str | os.PathLike) -> Path:
    """Create the folder ``path`` (and parents) and check that files can be written in it.

    Raises :class:`ConfigError` with one line (``--out ...: reason``) if it is a file, lies under
    a file, is read-only, or its name is too long. Call it before any simulation.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ConfigError(f"output folder {shown(path)} is an existing file, not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=TEMP_PREFIX + "probe.", dir=path)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ConfigError(f"output folder {shown(path)} cannot be written: {describe_os_error(exc, path)}") from exc
    return path


def check_free_space(folder: str | os.PathLike, needed: int, what: str = "the results") -> None:
    """Refuse, before any work, to fill ``folder`` with ``needed`` bytes it has no room for."""
    import shutil

    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return  # unknown: the write itself will tell
    if needed > free:
        raise ConfigError(
            f"{shown(folder)}: not enough space for {what} (about {needed / 2**20:,.1f} MB needed, "
            f"{free / 2**20:,.1f} MB free)"
        )


def check_new_file(path: str | os.PathLike) -> Path:
    """Check, before any work, that ``path`` could be written: its folder is made and writable,
    and it is not an existing folder."""
    path = Path(path)
    if path.is_dir():
        raise ConfigError(f"{path} is a folder; give a file name")
    prepare_output_dir(path.parent if str(path.parent) else Path("."))
    return path


def read_partial(folder: str | os.PathLike) -> dict | None:
    """The settings recorded in ``folder``'s partial-output marker, or None if the folder is not
    marked partial (complete, empty or new). An unreadable marker counts as partial with unknown
    settings (``{}``), which never matches a run's settings."""
    marker = Path(folder) / PARTIAL_MARKER
    if not marker.exists():
        return None
    try:
        return json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def mark_partial(folder: str | os.PathLike, settings: dict) -> None:
    """Mark ``folder`` as being filled by a run with ``settings`` (JSON-serialisable)."""
    write_json(Path(folder) / PARTIAL_MARKER, settings)


def mark_complete(folder: str | os.PathLike) -> None:
    """Remove ``folder``'s partial-output marker: everything in it is complete."""
    with os_errors_as_config(folder), contextlib.suppress(FileNotFoundError):  # suppress first: absent is fine
        (Path(folder) / PARTIAL_MARKER).unlink()


@contextlib.contextmanager
def partial_output(folder: str | os.PathLike, settings: dict):
    """Mark ``folder`` partial while the block runs; unmark it only if the block completes.

    An interruption or error leaves the marker (with ``settings``) so that the next run knows
    the folder holds a partial result and can resume or replace it.
    """
    mark_partial(folder, settings)
    yield
    mark_complete(folder)


def remove_stale(folder: str | os.PathLike, keep: set[str], patterns=("*",)) -> list[Path]:
    """Delete the files matching ``patterns`` in ``folder`` whose names are not in ``keep``
    (an earlier run's outputs that this run will not rewrite), and leftover temporary files.
    Returns what was removed."""
    folder = Path(folder)
    removed = []
    for pattern in patterns:
        for f in folder.glob(pattern):
            if f.is_file() and f.name not in keep and f.name != PARTIAL_MARKER:
                with os_errors_as_config(f):
                    f.unlink()
                removed.append(f)
    for f in folder.glob(TEMP_PREFIX + "*"):
        with contextlib.suppress(OSError):
            f.unlink()
    return removed
