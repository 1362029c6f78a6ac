"""The store dataflow: every event topic into its QuestDB table.

``md.trades``, ``md.quotes``, ``md.data_quality``, ``bars`` and ``signals`` are read in
batches, decoded with msgspec in one call per batch and written over ILP/HTTP. Input offsets
live in Bytewax recovery snapshots and each snapshot waits for QuestDB's acknowledgement of
the rows before it, so after a crash the dataflow resumes from the last snapshot; rows
written after it are written again and QuestDB's DEDUP keys keep exactly one of each.
Undecodable messages go to the dead-letter topic with the reason.

Keeping QuestDB writes here, off the signal dataflow, keeps that dataflow's latency free of
database round trips.
"""

from __future__ import annotations

from collections.abc import Sequence

import bytewax.operators as op
from bytewax.dataflow import Dataflow

from nashipai.config import Settings
from nashipai.events import Event
from nashipai.metrics import DEAD_LETTERS, ROWS_WRITTEN
from nashipai.names import TABLE_FOR_EVENT, Topic, namespaced_table, namespaced_topic
from pipelines.columnar import EventFrame, decode_columns
from pipelines.decode import Decoded, decode_batch, event_type_of
from pipelines.kafka_io import EventSink, KafkaBatchSource, Outgoing, RawBatch, keyed
from pipelines.questdb_sink import QuestDBSink

NAME = "store"
TOPICS: tuple[str, ...] = (Topic.TRADES, Topic.QUOTES, Topic.DATA_QUALITY, Topic.BARS, Topic.SIGNALS)


def _decode(batch: RawBatch) -> Decoded | EventFrame:
    kind = event_type_of(batch.topic)
    return decode_columns(batch, kind) or decode_batch(batch, kind)


def _rows(item: Decoded | EventFrame) -> Sequence[Event] | EventFrame:
    if isinstance(item, EventFrame):
        ROWS_WRITTEN.labels(item.event.__name__).inc(len(item))
        return item
    ROWS_WRITTEN.labels(item.batch.topic).inc(len(item.events))
    return item.events


def _dead_letters(decoded: Decoded | EventFrame) -> list[Outgoing]:
    if isinstance(decoded, EventFrame) or not decoded.dead:
        return []
    DEAD_LETTERS.labels(decoded.batch.topic).inc(len(decoded.dead))
    return [Outgoing(Topic.DEAD_LETTER, list(decoded.dead))]


def build_flow(settings: Settings, namespace: str | None = None, stop_at_end: bool = False,
               batch_size: int = 50_000, topics: Sequence[str] | None = None) -> Dataflow:
    """The store dataflow; a ``namespace`` reads ``<topic>.<ns>`` and writes ``<table>_<ns>``.

    ``topics`` replaces the namespaced defaults (a replay stores its ``signals.<run>`` topics).
    """
    chosen = list(topics) if topics is not None else [namespaced_topic(topic, namespace) for topic in TOPICS]
    tables = {event: namespaced_table(table.name, namespace) for event, table in TABLE_FOR_EVENT.items()}
    flow = Dataflow(NAME)
    batches = op.input("kafka", flow, KafkaBatchSource(settings, chosen, batch_size, stop_at_end))
    decoded = op.map("decode", batches, _decode)
    events = op.filter("has_rows", op.map("rows", decoded, _rows), lambda rows: len(rows) > 0)
    op.output("questdb", keyed("questdb_key", events), QuestDBSink(settings, tables))
    letters = op.flat_map("dead_letters", decoded, _dead_letters)
    op.output("dead_letter", keyed("dead_letter_key", letters), EventSink(settings, namespace))
    return flow
