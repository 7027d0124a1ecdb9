"""Exact Shapley values: an order-free split of an effect among the causes that make it.

Given ``k`` causes and the outcome of every one of the ``2^k`` counterfactual worlds (each cause
on or off), the Shapley value of cause ``i`` is its marginal contribution averaged over every
order in which the causes could be switched on:

    phi_i = sum over S not containing i of |S|! (k - |S| - 1)! / k! * (v(S + i) - v(S))

where ``v(S)`` is the outcome with the causes in ``S`` on and the others off. The values add up
to ``v(all) - v(none)`` (efficiency), two causes that act alike get the same value (symmetry),
and a cause that never changes the outcome gets zero. Unlike a sequential split ("switch the
causes on one after another"), the answer does not depend on an order; what the causes do only
together (their interaction) is shared equally among them, and :func:`interaction` reports it.

The outcomes can be numbers or arrays of the same shape (one value per replicate, say): the
split is then made element by element, so replicates paired by common random numbers keep
their pairing. Reference: Shapley (1953); for attribution of model effects, e.g. Owen (2014).
"""

from __future__ import annotations

import itertools
from math import factorial
from collections.abc import Callable, Hashable, Iterable, Mapping

import numpy as np


def _key(subset: Iterable[Hashable]) -> frozenset:
    return frozenset(subset)


def check_outcomes(causes: tuple, outcomes: Mapping[frozenset, object]) -> None:
    """Every one of the ``2^k`` subsets of ``causes`` must have an outcome; ValueError names the first missing."""
    if len(set(causes)) != len(causes):
        raise ValueError(f"causes must be distinct: {causes!r}")
    for r in range(len(causes) + 1):
        for subset in itertools.combinations(causes, r):
            if _key(subset) not in outcomes:
                raise ValueError(f"no outcome for the world with only {sorted(map(str, subset)) or 'no cause'} on")


def shapley(causes: Iterable[Hashable], outcomes: Mapping[frozenset, object] | Callable) -> dict:
    """Exact Shapley values of ``causes`` (a dict cause -> value).

    ``outcomes`` maps each subset (a frozenset of the causes switched on) to the outcome in that
    world, or is a function of such a frozenset. The values sum to ``v(all causes) - v(no cause)``.
    """
    causes = tuple(causes)
    v = outcomes if callable(outcomes) else outcomes.__getitem__
    if not callable(outcomes):
        check_outcomes(causes, outcomes)
    k = len(causes)
    weight = [factorial(s) * factorial(k - s - 1) / factorial(k) for s in range(k)]
    out = {}
    for i in causes:
        others = [c for c in causes if c != i]
        total = 0.0
        for r in range(k):
            for subset in itertools.combinations(others, r):
                s = _key(subset)
                total = total + weight[r] * (np.asarray(v(s | {i}), float) - np.asarray(v(s), float))
        out[i] = total
    return out


def interaction(causes: Iterable[Hashable], outcomes: Mapping[frozenset, object] | Callable):
    """What the causes do only together: ``v(all) - v(none) - sum_i (v({i}) - v(none))``.

    Zero when the causes add up; the Shapley split shares it equally between two causes (for
    more causes it is the part beyond the single-cause effects, shared by the Shapley weights).
    """
    causes = tuple(causes)
    v = outcomes if callable(outcomes) else outcomes.__getitem__
    none = np.asarray(v(frozenset()), float)
    alone = sum(np.asarray(v(frozenset({c})), float) - none for c in causes)
    return np.asarray(v(frozenset(causes)), float) - none - alone
