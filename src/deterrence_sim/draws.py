"""The day's uniform and integer draws, taken straight from the model's random state: same draws, a third of the time.

Every random draw of the compiled day comes from the model's seeded generator ``model.rng``
(numpy's ``Generator`` on the ``PCG64`` bit generator, which Mesa makes from the seed). Inside
compiled code numba takes a uniform draw (``rng.random()``) by calling the bit generator's
``next_double`` through a function pointer, about 6 ns a draw on this project's 2-core machine;
a full-scale year takes some three million of them, two for most waiting people every day, and
they were the larger part of the person-by-person pass. :func:`uniform` takes the same draw from
the same state with the generator's arithmetic written out and inlined (about 2 ns):
:func:`stream_of` is a view, in the generator's own memory, of its 128-bit state and increment
(and of its store of a half-used output for 32-bit draws, :class:`Stream`);
:func:`uniform` advances the state as PCG64 does (``state * multiplier + increment``, modulo
2**128), forms the 64-bit output (XSL-RR: the two halves exclusive-or'ed, rotated by the top six
bits of the state) and keeps its top 53 bits as a double in [0, 1), as numpy's ``next_double``
does. The draw and the state it leaves are exactly those of ``rng.random()``, so the other draws
of the day (binomial, exponential, integers, ...), which go on through the generator itself, read
the state where these left it: the order of draws, and every figure of a run, are those of the
generator alone (``tests/test_draws.py`` checks the two interleaved, draw for draw). In the same
way :func:`below` takes a bounded integer (``rng.integers(0, k)``: numba's makes an array for
each, about 47 ns; the smugglers' seat queue takes some 600 a sea-viable day), and
:func:`permutation` a random order (``rng.permutation(n)``, numpy's shuffle, whose masked draws are
:func:`interval`; numba's calls the bit generator for each position, about 23 ns; the UK's
detention order takes one a sea-viable day).

Whoever holds the model's generator can therefore be given either it or its stream: the rules'
functions take ``rng`` and call ``uniform(rng)`` (and ``uniforms(rng, n)`` for ``n`` draws,
``below(rng, k)`` for an integer, ``permutation(rng, n)`` for an order), which is the generator's
own draw for a generator (tests and notebooks call the rules with one) and the inlined draw for its
stream (the compiled day passes ``w.stream``, ``daybook.World``).

PCG64: M. E. O'Neill (2014), "PCG: a family of simple fast space-efficient statistically good
algorithms for random number generation"; numpy's implementation, ``numpy/random/src/pcg64``
(``pcg64_next64`` and ``pcg64_next_double``, with 128-bit integers where the compiler has them).
"""

from __future__ import annotations

import ctypes
from typing import NamedTuple

import llvmlite.ir as ir
import numpy as np
from numba import types
from numba.extending import intrinsic, overload, register_jitable

from .errors import ConfigError

#: PCG64's 128-bit multiplier (PCG_DEFAULT_MULTIPLIER_128).
MULTIPLIER = (2549297995355413924 << 64) + 4865540595714422341
_MASK128 = (1 << 128) - 1
_MASK64 = (1 << 64) - 1
_MASK32 = (1 << 32) - 1
#: A 53-bit integer as a double in [0, 1): times 2**-53 (numpy's next_double).
_TWO_TO_MINUS_53 = 1.0 / 9007199254740992.0


class Stream(NamedTuple):
    """The model's random state as the compiled day reads and writes it, in the generator's own
    memory (writing it moves the generator): ``words``, PCG64's 128-bit state and increment as
    four unsigned 64-bit words (the state's low and high halves, then the increment's), and
    ``half``, the generator's store of a half-used output for 32-bit draws (numpy's
    ``has_uint32`` and ``uinteger``: a 64-bit output gives two 32-bit draws, its low half now
    and its high half next time)."""

    words: np.ndarray
    half: np.ndarray


def stream_of(generator: np.random.Generator) -> Stream:
    """The :class:`Stream` of ``generator``'s PCG64 bit generator. Refuses, with one line, a
    generator on another bit generator, and checks the view against the state numpy reports (a
    numpy built without 128-bit integers keeps the halves the other way round)."""
    bit_generator = generator.bit_generator
    if type(bit_generator) is not np.random.PCG64:
        raise ConfigError(
            f"rng: the model draws from numpy's PCG64 (a seed, or np.random.default_rng(seed)); "
            f"got a generator on {type(bit_generator).__name__}"
        )
    address = bit_generator.ctypes.state_address  # numpy's pcg64_state: {pcg_state*, has_uint32, uinteger}
    pcg_state = ctypes.c_void_p.from_address(address).value
    words = np.ctypeslib.as_array((ctypes.c_uint64 * 4).from_address(pcg_state))
    half = np.ctypeslib.as_array((ctypes.c_uint32 * 2).from_address(address + ctypes.sizeof(ctypes.c_void_p)))
    reported = bit_generator.state
    if (_join(words[0], words[1]), _join(words[2], words[3])) != (
        reported["state"]["state"],
        reported["state"]["inc"],
    ) or (int(half[0]), int(half[1])) != (reported["has_uint32"], reported["uinteger"]):
        raise RuntimeError("this numpy keeps PCG64's state in a layout deterrence_sim.draws does not know")
    return Stream(words, half)


def _join(low, high) -> int:
    return (int(high) << 64) | int(low)


def next64(words: np.ndarray) -> int:
    """PCG64's next 64-bit output from ``words`` (``Stream.words``), advancing them: the
    plain-Python statement of what the compiled :func:`_next64` does."""
    state = (_join(words[0], words[1]) * MULTIPLIER + _join(words[2], words[3])) & _MASK128
    words[0], words[1] = state & _MASK64, state >> 64
    x = ((state >> 64) ^ state) & _MASK64
    rot = state >> 122
    return ((x >> rot) | (x << ((64 - rot) & 63))) & _MASK64


def uniform(rng) -> float:
    """One uniform draw in [0, 1) from ``rng``: a numpy ``Generator`` (``rng.random()``) or its
    :class:`Stream` (the same draw, the same state after)."""
    if isinstance(rng, Stream):
        return (next64(rng.words) >> 11) * _TWO_TO_MINUS_53
    return rng.random()


def uniforms(rng, n: int) -> np.ndarray:
    """``n`` uniform draws in [0, 1), in order (as ``rng.random(n)``): see :func:`uniform`."""
    if isinstance(rng, Stream):
        return np.array([uniform(rng) for _ in range(n)])
    return rng.random(n)


def next32(stream: Stream) -> int:
    """PCG64's next 32-bit draw (numpy's ``pcg64_next32``): the stored high half of the last
    64-bit output used for 32 bits, if there is one; else the low half of a new output, whose
    high half is stored for next time."""
    if stream.half[0]:
        stream.half[0] = 0
        return int(stream.half[1])
    x = next64(stream.words)
    stream.half[0], stream.half[1] = 1, x >> 32
    return x & _MASK32


def below(rng, k: int) -> int:
    """A uniform integer in ``0 .. k - 1`` (``k`` >= 1) from ``rng``: a numpy ``Generator``
    (``rng.integers(0, k)``) or its :class:`Stream`, the same draw by the same method: Lemire's
    multiply-and-reject on 32-bit draws (:func:`next32`), or on 64-bit ones for ``k`` above
    2**32 (numpy's ``random_bounded_uint64_fill``; none is drawn for ``k`` 1). Numba's own
    ``integers`` draws the same up to 2**32; above, it works out the rejection threshold in
    floating point and can differ from numpy after a rejection (``tests/test_draws.py``).
    D. Lemire (2019), "Fast random integer generation in an interval", ACM TOMACS 29(1)."""
    if not isinstance(rng, Stream):
        return int(rng.integers(0, k))
    top = k - 1  # numpy's "rng": the largest value
    if top == 0:
        return 0
    if top <= _MASK32:
        if top == _MASK32:
            return next32(rng)
        m = next32(rng) * k
        if m & _MASK32 < k:
            threshold = (_MASK32 - top) % k
            while m & _MASK32 < threshold:
                m = next32(rng) * k
        return m >> 32
    if top == _MASK64:
        return next64(rng.words)
    m = next64(rng.words) * k
    if m & _MASK64 < k:
        threshold = (_MASK64 - top) % k
        while m & _MASK64 < threshold:
            m = next64(rng.words) * k
    return m >> 64


def interval(stream: Stream, top: int) -> int:
    """A uniform integer in ``0 .. top`` by masked rejection (numpy's ``random_interval``, which
    its shuffles use): draws masked to the bits of ``top``, 32-bit ones while ``top`` fits in 32
    bits, until one is at most ``top``."""
    if top == 0:
        return 0
    mask = (1 << top.bit_length()) - 1
    if top <= _MASK32:
        value = next32(stream) & mask
        while value > top:
            value = next32(stream) & mask
        return value
    value = next64(stream.words) & mask
    while value > top:
        value = next64(stream.words) & mask
    return value


def permutation(rng, n: int) -> np.ndarray:
    """A random order of ``0 .. n - 1`` from ``rng``: a numpy ``Generator`` (``rng.permutation(n)``)
    or its :class:`Stream`, the same order by the same method (numpy's and numba's shuffle: from
    the last position down, each swapped with one at or before it, :func:`interval`). Numba's own
    permutation calls the bit generator through a function pointer for each draw, about 23 ns a
    position; the UK's detention order takes one of every sea-viable day's eligible arrivals."""
    if not isinstance(rng, Stream):
        return rng.permutation(n)
    return _shuffled(rng, n)


@register_jitable
def _shuffled(stream: Stream, n: int) -> np.ndarray:
    """:func:`permutation` from a stream, one loop for Python and compiled code alike: ``0 .. n - 1``
    shuffled from the last position down, each swapped with one at or before it (:func:`interval`)."""
    order = np.arange(n)
    for i in range(n - 1, 0, -1):
        j = interval(stream, i)
        order[i], order[j] = order[j], order[i]
    return order


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


def _is_stream(rng) -> bool:
    return isinstance(rng, types.BaseNamedTuple) and rng.instance_class is Stream


@overload(uniform, inline="always")
def _uniform(rng):
    if _is_stream(rng):

        def from_stream(rng):
            return (_next64(rng.words) >> np.uint64(11)) * _TWO_TO_MINUS_53

        return from_stream

    def from_generator(rng):
        return rng.random()

    return from_generator


@overload(uniforms, inline="always")
def _uniforms(rng, n):
    if _is_stream(rng):

        def from_stream(rng, n):
            out = np.empty(n)
            for j in range(n):
                out[j] = (_next64(rng.words) >> np.uint64(11)) * _TWO_TO_MINUS_53
            return out

        return from_stream

    def from_generator(rng, n):
        return rng.random(n)

    return from_generator


@overload(next32, inline="always")
def _next32(stream):
    if not _is_stream(stream):
        return None

    def compiled(stream):
        half = stream.half
        if half[0]:
            half[0] = 0
            return np.uint64(half[1])
        x = _next64(stream.words)
        half[0] = 1
        half[1] = np.uint32(x >> np.uint64(32))
        return x & np.uint64(_MASK32)

    return compiled


@overload(below, inline="always")
def _below(rng, k):
    if not _is_stream(rng):

        def from_generator(rng, k):
            return rng.integers(0, k)

        return from_generator

    def from_stream(rng, k):  # below() in numba's unsigned arithmetic
        top = np.uint64(k - 1)
        if top == 0:
            return 0
        excl = top + np.uint64(1)
        if top <= np.uint64(_MASK32):
            if top == np.uint64(_MASK32):
                return np.int64(next32(rng))
            m = next32(rng) * excl
            if m & np.uint64(_MASK32) < excl:
                threshold = (np.uint64(_MASK32) - top) % excl
                while m & np.uint64(_MASK32) < threshold:
                    m = next32(rng) * excl
            return np.int64(m >> np.uint64(32))
        if top == np.uint64(_MASK64):
            return np.int64(_next64(rng.words))
        x = _next64(rng.words)
        if x * excl < excl:
            threshold = (np.uint64(_MASK64) - top) % excl
            while x * excl < threshold:
                x = _next64(rng.words)
        return np.int64(_high64(x, excl))

    return from_stream


@overload(interval, inline="always")
def _interval(stream, top):
    if not _is_stream(stream):
        return None

    def compiled(stream, top):  # interval() in numba's unsigned arithmetic
        top = np.uint64(top)
        if top == 0:
            return np.int64(0)
        mask = top
        for shift in (1, 2, 4, 8, 16, 32):
            mask |= mask >> np.uint64(shift)
        if top <= np.uint64(_MASK32):
            value = next32(stream) & mask
            while value > top:
                value = next32(stream) & mask
            return np.int64(value)
        value = _next64(stream.words) & mask
        while value > top:
            value = _next64(stream.words) & mask
        return np.int64(value)

    return compiled


@overload(permutation)
def _permutation(rng, n):
    if not _is_stream(rng):

        def from_generator(rng, n):
            return rng.permutation(n)

        return from_generator

    def from_stream(rng, n):
        return _shuffled(rng, n)

    return from_stream


@register_jitable
def _high64(x, y):
    """The high 64 bits of the 128-bit product of ``x`` and ``y`` (numba's ``bounded_lemire_uint64``)."""
    x0, x1 = x & np.uint64(_MASK32), x >> np.uint64(32)
    y0, y1 = y & np.uint64(_MASK32), y >> np.uint64(32)
    w0 = x0 * y0
    t = x1 * y0 + (w0 >> np.uint64(32))
    w1 = (t & np.uint64(_MASK32)) + x0 * y1
    return x1 * y1 + (t >> np.uint64(32)) + (w1 >> np.uint64(32))
