"""The exact Shapley split (shapley.py): efficiency, symmetry, a null cause, a known two-cause case."""

import itertools

import numpy as np
import pytest

from deterrence_sim.analyses.shapley import interaction, shapley


def worlds(causes, f):
    return {frozenset(s): f(frozenset(s)) for r in range(len(causes) + 1) for s in itertools.combinations(causes, r)}


def test_known_two_cause_example():
    # v(none)=0, v(A)=10, v(B)=4, v(AB)=20: interaction 6, shared equally -> A 13, B 7
    v = {frozenset(): 0.0, frozenset("A"): 10.0, frozenset("B"): 4.0, frozenset("AB"): 20.0}
    phi = shapley("AB", v)
    assert phi["A"] == pytest.approx(13.0) and phi["B"] == pytest.approx(7.0)
    assert interaction("AB", v) == pytest.approx(6.0)


def test_efficiency_with_three_causes_and_arrays():
    rng = np.random.default_rng(1)
    table = {}
    causes = ("x", "y", "z")
    v = worlds(causes, lambda s: table.setdefault(s, rng.normal(size=5)))
    phi = shapley(causes, v)
    assert np.allclose(sum(phi.values()), v[frozenset(causes)] - v[frozenset()])


def test_symmetry_and_null_cause():
    # a and b act alike (each adds 3, together 10); c changes nothing
    def f(s):
        ab = {"a", "b"} & s
        return {0: 0.0, 1: 3.0, 2: 10.0}[len(ab)]

    phi = shapley("abc", worlds("abc", f))
    assert phi["a"] == pytest.approx(phi["b"]) == pytest.approx(5.0)
    assert phi["c"] == pytest.approx(0.0)


def test_order_free_unlike_sequential():
    v = {frozenset(): 0.0, frozenset("A"): 1.0, frozenset("B"): 1.0, frozenset("AB"): 4.0}
    assert shapley("AB", v) == shapley("BA", v)


def test_missing_world_named():
    with pytest.raises(ValueError, match="no outcome"):
        shapley("AB", {frozenset(): 0.0, frozenset("A"): 1.0, frozenset("AB"): 2.0})
