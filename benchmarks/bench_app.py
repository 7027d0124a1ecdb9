"""Play speed of the app in a real browser: simulated days a second, as the page shows them.

Starts ``./dsim app``, opens it in Debian's Chromium (headless, through Playwright), presses
Play at full scale (the pilot, one agent per person) and reads the day count the page shows
while it plays, for ``--seconds`` seconds. Prints the days a second seen in the browser, the
speed the app reports, the days per redraw and the machine's load. The target is 20 simulated
days a second (issue 16). With ``--screenshot PATH`` it plays on to the end of the run and saves
a screenshot of the page (the README's ``docs/img/app.png`` is made this way).

    .venv/bin/python benchmarks/bench_app.py [--seconds 20] [--screenshot docs/img/app.png]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import browser


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--screenshot", type=Path)
    args = parser.parse_args()
    if not browser.CHROMIUM.exists():
        print(f"bench_app: skipped, {browser.NO_CHROMIUM}")
        return
    from playwright.sync_api import sync_playwright

    with (
        tempfile.TemporaryDirectory() as tmp,
        browser.served_app(Path(tmp) / "app.log") as (port, _, _),
        sync_playwright() as pw,
    ):
        context = browser.fresh_chromium(pw, Path(tmp) / "profile")
        page = browser.Session(context, f"http://127.0.0.1:{port}/")
        page.button("Play").click()
        page.wait_for_day(lambda d: d > 0)
        t0, d0 = time.monotonic(), page.day()
        samples = []
        while time.monotonic() - t0 < args.seconds and page.day() < 1095:
            time.sleep(0.25)
            samples.append((time.monotonic() - t0, page.day()))
        t1, d1 = samples[-1]
        reported = re.search(r"playing at (\d+) simulated days a second, charts redrawn every (\d+) days", page.text())
        print(
            f"play speed seen in the browser: {(d1 - d0) / t1:.1f} simulated days a second "
            f"(days {d0} to {d1} in {t1:.1f} s; target >= 20)"
        )
        if reported:
            print(
                f"the app reports: {reported.group(1)} simulated days a second, charts redrawn every "
                f"{reported.group(2)} days"
            )
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
        if args.screenshot:
            page.wait_for_day(lambda d: d == 1095, timeout_s=600)
            page.wait_until_still()
            args.screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.page.screenshot(path=str(args.screenshot), full_page=True)
            print(f"wrote {args.screenshot}")
        assert not page.problems, page.problems
        context.close()


if __name__ == "__main__":
    main()
