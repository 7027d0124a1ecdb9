"""Worker processes and signals: pools that are safe with threads and never outlive their parent.

* Pools start their workers with the ``forkserver`` method, not ``fork``: forking a process
  that already runs threads (numba's, pyarrow's, tqdm's monitor) can deadlock the child, and
  Python warns about it. The fork server imports the model once (``preload``), so a new worker
  starts with the compiled model already loaded.
* Every worker watches the main process from a thread and exits when it is gone, and asks the
  kernel to kill it if the fork server dies (Linux ``PR_SET_PDEATHSIG``), so that a SIGKILL of
  the main process (the out-of-memory killer, a batch scheduler's hard limit) leaves no worker
  running; the fork server then exits by itself with its last worker. Workers ignore Ctrl-C: the
  main process handles it and stops them.
* :func:`handle_sigterm` makes SIGTERM (what ``timeout``, ``kill`` and batch schedulers send)
  behave like Ctrl-C: it raises :class:`Terminated`, a ``KeyboardInterrupt``, so the same clean-up
  runs (pools stopped, partial files removed) and the command line exits with status 143.
* :func:`worker_pool` stops its workers at once when the block is left by an exception, instead
  of waiting for queued work.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor

#: Exit status of a command stopped by SIGTERM (128 + 15), as shells report it.
EXIT_TERMINATED = 143
#: Exit status of a command stopped by Ctrl-C (128 + 2).
EXIT_INTERRUPTED = 130
#: Modules the fork server imports once, so that workers start with them loaded.
PRELOAD = ["deterrence_sim.model"]
#: Environment of the fork server (and so of its workers), set before it imports PRELOAD: without
#: it, importing the model starts threads (OpenBLAS's pool via numpy, pyarrow's jemalloc background
#: thread via pandas), and the server would fork every worker from a multi-threaded process, the
#: very risk forkserver avoids (Python warns). Workers run one model each, so one BLAS thread is
#: also what they should use. A value the user has set is kept.
SERVER_ENV = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "JE_ARROW_MALLOC_CONF": "background_thread:false",
}
_PR_SET_PDEATHSIG = 1


class Terminated(KeyboardInterrupt):
    """Raised in the main process when it receives SIGTERM."""


def _raise_terminated(signum, frame):
    raise Terminated()


def handle_sigterm() -> None:
    """Make SIGTERM raise :class:`Terminated` in the main thread (call once, from the CLI)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _raise_terminated)


def default_workers() -> int:
    """Worker processes to use by default: the CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def _start_time(pid: int) -> str | None:
    """The kernel's start time of process ``pid`` (tells a live process from a reused pid), or
    None if there is no such process."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[19].decode()
    except (OSError, IndexError):
        return None


def _die_with(main_pid: int, main_started: str | None) -> None:
    """In a worker: exit as soon as the main process ``main_pid`` is gone.

    The worker's parent is the fork server, which lives as long as any worker does, so the
    kernel's parent-death signal alone cannot end a worker; a thread watches the main process
    itself (its pid and start time, twice a second). The parent-death signal still covers the
    fork server dying first.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)

    def gone() -> bool:
        if main_started is not None:
            return _start_time(main_pid) != main_started
        try:
            os.kill(main_pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False

    if gone():
        os._exit(1)

    def watch():
        while not gone():
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="deterrence-sim-main-watch", daemon=True).start()


def worker_init(main_pid: int, main_started: str | None, setup=None, setup_args: tuple = ()) -> None:
    """Initializer of every pool worker: ignore Ctrl-C and SIGTERM's Python handler (the main
    process stops the pool) and die with the main process; then ``setup(*setup_args)`` if given
    (state every task of the pool needs, sent once per worker)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with(main_pid, main_started)
    if setup is not None:
        setup(*setup_args)


def _start_fork_server() -> None:
    """Start the fork server now (if it is not running) with :data:`SERVER_ENV`, then restore this
    process's environment."""
    from multiprocessing import forkserver

    added = {k: v for k, v in SERVER_ENV.items() if k not in os.environ}
    os.environ.update(added)
    try:
        forkserver.ensure_running()
    finally:
        for k in added:
            os.environ.pop(k, None)


def mp_context():
    """The multiprocessing context for worker pools: ``forkserver`` where available."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        _start_fork_server()
        return ctx
    return multiprocessing.get_context("spawn")  # pragma: no cover - not on POSIX


def open_pool(workers: int | None, jobs: int, setup=None, setup_args: tuple = ()) -> ProcessPoolExecutor | None:
    """A process pool for ``jobs`` runs, or None when one process will do (``workers`` 1, or a
    single job). ``workers`` None means :func:`default_workers`. ``setup(*setup_args)`` (picklable)
    runs once in each worker as it starts."""
    workers = default_workers() if workers is None else max(1, int(workers))
    if workers <= 1 or jobs <= 1:
        return None
    me = os.getpid()
    return ProcessPoolExecutor(
        max_workers=min(workers, jobs),
        mp_context=mp_context(),
        initializer=worker_init,
        initargs=(me, _start_time(me), setup, setup_args),
    )


def stop_pool(pool: ProcessPoolExecutor | None, wait: bool = True) -> None:
    """Shut ``pool`` down. With ``wait`` False (an error or an interruption), queued work is
    cancelled and the worker processes are killed at once."""
    if pool is None:
        return
    if wait:
        pool.shutdown(wait=True, cancel_futures=True)
        return
    # Kill the workers first, then wait for the executor's manager thread to see them gone: a
    # shutdown that does not wait leaves that thread to start replacement workers, or to write to
    # closed pipes, while the interpreter exits (stray tracebacks after a clean exit 143).
    procs = list((getattr(pool, "_processes", None) or {}).values())
    for p in procs:
        with contextlib.suppress(Exception):
            p.kill()
    for p in procs:
        with contextlib.suppress(Exception):
            p.join(timeout=5)
    # A worker killed while sending its result leaves half a message in the results pipe, and the
    # manager thread waits for the rest for ever. This process holds the pipe's only other writing
    # end: closing it turns that wait into an end of file, which the thread takes as a broken pool.
    with contextlib.suppress(Exception):
        pool._result_queue._writer.close()  # type: ignore[attr-defined]
    with contextlib.suppress(Exception):
        pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def worker_pool(workers: int | None, jobs: int, setup=None, setup_args: tuple = ()):
    """``with worker_pool(workers, jobs) as pool:`` a pool from :func:`open_pool` (maybe None),
    stopped cleanly at the end, or killed at once if the block raises or is interrupted."""
    pool = open_pool(workers, jobs, setup, setup_args)
    try:
        yield pool
    except BaseException:
        stop_pool(pool, wait=False)
        raise
    stop_pool(pool, wait=True)
