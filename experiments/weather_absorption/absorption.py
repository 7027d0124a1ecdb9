"""How much of a deterrence effect a fit that replays observed crossing days takes for weather.

The fit (docs/ODD.md section 10) replays "observed weather": the days with at least one arrival
are the sea-viable days. If deterrence cuts crossings, some days that the sea allowed have no
arrival, and the replay reads them as rough weather. This script measures that on synthetic data:

1. "Truth": the pilot from 2025-01-01 to 2026-04-30 at a high deterrence strength (default 2.5),
   with the model's own (Markov) weather, and the same seeds at strength 0. The deterrence effect
   on January-April 2026 arrivals, pair by pair, is E_model = truth / no-deterrence - 1.
2. "Replayed": the truth's own crossing days (days with >= 1 arrival) replace the weather of both
   runs, as the fit would replay them. The effect the fit can see is E_replayed = (strength run) /
   (strength 0 run) - 1, both on the replayed weather.
3. "Replayed to 2025 only": the crossing days replace the weather up to 2025-12-31 only, and the
   model's Markov weather is used from 2026-01-01 (``weather_mode = "observed_to_2025"``).

The share of the effect absorbed is 1 - E_replayed / E_model (over the sums of the replicates).

    python experiments/weather_absorption/absorption.py [--strength 2.5] [--replicates 10]

It prints the figures and writes ``absorption.csv`` beside itself (one row per replicate).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from deterrence_sim import ChannelModel

HERE = Path(__file__).resolve().parent
START, END, WINDOW = "2025-01-01", "2026-04-30", ("2026-01-01", "2026-04-30")


def run(seed: int, strength: float, weather: np.ndarray | None = None, **params):
    model = ChannelModel(rng=seed, start=START, end=END, deterrence_strength=strength, **params)
    if weather is not None:
        model.sea_viable[:] = weather
    model.run()
    df = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    df["date"] = [d.isoformat() for d in model.dates]
    return df, model.sea_viable.copy()


def window(df: pd.DataFrame, column: str = "arrivals") -> float:
    sel = (df["date"] >= WINDOW[0]) & (df["date"] <= WINDOW[1])
    return float(df.loc[sel, column].sum())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--strength", type=float, default=2.5)
    ap.add_argument("--replicates", type=int, default=10)
    ap.add_argument("--seed", type=int, default=100)
    args = ap.parse_args()
    rows = []
    for i in range(args.replicates):
        seed = args.seed + i
        truth, markov = run(seed, args.strength)
        zero, _ = run(seed, 0.0)
        crossing_days = truth["arrivals"].to_numpy() > 0
        replayed_s, _ = run(seed, args.strength, crossing_days)
        replayed_0, _ = run(seed, 0.0, crossing_days)
        cut = np.where(pd.to_datetime(truth["date"]) < pd.Timestamp(WINDOW[0]), crossing_days, markov)
        to2025_s, _ = run(seed, args.strength, cut)
        to2025_0, _ = run(seed, 0.0, cut)
        sel = (truth["date"] >= WINDOW[0]) & (truth["date"] <= WINDOW[1])
        zero_days = zero["arrivals"].to_numpy() > 0
        rows.append(
            {
                "seed": seed,
                "truth": window(truth),
                "no_deterrence": window(zero),
                "replayed_strength": window(replayed_s),
                "replayed_zero": window(replayed_0),
                "to2025_strength": window(to2025_s),
                "to2025_zero": window(to2025_0),
                "viable_days": int(markov[sel.to_numpy()].sum()),
                "crossing_days_truth": int(crossing_days[sel.to_numpy()].sum()),
                "crossing_days_no_deterrence": int(zero_days[sel.to_numpy()].sum()),
                "risk_mean": float(truth.loc[sel, "perceived_removal_risk"].mean()),
            }
        )
    df = pd.DataFrame(rows)
    df.to_csv(HERE / "absorption.csv", index=False)
    s = df.sum()
    e_model = s["truth"] / s["no_deterrence"] - 1
    e_replayed = s["replayed_strength"] / s["replayed_zero"] - 1
    e_2025 = s["to2025_strength"] / s["to2025_zero"] - 1
    print(f"strength {args.strength}, {len(df)} replicates, arrivals {WINDOW[0]}..{WINDOW[1]}")
    print(f"  deterrence effect, model's own weather:          {100 * e_model:+.1f}%")
    print(f"  deterrence effect, crossing days replayed:       {100 * e_replayed:+.1f}%")
    print(f"  share of the effect absorbed by the replay:      {100 * (1 - e_replayed / e_model):.0f}%")
    print(f"  deterrence effect, replayed to 2025, Markov 2026: {100 * e_2025:+.1f}%")
    print(
        f"  sea-viable days {df['viable_days'].mean():.1f}, crossing days with deterrence "
        f"{df['crossing_days_truth'].mean():.1f}, without {df['crossing_days_no_deterrence'].mean():.1f} "
        f"(means over replicates); mean perceived risk {df['risk_mean'].mean():.3f}"
    )
    per = (df["replayed_strength"] / df["replayed_zero"] - 1) / (df["truth"] / df["no_deterrence"] - 1)
    print(
        f"  absorbed share by replicate: median {100 * (1 - per.median()):.0f}%, "
        f"range {100 * (1 - per.max()):.0f}% to {100 * (1 - per.min()):.0f}%"
    )


if __name__ == "__main__":
    main()
