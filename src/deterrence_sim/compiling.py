"""Say so when the model must be compiled before it can run.

The daily order of events is compiled by numba the first time a model runs on a machine (or
after its source changes): about a minute, once; later runs load the compiled code from the
cache in about a second. Without a word, that minute looks like a hang. :func:`ensure_compiled`
runs a ten-day model, and if that takes longer than loading from the cache would
(``ANNOUNCE_AFTER_S``), prints ``COMPILING_MESSAGE`` while it waits, and then every
``PROGRESS_EVERY_S`` seconds a line of progress: the seconds so far, how many of the model's
compiled functions are done, and which one numba is compiling (numba's compile events,
:class:`Progress`). The command line calls it before any simulation; the app starts it in the
background (:func:`start_in_background`) and shows the same message until it is done.
"""

from __future__ import annotations

import sys
import threading
import time

from numba.core import event

COMPILING_MESSAGE = (
    "compiling the model once, about a minute (first run on this machine, or after the "
    "model's code changed); later runs start in about a second"
)
#: Loading the compiled model from the cache takes about a second; longer means numba compiles.
ANNOUNCE_AFTER_S = 3.0
#: Once compiling is announced, a line of progress this often.
PROGRESS_EVERY_S = 10.0


class Progress(event.Listener):
    """What numba compiles, from its compile events (sent only when a function is not loaded from
    the cache): the functions of the package done so far and the one being compiled now."""

    def __init__(self):
        self.started = time.perf_counter()
        self.done = 0
        self.compiling: list[str] = []  # a function compiles the functions it calls inside it

    def on_start(self, event) -> None:
        fn = event.data["dispatcher"].py_func
        self.compiling.append(f"{fn.__module__.removeprefix('deterrence_sim.')}.{fn.__qualname__}")

    def on_end(self, event) -> None:
        if self.compiling:
            self.compiling.pop()
        self.done += 1

    def line(self) -> str:
        now = f", now {self.compiling[-1]}" if self.compiling else ""
        return f"compiling: {time.perf_counter() - self.started:.0f} s so far, {self.done} compiled functions done{now}"


_done = threading.Event()
_lock = threading.Lock()
_start_lock = threading.Lock()
_thread: threading.Thread | None = None


def _run_small_model() -> None:
    from .model import ChannelModel

    ChannelModel(end="2025-01-10", rng=0).run()


def ensure_compiled(announce=None, after_s: float = ANNOUNCE_AFTER_S) -> None:
    """Make sure the compiled day is ready, printing ``COMPILING_MESSAGE`` (to stderr, or through
    ``announce``) if getting it ready takes longer than ``after_s`` seconds."""
    if _done.is_set():
        return
    if announce is None:

        def announce(text):
            print(f"deterrence-sim: {text}", file=sys.stderr, flush=True)

    progress, stop = Progress(), threading.Event()

    def report():
        if stop.wait(after_s):
            return
        announce(COMPILING_MESSAGE)
        while not stop.wait(PROGRESS_EVERY_S):
            announce(progress.line())

    timer = threading.Thread(target=report, name="compile-progress", daemon=True)
    timer.start()
    event.register("numba:compile", progress)
    try:
        with _lock:
            if not _done.is_set():
                _run_small_model()
                _done.set()
    finally:
        event.unregister("numba:compile", progress)
        stop.set()
        timer.join()  # no thread left behind (worker pools may fork next)


def start_in_background(announce=None) -> threading.Event:
    """Start :func:`ensure_compiled` in a daemon thread (once); the event is set when it is done."""
    global _thread
    with _start_lock:
        if _thread is None and not _done.is_set():
            _thread = threading.Thread(target=ensure_compiled, args=(announce,), name="compile-model", daemon=True)
            _thread.start()
    return _done


def is_ready() -> bool:
    """True once the compiled day is loaded in this process."""
    return _done.is_set()
