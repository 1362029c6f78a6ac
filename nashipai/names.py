"""Kafka topic names and QuestDB tables, named once.

Analysts and quant teams learn these names, so they are plain and stable. Every table is a
WAL table with ``ts`` (the event time) as its designated timestamp, partitioned by day, with
``DEDUP UPSERT KEYS`` that include ``ts``: a replay after a crash never doubles a row.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any, Final

import msgspec

from nashipai.events import (
    Bar,
    DataQualityEvent,
    DeadLetter,
    Event,
    OrderRequest,
    OrderUpdate,
    Quote,
    Signal,
    Trade,
)


class Topic(enum.StrEnum):
    """Every Kafka topic Nashipai uses. Keys are ``exchange:symbol`` where an instrument applies."""

    TRADES = "md.trades"
    QUOTES = "md.quotes"
    DATA_QUALITY = "md.data_quality"
    BARS = "bars"
    SIGNALS = "signals"
    ORDER_REQUESTS = "orders.requests"
    ORDER_UPDATES = "orders.updates"
    DEAD_LETTER = "dead_letter"


#: The event type each topic carries.
TOPIC_EVENTS: Final[dict[Topic, type[Event]]] = {
    Topic.TRADES: Trade,
    Topic.QUOTES: Quote,
    Topic.DATA_QUALITY: DataQualityEvent,
    Topic.BARS: Bar,
    Topic.SIGNALS: Signal,
    Topic.ORDER_REQUESTS: OrderRequest,
    Topic.ORDER_UPDATES: OrderUpdate,
    Topic.DEAD_LETTER: DeadLetter,
}

# A column's value as the QuestDB ILP client takes it.
ColumnValue = float | int | str | bool | None


@dataclass(frozen=True)
class Column:
    """A non-symbol column: its QuestDB type and the event field it is filled from."""

    name: str
    sql_type: str  # DOUBLE, LONG, INT, VARCHAR, TIMESTAMP, BOOLEAN
    field: str | None = None  # defaults to ``name``
    as_json: bool = False  # a VARCHAR holding the field encoded as JSON

    @property
    def source(self) -> str:
        return self.field or self.name


@dataclass(frozen=True)
class Table:
    """A QuestDB table fed by one event type."""

    name: str
    event: type[Event]
    symbols: tuple[str, ...]  # SYMBOL columns, filled from the event fields of the same name
    columns: tuple[Column, ...]
    dedup_keys: tuple[str, ...]  # besides ts

    def ddl(self, name: str | None = None) -> str:
        """``CREATE TABLE IF NOT EXISTS`` for this table (optionally under another name)."""
        parts = [f"{symbol} SYMBOL" for symbol in self.symbols]
        parts += [f"{column.name} {column.sql_type}" for column in self.columns]
        parts.append("ts TIMESTAMP")
        keys = ", ".join(("ts", *self.dedup_keys))
        return (
            f"CREATE TABLE IF NOT EXISTS {name or self.name} ({', '.join(parts)}) "
            f"TIMESTAMP(ts) PARTITION BY DAY WAL DEDUP UPSERT KEYS({keys})"
        )

    def row(self, event: Event) -> tuple[dict[str, str | None], dict[str, Any]]:
        """The ILP symbols and columns of one event (the timestamp is ``event.ts_event``)."""
        symbols = {symbol: _text(getattr(event, symbol)) for symbol in self.symbols}
        columns = {name: convert(getattr(event, source)) for name, source, convert in self._converters}
        return symbols, columns

    @cached_property
    def _converters(self) -> list[tuple[str, str, Callable[[Any], Any]]]:
        return [(column.name, column.source, _json if column.as_json else _CONVERT[column.sql_type])
                for column in self.columns]


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, str) and not isinstance(value, enum.Enum)):
        return value
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


def _double(value: object) -> float | None:
    if value is None or type(value) is float:
        return value
    if isinstance(value, Decimal | int | float):
        return float(value)
    raise TypeError(f"cannot store {type(value).__name__} as DOUBLE")


def _json(value: object) -> str:
    return msgspec.json.encode(value).decode()


def _timestamp(value: object) -> Any:
    from questdb import TimestampNanos

    return None if value is None else TimestampNanos(int(value))  # type: ignore[call-overload]


_CONVERT: Final[dict[str, Callable[[Any], Any]]] = {
    "DOUBLE": _double,
    "LONG": lambda value: None if value is None else int(value),
    "INT": lambda value: None if value is None else int(value),
    "VARCHAR": _text,
    "TIMESTAMP": _timestamp,
}

_TS_RECV = Column("ts_recv", "TIMESTAMP")

TRADES = Table(
    "trades",
    Trade,
    symbols=("exchange", "symbol", "side"),
    columns=(Column("price", "DOUBLE"), Column("size", "DOUBLE"), Column("trade_id", "VARCHAR"), _TS_RECV),
    dedup_keys=("exchange", "symbol", "trade_id"),
)
QUOTES = Table(
    "quotes",
    Quote,
    symbols=("exchange", "symbol"),
    columns=(
        Column("bid_price", "DOUBLE"),
        Column("bid_size", "DOUBLE"),
        Column("ask_price", "DOUBLE"),
        Column("ask_size", "DOUBLE"),
        _TS_RECV,
    ),
    dedup_keys=("exchange", "symbol"),
)
BARS = Table(
    "bars",
    Bar,
    symbols=("exchange", "symbol", "timeframe", "run_id"),
    columns=(
        Column("open", "DOUBLE"),
        Column("high", "DOUBLE"),
        Column("low", "DOUBLE"),
        Column("close", "DOUBLE"),
        Column("volume", "DOUBLE"),
        Column("vwap", "DOUBLE"),
        Column("trade_count", "LONG"),
        Column("revision", "INT"),
        _TS_RECV,
    ),
    dedup_keys=("exchange", "symbol", "timeframe", "run_id"),
)
SIGNALS = Table(
    "signals",
    Signal,
    symbols=("strategy", "exchange", "symbol", "timeframe", "side", "run_id"),
    columns=(
        Column("signal_id", "VARCHAR"),
        Column("strength", "DOUBLE"),
        Column("price", "DOUBLE"),
        Column("indicators", "VARCHAR", as_json=True),
        Column("lineage", "VARCHAR", as_json=True),
        _TS_RECV,
    ),
    dedup_keys=("signal_id", "run_id"),
)
ORDERS = Table(
    "orders",
    OrderRequest,
    symbols=("bot", "exchange", "symbol", "side", "order_type"),
    columns=(
        Column("client_order_id", "VARCHAR"),
        Column("signal_id", "VARCHAR"),
        Column("quantity", "DOUBLE"),
        Column("limit_price", "DOUBLE"),
        _TS_RECV,
    ),
    dedup_keys=("client_order_id",),
)
FILLS = Table(
    "fills",
    OrderUpdate,
    symbols=("bot", "exchange", "symbol", "side", "status"),
    columns=(
        Column("client_order_id", "VARCHAR"),
        Column("exchange_order_id", "VARCHAR"),
        Column("fill_id", "VARCHAR"),
        Column("quantity", "DOUBLE", "last_fill_quantity"),
        Column("price", "DOUBLE", "last_fill_price"),
        Column("filled_quantity", "DOUBLE"),
        Column("average_price", "DOUBLE"),
        Column("fee", "DOUBLE"),
        Column("fee_currency", "VARCHAR"),
        _TS_RECV,
    ),
    dedup_keys=("client_order_id", "fill_id"),
)
DATA_QUALITY = Table(
    "data_quality",
    DataQualityEvent,
    symbols=("exchange", "symbol", "kind"),
    columns=(
        Column("detail", "VARCHAR"),
        Column("count", "LONG"),
        Column("first_missing", "VARCHAR"),
        Column("last_missing", "VARCHAR"),
        _TS_RECV,
    ),
    dedup_keys=("exchange", "symbol", "kind"),
)

#: Every table, by name.
TABLES: Final[dict[str, Table]] = {
    table.name: table for table in (TRADES, QUOTES, BARS, SIGNALS, ORDERS, FILLS, DATA_QUALITY)
}

#: The table each event type lands in by default.
TABLE_FOR_EVENT: Final[dict[type[Event], Table]] = {table.event: table for table in TABLES.values()}


def namespaced_topic(topic: str, namespace: str | None) -> str:
    """``topic`` in a namespace (a replay run, a test): ``md.trades`` -> ``md.trades.<namespace>``."""
    return f"{topic}.{namespace}" if namespace else str(topic)


def namespaced_table(table: str, namespace: str | None) -> str:
    """``table`` in a namespace: ``trades`` -> ``trades_<namespace>``."""
    return f"{table}_{namespace}" if namespace else table


def check_namespace(namespace: str) -> str:
    """A namespace is lower-case letters, digits and underscores (valid in topic and table names)."""
    import re

    if not re.fullmatch(r"[a-z][a-z0-9_]{0,40}", namespace):
        raise ValueError(f"namespace {namespace!r}: use 1-41 lower-case letters, digits or _, starting with a letter")
    return namespace
