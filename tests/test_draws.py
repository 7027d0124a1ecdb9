"""The day's uniform draws taken straight from the model's random state (deterrence_sim.draws):
the same numbers, in the same order, as numpy's generator, and the generator's other draws come
where they would have."""

import numpy as np
import pytest
from numba import njit
from numba.np.random.random_methods import random_interval

from deterrence_sim import ChannelModel
from deterrence_sim.draws import below, interval, permutation, stream_of, uniform, uniforms
from deterrence_sim.errors import ConfigError


@njit
def _mixed(generator, words, n):
    """Uniform draws from the words, interleaved with the generator's own draws of other kinds."""
    out = np.empty(3 * n)
    for j in range(n):
        out[3 * j] = uniform(words)
        out[3 * j + 1] = generator.exponential(2.0) + generator.integers(0, 7)
        out[3 * j + 2] = uniforms(words, 2).sum()
    return out


@njit
def _generator_only(generator, n):
    out = np.empty(3 * n)
    for j in range(n):
        out[3 * j] = generator.random()
        out[3 * j + 1] = generator.exponential(2.0) + generator.integers(0, 7)
        out[3 * j + 2] = generator.random(2).sum()
    return out


def test_draws_from_the_words_are_the_generators_draws_in_its_order():
    generator = np.random.default_rng(20250918)
    got = _mixed(generator, stream_of(generator), 500)
    want = _generator_only(np.random.default_rng(20250918), 500)
    assert np.array_equal(got, want)
    twin = np.random.default_rng(20250918)
    _generator_only(twin, 500)
    assert generator.random() == twin.random()  # the generator's state is where its own draws leave it


def test_the_plain_python_draw_is_the_compiled_one():
    a, b = np.random.default_rng(7), np.random.default_rng(7)
    words = stream_of(a)
    assert [uniform(words) for _ in range(5)] == list(b.random(5))
    assert list(uniforms(words, 3)) == list(b.random(3))
    assert a.random() == b.random()


#: Bounds for the integer draws: one (no draw), small, a power of two, up to 2**32 (32-bit draws,
#: the last the whole 32 bits) and above it (64-bit draws), with two where a third of the draws are
#: rejected (a third of 2**32 and of 2**64, plus one).
BOUNDS = [1, 2, 7, 64, 1000, 2**32 // 3 + 1, 2**32 - 1, 2**32, 2**32 + 1, 3 * 2**40 + 5, 2**64 // 3 + 1, 2**63 - 1]
#: Those up to 2**32, where numba's own ``integers`` draws as numpy does (above it, numba works
#: out the rejection threshold in floating point, and differs from numpy after a rejection).
BOUNDS_32 = np.array([k for k in BOUNDS if k <= 2**32], dtype=np.int64)


@njit
def _integers_from_stream(generator, stream, bounds, n):
    """Integer draws from the stream, each bound in turn, interleaved with the generator's own
    32-bit draws (an odd number, so the stored half is both full and empty at a draw) and uniforms."""
    out = np.empty(2 * n * len(bounds), dtype=np.int64)
    j = 0
    for _ in range(n):
        for k in bounds:
            out[j] = below(stream, k)
            out[j + 1] = generator.integers(0, 5, size=3).sum() + np.int64(uniform(stream) * 1000)
            j += 2
    return out


@njit
def _integers_from_generator(generator, bounds, n):
    out = np.empty(2 * n * len(bounds), dtype=np.int64)
    j = 0
    for _ in range(n):
        for k in bounds:
            out[j] = generator.integers(0, k)
            out[j + 1] = generator.integers(0, 5, size=3).sum() + np.int64(generator.random() * 1000)
            j += 2
    return out


def test_integer_draws_from_the_stream_are_the_generators_draws_in_its_order():
    generator = np.random.default_rng(1066)
    got = _integers_from_stream(generator, stream_of(generator), BOUNDS_32, 300)
    want = _integers_from_generator(np.random.default_rng(1066), BOUNDS_32, 300)
    assert np.array_equal(got, want)
    assert not got[:: 2 * len(BOUNDS_32)].any()  # k = 1 draws nothing and is always 0
    twin = np.random.default_rng(1066)
    _integers_from_generator(twin, BOUNDS_32, 300)
    assert generator.integers(0, 2**20, size=3).tolist() == twin.integers(0, 2**20, size=3).tolist()


@njit
def _below_each(stream, bounds):
    out = np.empty(2 * len(bounds), dtype=np.int64)
    for j in range(len(bounds)):
        out[2 * j] = below(stream, bounds[j])
        out[2 * j + 1] = np.int64(uniform(stream) * 2**40)
    return out


def test_integer_draws_are_numpys_on_every_bound_compiled_and_in_python():
    bounds = np.array(BOUNDS * 40, dtype=np.int64)
    numpy_draws = np.random.default_rng(8)
    want = []
    for k in bounds.tolist():
        want += [numpy_draws.integers(0, k), np.int64(numpy_draws.random() * 2**40)]
    compiled, plain = np.random.default_rng(8), np.random.default_rng(8)
    assert _below_each(stream_of(compiled), bounds).tolist() == want
    stream = stream_of(plain)
    assert [d for k in bounds.tolist() for d in (below(stream, k), np.int64(uniform(stream) * 2**40))] == want
    assert compiled.integers(0, 2**32 - 1) == plain.integers(0, 2**32 - 1) == numpy_draws.integers(0, 2**32 - 1)


#: Lengths of the orders drawn: none, one (no draw), two, and longer ones around powers of two
#: (where the masked draws are most often rejected).
LENGTHS = [0, 1, 2, 3, 5, 17, 64, 65, 85, 300, 1025]


@njit
def _orders_from_stream(generator, stream, lengths):
    """Orders from the stream, each between two of the generator's own 32-bit draws (one, so the
    stored half is full at some orders and empty at others)."""
    out = np.empty(0, dtype=np.int64)
    for n in lengths:
        out = np.concatenate((out, permutation(stream, n), generator.integers(0, 9, size=1)))
    return out


@njit
def _orders_from_generator(generator, lengths):
    out = np.empty(0, dtype=np.int64)
    for n in lengths:
        out = np.concatenate((out, generator.permutation(n), generator.integers(0, 9, size=1)))
    return out


def test_orders_from_the_stream_are_numpys_compiled_and_in_python():
    lengths = np.array(LENGTHS * 3, dtype=np.int64)
    numpy_draws = np.random.default_rng(4)
    want = np.concatenate([np.append(numpy_draws.permutation(n), numpy_draws.integers(0, 9)) for n in lengths])
    compiled, plain, numbas = (np.random.default_rng(4) for _ in range(3))
    assert _orders_from_stream(compiled, stream_of(compiled), lengths).tolist() == want.tolist()
    assert _orders_from_generator(numbas, lengths).tolist() == want.tolist()
    stream = stream_of(plain)
    in_python = [np.append(permutation(stream, n), plain.integers(0, 9)) for n in lengths.tolist()]
    assert np.concatenate(in_python).tolist() == want.tolist()
    assert compiled.random() == plain.random() == numpy_draws.random()


@njit
def _intervals(stream, generator, tops, ours):
    out = np.empty(len(tops), dtype=np.int64)
    for j in range(len(tops)):
        if ours:
            out[j] = interval(stream, tops[j])
        else:
            out[j] = np.int64(random_interval(generator.bit_generator, np.uint64(tops[j])))
    return out


def test_interval_draws_are_numbas_and_the_same_compiled_and_in_python():
    """The masked draw of the shuffles: against numba's own (numpy's ``random_interval``) on
    bounds up to 2**32 - 1 (32-bit draws), and compiled against plain Python on bounds above it
    too (64-bit draws; numba's own returns them through floating point, as its ``integers``)."""
    tops = np.array([0, 1, 6, 2**31, 2**32 - 1, 2**32, 2**33 + 1, 3 * 2**40, 2**62 + 1, 2**63 - 1] * 30, dtype=np.int64)
    small = tops[tops < 2**32]
    a, b = np.random.default_rng(12), np.random.default_rng(12)
    assert _intervals(stream_of(a), a, small, True).tolist() == _intervals(stream_of(b), b, small, False).tolist()
    assert a.random() == b.random()
    compiled, plain = np.random.default_rng(13), np.random.default_rng(13)
    stream = stream_of(plain)
    assert _intervals(stream_of(compiled), compiled, tops, True).tolist() == [
        interval(stream, k) for k in tops.tolist()
    ]
    assert compiled.random() == plain.random()


def test_a_generator_on_another_bit_generator_is_refused_in_one_line():
    with pytest.raises(ConfigError, match="PCG64"):
        stream_of(np.random.Generator(np.random.MT19937(1)))
    with pytest.raises(ConfigError, match="PCG64"):
        ChannelModel(rng=np.random.Generator(np.random.Philox(1)), end="2025-01-03").run()


def test_a_model_stepped_day_by_day_draws_as_one_run():
    """The words are taken afresh for each compiled call, so stepping (one call a day) and run()
    (one call for the span) give the same figures."""
    stepped = ChannelModel(rng=11, start="2025-08-01", end="2025-09-30")
    while stepped.running:
        stepped.step()
    run = ChannelModel(rng=11, start="2025-08-01", end="2025-09-30").run()
    assert np.array_equal(stepped.figures, run.figures, equal_nan=True)
