"""SESSION_VWAP: VWAP anchored at the start of each session (TA-Lib has none).

A session is a run of rows with the same ``session`` label; the sums restart
whenever the label changes.  Labels are any numbers exactly representable as
float64 (integers below 2**53), e.g. day numbers from :func:`session_ids`.
Output: cumulative sum(price * volume) / sum(volume) since the session began;
NaN while the session's volume is 0.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numba import njit

from indicators._base import FloatArray, IndicatorSpec, StreamingIndicator, as_columns, register, run_batch

NAME = "session_vwap"
_INPUTS = ("price", "volume", "session")
NANOSECONDS_PER_DAY = 86_400_000_000_000


def session_ids(
    timestamps_ns: npt.ArrayLike, session_length_ns: int = NANOSECONDS_PER_DAY, offset_ns: int = 0
) -> npt.NDArray[np.int64]:
    """Session number of each timestamp: floor((ts - offset) / length), e.g. UTC days.

    ``offset_ns`` moves the boundary (e.g. 13.5 hours for a 13:30 UTC open).
    """
    if session_length_ns <= 0:
        raise ValueError(f"session_ids: session_length_ns must be > 0, got {session_length_ns}")
    stamps = np.asarray(timestamps_ns, dtype=np.int64)
    return (stamps - np.int64(offset_ns)) // np.int64(session_length_ns)


def _init() -> FloatArray:
    return np.array([0.0, math.nan, 0.0, 0.0])  # started, session, sum_pv, sum_v


@njit(cache=True)
def _run(state: FloatArray, price: FloatArray, volume: FloatArray, session: FloatArray, out: FloatArray) -> None:
    started = state[0]
    current = state[1]
    sum_pv = state[2]
    sum_v = state[3]
    for i in range(price.shape[0]):
        p = price[i]
        v = volume[i]
        label = session[i]
        if math.isnan(p) or math.isnan(v) or math.isnan(label):
            out[i] = math.nan
            continue
        if started == 0.0 or label != current:
            started = 1.0
            current = label
            sum_pv = 0.0
            sum_v = 0.0
        sum_pv += p * v
        sum_v += v
        out[i] = sum_pv / sum_v if sum_v > 0.0 else math.nan
    state[0] = started
    state[1] = current
    state[2] = sum_pv
    state[3] = sum_v


def session_vwap(price: FloatArray, volume: FloatArray, session: npt.ArrayLike) -> FloatArray:
    """Session-anchored VWAP; ``session`` holds one label per row (see :func:`session_ids`)."""
    return run_batch(_run, _init(), as_columns(NAME, _INPUTS, (price, volume, session)), 1)  # type: ignore[return-value]


class SESSION_VWAP(StreamingIndicator):  # noqa: N801 - TA-Lib style name, like the others
    """Streaming anchored VWAP: ``SESSION_VWAP().update(price, volume, session)``."""

    name = NAME
    inputs = _INPUTS
    outputs = ("real",)
    _kernel = staticmethod(_run)

    def __init__(self) -> None:
        self._setup(_init())


register(IndicatorSpec(NAME, session_vwap, SESSION_VWAP, _INPUTS, SESSION_VWAP.outputs, {}))
