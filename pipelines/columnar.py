"""Column-wise fast path of the store dataflow for the high-volume topics (trades, quotes).

A batch of JSON messages is parsed by polars straight into typed columns (Rust, no Python
object per message) and handed to QuestDB's ``Sender.dataframe``. The batch is used only if
every row passes the same checks the msgspec decoder and :func:`nashipai.events.instrument_error`
apply (no missing or mistyped field, sides, non-negative sizes, normalised instruments);
otherwise the caller falls back to the exact message-by-message path, which names the bad
messages in dead letters. Either way the rows written are the same.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Final

import polars as pl

from nashipai.events import Event, Quote, Trade, instrument_error
from pipelines.kafka_io import RawBatch

_TEXT = pl.String
_SCHEMAS: Final[dict[type[Event], dict[str, Any]]] = {
    Trade: {"exchange": _TEXT, "symbol": _TEXT, "price": pl.Float64, "size": pl.Float64, "side": _TEXT,
            "trade_id": _TEXT, "ts_event": pl.Int64, "ts_recv": pl.Int64},
    Quote: {"exchange": _TEXT, "symbol": _TEXT, "bid_price": pl.Float64, "bid_size": pl.Float64,
            "ask_price": pl.Float64, "ask_size": pl.Float64, "ts_event": pl.Int64, "ts_recv": pl.Int64},
}


@dataclass(frozen=True)
class EventFrame:
    """Rows of one event type as columns, ready for ``Sender.dataframe``."""

    event: type[Event]
    frame: pl.DataFrame

    def __len__(self) -> int:
        return self.frame.height

    def to_pandas(self) -> Any:
        """The frame as QuestDB's client takes it: Arrow-backed columns (no copy to Python
        objects), ``ts`` the event time; the client writes the table's symbol columns as symbols."""
        frame = self.frame.with_columns(
            pl.col("ts_event").cast(pl.Datetime("ns")).alias("ts"),
            pl.col("ts_recv").cast(pl.Datetime("ns")),
        ).drop("ts_event")
        return frame.to_pandas(use_pyarrow_extension_array=True)


def decode_columns(batch: RawBatch, kind: type[Event]) -> EventFrame | None:
    """The batch as columns, or None when it needs the exact path (or the type has no fast path)."""
    schema = _SCHEMAS.get(kind)
    if schema is None:
        return None
    try:
        frame = pl.read_ndjson(io.BytesIO(b"\n".join(batch.values)), schema=schema)
    except (pl.exceptions.PolarsError, ValueError):
        return None
    if frame.height != len(batch.values) or any(frame.null_count().row(0)):
        return None
    if not _valid(frame, kind):
        return None
    return EventFrame(kind, frame)


def _valid(frame: pl.DataFrame, kind: type[Event]) -> bool:
    checks = [pl.col("ts_event") >= 0, pl.col("ts_recv") >= 0]
    if kind is Trade:
        checks += [pl.col("price") > 0, pl.col("size") >= 0, pl.col("side").is_in(["buy", "sell"])]
    else:
        checks += [pl.col("bid_size") >= 0, pl.col("ask_size") >= 0]
    if not frame.select(pl.all_horizontal(checks).all()).item():
        return False
    pairs = frame.select("exchange", "symbol").unique().iter_rows()
    return all(instrument_error(exchange, symbol) is None for exchange, symbol in pairs)
