"""Faults from outside, end to end in subprocesses: SIGTERM and SIGKILL during `run --workers 2`,
a full disk, a read-only place. Nothing computed may be left half-written, and no worker may
outlive the command."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from deterrence_sim import runner, safeio, scenario
from deterrence_sim.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
PILOT = ROOT / "experiments" / "scenarios" / "pilot.toml"
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def _children() -> dict[int, int]:
    """Parent of every live process (from /proc)."""
    parent = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
                if fields[0] != "Z":
                    parent[int(d.name)] = int(fields[1])
    return parent


def descendants(pid: int) -> set[int]:
    parent, out, frontier = _children(), set(), {pid}
    while frontier:
        frontier = {c for c, p in parent.items() if p in frontier} - out
        out |= frontier
    return out


def alive(pids) -> set[int]:
    return set(pids) & set(_children())


def start_run(out: Path, stderr: Path) -> subprocess.Popen:
    """`deterrence-sim run` of 400 six-year replicates on 2 workers, in its own process (its
    output goes to a file: a pipe would stay open as long as any worker lives). The run is long
    (a minute or more even on a fast machine) so that it is still working when the signal comes:
    with 8 short replicates a fast machine finished first, and the signal found the interpreter
    exiting, with Python's handlers already reset."""
    with open(stderr, "w") as err:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "deterrence_sim",
                "run",
                str(PILOT),
                "--replicates",
                "400",
                "--end",
                "2030-12-31",
                "--workers",
                "2",
                "--out",
                str(out),
            ],
            stdout=subprocess.DEVNULL,
            stderr=err,
            cwd=ROOT,
            # a run that does not stop can then be made to say where it is (see stopped_within)
            env=os.environ | {"PYTHONFAULTHANDLER": "1"},
        )


def wait_for_workers(proc: subprocess.Popen, timeout: float = 300) -> set[int]:
    """The command's descendants once the fork server has two workers (and they are working)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the run ended before it could be stopped"
        parent = _children()
        server = [
            c for c, p in parent.items() if p == proc.pid and b"forkserver" in Path(f"/proc/{c}/cmdline").read_bytes()
        ]
        if server and sum(p == server[0] for p in parent.values()) >= 2:
            time.sleep(1.0)  # let the workers pick up replicates
            return descendants(proc.pid)
        time.sleep(0.2)
    raise AssertionError("the workers never started")


def stopped_within(proc: subprocess.Popen, seconds: float, stderr: Path) -> None:
    """Wait up to ``seconds`` for ``proc`` to end; if it has not, make it print where each of its
    threads is (SIGABRT, with Python's faulthandler on) and fail with that and its stderr."""
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGABRT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
        pytest.fail(f"the run did not stop within {seconds:.0f} s; its stderr:\n{stderr.read_text()}")


def wait_gone(pids, seconds: float = 15) -> set[int]:
    deadline = time.monotonic() + seconds
    while alive(pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    return alive(pids)


@linux_only
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_signalled_run_leaves_no_worker_and_no_half_file(tmp_path, sig):
    out = tmp_path / "run"
    proc = start_run(out, tmp_path / "stderr")
    try:
        workers = wait_for_workers(proc)
        assert proc.poll() is None, "the run ended before it could be stopped"
        proc.send_signal(sig)
        stopped_within(proc, 60, tmp_path / "stderr")
        assert not wait_gone(workers, 30), f"workers left running after {sig.name}"
        err = (tmp_path / "stderr").read_text()
        if sig == signal.SIGTERM:
            assert proc.returncode == 143, err
            assert err.strip().splitlines()[-1] == "deterrence-sim: terminated" and "Traceback" not in err
        else:
            assert proc.returncode == -signal.SIGKILL
        # the folder says it is partial, and holds no result file, whole or half
        assert safeio.read_partial(out) is not None
        assert not list(out.glob("daily.csv*")) and not list(out.glob("summary.json*"))
    finally:
        if proc.poll() is None:
            proc.kill()


@contextlib.contextmanager
def small_filesystem(path: Path, size: str = "256k", readonly: bool = False):
    """A tmpfs of ``size`` mounted at ``path`` (root only), or a skip saying why not."""
    path.mkdir()
    opts = f"size={size}" + (",ro" if readonly else "")
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(path)], capture_output=True, text=True)
    if res.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {res.stderr.strip() or res.returncode}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "deterrence_sim", *args], capture_output=True, text=True, cwd=ROOT, timeout=600
    )


@linux_only
def test_a_full_disk_is_refused_before_the_work(tmp_path):
    with small_filesystem(tmp_path / "tiny") as tiny:
        res = run_cli("run", str(PILOT), "--replicates", "10", "--workers", "1", "--out", str(tiny / "r"))
        assert res.returncode == 2
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("deterrence-sim: error:") and "not enough space" in lines[0]
        assert not list((tiny / "r").iterdir())


@linux_only
def test_a_disk_that_fills_while_writing_leaves_no_truncated_file(tmp_path):
    """errno 28 in the middle of daily.csv: one line, no daily.csv under its real name, no temp file."""
    sc = scenario.load(PILOT).with_overrides(end="2025-01-31")
    daily = runner.run_replicates(sc, 1, seed=1, workers=1, progress=False)
    big = pd.concat([daily] * 150, ignore_index=True)  # about 400 kB of CSV
    with small_filesystem(tmp_path / "tiny") as tiny:
        out = tiny / "r"
        with pytest.raises(ConfigError, match="No space left on device") as err:
            runner.write_run(out, sc, big, 1)
        assert "\n" not in str(err.value)
        assert sorted(p.name for p in out.iterdir()) == []  # nothing half-written, no temporary file


@linux_only
def test_a_read_only_place_is_refused_before_the_work(tmp_path):
    with small_filesystem(tmp_path / "ro", readonly=True) as ro:
        res = run_cli("run", str(PILOT), "--replicates", "1", "--out", str(ro / "r"))
        assert res.returncode == 2
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and "Read-only file system" in lines[0], res.stderr


def test_an_interrupted_write_keeps_the_previous_results(tmp_path, monkeypatch):
    sc = scenario.load(PILOT).with_overrides(end="2025-01-10")
    daily = runner.run_replicates(sc, 1, seed=1, workers=1, progress=False)
    runner.write_run(tmp_path, sc, daily, 1)
    before = (tmp_path / "daily.csv").read_bytes()

    def killed(self, path, *a, **k):
        Path(path).write_text("replicate,date,arr")  # half a file, then the kill
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, "to_csv", killed)
    with pytest.raises(KeyboardInterrupt):
        runner.write_run(tmp_path, sc, daily, 2)
    assert (tmp_path / "daily.csv").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["daily.csv", "summary.json"]  # no temporary file
