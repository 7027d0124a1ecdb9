"""The exact regression baseline (in the style of Covasim's): a few short runs' daily figures,
stored, and compared figure for figure by ``tests/test_baseline.py``.

Each setting below is a fixed seed and a short run (2025-06-01 to 2026-03-31) in which the
pilot's mechanisms act: ``pilot`` is the default (calibrated) parameter set; ``binding`` pushes
every mechanism until it binds (a short removal window, parity at ratio 2, frequent
re-crossing, the biometric fast track, many challenges, a small French weekly cap, interception
at sea and force restraint, the UK policy factor on the inflow, the boat supply factor, the
misperceived risk of people the scheme cannot remove), so that a change to any rule changes some
stored figure.

The stored files are ``tests/baseline/<setting>.csv``: one row per day, every column of
``daily.csv`` (``DAILY_COLUMNS``), floats written with 17 significant digits, which read back
exactly. The test fails on any difference and names the first day and the columns that differ.

When a change to the model is *intended* to change its figures, regenerate the files and say
why in the commit message:

    .venv/bin/python tests/baseline/update_baseline.py          # rewrite every setting
    .venv/bin/python tests/baseline/update_baseline.py --check  # only compare, print differences
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
START, END = "2025-06-01", "2026-03-31"

#: setting -> (seed, parameters)
SETTINGS: dict[str, tuple[int, dict]] = {
    "pilot": (1, {}),
    "binding": (
        2,
        {
            "removal_window_days": 20,
            "parity": True,
            "parity_ratio": 2.0,
            "returnee_recross_daily": 0.05,
            "biometric_fast_track": {"2025-10-01": 1.0},
            "challenge_prob": 0.8,
            "challenge_success_prob": 0.5,
            "challenge_days": 10.0,
            "france_weekly_cap": {"2025-08-06": 12.0},
            "france_accept_other": 0.4,
            "detention_capacity": {"2025-08-06": 300.0},
            "flights_per_week": {"2025-09-15": 5.0},
            "seats_per_flight": 6.0,
            "at_sea_interception": {"2025-11-01": 1.0},
            "at_sea_interception_gain": 0.15,
            "asylum_reform_inflow_factor": {"2026-01-01": 0.8},
            "boat_supply_factor": {"2025-12-19": 0.5},
            "ineligible_risk_weight": 0.3,
            "force_restraint": {"2026-01-01": 1.0},
            "deterrence_strength": 3.0,
            "legal_route_open": {"2025-07-01": 1.0},
            "application_rate": 0.2,
            "legal_processing_days": 15.0,
        },
    ),
}


def path_of(setting: str) -> Path:
    return HERE / f"{setting}.csv"


def simulate(setting: str) -> pd.DataFrame:
    """The daily figures of one setting, as the model gives them now."""
    from deterrence_sim import ChannelModel
    from deterrence_sim.daybook import DAILY_COLUMNS

    seed, params = SETTINGS[setting]
    model = ChannelModel(rng=seed, start=START, end=END, **params).run()
    df = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)[list(DAILY_COLUMNS)]
    df.insert(0, "date", [d.isoformat() for d in model.dates])
    return df


def stored(setting: str) -> pd.DataFrame:
    return pd.read_csv(path_of(setting))


def differences(now: pd.DataFrame, then: pd.DataFrame) -> str:
    """'' when the two are the same figure for figure (NaN equals NaN); else where they differ."""
    if list(now.columns) != list(then.columns) or len(now) != len(then):
        return f"columns or days differ: {list(now.columns)} x {len(now)} vs {list(then.columns)} x {len(then)}"
    out = []
    for column in now.columns[1:]:
        a, b = now[column].to_numpy(float), then[column].to_numpy(float)
        bad = ~((a == b) | (np.isnan(a) & np.isnan(b)))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            out.append(f"{column}: {int(bad.sum())} days differ, first {now['date'][i]} ({a[i]!r} vs stored {b[i]!r})")
    return "; ".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the stored files, write nothing")
    args = parser.parse_args()
    status = 0
    for setting in SETTINGS:
        now = simulate(setting)
        if args.check:
            diff = differences(now, stored(setting))
            print(f"{setting}: {diff or 'same figures'}")
            status |= bool(diff)
        else:
            now.to_csv(path_of(setting), index=False, float_format="%.17g")
            print(f"{setting}: wrote {path_of(setting)} ({len(now)} days)")
    return status


if __name__ == "__main__":
    sys.exit(main())
