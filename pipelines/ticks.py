"""The tick dataflow: ``md.trades``, ``md.quotes`` and ``md.data_quality`` into QuestDB.

Batches are decoded with msgspec in one call and written over ILP/HTTP with one
acknowledged flush per batch. Input offsets live in Bytewax recovery snapshots, so after a
crash the dataflow resumes from the last snapshot; rows written after it are written again
and QuestDB's DEDUP keys keep exactly one of each. Undecodable messages go to the
dead-letter topic with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence

import bytewax.operators as op
from bytewax.dataflow import Dataflow

from nashipai.config import Settings
from nashipai.events import Event
from nashipai.metrics import DEAD_LETTERS, ROWS_WRITTEN
from nashipai.names import DATA_QUALITY, QUOTES, TRADES, Topic, namespaced_table, namespaced_topic
from pipelines.decode import Decoded, decode_batch
from pipelines.kafka_io import EventSink, KafkaBatchSource, Outgoing
from pipelines.questdb_sink import QuestDBSink

NAME = "ticks"
TOPICS: tuple[str, ...] = (Topic.TRADES, Topic.QUOTES, Topic.DATA_QUALITY)


def _events(decoded: Decoded) -> Sequence[Event]:
    ROWS_WRITTEN.labels(decoded.batch.topic).inc(len(decoded.events))
    return decoded.events


def _dead_letters(decoded: Decoded) -> list[Outgoing]:
    if not decoded.dead:
        return []
    DEAD_LETTERS.labels(decoded.batch.topic).inc(len(decoded.dead))
    return [Outgoing(Topic.DEAD_LETTER, list(decoded.dead))]


def build_flow(settings: Settings, namespace: str | None = None, stop_at_end: bool = False,
               batch_size: int = 10_000) -> Dataflow:
    """The tick dataflow; a ``namespace`` reads ``<topic>.<ns>`` and writes ``<table>_<ns>``."""
    topics = [namespaced_topic(topic, namespace) for topic in TOPICS]
    table_names = {
        table.event: namespaced_table(table.name, namespace) for table in (TRADES, QUOTES, DATA_QUALITY)
    }
    flow = Dataflow(NAME)
    batches = op.input("kafka", flow, KafkaBatchSource(settings, topics, batch_size, stop_at_end))
    decoded = op.map("decode", batches, decode_batch)
    op.output("questdb", op.filter("has_events", op.map("events", decoded, _events), bool),
              QuestDBSink(settings, table_names))
    op.output("dead_letter", op.flat_map("dead_letters", decoded, _dead_letters), EventSink(settings, namespace))
    return flow
