"""The day's uniform draws taken straight from the model's random state (deterrence_sim.draws):
the same numbers, in the same order, as numpy's generator, and the generator's other draws come
where they would have."""

import numpy as np
import pytest
from numba import njit

from deterrence_sim import ChannelModel
from deterrence_sim.draws import stream_words, uniform, uniforms
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
    got = _mixed(generator, stream_words(generator), 500)
    want = _generator_only(np.random.default_rng(20250918), 500)
    assert np.array_equal(got, want)
    twin = np.random.default_rng(20250918)
    _generator_only(twin, 500)
    assert generator.random() == twin.random()  # the generator's state is where its own draws leave it


def test_the_plain_python_draw_is_the_compiled_one():
    a, b = np.random.default_rng(7), np.random.default_rng(7)
    words = stream_words(a)
    assert [uniform(words) for _ in range(5)] == list(b.random(5))
    assert list(uniforms(words, 3)) == list(b.random(3))
    assert a.random() == b.random()


def test_a_generator_on_another_bit_generator_is_refused_in_one_line():
    with pytest.raises(ConfigError, match="PCG64"):
        stream_words(np.random.Generator(np.random.MT19937(1)))
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
