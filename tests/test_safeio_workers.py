"""The shared safety nets: atomic files, checked output folders, partial markers, worker pools
that never outlive their parent, and SIGTERM handled like Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from deterrence_sim import safeio
from deterrence_sim.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def test_atomic_write_leaves_old_file_and_no_temp_on_failure(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    with pytest.raises(RuntimeError), safeio.atomic_path(target) as tmp:
        tmp.write_text("half of a new fi")
        raise RuntimeError("killed mid-write")
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_atomic_file_gets_the_usual_permissions_not_private_ones(tmp_path):
    safeio.write_text(tmp_path / "report.md", "x")
    mask = os.umask(0o022)
    os.umask(mask)
    assert (tmp_path / "report.md").stat().st_mode & 0o777 == 0o666 & ~mask


def test_atomic_write_replaces_when_complete(tmp_path):
    target = tmp_path / "x.parquet"
    df = pd.DataFrame({"a": [1, 2, 3]})
    safeio.write_parquet(target, df)
    pd.testing.assert_frame_equal(pd.read_parquet(target), df)
    assert [p.name for p in tmp_path.iterdir()] == ["x.parquet"]


@pytest.mark.parametrize("bad", ["file", "/dev/null/x", "/proc/deterrence-sim-test"])
def test_prepare_output_dir_refuses_unwritable_places(tmp_path, bad):
    if bad == "file":
        bad = tmp_path / "a-file"
        bad.write_text("x")
    with pytest.raises(ConfigError) as err:
        safeio.prepare_output_dir(bad)
    assert "\n" not in str(err.value) and str(bad) in str(err.value)


def test_os_errors_become_one_line_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="No such file or directory"):
        safeio.write_text(tmp_path / "missing-folder" / "f.txt", "x")


def test_partial_marker_stays_after_an_interruption_and_goes_on_completion(tmp_path):
    with pytest.raises(KeyboardInterrupt), safeio.partial_output(tmp_path, {"seed": 1}):
        raise KeyboardInterrupt
    assert safeio.read_partial(tmp_path) == {"seed": 1}
    with safeio.partial_output(tmp_path, {"seed": 1}):
        pass
    assert safeio.read_partial(tmp_path) is None


def _descendants(pid: int) -> set[int]:
    """Every live process whose chain of parents leads to ``pid`` (from /proc)."""
    parent = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if fields[0] != "Z":
                parent[int(d.name)] = int(fields[1])
    out, frontier = set(), {pid}
    while frontier:
        frontier = {c for c, p in parent.items() if p in frontier} - out
        out |= frontier
    return out


def _alive(pids) -> set[int]:
    alive = set()
    for p in pids:
        try:
            state = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(p)
    return alive


POOL_SCRIPT = textwrap.dedent("""
    import sys, time
    from deterrence_sim.workers import handle_sigterm, worker_pool
    handle_sigterm()
    try:
        with worker_pool(2, 4) as pool:
            futures = [pool.submit(time.sleep, 600) for _ in range(4)]
            time.sleep(1.5)
            print("ready", flush=True)
            time.sleep(600)
    except KeyboardInterrupt:
        print("stopped", flush=True)
        sys.exit(143)
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_no_worker_survives_its_parent(sig):
    proc = subprocess.Popen(
        [sys.executable, "-c", POOL_SCRIPT],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    try:
        assert proc.stdout.readline().strip() == "ready"
        workers = _descendants(proc.pid)
        assert len(workers) >= 3  # the fork server and two workers
        proc.send_signal(sig)
        proc.wait(timeout=30)
        if sig == signal.SIGTERM:
            assert proc.returncode == 143
        deadline = time.monotonic() + 15
        while _alive(workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(workers), f"workers left running after {sig.name}: {_alive(workers)}"
    finally:
        if proc.poll() is None:
            proc.kill()


HALF_A_RESULT_SCRIPT = textwrap.dedent("""
    import os, struct, sys, time
    from pathlib import Path
    from deterrence_sim import workers

    HERE = Path(__file__).parent

    def half_a_result(i):
        # what a worker killed while sending a large result leaves in the results pipe: the
        # length of a message (1 MB) and its first byte
        frame = sys._getframe()
        while "result_queue" not in frame.f_locals:
            frame = frame.f_back
        os.write(frame.f_locals["result_queue"]._writer.fileno(), struct.pack("!i", 1_000_000) + b"x")
        (HERE / f"wrote{i}").touch()
        time.sleep(600)

    if __name__ == "__main__":
        pool = workers.open_pool(2, 2)
        futures = [pool.submit(half_a_result, i) for i in range(2)]
        deadline = time.monotonic() + 30
        while not all((HERE / f"wrote{i}").exists() for i in range(2)):  # both halves are in the pipe
            assert time.monotonic() < deadline, "the workers never wrote"
            time.sleep(0.05)
        workers.stop_pool(pool, wait=False)
        print("stopped", flush=True)
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forkserver")
def test_an_interrupted_pool_stops_even_when_a_worker_dies_halfway_through_sending_a_result(tmp_path):
    """Stopping the pool on an interruption (``workers.stop_pool``, ``wait=False``) kills the
    workers; one killed in the middle of sending its result must not leave the pool's manager
    thread, and with it the command, waiting for the rest of the message for ever (a run stopped
    by SIGTERM once hung so)."""
    script = tmp_path / "half_a_result.py"
    script.write_text(HALF_A_RESULT_SCRIPT)
    res = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    assert res.returncode == 0 and res.stdout.strip() == "stopped", res.stderr
    assert "Traceback" not in res.stderr, res.stderr
