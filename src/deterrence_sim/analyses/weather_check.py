"""How much of a deterrence-driven fall in crossings the crossing-day "weather" absorbs.

The project's weather is learnt from the record of crossing days (days with at least one arrival
in SB01). When deterrence (or French interception, or a short supply of boats) stops every launch
on a marginal day, that day drops out of the record and is learnt as a rough day. This check
measures the size of that confusion in a synthetic world where the truth is known:

1. **Truth.** Replicates of a removal scenario (``rampup_x10`` by default) with the deterrence
   strength set high (``strong``) and with it off (0), each pair with the same seed and so the same
   true weather (common random numbers, rules/weather.py). The simulated fall is the difference in
   arrivals over the ``window``.
2. **Replayed record** (what a fit does inside its window): the no-deterrence world re-run with the
   strong-deterrence run's crossing days replayed as the weather. The share of the fall it
   reproduces without any deterrence is what the replayed record absorbs.
3. **Re-estimated chain** (what a forecast's weather would absorb if the chain were learnt from
   the months of the pilot): the monthly chain re-estimated, per calendar month, from the strong-
   deterrence runs' crossing days in the window (:func:`chain_from_flags`, the estimator of
   :func:`deterrence_sim.observed.data.weather_chain_from_daily`), and the no-deterrence world re-run with
   that chain as the weather.

``python -m deterrence_sim.analyses.weather_check OUT`` writes ``OUT/weather_absorption.json`` and ``.md``.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np

from .. import resources, safeio
from ..observed.data import chain_from_days
from ..scenario import RAMP_DATE

SCENARIO = "rampup_x10"
STRONG = 4.0  # above the prior's 95th percentile of the deterrence strength (3.3; uncertainty.PRIORS)
#: The ramp-up (every removal lever x10) from the standard scenarios' ramp-up date to the year's end.
WINDOW = (RAMP_DATE, "2026-12-31")
REPLICATES = 12
SEED = 20260430


def chain_from_flags(dates: np.ndarray, calm: np.ndarray) -> tuple[tuple, tuple]:
    """The monthly chain (calm_after_calm, calm_after_rough) of one or more day-flag series:
    ``dates`` and ``calm`` are runs x days (the estimator of weather_chain_from_daily, pooled)."""
    dates, calm = np.atleast_2d(dates), np.atleast_2d(calm)
    months = dates.astype("datetime64[M]").astype(int) % 12 + 1
    return chain_from_days(months, calm, np.ones_like(calm, dtype=bool))


def chain_days(rng: np.random.Generator, dates: np.ndarray, chain: tuple) -> np.ndarray:
    """Sea-viable flags for ``dates`` drawn from a monthly chain ``(calm_after_calm,
    calm_after_rough)`` (rules/weather.py, ``markov_weather``)."""
    from ..rules.weather import markov_weather

    months = np.asarray(dates).astype("datetime64[M]").astype(int) % 12 + 1
    return markov_weather(rng, months, chain[0], chain[1])


def in_window(weather: np.ndarray, window: np.ndarray, flags: np.ndarray) -> np.ndarray:
    """The run's ``weather`` with the days of ``window`` (a mask) replaced by ``flags`` (one per
    day of the window); every other day keeps its own weather."""
    out = np.asarray(weather, bool).copy()
    out[np.asarray(window, bool)] = flags
    return out


def weather_replay(drawn: np.ndarray, flags: np.ndarray) -> dict:
    """ChannelModel's ``replay`` argument that turns a run's own weather ``drawn`` (its sea-viable
    days, drawn from its seed) into the per-day ``flags``: each day where the two differ takes the
    drawn weather of a day that had the flag wanted (the first such day of the run)."""
    drawn, flags = np.asarray(drawn, bool), np.asarray(flags, bool)
    to_days = np.flatnonzero(drawn != flags)
    first = {flag: np.flatnonzero(drawn == flag)[:1] for flag in (False, True)}
    for flag, days in first.items():
        if not len(days) and (flags[to_days] == flag).any():
            raise ValueError(f"weather_replay: the run has no {'calm' if flag else 'rough'} day to copy")
    from_days = np.array([first[bool(f)][0] for f in flags[to_days]], dtype=np.int64)
    return {"sea_viable": (to_days, from_days)}


def run(kwargs: dict, seed: int, replay: dict | None = None):
    """One run (``runner.simulate``): daily dates, arrivals and sea-viable days. ``replay``
    (:func:`weather_replay`) replaces the drawn weather by other per-day flags (the replayed record)."""
    from ..runner import simulate

    result = simulate({**kwargs, "replay": replay} if replay else kwargs, seed=seed)
    return np.array(result.dates, dtype="datetime64[D]"), result["arrivals"], result["sea_viable"].astype(bool)


def measure(
    scenario: str = SCENARIO, strong: float = STRONG, replicates: int = REPLICATES, seed: int = SEED, window=WINDOW
) -> dict:
    from .. import scenario as sc
    from ..runner import replicate_seed

    base = sc.load(resources.path(f"experiments/scenarios/{scenario}.toml")).model_kwargs()
    base["end"] = max(base["end"], window[1])
    lo, hi = np.datetime64(window[0]), np.datetime64(window[1])
    t0 = time.perf_counter()
    out: dict[str, list] = {
        k: [] for k in ("off", "strong", "replayed", "chain", "viable", "days_off", "days_strong", "days_chain")
    }
    strong_runs, off_runs = [], []  # the runs without deterrence serve the chain arm too
    for i in range(replicates):
        s = replicate_seed(seed, i)
        d, a_off, viable = run({**base, "deterrence_strength": 0.0}, s)
        _, a_on, viable_on = run({**base, "deterrence_strength": strong}, s)
        assert (viable == viable_on).all()  # common random numbers: the same true weather
        w = (d >= lo) & (d <= hi)
        _, a_rep, _ = run(
            {**base, "deterrence_strength": 0.0}, s, replay=weather_replay(viable, np.where(w, a_on > 0, viable))
        )
        strong_runs.append((d, a_on > 0, w))
        off_runs.append((d, a_off, viable))
        out["off"].append(a_off[w].sum())
        out["strong"].append(a_on[w].sum())
        out["replayed"].append(a_rep[w].sum())
        out["viable"].append(int(viable[w].sum()))
        out["days_off"].append(int((a_off[w] > 0).sum()))
        out["days_strong"].append(int((a_on[w] > 0).sum()))
    d = np.array([r[0][r[2]] for r in strong_runs])
    flags = np.array([r[1][r[2]] for r in strong_runs])
    chain_strong = chain_from_flags(d, flags)
    d_off = off_runs
    chain_truth = chain_from_flags(
        np.array([x[0][(x[0] >= lo) & (x[0] <= hi)] for x in d_off]),
        np.array([x[2][(x[0] >= lo) & (x[0] <= hi)] for x in d_off]),
    )
    for i, (dd, a_tr, viable) in enumerate(d_off):
        w = (dd >= lo) & (dd <= hi)
        # the window's days drawn from the re-estimated chain, replayed inside the window only (the
        # chain has no estimate for the months outside it), in the world without deterrence
        drawn = chain_days(np.random.default_rng([seed, 31, i]), dd[w], chain_strong)
        _, a_ch, _ = run(
            {**base, "deterrence_strength": 0.0},
            replicate_seed(seed, i),
            replay=weather_replay(viable, in_window(viable, w, drawn)),
        )
        out["chain"].append(a_ch[w].sum() - a_tr[w].sum())
        out["days_chain"].append(int((a_ch[w] > 0).sum()))
    off, on = np.array(out["off"]), np.array(out["strong"])
    fall = off - on
    res: dict = {
        "scenario": scenario,
        "deterrence_strength": strong,
        "window": list(window),
        "replicates": replicates,
        "arrivals_off": float(off.mean()),
        "arrivals_strong": float(on.mean()),
        "fall": float(fall.mean()),
        "fall_share": float(fall.mean() / off.mean()),
        "viable_days": float(np.mean(out["viable"])),
        "crossing_days_off": float(np.mean(out["days_off"])),
        "crossing_days_strong": float(np.mean(out["days_strong"])),
        "crossing_days_chain": float(np.mean(out["days_chain"])),
        "replayed_fall": float((off - np.array(out["replayed"])).mean()),
        "chain_fall": float(-np.mean(out["chain"])),
        "chain_truth": chain_truth,
        "chain_strong": chain_strong,
        "seconds": time.perf_counter() - t0,
    }
    res["absorbed_replayed"] = res["replayed_fall"] / res["fall"] if res["fall"] else float("nan")
    res["absorbed_chain"] = res["chain_fall"] / res["fall"] if res["fall"] else float("nan")
    return res


def write(out: Path, res: dict, command: str) -> None:
    safeio.prepare_output_dir(out)
    safeio.write_json(out / "weather_absorption.json", res)
    r = res
    L = [
        "# How much of a deterrence-driven fall the crossing-day weather absorbs",
        "",
        f"Made by `{command}` on {dt.date.today()} in {r['seconds']:.0f} s. Scenario `{r['scenario']}`, "
        f"{r['replicates']} replicates, window {r['window'][0]}..{r['window'][1]}; deterrence strength "
        f"{r['deterrence_strength']:g} against 0, each pair with the same seed and so the same true weather.",
        "",
        f"* True weather: {r['viable_days']:.0f} sea-viable days in the window (mean). Without deterrence "
        f"{r['arrivals_off']:,.0f} arrivals on {r['crossing_days_off']:.0f} crossing days; with it "
        f"{r['arrivals_strong']:,.0f} on {r['crossing_days_strong']:.0f}: a fall of {r['fall']:,.0f} "
        f"({r['fall_share']:.0%}) and {r['crossing_days_off'] - r['crossing_days_strong']:.0f} crossing days fewer.",
        f"* **Replaying the strong-deterrence run's crossing days as the weather** (what a fit does inside its "
        f"window), the world without deterrence falls by {r['replayed_fall']:,.0f}: "
        f"**{r['absorbed_replayed']:.0%} of the fall is absorbed as weather.**",
        f"* **Re-estimating the monthly chain from those crossing days** (what the forecast's chain would do if "
        f"learnt from the pilot's months) gives {r['crossing_days_chain']:.0f} crossing days in the window and "
        + chain_sentence(r),
        "",
        "Why the two can differ: the replayed record puts the crossing days exactly where the strong-deterrence "
        "run had them, while a chain spreads about as many over the window at random, and the model's queue "
        "(people wait for the next viable day) and the networks' launches a day decide how many people a calm or "
        f"rough day moves. This is a strong case (strength {r['deterrence_strength']:g}, above the prior's 95th "
        "percentile of 3.3; removals ten times the pilot's); the shares bound what the record can hide, they do "
        "not say how much it hides in 2026.",
        "",
        "What the project does about it: forecasts and backtests learn the weather chain from the crossing days "
        "of 2022-2024 only (`forecast.WEATHER_LAST_YEAR`), before the pilot's first returns and the dated French "
        "and UK measures of late 2025 and 2026, so the chain cannot take the pilot's effect, or theirs, on "
        "crossing days for weather. Fits that replay the record of 2025-2026 as the weather inside their window "
        "can, by up to the first share (docs/ODD.md, section 11).",
    ]
    safeio.write_text(out / "weather_absorption.md", "\n".join(L) + "\n")


USAGE = "usage: python -m deterrence_sim.analyses.weather_check [OUT]   (default OUT experiments/forecast/weather_absorption)"


def chain_sentence(r: dict) -> str:
    """What the re-estimated chain does to the world without deterrence, said the right way round
    when it raises arrivals (a negative share: it would make a deterrence effect look larger)."""
    if r["chain_fall"] >= 0:
        return (
            f"a fall of {r['chain_fall']:,.0f} without any deterrence: **{r['absorbed_chain']:.0%} of the fall "
            "is absorbed.**"
        )
    return (
        f"{-r['chain_fall']:,.0f} more arrivals than the true weather gives, without any deterrence: **none of "
        f"the fall is absorbed**; a chain learnt from the pilot's months would make a deterrence effect look "
        f"larger by {-r['absorbed_chain']:.0%} of it, not smaller."
    )


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0
    if argv and (argv[0].startswith("-") or len(argv) > 1):
        bad = argv[0] if argv[0].startswith("-") else argv[1]
        print(f"weather_check: error: unexpected argument {bad!r} ({USAGE})", file=sys.stderr)
        return 2
    out = Path(argv[0] if argv else "experiments/forecast/weather_absorption")
    res = measure()
    write(out, res, "python -m deterrence_sim.analyses.weather_check " + str(out))
    print(
        f"fall {res['fall']:,.0f} ({res['fall_share']:.0%}); absorbed: replayed {res['absorbed_replayed']:.0%}, "
        f"re-estimated chain {res['absorbed_chain']:.0%}; {res['seconds']:.0f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
