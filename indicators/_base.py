"""The tiny contract every indicator module fulfils, and the registry.

An indicator module defines:

* ``_init(**params) -> np.ndarray``: a fresh float64 state vector (parameters
  first, then scalars, then ring buffers), validated parameters in, no Python
  objects inside, so a snapshot is a plain array.
* ``_run(state, *inputs, *outputs)``: an ``@njit(cache=True)`` kernel that
  consumes each input row, updates ``state`` in place and writes every output
  (NaN until warmed up, NaN for a row holding a NaN).
* the batch function (TA-Lib signature) and a :class:`StreamingIndicator`
  subclass, both thin wrappers around the two above, and one
  :func:`register` call that makes the parity tests pick it up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, ClassVar, TypeAlias

import numpy as np
import numpy.typing as npt
from numba import njit

FloatArray: TypeAlias = npt.NDArray[np.float64]
Snapshot: TypeAlias = tuple[str, FloatArray]
"""A state snapshot: (indicator name, copy of the float64 state vector)."""

Output: TypeAlias = float | tuple[float, ...] | FloatArray | tuple[FloatArray, ...]


class StreamingIndicator:
    """State of one indicator for one instrument, updated in O(1) per row.

    Subclasses set the class variables and call :meth:`_setup` with the state
    vector built by their module's ``_init``.  The state lives in a single
    float64 numpy array that the numba kernel updates in place.
    """

    name: ClassVar[str]
    inputs: ClassVar[tuple[str, ...]]
    outputs: ClassVar[tuple[str, ...]]
    _kernel: ClassVar[Callable[..., None]]

    _scalar_kernel: ClassVar[Callable[..., Any]]
    _state: FloatArray
    update_one: Callable[..., float | tuple[float, ...]]
    """One row of numbers -> float (tuple of floats): the scalar fast path, no validation.

    A ``functools.partial`` of a numba adapter over this state and a preallocated
    row buffer, so a call is one numba dispatch (~0.2 µs) and allocates nothing
    but the returned float(s).  Arguments must be numbers, one per input.
    """

    def _setup(self, state: FloatArray) -> None:
        """Adopt ``state`` and bind the one-row fast path to it."""
        self._state = state
        cls = type(self)
        if "_scalar_kernel" not in cls.__dict__:
            cls._scalar_kernel = staticmethod(_scalar_adapter(cls._kernel, len(cls.inputs), len(cls.outputs)))
        row = np.empty(len(self.inputs) + len(self.outputs))  # one row: inputs then outputs
        self.update_one = partial(cls._scalar_kernel, state, row)

    def update(self, *values: Any) -> Output:
        """Consume one row (numbers) or many rows (equal-length 1-D arrays).

        Positional arguments follow :attr:`inputs` (TA-Lib order, e.g.
        ``high, low, close``).  Returns a float (a tuple of floats for
        multi-output indicators) for a row of numbers, otherwise a float64 array
        (tuple of arrays) with one output per input row.  Outputs are NaN during
        warm-up and for any row that holds a NaN; such rows leave the state
        untouched.  The one-row path costs a fraction of a microsecond
        (:attr:`update_one` skips even the type check).

        Raises:
            ValueError: wrong number of inputs, mismatched lengths, non-1-D or
                non-numeric arrays.
        """
        if values and type(values[0]) in _SCALAR_TYPES and len(values) == len(self.inputs):
            return self.update_one(*values)
        return self.update_many(*values)

    def update_many(self, *arrays: Any) -> FloatArray | tuple[FloatArray, ...]:
        """Consume equal-length 1-D arrays of rows; see :meth:`update`."""
        columns = as_columns(self.name, self.inputs, arrays)
        n = columns[0].shape[0]
        if len(self.outputs) == 1:
            out = np.empty(n)
            self._kernel(self._state, *columns, out)
            return out
        outs = tuple([np.empty(n) for _ in self.outputs])
        self._kernel(self._state, *columns, *outs)
        return outs

    def snapshot(self) -> Snapshot:
        """Return picklable plain data from which :meth:`from_snapshot` rebuilds."""
        return (self.name, self._state.copy())

    @classmethod
    def from_snapshot(cls, snapshot: Snapshot) -> StreamingIndicator:
        """Rebuild a state from :meth:`snapshot` output (the array is copied).

        Raises:
            ValueError: the snapshot belongs to another indicator or is not a
                1-D float64 array.
        """
        name, state = snapshot
        if name != cls.name:
            raise ValueError(f"{cls.name}: snapshot is for {name!r}")
        state = np.asarray(state)
        if state.dtype != np.float64 or state.ndim != 1:
            raise ValueError(f"{cls.name}: snapshot state must be a 1-D float64 array")
        obj = cls.__new__(cls)
        obj._setup(state.copy())
        return obj

    def restore(self, snapshot: Snapshot) -> None:
        """Overwrite this state, in place, with a snapshot of the same indicator."""
        other = self.from_snapshot(snapshot)
        if other._state.shape != self._state.shape:
            raise ValueError(f"{self.name}: snapshot state has a different layout")
        self._state[:] = other._state

    def __reduce__(self) -> tuple[Any, tuple[type[StreamingIndicator], bytes]]:
        """Pickle as its class and raw state bytes, so frameworks that pickle state objects
        (Bytewax recovery) can, cheaply: an ndarray takes ~25x longer to pickle than its bytes."""
        return (_from_state_bytes, (type(self), self._state.tobytes()))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} streaming state, {self._state.size} floats>"


def _from_state_bytes(cls: type[StreamingIndicator], data: bytes) -> StreamingIndicator:
    obj = cls.__new__(cls)
    obj._setup(np.frombuffer(data, dtype=np.float64).copy())
    return obj


def _scalar_adapter(kernel: Callable[..., None], n_in: int, n_out: int) -> Callable[..., Any]:
    """An njit adapter ``(state, row, *numbers)`` running ``kernel`` on 1-element views of ``row``.

    It returns the output as a float (a tuple for several outputs), so a one-row
    update is a single numba dispatch with one state array, one row buffer and
    scalars: no numpy allocation, no Python-side writes.  Built once per
    indicator class, compiled lazily and cached.
    """
    key = (n_in, n_out)
    if key == (1, 1):

        @njit(cache=True)
        def in1_out1(state: FloatArray, r: FloatArray, a: float) -> float:
            r[0] = a
            kernel(state, r[0:1], r[1:2])
            return r[1]  # type: ignore[no-any-return]

        return in1_out1
    if key == (1, 2):

        @njit(cache=True)
        def in1_out2(state: FloatArray, r: FloatArray, a: float) -> tuple[float, float]:
            r[0] = a
            kernel(state, r[0:1], r[1:2], r[2:3])
            return r[1], r[2]

        return in1_out2
    if key == (1, 3):

        @njit(cache=True)
        def in1_out3(state: FloatArray, r: FloatArray, a: float) -> tuple[float, float, float]:
            r[0] = a
            kernel(state, r[0:1], r[1:2], r[2:3], r[3:4])
            return r[1], r[2], r[3]

        return in1_out3
    if key == (2, 1):

        @njit(cache=True)
        def in2_out1(state: FloatArray, r: FloatArray, a: float, b: float) -> float:
            r[0] = a
            r[1] = b
            kernel(state, r[0:1], r[1:2], r[2:3])
            return r[2]  # type: ignore[no-any-return]

        return in2_out1
    if key == (2, 2):

        @njit(cache=True)
        def in2_out2(state: FloatArray, r: FloatArray, a: float, b: float) -> tuple[float, float]:
            r[0] = a
            r[1] = b
            kernel(state, r[0:1], r[1:2], r[2:3], r[3:4])
            return r[2], r[3]

        return in2_out2
    if key == (3, 1):

        @njit(cache=True)
        def in3_out1(state: FloatArray, r: FloatArray, a: float, b: float, c: float) -> float:
            r[0] = a
            r[1] = b
            r[2] = c
            kernel(state, r[0:1], r[1:2], r[2:3], r[3:4])
            return r[3]  # type: ignore[no-any-return]

        return in3_out1
    if key == (3, 2):

        @njit(cache=True)
        def in3_out2(state: FloatArray, r: FloatArray, a: float, b: float, c: float) -> tuple[float, float]:
            r[0] = a
            r[1] = b
            r[2] = c
            kernel(state, r[0:1], r[1:2], r[2:3], r[3:4], r[4:5])
            return r[3], r[4]

        return in3_out2
    if key == (4, 1):

        @njit(cache=True)
        def in4_out1(state: FloatArray, r: FloatArray, a: float, b: float, c: float, d: float) -> float:
            r[0] = a
            r[1] = b
            r[2] = c
            r[3] = d
            kernel(state, r[0:1], r[1:2], r[2:3], r[3:4], r[4:5])
            return r[4]  # type: ignore[no-any-return]

        return in4_out1
    raise ValueError(f"no one-row adapter for {n_in} inputs and {n_out} outputs")


@dataclass(frozen=True)
class IndicatorSpec:
    """Registry entry: everything the parity tests and the benchmark need.

    ``params`` maps each parameter to a small value range used by the
    property tests; ``talib`` names the TA-Lib function (None when TA-Lib has
    no equivalent, e.g. VWAP).
    """

    name: str
    batch: Callable[..., FloatArray | tuple[FloatArray, ...]]
    stream: type[StreamingIndicator]
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    params: dict[str, tuple[float, float]] = field(default_factory=dict)
    talib: str | None = None


REGISTRY: dict[str, IndicatorSpec] = {}
_SCALAR_TYPES = frozenset({float, int, np.float64, np.float32, np.int64, np.int32})


def register(spec: IndicatorSpec) -> IndicatorSpec:
    """Add an indicator to :data:`REGISTRY` (one line per indicator module)."""
    if spec.name in REGISTRY:
        raise ValueError(f"indicator {spec.name!r} registered twice")
    REGISTRY[spec.name] = spec
    return spec


def restore(snapshot: Snapshot) -> StreamingIndicator:
    """Rebuild any registered indicator's state from its snapshot."""
    name = snapshot[0]
    if name not in REGISTRY:
        raise ValueError(f"unknown indicator in snapshot: {name!r}")
    return REGISTRY[name].stream.from_snapshot(snapshot)


def as_columns(name: str, labels: tuple[str, ...], values: tuple[Any, ...]) -> tuple[FloatArray, ...]:
    """Validate input columns: count, 1-D, numeric, equal lengths; float64 contiguous out."""
    if len(values) == len(labels) and _ready_columns(values):
        return values  # the common case, checked cheaply: 1-D C-contiguous float64 arrays of one length
    if len(values) != len(labels):
        raise ValueError(f"{name}: expected {len(labels)} inputs ({', '.join(labels)}), got {len(values)}")
    columns = []
    for label, value in zip(labels, values, strict=True):
        array = np.asarray(value)
        if array.ndim != 1:
            raise ValueError(f"{name}: {label} must be 1-D, got {array.ndim}-D")
        if array.dtype.kind not in "fiu":
            raise ValueError(f"{name}: {label} must be a numeric array, got dtype {array.dtype}")
        columns.append(np.ascontiguousarray(array, dtype=np.float64))
    length = columns[0].shape[0]
    for label, column in zip(labels, columns, strict=True):
        if column.shape[0] != length:
            raise ValueError(
                f"{name}: inputs have mismatched lengths ({labels[0]}={length}, {label}={column.shape[0]})"
            )
    return tuple(columns)


def _ready_columns(values: tuple[Any, ...]) -> bool:
    length = -1
    for value in values:
        if type(value) is not np.ndarray or value.dtype != _FLOAT64 or value.ndim != 1:
            return False
        if not value.flags.c_contiguous or (length >= 0 and value.shape[0] != length):
            return False
        length = value.shape[0]
    return True


_FLOAT64 = np.dtype(np.float64)


def check_period(name: str, param: str, value: Any, minimum: int = 1) -> int:
    """Return ``value`` as an int, or raise ValueError naming the indicator and parameter."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name}: {param} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name}: {param} must be >= {minimum}, got {value}")
    if value > 100_000:
        raise ValueError(f"{name}: {param} must be <= 100000, got {value}")
    return int(value)


def check_float(name: str, param: str, value: Any, minimum: float = 0.0) -> float:
    """Return ``value`` as a float >= minimum, or raise ValueError."""
    if isinstance(value, bool) or not isinstance(value, float | int | np.floating | np.integer):
        raise ValueError(f"{name}: {param} must be a number, got {type(value).__name__}")
    result = float(value)
    if not result >= minimum:
        raise ValueError(f"{name}: {param} must be >= {minimum}, got {value}")
    return result


SUPPORTED_MATYPES = {0: "SMA", 1: "EMA"}


def check_matype(name: str, param: str, value: Any) -> int:
    """Return a supported moving-average type (0 = SMA, 1 = EMA) or raise ValueError."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or int(value) not in SUPPORTED_MATYPES:
        raise ValueError(f"{name}: {param} must be 0 (SMA) or 1 (EMA), got {value!r}")
    return int(value)


def run_batch(
    kernel: Callable[..., None], state: FloatArray, columns: tuple[FloatArray, ...], n_outputs: int
) -> FloatArray | tuple[FloatArray, ...]:
    """Run ``kernel`` over whole columns from a fresh state; one array per output."""
    n = columns[0].shape[0]
    outs = tuple(np.empty(n) for _ in range(n_outputs))
    kernel(state, *columns, *outs)
    return outs[0] if n_outputs == 1 else outs
