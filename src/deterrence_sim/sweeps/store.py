"""Where a sweep keeps its results: Parquet parts written as runs finish, safe to resume.

An output folder holds:

* ``spec.toml``: a copy of the spec, and ``sweep.json``: its fingerprint, the design size and
  the seeds (what ``--resume`` checks before adding to the folder);
* ``design.parquet``: one row per design point (factor values and design coordinates);
* ``parts/part-*.parquet`` while the sweep runs: each a batch of finished runs, one row per run,
  written under a temporary name and renamed into place when whole (``safeio.atomic_path``), so
  a killed process leaves complete parts and perhaps a ``.tmp-*`` file, which is never read and
  is deleted on resume; ``daily/part-*.parquet`` likewise when daily series are kept;
* ``results.parquet`` when the sweep is complete: every run, sorted by run number (the parts
  are then removed), and ``.incomplete.json`` (``safeio.PARTIAL_MARKER``) until then.

Which runs are done is read from the parts themselves (their ``run`` column), so a resume redoes
exactly the runs that no complete part holds: none lost, none duplicated.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
import uuid
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from .. import safeio
from ..errors import ConfigError

PARTS = "parts"
DAILY = "daily"
RESULTS = "results.parquet"
DESIGN = "design.parquet"
META = "sweep.json"
SPEC_COPY = "spec.toml"


def part_files(folder: Path, sub: str = PARTS) -> list[Path]:
    """The complete part files of ``folder/sub`` (temporary files are not parts)."""
    d = folder / sub
    return sorted(p for p in d.glob("part-*.parquet")) if d.is_dir() else []


def done_runs(folder: Path) -> set[int]:
    """Run numbers already recorded in ``folder`` (in its parts, or its finished results)."""
    done: set[int] = set()
    files = part_files(folder) + ([folder / RESULTS] if (folder / RESULTS).exists() else [])
    for f in files:
        done.update(int(r) for r in pq.read_table(f, columns=["run"]).column("run").to_pylist())
    return done


def clean_temporaries(folder: Path) -> None:
    """Delete the temporary files a killed run may have left (never complete results)."""
    for sub in (folder, folder / PARTS, folder / DAILY):
        for f in sub.glob(safeio.TEMP_PREFIX + "*") if sub.is_dir() else []:
            with contextlib.suppress(OSError):
                f.unlink()


class PartWriter:
    """Collects finished runs and writes them as Parquet parts, atomically, every
    ``flush_seconds`` or ``flush_rows`` rows, and when closed: memory holds one batch at most."""

    def __init__(self, folder: Path, sub: str, flush_seconds: float = 5.0, flush_rows: int = 200):
        self.dir = folder / sub
        self.dir.mkdir(parents=True, exist_ok=True)
        self.flush_seconds, self.flush_rows = flush_seconds, flush_rows
        self.rows: list = []
        self.n_rows = 0
        self.last = time.monotonic()
        self.session = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.seq = 0

    def add(self, rows) -> None:
        """Add a dict (one row) or a DataFrame (several rows); flush if the batch is due."""
        self.rows.append(rows)
        self.n_rows += 1 if isinstance(rows, dict) else len(rows)
        if self.n_rows >= self.flush_rows or time.monotonic() - self.last >= self.flush_seconds:
            self.flush()

    def flush(self) -> None:
        """Write the batch as one part (whole or not at all)."""
        if self.rows:
            frames = [pd.DataFrame([r]) if isinstance(r, dict) else r for r in self.rows]
            df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
            self.seq += 1
            safeio.write_parquet(self.dir / f"part-{self.session}-{self.seq:05d}.parquet", df)
        self.rows, self.n_rows, self.last = [], 0, time.monotonic()


def read_parts(folder: Path, sub: str = PARTS) -> pd.DataFrame | None:
    """Every complete part of ``folder/sub``, stacked (None when there is none)."""
    files = part_files(folder, sub)
    if not files:
        return None
    return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)


def finish(folder: Path, columns: list[str]) -> pd.DataFrame:
    """Gather the parts into ``results.parquet`` sorted by run (one row per run, the first copy
    kept if a run was ever written twice), then remove the parts. Returns the results."""
    parts = read_parts(folder)
    frames = [f for f in (parts, load_results(folder) if (folder / RESULTS).exists() else None) if f is not None]
    if not frames:
        raise ConfigError(f"{folder}: no finished runs to gather")
    df = pd.concat(frames, ignore_index=True).drop_duplicates("run", keep="first").sort_values("run")
    df = df.reindex(columns=[c for c in columns if c in df.columns] + [c for c in df.columns if c not in columns])
    df = df.reset_index(drop=True)
    safeio.write_parquet(folder / RESULTS, df, row_group_size=10_000)
    with contextlib.suppress(FileNotFoundError):
        shutil.rmtree(folder / PARTS)
    return df


def load_results(folder: str | Path) -> pd.DataFrame:
    """The results of a finished sweep (``results.parquet``), or those gathered so far from its
    parts when it is not finished."""
    folder = Path(folder)
    if (folder / RESULTS).exists():
        return pd.read_parquet(folder / RESULTS)
    parts = read_parts(folder)
    if parts is None:
        raise ConfigError(f"{folder}: no sweep results here (results.parquet or parts/)")
    return parts.drop_duplicates("run", keep="first").sort_values("run").reset_index(drop=True)
