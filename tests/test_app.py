"""The interactive view (``app.py``): its model follows the controls, and its panels render
headless what the model did."""

from __future__ import annotations

import ipywidgets
import numpy as np
import pytest

solara = pytest.importorskip("solara", reason="the app needs the 'app' extra (./dsim sets it up)")
from deterrence_sim import app  # noqa: E402


def rendered_html(component) -> str:
    """The markdown HTML a rendered panel shows."""
    box, _ = solara.render(component, handle_error=False)
    found, todo = [], [box]
    while todo:
        w = todo.pop()
        found += [getattr(w, "value", ""), getattr(w, "template", "")]
        todo += [c for c in (getattr(w, "children", None) or []) if isinstance(c, ipywidgets.Widget)]
    return " ".join(v for v in found if isinstance(v, str))


def test_app_model_follows_the_controls():
    model = app.AppModel(scenario_name="parity", deterrence_strength=1.5, rng="7")
    assert model.scenario_name == "parity" and model.c.parity
    assert model.dates[-1].isoformat() == app.APP_END
    assert np.all(model.daily.deterrence_strength == 1.5)
    # the seed typed in the text box gives the same run as the number
    a, b = app.AppModel(rng="7"), app.AppModel(rng=7)
    for _ in range(60):
        a.step()
        b.step()
    np.testing.assert_array_equal(a.figures, b.figures)
    # no deal: nobody is removed, whatever the strength
    no_deal = app.AppModel(scenario_name="no_deal", deterrence_strength=3.0).run()
    assert no_deal.totals["removed"] == 0 and no_deal.totals["newcomers"] > 0


def test_panels_render_what_the_model_did():
    model = app.AppModel(scenario_name="pilot", rng=3)
    for _ in range(300):  # to 2025-10-27: detentions, flights and returns under way
        model.step()
    df = app.daily_frame(model)
    html = rendered_html(app.Totals(model))
    assert f"{int(df['arrivals'].sum()):,}" in html
    assert f"removed to France</td>\n<td style=\"text-align: right;\">{model.totals['removed']:,}" in html
    assert model.totals["removed"] > 0
    assert str(model.date) in html
    for panel in (app.MonthlyCrossings, app.BeliefSpread):
        solara.render(panel(model), handle_error=False)  # raises if the panel fails
    solara.render(app.page, handle_error=False)
