"""Batched Kafka input and output for Bytewax dataflows.

Bytewax's own Kafka source emits one item per message; at hundreds of thousands of ticks a
second the per-item cost dominates. :class:`KafkaBatchSource` emits one item per consumer
batch (up to ``batch_size`` messages of one topic-partition) and snapshots the next offset of
each partition, so with recovery configured a restart resumes exactly where the last snapshot
left off. Downstream steps decode whole batches with msgspec and write them in one go.
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import bytewax.operators as op
from bytewax.dataflow import Stream
from bytewax.inputs import FixedPartitionedSource, StatefulSourcePartition
from bytewax.operators import KeyedStream
from bytewax.outputs import FixedPartitionedSink, StatefulSinkPartition
from confluent_kafka import Consumer, KafkaError, KafkaException, Message, TopicPartition

from nashipai.config import Settings
from nashipai.events import Event
from nashipai.kafka import EventProducer
from nashipai.names import namespaced_topic

X = TypeVar("X")

_READ_CHUNK = 4_096  # messages per consume() call
_IDLE_MIN = timedelta(microseconds=100)  # first wait after an empty read
_IDLE_MAX = timedelta(milliseconds=2)


@dataclass(frozen=True)
class RawBatch:
    """Consecutive messages of one topic-partition, as Kafka gave them."""

    topic: str
    partition: int
    values: list[bytes]
    offsets: list[int]
    received_ns: int  # when the batch was read

    @property
    def lineage_key(self) -> str:
        return f"{self.topic}/{self.partition}"


@dataclass(frozen=True)
class Outgoing:
    """Events bound for one topic (a step's output for :class:`EventSink`)."""

    topic: str
    events: list[Event] = field(default_factory=list)


def _skippable(message: Message) -> bool:
    """True for an end-of-partition notice; raises for a real error."""
    error = message.error()
    if error is None:
        return False
    if error.code() == KafkaError._PARTITION_EOF:
        return True
    raise KafkaException(error)


class _PartitionReader(StatefulSourcePartition[RawBatch, int]):
    def __init__(self, settings: Settings, topic: str, partition: int, offset: int | None,
                 batch_size: int, stop_at_end: bool, extra: dict[str, Any]) -> None:
        config: dict[str, Any] = {
            "bootstrap.servers": settings.bootstrap_servers,
            "group.id": "nashipai-bytewax",  # offsets live in Bytewax snapshots, never committed
            "enable.auto.commit": False,
            "enable.auto.offset.store": False,
            "fetch.min.bytes": 1,
            "fetch.wait.max.ms": 10,
            "socket.nagle.disable": True,
            "queued.min.messages": 200_000,
        }
        config.update(extra)
        self._consumer = Consumer(config)
        low, high = self._consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)
        # A fresh start begins at the earliest retained offset; a resume at its snapshot.
        self._next_offset: int = int(low) if offset is None else max(offset, int(low))
        self._consumer.assign([TopicPartition(topic, partition, self._next_offset)])
        self._topic = topic
        self._partition = partition
        self._batch_size = batch_size
        self._end: int | None = int(high) if stop_at_end else None
        self._idle_until: datetime | None = None
        self._idle_wait = _IDLE_MIN

    def next_batch(self) -> list[RawBatch]:
        if self._end is not None and self._next_offset >= self._end:
            raise StopIteration
        values: list[bytes] = []
        offsets: list[int] = []
        # Message objects are garbage the moment their value is taken, and never in a cycle:
        # collecting while tens of thousands of them are alive only rescans the heap (it tripled
        # the cost of a read). Smaller reads keep them in cache.
        collecting = gc.isenabled()
        gc.disable()
        try:
            while len(values) < self._batch_size:
                wanted = min(_READ_CHUNK, self._batch_size - len(values))
                messages = self._consumer.consume(wanted, 0.0)
                if any(message.error() is not None for message in messages):
                    messages = [message for message in messages if not _skippable(message)]
                values += [message.value() for message in messages]
                offsets += [message.offset() for message in messages]
                if len(messages) < wanted:
                    break
        finally:
            if collecting:
                gc.enable()
        if not values:
            # Poll again soon after the last data (a bar-closing trade should not wait out a
            # long sleep), backing off to _IDLE_MAX while the partition stays quiet.
            self._idle_until = datetime.now(UTC) + self._idle_wait
            self._idle_wait = min(self._idle_wait * 2, _IDLE_MAX)
            return []
        self._idle_until = None
        self._idle_wait = _IDLE_MIN
        self._next_offset = offsets[-1] + 1
        return [RawBatch(self._topic, self._partition, values, offsets, time.time_ns())]

    def next_awake(self) -> datetime | None:
        return self._idle_until

    def snapshot(self) -> int:
        return self._next_offset

    def close(self) -> None:
        self._consumer.close()


class KafkaBatchSource(FixedPartitionedSource[RawBatch, int]):
    """Every partition of ``topics``, read in batches, resumable from snapshots.

    Args:
        stop_at_end: stop at each partition's high watermark as of start (a bounded replay).
    """

    def __init__(self, settings: Settings, topics: list[str], batch_size: int = 5_000,
                 stop_at_end: bool = False, consumer_config: dict[str, Any] | None = None) -> None:
        self._settings = settings
        self._topics = topics
        self._batch_size = batch_size
        self._stop_at_end = stop_at_end
        self._extra = consumer_config or {}

    def list_parts(self) -> list[str]:
        from confluent_kafka.admin import AdminClient

        metadata = AdminClient({"bootstrap.servers": self._settings.bootstrap_servers}).list_topics(timeout=30)
        parts = []
        for topic in self._topics:
            if topic not in metadata.topics:
                raise ValueError(f"topic {topic!r} does not exist; run `nashipai db migrate` to create the topics")
            parts += [f"{topic}/{partition}" for partition in sorted(metadata.topics[topic].partitions)]
        return parts

    def build_part(self, step_id: str, for_part: str, resume_state: int | None) -> _PartitionReader:
        topic, _, partition = for_part.rpartition("/")
        return _PartitionReader(self._settings, topic, int(partition), resume_state, self._batch_size,
                                self._stop_at_end, self._extra)


class _EventWriter(StatefulSinkPartition[Outgoing, None]):
    def __init__(self, settings: Settings, namespace: str | None) -> None:
        self._producer = EventProducer(settings, **{"linger.ms": 1})
        self._namespace = namespace

    def write_batch(self, items: list[Outgoing]) -> None:
        # Asynchronous: librdkafka sends within ~1 ms; durability is awaited at the snapshot.
        for item in items:
            self._producer.send_many(namespaced_topic(item.topic, self._namespace), item.events)

    def snapshot(self) -> None:
        # Every event of this epoch is acknowledged before Bytewax commits the epoch's
        # snapshot: at-least-once, and deterministic ids make the rare replay harmless.
        self._producer.flush()

    def close(self) -> None:
        self._producer.flush()


class EventSink(FixedPartitionedSink[Outgoing, None]):
    """Produces :class:`Outgoing` events to Kafka, keyed ``exchange:symbol``.

    Writes are asynchronous; each epoch's snapshot waits until Kafka acknowledged them. With a
    ``namespace`` every topic is ``<topic>.<namespace>``. Items arrive keyed (see :func:`keyed`).
    """

    def __init__(self, settings: Settings, namespace: str | None = None) -> None:
        self._settings = settings
        self._namespace = namespace

    def list_parts(self) -> list[str]:
        return ["0"]

    def part_fn(self, item_key: str) -> int:
        return 0

    def build_part(self, step_id: str, for_part: str, resume_state: None) -> _EventWriter:
        return _EventWriter(self._settings, self._namespace)


def keyed(step_id: str, stream: Stream[X]) -> KeyedStream[X]:
    """Key every item alike, for the single-partition sinks."""
    return op.key_on(step_id, stream, _same_key)


def _same_key(_item: object) -> str:
    return "0"
