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

    _row_kernel: ClassVar[Callable[..., None]]
    _state: FloatArray
    _update_one: Callable[..., float | tuple[float, ...]]

    def _setup(self, state: FloatArray) -> None:
        """Adopt ``state`` and preallocate the one-row buffers of the fast path."""
        self._state = state
        n_in = len(self.inputs)
        n_out = len(self.outputs)
        cls = type(self)
        if "_row_kernel" not in cls.__dict__:
            cls._row_kernel = staticmethod(_row_kernel(cls._kernel, n_in, n_out))
        row = np.empty(n_in + n_out)  # one row: inputs then outputs
        self._update_one = _one_row_updater(cls._row_kernel, state, row, n_in, n_out)

    def update(self, *values: Any) -> Output:
        """Consume one row (numbers) or many rows (equal-length 1-D arrays).

        Positional arguments follow :attr:`inputs` (TA-Lib order, e.g.
        ``high, low, close``).  Returns a float (a tuple of floats for
        multi-output indicators) for a row of numbers, otherwise a float64 array
        (tuple of arrays) with one output per input row.  Outputs are NaN during
        warm-up and for any row that holds a NaN; such rows leave the state
        untouched.  The one-row path costs well under a microsecond.

        Raises:
            ValueError: wrong number of inputs, mismatched lengths, non-1-D or
                non-numeric arrays.
        """
        if values and type(values[0]) in _SCALAR_TYPES and len(values) == len(self.inputs):
            return self._update_one(*values)
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

    def __reduce__(self) -> tuple[Any, tuple[Snapshot]]:
        """Pickle as its snapshot, so frameworks that pickle state objects (Bytewax recovery) can."""
        return (type(self).from_snapshot, (self.snapshot(),))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} streaming state, {self._state.size} floats>"


def _row_kernel(kernel: Callable[..., None], n_in: int, n_out: int) -> Callable[..., None]:
    """An njit adapter ``(state, row)`` that calls ``kernel`` with 1-element views of ``row``.

    Numba's dispatch cost grows with the number of array arguments (~50 ns each);
    passing one row buffer keeps a one-row update of a 3-input indicator as cheap
    as that of a 1-input one.  Built once per indicator class, compiled lazily and cached.
    """
    arity = n_in + n_out
    if arity == 2:

        @njit(cache=True)
        def row2(state: FloatArray, r: FloatArray) -> None:
            kernel(state, r[0:1], r[1:2])

        return row2
    if arity == 3:

        @njit(cache=True)
        def row3(state: FloatArray, r: FloatArray) -> None:
            kernel(state, r[0:1], r[1:2], r[2:3])

        return row3
    if arity == 4:

        @njit(cache=True)
        def row4(state: FloatArray, r: FloatArray) -> None:
            kernel(state, r[0:1], r[1:2], r[2:3], r[3:4])

        return row4
    if arity == 5:

        @njit(cache=True)
        def row5(state: FloatArray, r: FloatArray) -> None:
            kernel(state, r[0:1], r[1:2], r[2:3], r[3:4], r[4:5])

        return row5
    raise ValueError(f"no one-row adapter for {n_in} inputs and {n_out} outputs")


def _one_row_updater(
    row_kernel: Callable[..., None], state: FloatArray, row: FloatArray, n_in: int, n_out: int
) -> Callable[..., float | tuple[float, ...]]:
    """A closure specialised on the arity, writing through a memoryview (faster than numpy setitem)."""
    view = memoryview(row)  # type: ignore[arg-type]
    if n_in == 1 and n_out == 1:

        def one_in_one_out(x: float) -> float:
            view[0] = float(x)  # type: ignore[call-overload]
            row_kernel(state, row)
            return view[1]

        return one_in_one_out

    def general(*values: float) -> float | tuple[float, ...]:
        for k in range(n_in):
            view[k] = float(values[k])  # type: ignore[call-overload]
        row_kernel(state, row)
        if n_out == 1:
            return view[n_in]
        return tuple(view[n_in:].tolist())

    return general


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
