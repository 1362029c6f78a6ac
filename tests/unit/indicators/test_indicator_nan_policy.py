"""NaN policy: a row with a NaN yields NaN and is skipped; leading NaNs match TA-Lib exactly."""

from __future__ import annotations

import numpy as np
import pytest
import talib
from indicator_series import as_tuple, assert_close

from indicators import REGISTRY, IndicatorSpec

TALIB_SPECS = [spec for spec in REGISTRY.values() if spec.talib is not None]


def _series(n: int = 120) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(3)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.01, n)))
    return {
        "real": close,
        "close": close,
        "price": close,
        "high": close * 1.01,
        "low": close * 0.99,
        "volume": rng.uniform(1.0, 100.0, n),
        "session": (np.arange(n) // 40).astype(np.float64),
    }


@pytest.mark.parametrize("spec", TALIB_SPECS, ids=lambda spec: spec.name)
def test_leading_nans_match_talib(spec: IndicatorSpec) -> None:
    data = _series()
    columns = [data[name].copy() for name in spec.inputs]
    for k, column in enumerate(columns):
        column[: 3 + k] = np.nan  # inputs start at different rows
    ours = as_tuple(spec.batch(*columns))
    reference = as_tuple(getattr(talib, spec.talib)(*columns))
    for j, (a, e) in enumerate(zip(ours, reference, strict=True)):
        assert_close(a, e, f"{spec.name} output {j}")


@pytest.mark.parametrize("spec", list(REGISTRY.values()), ids=lambda spec: spec.name)
def test_an_interior_nan_row_is_nan_and_skipped_in_batch_and_streaming(spec: IndicatorSpec) -> None:
    data = _series()
    columns = [data[name] for name in spec.inputs]
    holed = [column.copy() for column in columns]
    holed[-1][60] = np.nan
    without = as_tuple(spec.batch(*[np.delete(column, 60) for column in columns]))
    batch = as_tuple(spec.batch(*holed))
    state = spec.stream()
    streamed = [state.update(*[float(column[i]) for column in holed]) for i in range(len(holed[0]))]
    for j, expected_without in enumerate(without):
        assert np.isnan(batch[j][60])
        np.testing.assert_array_equal(np.delete(batch[j], 60), expected_without)
        column = np.array([as_tuple(row)[j] if isinstance(row, tuple) else row for row in streamed])
        np.testing.assert_array_equal(column, batch[j])
