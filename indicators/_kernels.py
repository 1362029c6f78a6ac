"""Shared numba building blocks: sub-states stored at an offset of a state vector.

A block occupies ``*_size`` floats of the state vector: a scalar header followed by
its ring buffers.  Kernels ``*_load`` the header into a tuple once, thread the tuple
through ``*_step`` for every value (so LLVM keeps it in registers) and ``*_store``
it back at the end; ring buffers are read and written in place.  The arithmetic
follows TA-Lib's C code operation by operation (Wilder smoothing excepted, see _wilder.py).

Moving averages (SMA or EMA) share one header shape so a TA-Lib ``matype`` can pick
either at run time: ``(kind, period, count, pos, a, b)`` where for an SMA ``a`` is
the running total (ring of ``period`` values follows) and for an EMA ``a`` is
``k = 2 / (period + 1)`` and ``b`` the current value (TA-Lib seeds the EMA with the
SMA of its first ``period`` values).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from indicators._base import FloatArray

NAN = math.nan
TA_EPSILON = 1e-14
MA_HEADER = 6
KIND_SMA = 0
KIND_EMA = 1

MaState = tuple[int, int, int, int, float, float]
ExtremeState = tuple[int, int, int, int]


@njit(cache=True)
def is_zero(value: float) -> bool:
    """TA-Lib's TA_IS_ZERO: |value| < TA_EPSILON (1e-14 since TA-Lib 0.6)."""
    return -TA_EPSILON < value < TA_EPSILON


@njit(cache=True, inline="always")
def true_range(high: float, low: float, prev_close: float) -> float:
    """TA-Lib's TRUE_RANGE macro, same comparisons in the same order."""
    out = high - low
    temp = abs(high - prev_close)
    if temp > out:
        out = temp
    temp = abs(low - prev_close)
    if temp > out:
        out = temp
    return out


# --- moving averages -----------------------------------------------------------------


def ma_size(matype: int, period: int) -> int:
    """Floats used by a moving-average block (0 = SMA, 1 = EMA)."""
    return MA_HEADER + (0 if matype == KIND_EMA and period > 1 else period)


def ma_init(state: FloatArray, offset: int, matype: int, period: int) -> None:
    """Write a fresh moving-average block; ``period == 1`` is a plain copy (an SMA), as in TA_MA."""
    if period == 1:
        matype = KIND_SMA
    state[offset : offset + ma_size(matype, period)] = 0.0
    state[offset] = matype
    state[offset + 1] = period
    if matype == KIND_EMA:
        state[offset + 4] = 2.0 / (period + 1)


def ema_size() -> int:
    """Floats used by an EMA block."""
    return MA_HEADER


def ema_init(state: FloatArray, offset: int, period: int) -> None:
    """Write a fresh TA-Lib EMA block; period 1 stays an EMA with k = 1 (TRIX's INT_EMA)."""
    state[offset : offset + MA_HEADER] = (KIND_EMA, period, 0.0, 0.0, 2.0 / (period + 1), 0.0)


def sma_size(period: int) -> int:
    """Floats used by an SMA block."""
    return ma_size(KIND_SMA, period)


def sma_init(state: FloatArray, offset: int, period: int) -> None:
    """Write a fresh SMA block."""
    ma_init(state, offset, KIND_SMA, period)


@njit(cache=True)
def ma_load(state: FloatArray, o: int) -> MaState:
    """Read a moving-average header."""
    return (int(state[o]), int(state[o + 1]), int(state[o + 2]), int(state[o + 3]), state[o + 4], state[o + 5])


@njit(cache=True)
def ma_store(state: FloatArray, o: int, s: MaState) -> None:
    """Write a moving-average header back."""
    state[o + 2] = s[2]
    state[o + 3] = s[3]
    state[o + 4] = s[4]
    state[o + 5] = s[5]


@njit(cache=True, inline="always")
def sma_step(state: FloatArray, o: int, s: MaState, x: float) -> tuple[MaState, float]:
    """Consume ``x``; output the mean of the last ``period`` values."""
    kind, n, count, pos, total, unused = s
    total = total + x
    state[o + MA_HEADER + pos] = x
    pos += 1
    if pos == n:
        pos = 0
    out = NAN
    if count >= n - 1:
        out = total / n
        total -= state[o + MA_HEADER + pos]
    else:
        count += 1
    return (kind, n, count, pos, total, unused), out


@njit(cache=True, inline="always")
def ema_step(state: FloatArray, o: int, s: MaState, x: float) -> tuple[MaState, float]:
    """Consume ``x``; output TA-Lib's EMA (NaN until ``period`` values were seen)."""
    kind, n, count, pos, k, value = s
    if count >= n:
        value = ((x - value) * k) + value
        return (kind, n, count, pos, k, value), value
    value += x
    count += 1
    if count == n:
        value = value / n
        return (kind, n, count, pos, k, value), value
    return (kind, n, count, pos, k, value), NAN


@njit(cache=True, inline="always")
def ma_step(state: FloatArray, o: int, s: MaState, x: float) -> tuple[MaState, float]:
    """Consume ``x`` with the block's moving average."""
    if s[0] == KIND_EMA:
        return ema_step(state, o, s, x)
    return sma_step(state, o, s, x)


@njit(cache=True, inline="always")
def ma_run(state: FloatArray, real: FloatArray, out: FloatArray, is_ema: bool) -> None:
    """The SMA / EMA (``is_ema``) kernel body over block 0; callers pass a literal, so the branch folds away."""
    s = ma_load(state, 0)
    for i in range(real.shape[0]):
        x = real[i]
        if math.isnan(x):
            out[i] = NAN
            continue
        if is_ema:
            s, out[i] = ema_step(state, 0, s, x)
        else:
            s, out[i] = sma_step(state, 0, s, x)
    ma_store(state, 0, s)


# --- rolling extreme over a window, monotonic deque ------------------------------------
# header (window, index, head, length), then deque indices[window], deque values[window].
# Ties keep the most recent index, as TA-Lib's AROON does.

EXTREME_HEADER = 4


def extreme_size(window: int) -> int:
    """Floats used by a rolling max/min block."""
    return EXTREME_HEADER + 2 * window


def extreme_init(state: FloatArray, offset: int, window: int) -> None:
    """Write a fresh rolling max/min block."""
    state[offset : offset + extreme_size(window)] = 0.0
    state[offset] = window


@njit(cache=True)
def extreme_load(state: FloatArray, o: int) -> ExtremeState:
    """Read a rolling max/min header."""
    return (int(state[o]), int(state[o + 1]), int(state[o + 2]), int(state[o + 3]))


@njit(cache=True)
def extreme_store(state: FloatArray, o: int, s: ExtremeState) -> None:
    """Write a rolling max/min header back."""
    state[o + 1] = s[1]
    state[o + 2] = s[2]
    state[o + 3] = s[3]


@njit(cache=True, inline="always")
def extreme_step(state: FloatArray, o: int, s: ExtremeState, x: float, is_max: bool) -> tuple[ExtremeState, float, int]:
    """Push ``x``; return (state, extreme of the window, its age in rows: 0 = this row)."""
    w, index, head, length = s
    base_i = o + EXTREME_HEADER
    base_v = base_i + w
    while length > 0:
        back = head + length - 1
        if back >= w:
            back -= w
        value = state[base_v + back]
        if (value <= x) if is_max else (value >= x):
            length -= 1
        else:
            break
    if length > 0 and state[base_i + head] <= index - w:
        head += 1
        if head == w:
            head = 0
        length -= 1
    slot = head + length
    if slot >= w:
        slot -= w
    state[base_i + slot] = index
    state[base_v + slot] = x
    age = index - int(state[base_i + head])
    return (w, index + 1, head, length + 1), state[base_v + head], age


# --- variance: shifted data with re-anchoring ----------------------------------------
# header (period, count, pos, shift, sum_d, sum_d2, bars_since_reseed, peak_mean_d2),
# then ring[period].  Like TA-Lib >= 0.6 (its issues #118, #434): sums of d = x - shift
# stay at variance scale so E[x^2] - mean^2 cannot cancel catastrophically; the shift
# is re-anchored on the window mean (an exact two-pass) when the variance falls below
# 1e-6 of the largest E[d^2] since the last re-anchor, or every 32 * period bars.
# Agrees with TA-Lib to ~1e-10 relative, not bit for bit.

VAR_HEADER = 8
VarState = tuple[int, int, int, float, float, float, int, float]


def var_size(period: int) -> int:
    """Floats used by a variance block."""
    return VAR_HEADER + period


def var_init(state: FloatArray, offset: int, period: int) -> None:
    """Write a fresh variance block."""
    state[offset : offset + var_size(period)] = 0.0
    state[offset] = period


@njit(cache=True)
def var_load(state: FloatArray, o: int) -> VarState:
    """Read a variance header."""
    return (
        int(state[o]),
        int(state[o + 1]),
        int(state[o + 2]),
        state[o + 3],
        state[o + 4],
        state[o + 5],
        int(state[o + 6]),
        state[o + 7],
    )


@njit(cache=True)
def var_store(state: FloatArray, o: int, s: VarState) -> None:
    """Write a variance header back."""
    state[o + 1] = s[1]
    state[o + 2] = s[2]
    state[o + 3] = s[3]
    state[o + 4] = s[4]
    state[o + 5] = s[5]
    state[o + 6] = s[6]
    state[o + 7] = s[7]


@njit(cache=True)
def _var_reseed(state: FloatArray, base: int, n: int) -> tuple[float, float, float]:
    """Two-pass over the full ring: (new shift = mean, sum of d, sum of d^2)."""
    total = 0.0
    for j in range(n):
        total += state[base + j]
    shift = total / n
    sum_d = 0.0
    sum_d2 = 0.0
    for j in range(n):
        d = state[base + j] - shift
        sum_d += d
        sum_d2 += d * d
    return shift, sum_d, sum_d2


@njit(cache=True, inline="always")
def var_step(state: FloatArray, o: int, s: VarState, x: float) -> tuple[VarState, float]:
    """Consume ``x``; output the population variance of the last ``period`` values (>= 0)."""
    n, count, pos, shift, sum_d, sum_d2, since, peak = s
    base = o + VAR_HEADER
    if count == 0:
        shift = x
    d = x - shift
    sum_d += d
    sum_d2 += d * d
    state[base + pos] = x
    pos += 1
    if pos == n:
        pos = 0
    if count < n - 1:
        return (n, count + 1, pos, shift, sum_d, sum_d2, since, peak), NAN
    mean_d = sum_d / n
    mean_d2 = sum_d2 / n
    out = mean_d2 - mean_d * mean_d
    since += 1
    peak = max(peak, mean_d2)
    if out < 1e-6 * peak or since >= 32 * n:
        shift, sum_d, sum_d2 = _var_reseed(state, base, n)
        mean_d = sum_d / n
        out = sum_d2 / n - mean_d * mean_d
        since = 0
        peak = sum_d2 / n
    trailing = state[base + pos] - shift
    sum_d -= trailing
    sum_d2 -= trailing * trailing
    return (n, n, pos, shift, sum_d, sum_d2, since, peak), max(out, 0.0)


@njit(cache=True)
def var_reseed_window(x: FloatArray, last: int, n: int) -> tuple[float, float, float]:
    """:func:`_var_reseed` over ``x[last - n + 1 : last + 1]`` read in ring-slot order.

    For batch kernels that index the input directly: a block fed from a fresh state
    without skipped rows keeps ``x[t]`` in slot ``t % n``, so summing in slot order
    repeats the streaming re-anchor bit for bit.
    """
    total = 0.0
    for j in range(n):
        total += x[last - (last - j) % n]
    shift = total / n
    sum_d = 0.0
    sum_d2 = 0.0
    for j in range(n):
        d = x[last - (last - j) % n] - shift
        sum_d += d
        sum_d2 += d * d
    return shift, sum_d, sum_d2


@njit(cache=True)
def is_zero_scaled(value: float, scale: float) -> bool:
    """TA-Lib's TA_IS_ZERO_SCALED: |value| <= TA_EPSILON * scale, for differences of comparable numbers."""
    return abs(value) <= TA_EPSILON * scale


# --- batch fast paths ----------------------------------------------------------------
# A batch function checks its inputs with ``any_nan`` (a branch-free bit scan that
# vectorises, ~0.1 ns a value) and, when there is none, runs a kernel that indexes
# the input directly instead of going through ring buffers and per-row NaN tests.
# Those kernels repeat the streaming kernel's arithmetic operation by operation,
# so batch == streaming stays bit for bit; with a NaN anywhere the streaming
# kernel runs instead (it carries the skip-the-row NaN policy).

_EXPONENT = 0x7FF0000000000000
_ABS = 0x7FFFFFFFFFFFFFFF


@njit(cache=True)
def any_nan(x: FloatArray) -> bool:
    """True when ``x`` holds a NaN."""
    bits = x.view(np.uint64)
    found = 0
    for i in range(bits.shape[0]):
        found |= (bits[i] & _ABS) > _EXPONENT
    return found != 0


@njit(cache=True)
def rolling_max(x: FloatArray, window: int, value: FloatArray, index: FloatArray) -> None:
    """Max of ``x[i - window + 1 : i + 1]`` (growing at the start) and its index, ties to the latest.

    TA-Lib's strategy: the extreme is kept until it leaves the window, and only
    then is the window rescanned (amortised O(1) on market data).
    """
    best = -1
    top = 0.0
    for i in range(x.shape[0]):
        trailing = i - window + 1
        v = x[i]
        if best < trailing or best < 0:
            j = trailing if trailing > 0 else 0
            best = j
            top = x[j]
            for k in range(j + 1, i + 1):
                if x[k] >= top:
                    top = x[k]
                    best = k
        elif v >= top:
            top = v
            best = i
        value[i] = top
        index[i] = best


@njit(cache=True)
def rolling_min(x: FloatArray, window: int, value: FloatArray, index: FloatArray) -> None:
    """Min counterpart of :func:`rolling_max`."""
    best = -1
    low = 0.0
    for i in range(x.shape[0]):
        trailing = i - window + 1
        v = x[i]
        if best < trailing or best < 0:
            j = trailing if trailing > 0 else 0
            best = j
            low = x[j]
            for k in range(j + 1, i + 1):
                if x[k] <= low:
                    low = x[k]
                    best = k
        elif v <= low:
            low = v
            best = i
        value[i] = low
        index[i] = best


@njit(cache=True)
def window_extremes(
    x: FloatArray, first: int, count: int, window: int, is_max: bool, a: FloatArray, b: FloatArray, res: FloatArray
) -> None:
    """``res[j]`` = max (min) of ``x[first + j - window + 1 : first + j + 1]`` for ``j < count``.

    Branch-free doubling (a sparse table built in the scratch arrays ``a`` and ``b``,
    each ``count + window - 1`` long): ``log2(window)`` elementwise passes that
    vectorise, instead of TA-Lib's data-dependent rescans.  Exact (a max is a max),
    so the values equal the streaming deque's bit for bit.  Needs ``first >= window - 1``.
    """
    length = count + window - 1
    base = first - window + 1
    src = x[base : base + length]
    span = 1
    flip = False
    while 2 * span <= window:
        length -= span
        dst = b if flip else a
        flip = not flip
        lo = src[:length]
        hi = src[span : span + length]
        out = dst[:length]
        if is_max:
            for i in range(length):
                out[i] = max(lo[i], hi[i])
        else:
            for i in range(length):
                out[i] = min(lo[i], hi[i])
        src = dst
        span *= 2
    lo = src[:count]
    hi = src[window - span : window - span + count]
    dst = res[:count]
    if is_max:
        for i in range(count):
            dst[i] = max(lo[i], hi[i])
    else:
        for i in range(count):
            dst[i] = min(lo[i], hi[i])
