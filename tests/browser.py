"""The app in a real browser: ``./dsim app`` on a free port, Debian's Chromium driven by Playwright
(no browser download: ``executable_path``), and one browser tab on the app that records anything
that goes wrong on the page. Used by ``tests/test_app.py`` and ``benchmarks/bench_app.py``."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("DSIM_CHROMIUM", "/usr/bin/chromium"))
NO_CHROMIUM = (
    f"no Chromium at {CHROMIUM}: the browser test of the app needs Debian's chromium (as root: "
    "apt-get update && apt-get install -y chromium; .ci/run does this), or DSIM_CHROMIUM=/path/to/chromium"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
#: The charts the page draws: app.CHART_PANELS and today's spread of beliefs.
N_CHARTS = 5


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening_addresses(port: int) -> set[str]:
    """Local IPv4 addresses listening on ``port`` (from /proc/net/tcp)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        addr, p = fields[1].split(":")
        if fields[3] == "0A" and int(p, 16) == port:
            found.add(socket.inet_ntoa(bytes.fromhex(addr)[::-1]))
    return found


@contextlib.contextmanager
def served_app(log: Path, env: dict | None = None, args=(), timeout_s: float = 180):
    """Run ``./dsim app --port P`` until the block ends; yields (port, process, log path)."""
    port = free_port()
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [str(ROOT / "dsim"), "app", "--port", str(port), *args],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + timeout_s
        while not listening_addresses(port):
            if proc.poll() is not None:
                raise RuntimeError(f"./dsim app stopped: {log.read_text()[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"./dsim app did not listen in {timeout_s:.0f} s: {log.read_text()[-2000:]}")
            time.sleep(0.3)
        yield port, proc, log
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def fresh_chromium(pw, profile: Path):
    """Headless Chromium with a new, empty profile (a persistent context in ``profile``)."""
    return pw.chromium.launch_persistent_context(
        str(profile),
        executable_path=str(CHROMIUM),
        headless=True,
        args=CHROMIUM_ARGS,
        viewport={"width": 1500, "height": 1100},
    )


class Session:
    """One browser tab on the app (one session, with its own model), recording page errors,
    console errors, failed requests and any request that leaves the machine."""

    def __init__(self, context, url):
        self.page = context.new_page()
        self.problems = []
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on(
            "console", lambda m: self.problems.append(f"console error: {m.text}") if m.type == "error" else None
        )
        self.page.on(
            "request",
            lambda r: (
                self.problems.append(f"request leaving the machine: {r.url}")
                if not r.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:"))
                else None
            ),
        )
        self.page.on(
            "response", lambda r: self.problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None
        )
        self.page.goto(url)
        self.wait_for_charts()
        self.page.wait_for_function("() => !document.body.innerText.includes('Compiling the model')", timeout=180_000)

    def text(self) -> str:
        return self.page.inner_text("body")

    def day(self) -> int:
        """The day count the page shows ("day N of 1,095")."""
        found = re.search(r"day ([\d,]+) of 1,095", self.text())
        assert found, self.text()[:500]
        return int(found.group(1).replace(",", ""))

    def wait_for_day(self, test, timeout_s=60):
        deadline = time.monotonic() + timeout_s
        while not test(self.day()):
            assert time.monotonic() < deadline, f"day stayed at {self.day()}"
            time.sleep(0.2)

    def wait_until_still(self, still_s=3.0, timeout_s=30):
        """The day, once it has not changed for ``still_s`` seconds."""
        deadline = time.monotonic() + timeout_s
        day, since = self.day(), time.monotonic()
        while time.monotonic() - since < still_s:
            assert time.monotonic() < deadline, "the run does not stop"
            time.sleep(0.3)
            if self.day() != day:
                day, since = self.day(), time.monotonic()
        return day

    def charts(self):
        """The rendered chart images (loaded, with pixels)."""
        imgs = self.page.locator("img")
        return [
            imgs.nth(i)
            for i in range(imgs.count())
            if imgs.nth(i).evaluate("e => e.complete && e.naturalWidth > 100 && e.naturalHeight > 100")
        ]

    def wait_for_charts(self, n=N_CHARTS, timeout_s=120):
        deadline = time.monotonic() + timeout_s
        while len(self.charts()) < n:
            assert time.monotonic() < deadline, f"{len(self.charts())} of {n} charts rendered: {self.problems}"
            time.sleep(0.3)

    def chart_hashes(self) -> list[str]:
        return [hashlib.sha256(img.screenshot()).hexdigest() for img in self.charts()]

    def button(self, name):
        return self.page.get_by_role("button", name=name, exact=True)

    def slider(self, label_start: str):
        """The slider under the label that starts with ``label_start``."""
        return self.page.locator("label", has_text=label_start).locator("xpath=following::*[@role='slider'][1]")
