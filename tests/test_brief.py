"""The briefing's parts (issue 21): the pilot contrast and the tail in the headline, the effect by
band of deterrence strength, the order-free decomposition with bootstrap intervals, delay against
deterrence, and the deterrence prior derived from the anchor episodes."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deterrence_sim.analyses import decomposition, effects
from deterrence_sim.calibration import deterrence_prior as prior
from deterrence_sim import resources
from deterrence_sim.analyses.uncertainty import PRIORS


def metrics_of(crossings: dict[str, list[float]], year=2027) -> dict[str, pd.DataFrame]:
    return {
        n: pd.DataFrame(
            {f"crossings_{year}": v, "arrivals": v, "in_france_at_end": [0.0] * len(v)},
            index=pd.RangeIndex(len(v), name="replicate"),
        )
        for n, v in crossings.items()
    }


def test_headline_has_the_pilot_contrast_and_the_tail():
    m = metrics_of({"no_deal": [100, 100, 100, 100], "pilot": [90, 90, 90, 90], "rampup_x5": [40, 81, 81, 81]})
    head = effects.headline_table(effects.contrasts(m, "no_deal"))
    assert {"against", "prob_cut_over_50pct"} <= set(head.columns)
    x5 = head.set_index(["scenario", "against"])
    assert x5.loc[("rampup_x5", "pilot"), "effect_p50"] == pytest.approx(-0.10)  # 81 / 90 - 1
    assert x5.loc[("rampup_x5", "pilot"), "prob_cut_over_50pct"] == pytest.approx(0.25)  # 40 / 90: over half gone
    assert x5.loc[("rampup_x5", "no_deal"), "prob_cut_over_50pct"] == pytest.approx(0.25)
    assert ("pilot", "pilot") not in x5.index and ("pilot", "no_deal") in x5.index
    assert list(head["against"]).index("pilot") < list(head["against"]).index("no_deal")  # the decision first


def test_bands_count_every_replicate_once_and_show_the_threshold():
    n = 40
    s = np.linspace(0.05, 6, n)
    e = np.where(s > 3, -0.9, -0.05)
    eff = pd.DataFrame({"scenario": "rampup_x5", "against": "pilot", "year": 2027, "replicate": range(n), "effect": e})
    draws = pd.DataFrame({"deterrence_strength": s}, index=pd.RangeIndex(n, name="replicate"))
    b = effects.by_strength(eff, draws, 2027, ["rampup_x5"])
    assert b["n"].sum() == n
    top = b.set_index("band")
    assert top.loc["> 3", "prob_cut_over_50pct"] == 1.0 and top.loc["< 0.3", "prob_cut_over_50pct"] == 0.0


def test_decomposition_parts_sum_to_the_total_with_interaction_shared():
    rng = np.random.default_rng(3)
    n = 30
    b = rng.uniform(900, 1100, n)
    none, det, leg = -rng.uniform(0, 10, n), -rng.uniform(50, 150, n), -rng.uniform(10, 30, n)
    both = none + det + leg - 20.0  # the two causes do 20 more together
    idx = pd.RangeIndex(n, name="replicate")

    def m(x):
        return pd.DataFrame({"crossings_2027": x}, index=idx)

    worlds = {
        "scenario": m(b + both),
        "legal_closed": m(b + none + det),
        "no_deterrence": m(b + none + leg),
        "no_deterrence_legal_closed": m(b + none),
    }
    p = decomposition.parts(worlds, m(b), 2027)
    assert np.allclose(p[list(decomposition.PARTS)].sum(axis=1), p["total"])
    assert np.allclose(p[decomposition.INTERACTION], -20.0)
    assert np.allclose(p["legal route"], leg - 10.0)  # its own effect plus half the interaction


def test_bootstrap_interval_covers_the_true_mean_about_as_often_as_it_says():
    rng = np.random.default_rng(11)
    hits = 0
    trials = 200
    for t in range(trials):
        x = pd.DataFrame({"part": rng.exponential(2.0, 60), "total": rng.normal(10.0, 1.0, 60)})
        b = decomposition.bootstrap(x, n=400, level=0.90, seed=t)
        hits += b.loc["part", "lo"] <= 2.0 <= b.loc["part", "hi"]
    assert 0.80 <= hits / trials <= 0.97
    # the shares' intervals surround the share of the means
    b = decomposition.bootstrap(pd.DataFrame({"part": [1.0, 2, 3, 4], "total": [2.0, 4, 6, 9]}))
    assert b.loc["part", "share_lo"] <= b.loc["part", "share"] <= b.loc["part", "share_hi"]


def test_delay_counts_match_the_daily_levels():
    dates = pd.date_range("2027-12-29", "2027-12-31")
    rows = []
    for r in range(2):
        for i, d in enumerate(dates):
            rows.append(
                {
                    "replicate": r,
                    "date": d,
                    "arrivals": 5,
                    "removed": 0,
                    "admitted_legal_route": 0,
                    "recrossings": 0,
                    "deaths": 0,
                    "detentions": 0,
                    "legal_challenges_filed": 0,
                    "attempts": 9,
                    "price_gbp": 1500.0,
                    "waiting_in_france": 100 * (r + 1) + i,
                    "applied_legal_route": 7 + i,
                    "returned_in_france": 3 * r + i,
                }
            )
    daily = pd.DataFrame(rows)
    m = effects.replicate_metrics(daily)
    last = daily[daily["date"] == dates[-1]].set_index("replicate")
    expect = last["waiting_in_france"] + last["applied_legal_route"] + last["returned_in_france"]
    assert m["in_france_at_end"].tolist() == expect.tolist()


def test_delay_table_counts_the_people_still_in_france_as_later_crossings():
    m = metrics_of({"no_deal": [100.0, 100.0], "pilot": [80.0, 80.0]})
    m["no_deal"]["in_france_at_end"] = [10.0, 10.0]
    m["pilot"]["in_france_at_end"] = [30.0, 30.0]
    d = effects.delay_table(m, "no_deal").set_index(["scenario", "against"]).loc[("pilot", "no_deal")]
    assert d["extra_in_france_mean"] == 20.0
    assert d["effect_p50"] == pytest.approx(-0.20)
    assert d["effect_counting_later_p50"] == pytest.approx(110 / 110 - 1)  # the whole cut was delay
    assert d["delay_share_of_cut"] == pytest.approx(1.0)


def test_reproducing_strength_interpolates_and_says_when_none_reaches():
    g = pd.DataFrame(
        {"deterrence_strength": [1.0, 4.0], "fall_mean": [0.4, 0.9], "fall_max": [0.5, 0.99], "observed_fall": 0.9}
    )
    s, ok = prior.reproducing_strength(g)
    assert ok and 1.0 < s < 4.0
    s, ok = prior.reproducing_strength(g.assign(observed_fall=0.999))
    assert not ok and s == 4.0


def test_the_main_jobs_prior_is_the_one_the_anchor_episodes_give():
    derived = prior.load(resources.path("experiments/prior/prior.json"))
    p = PRIORS["deterrence_strength"]
    assert (p.a, p.b, p.high) == (derived["median"], derived["sigma"], derived["high"])
    assert p.quantile(0.95) == pytest.approx(derived["upper_anchor"], rel=0.05)


def test_before_and_after_sets_each_contrast_beside_its_earlier_value(tmp_path):
    """The report's "How the 2026 data moved the answer": for the pilot (against no_deal) and the
    ramp-ups (against the pilot), the earlier comparison's median beside this one's, and the move."""
    from deterrence_sim.analyses import compare, report

    before = effects.headline_table(
        effects.contrasts(
            metrics_of({"no_deal": [100] * 4, "pilot": [95] * 4, "rampup_x5": [90.25] * 4, "parity": [47.5] * 4}),
            "no_deal",
        )
    )
    after = effects.headline_table(
        effects.contrasts(
            metrics_of({"no_deal": [100] * 4, "pilot": [90] * 4, "rampup_x5": [72] * 4, "parity": [45] * 4}), "no_deal"
        )
    )
    before.to_csv(tmp_path / "headline.csv", index=False)
    (tmp_path / compare.SETTINGS_FILE).write_text('{"seed": 5, "posterior": "to_2025.csv"}')
    lines = report.before_after(after, None, compare.read_before(tmp_path))
    rows = {ln.split("|")[1].strip(): ln for ln in lines if ln.startswith("| `")}
    assert set(rows) == {"`pilot` against `no_deal`", "`rampup_x5` against `pilot`", "`parity` against `pilot`"}
    assert rows["`rampup_x5` against `pilot`"].split("|")[2].strip().startswith("-5.0%")  # 90.25 / 95 - 1
    assert rows["`rampup_x5` against `pilot`"].split("|")[3].strip().startswith("-20.0%")  # 72 / 90 - 1
    assert rows["`rampup_x5` against `pilot`"].split("|")[4].strip() == "-15.0 points"
    assert rows["`parity` against `pilot`"].split("|")[4].strip() == "+0.0 points"  # -50% both times
    assert "to_2025.csv" in lines[0]


def test_a_before_folder_that_is_not_a_comparison_is_one_line_and_exit_2(tmp_path, capsys):
    from deterrence_sim import cli

    out = tmp_path / "out"
    code = cli.main(["compare", "--replicates", "2", "--before", str(tmp_path), "--out", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "--before" in err[0] and str(tmp_path) in err[0]
    assert not out.exists()


def test_the_brief_reads_the_strengths_interval_off_the_weighted_posterior_sample():
    """'What the data cannot tell' quotes the posterior sample's own weighted interval, not the
    spread of the replicates' draws from it (200 draws from a sample wobble)."""
    from deterrence_sim.analyses import compare
    from deterrence_sim.analyses.uncertainty import Uncertainty

    rows = tuple({"deterrence_strength": float(x)} for x in range(1, 101))
    even = compare.strength_interval(Uncertainty(priors=(), posterior=rows, weights=(1.0,) * 100))
    assert even == pytest.approx((5.5, 50.5, 95.5))  # the midpoint rule of calibration.abc.weighted_quantiles
    heavy = compare.strength_interval(Uncertainty(priors=(), posterior=rows, weights=(1.0,) * 50 + (3.0,) * 50))
    assert heavy[1] > 60  # three quarters of the weight above 50
    assert compare.shown_folder(Path("/x/src/deterrence_sim/_data/experiments/headline/b")) == "experiments/headline/b"
