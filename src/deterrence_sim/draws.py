"""The day's uniform draws, taken straight from the model's random state: same draws, a third of the time.

Every random draw of the compiled day comes from the model's seeded generator ``model.rng``
(numpy's ``Generator`` on the ``PCG64`` bit generator, which Mesa makes from the seed). Inside
compiled code numba takes a uniform draw (``rng.random()``) by calling the bit generator's
``next_double`` through a function pointer, about 6 ns a draw on this project's 2-core machine;
a full-scale year takes some three million of them, two for most waiting people every day, and
they were the larger part of the person-by-person pass. :func:`uniform` takes the same draw from
the same state with the generator's arithmetic written out and inlined (about 2 ns):
:func:`stream_words` is a view, in the generator's own memory, of its 128-bit state and increment;
:func:`uniform` advances the state as PCG64 does (``state * multiplier + increment``, modulo
2**128), forms the 64-bit output (XSL-RR: the two halves exclusive-or'ed, rotated by the top six
bits of the state) and keeps its top 53 bits as a double in [0, 1), as numpy's ``next_double``
does. The draw and the state it leaves are exactly those of ``rng.random()``, so the other draws
of the day (binomial, exponential, integers, ...), which go on through the generator itself, read
the state where these left it: the order of draws, and every figure of a run, are those of the
generator alone (``tests/test_draws.py`` checks the two interleaved, draw for draw).

Whoever holds the model's generator can therefore be given either it or its words: the rules'
functions take ``rng`` and call ``uniform(rng)`` (and ``uniforms(rng, n)`` for ``n`` draws),
which is ``rng.random()`` for a generator (tests and notebooks call the rules with one) and the
inlined draw for its words (the compiled day passes ``w.stream``, ``daybook.World``).

PCG64: M. E. O'Neill (2014), "PCG: a family of simple fast space-efficient statistically good
algorithms for random number generation"; numpy's implementation, ``numpy/random/src/pcg64``
(``pcg64_next64`` and ``pcg64_next_double``, with 128-bit integers where the compiler has them).
"""

from __future__ import annotations

import ctypes

import llvmlite.ir as ir
import numpy as np
from numba import types
from numba.extending import intrinsic, overload

from .errors import ConfigError

#: PCG64's 128-bit multiplier (PCG_DEFAULT_MULTIPLIER_128).
MULTIPLIER = (2549297995355413924 << 64) + 4865540595714422341
_MASK128 = (1 << 128) - 1
_MASK64 = (1 << 64) - 1
#: A 53-bit integer as a double in [0, 1): times 2**-53 (numpy's next_double).
_TWO_TO_MINUS_53 = 1.0 / 9007199254740992.0


def stream_words(generator: np.random.Generator) -> np.ndarray:
    """The state of ``generator``'s PCG64 bit generator as four unsigned 64-bit words, in the
    generator's own memory (writing them moves the generator): the state's low and high halves,
    then the increment's. Refuses, with one line, a generator on another bit generator, and
    checks the words against the state numpy reports (a numpy built without 128-bit integers
    keeps the halves the other way round)."""
    bit_generator = generator.bit_generator
    if type(bit_generator) is not np.random.PCG64:
        raise ConfigError(
            f"rng: the model draws from numpy's PCG64 (a seed, or np.random.default_rng(seed)); "
            f"got a generator on {type(bit_generator).__name__}"
        )
    pcg_state = ctypes.c_void_p.from_address(bit_generator.ctypes.state_address).value  # pcg64_state.pcg_state
    words = np.ctypeslib.as_array((ctypes.c_uint64 * 4).from_address(pcg_state))
    reported = bit_generator.state["state"]
    if (_join(words[0], words[1]), _join(words[2], words[3])) != (reported["state"], reported["inc"]):
        raise RuntimeError("this numpy keeps PCG64's state in a layout deterrence_sim.draws does not know")
    return words


def _join(low, high) -> int:
    return (int(high) << 64) | int(low)


def next64(words: np.ndarray) -> int:
    """PCG64's next 64-bit output from ``words`` (:func:`stream_words`), advancing them: the
    plain-Python statement of what the compiled :func:`_next64` does."""
    state = (_join(words[0], words[1]) * MULTIPLIER + _join(words[2], words[3])) & _MASK128
    words[0], words[1] = state & _MASK64, state >> 64
    x = ((state >> 64) ^ state) & _MASK64
    rot = state >> 122
    return ((x >> rot) | (x << ((64 - rot) & 63))) & _MASK64


def uniform(rng) -> float:
    """One uniform draw in [0, 1) from ``rng``: a numpy ``Generator`` (``rng.random()``) or the
    words of its PCG64 state (:func:`stream_words`; the same draw, the same state after)."""
    if isinstance(rng, np.ndarray):
        return (next64(rng) >> 11) * _TWO_TO_MINUS_53
    return rng.random()


def uniforms(rng, n: int) -> np.ndarray:
    """``n`` uniform draws in [0, 1), in order (as ``rng.random(n)``): see :func:`uniform`."""
    if isinstance(rng, np.ndarray):
        return np.array([uniform(rng) for _ in range(n)])
    return rng.random(n)


@intrinsic
def _next64(typingctx, words):
    """Compiled: advance the PCG64 state held in ``words`` and return its 64-bit output, in
    LLVM's 128-bit integers (what ``pcg64_next64`` does; :func:`next64` says it in Python)."""
    if not (isinstance(words, types.Array) and words.dtype == types.uint64):
        return None

    def codegen(context, builder, signature, args):
        array = context.make_array(signature.args[0])(context, builder, args[0])
        i128, i64 = ir.IntType(128), ir.IntType(64)
        state_at = builder.bitcast(array.data, i128.as_pointer())
        increment_at = builder.gep(state_at, [ir.Constant(ir.IntType(32), 1)])
        state = builder.add(
            builder.mul(builder.load(state_at, align=8), ir.Constant(i128, MULTIPLIER)),
            builder.load(increment_at, align=8),
        )
        builder.store(state, state_at, align=8)
        x = builder.xor(builder.trunc(builder.lshr(state, ir.Constant(i128, 64)), i64), builder.trunc(state, i64))
        rot = builder.trunc(builder.lshr(state, ir.Constant(i128, 122)), i64)
        left = builder.and_(builder.sub(ir.Constant(i64, 64), rot), ir.Constant(i64, 63))
        return builder.or_(builder.lshr(x, rot), builder.shl(x, left))

    return types.uint64(words), codegen


@overload(uniform, inline="always")
def _uniform(rng):
    if isinstance(rng, types.Array):

        def from_words(rng):
            return (_next64(rng) >> np.uint64(11)) * _TWO_TO_MINUS_53

        return from_words

    def from_generator(rng):
        return rng.random()

    return from_generator


@overload(uniforms, inline="always")
def _uniforms(rng, n):
    if isinstance(rng, types.Array):

        def from_words(rng, n):
            out = np.empty(n)
            for j in range(n):
                out[j] = (_next64(rng) >> np.uint64(11)) * _TWO_TO_MINUS_53
            return out

        return from_words

    def from_generator(rng, n):
        return rng.random(n)

    return from_generator
