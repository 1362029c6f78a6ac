"""Recompute a strategy's signals over stored bars with the batch indicator functions.

The indicators are computed once per instrument over the whole series (one numba call per
indicator); the strategy's ``on_bar`` then walks the bars with those values, so the decision
rule is the very code the stream runs and the signals (ids, sides, strengths, indicator
values) equal the streaming path's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from nashipai.events import Bar, Signal
from pipelines.strategies.base import BAR_FIELDS, IndicatorSpec, Strategy
from pipelines.strategies.config import StrategyConfig

#: Columns ``batch_signals`` needs; ``ts_recv``, ``revision`` and ``run_id`` are optional.
BAR_COLUMNS: Final = (
    "exchange",
    "symbol",
    "timeframe",
    "ts",
    "open",
    "high",
    "low",
    "close",
    "volume",
    "vwap",
    "trade_count",
)
_PRICE_COLUMNS: Final = ("open", "high", "low", "close", "volume", "vwap")

FloatArray = npt.NDArray[np.float64]


def batch_signals(bars: pl.DataFrame, config: StrategyConfig, *, run_id: str | None = None) -> list[Signal]:
    """The signals ``config``'s strategy gives on ``bars``, as the stream would, in time order.

    ``bars`` holds one or more instruments: the :data:`BAR_COLUMNS`, ``ts`` being the bar's
    open time as integer ns or a polars Datetime (naive means UTC). Only rows of
    ``config.timeframe`` and of instruments ``config`` applies to are used (none: no signals).
    Optional columns: ``ts_recv`` (ns or Datetime; default the bar's close, ``ts + timeframe``),
    ``revision`` (the highest revision of a bar wins) and ``run_id`` (default ``"live"``; the
    ``run_id`` argument overrides both). Each instrument gets a fresh ``config.build()``.
    Signals are ordered by (ts_event, exchange, symbol).

    Raises:
        ValueError: a required column is missing, a time column is of another type, or one
            instrument has two rows for one bar time (without a ``revision`` to choose).
    """
    frame = _prepare(bars, config)
    signals: list[Signal] = []
    for group in frame.partition_by(["exchange", "symbol"], maintain_order=True):
        signals.extend(_instrument_signals(group, config.build(), config.timeframe_ns, run_id))
    signals.sort(key=lambda signal: (signal.ts_event, signal.exchange, signal.symbol))
    return signals


def indicator_arrays(spec: IndicatorSpec, columns: Mapping[str, FloatArray]) -> dict[str, FloatArray]:
    """One spec's outputs over whole columns, by output name.

    Uses ``spec.batch`` (the library's batch function for specs made with
    :meth:`IndicatorSpec.of`); a spec without one is run as a single array update of a fresh
    ``spec.factory()`` state, which is the same kernel.

    Raises:
        ValueError: the computation returned another number of outputs or of rows.
    """
    inputs = [columns[field] for field in BAR_FIELDS[spec.inputs]]
    result = spec.batch(*inputs) if spec.batch is not None else spec.factory().update(*inputs)
    outputs = (result,) if isinstance(result, np.ndarray) else tuple(result)
    rows = inputs[0].shape[0]
    if len(outputs) != len(spec.outputs) or any(np.shape(output) != (rows,) for output in outputs):
        raise ValueError(f"indicator {spec.outputs}: batch computation returned {len(outputs)} outputs of other shape")
    return {name: np.asarray(output, dtype=np.float64) for name, output in zip(spec.outputs, outputs, strict=True)}


def _prepare(bars: pl.DataFrame, config: StrategyConfig) -> pl.DataFrame:
    missing = [column for column in BAR_COLUMNS if column not in bars.columns]
    if missing:
        raise ValueError(f"batch_signals: bars lack columns {missing}; required: {', '.join(BAR_COLUMNS)}")
    times = [_as_ns(bars, column) for column in ("ts", "ts_recv") if column in bars.columns]
    frame = bars.filter(pl.col("timeframe") == config.timeframe).with_columns(
        *times, *(pl.col(column).cast(pl.Float64) for column in _PRICE_COLUMNS)
    )
    instruments = frame.select("exchange", "symbol").unique()
    wanted = [row for row in instruments.iter_rows() if config.applies_to(*row)]
    frame = frame.join(pl.DataFrame(wanted, schema=instruments.schema, orient="row"), on=["exchange", "symbol"])
    key = ["exchange", "symbol", "ts"]
    if "revision" in frame.columns:
        frame = frame.sort([*key, "revision"]).unique(subset=key, keep="last", maintain_order=True)
    duplicated = frame.filter(pl.struct(key).is_duplicated())
    if duplicated.height:
        exchange, symbol, ts_event = duplicated.select(key).row(0)
        raise ValueError(f"batch_signals: {exchange}:{symbol} has several bars at ts {ts_event} and no revision column")
    return frame.sort(key)


def _as_ns(bars: pl.DataFrame, column: str) -> pl.Expr:
    dtype = bars.schema[column]
    if isinstance(dtype, pl.Datetime):
        return pl.col(column).dt.epoch("ns")
    if dtype.is_integer():
        return pl.col(column).cast(pl.Int64)
    raise ValueError(f"batch_signals: {column} must be integer ns or a Datetime, got {dtype}")


def _instrument_signals(group: pl.DataFrame, strategy: Strategy, timeframe_ns: int, run_id: str | None) -> list[Signal]:
    columns = {column: group[column].to_numpy().astype(np.float64) for column in _PRICE_COLUMNS}
    values: dict[str, list[float]] = {}
    for spec in strategy.indicators().values():
        values.update({name: array.tolist() for name, array in indicator_arrays(spec, columns).items()})
    has_recv = "ts_recv" in group.columns
    has_run_id = "run_id" in group.columns
    signals: list[Signal] = []
    for i, row in enumerate(group.iter_rows(named=True)):
        bar = Bar(
            exchange=row["exchange"],
            symbol=row["symbol"],
            timeframe=row["timeframe"],
            open=row["open"],
            high=row["high"],
            low=row["low"],
            close=row["close"],
            volume=row["volume"],
            vwap=row["vwap"],
            trade_count=int(row["trade_count"]),
            revision=int(row.get("revision") or 0),
            ts_event=row["ts"],
            ts_recv=row["ts_recv"] if has_recv else row["ts"] + timeframe_ns,
            run_id=run_id or (row["run_id"] if has_run_id else "live"),
        )
        signal = strategy.on_bar(bar, {name: series[i] for name, series in values.items()})
        if signal is not None:
            signals.append(signal)
    return signals
