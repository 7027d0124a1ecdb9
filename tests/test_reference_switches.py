"""The reference model (deterrence_sim.reference) refuses, in one line, any parameter it does not
implement set away from its default, and every parameter is either used by it or listed as not
implemented (so a new parameter cannot be silently ignored by it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from deterrence_sim.errors import ConfigError
from deterrence_sim.params import PARAMS
from deterrence_sim.reference import ReferenceModel
from deterrence_sim.reference import model as reference

CODE = "".join(p.read_text() for p in Path(reference.__file__).resolve().parent.glob("*.py"))
#: the reference model's code without its list of what it does not implement
CODE_WITHOUT_LIST = re.sub(r"NOT_IMPLEMENTED = \{.*?\n\}\n", "", CODE, flags=re.S)


def test_reference_uses_or_refuses_every_parameter():
    assert len(CODE_WITHOUT_LIST) < len(CODE)
    used = {name for name in PARAMS if re.search(rf"\b{name}\b", CODE_WITHOUT_LIST)}
    unaccounted = sorted(set(PARAMS) - used - set(reference.NOT_IMPLEMENTED))
    assert not unaccounted, f"the reference model neither reads nor refuses {unaccounted}"
    assert not set(reference.NOT_IMPLEMENTED) - set(PARAMS)


@pytest.mark.parametrize(
    "name, value", [("comeback_share", 0.5), ("price_covers_removals", 1.0), ("injunction_wave", {"2025-01-02": 1.0})]
)
def test_reference_refuses_an_unimplemented_switch_in_one_line(name, value):
    with pytest.raises(ConfigError, match=rf"^{name}: the reference model does not implement") as e:
        ReferenceModel(rng=0, end="2025-01-02", **{name: value})
    assert "\n" not in str(e.value)


def test_reference_takes_the_defaults_of_what_it_does_not_implement():
    defaults = {name: PARAMS[name].default for name in reference.NOT_IMPLEMENTED}
    assert ReferenceModel(rng=0, end="2025-01-02", **defaults).run().day == 2
