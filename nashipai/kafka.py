"""Kafka helpers: the producer every service uses, topic creation, consumers, decoding.

Events travel as msgspec JSON keyed ``exchange:symbol`` (see :func:`key_of`), so one
instrument's events stay in order on one partition.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Final

import msgspec
from confluent_kafka import Consumer, KafkaError, KafkaException, Message, Producer
from confluent_kafka.admin import AdminClient, NewTopic

from nashipai.config import Settings
from nashipai.events import DeadLetter, E, Event, decoder_for, encode, payload_text
from nashipai.names import Topic

_ENCODER: Final = msgspec.json.Encoder(decimal_format="string")


class DeliveryError(RuntimeError):
    """Kafka refused or failed to deliver messages; nothing was silently dropped."""


def key_of(event: Event) -> bytes | None:
    """The partition key of an event: ``exchange:symbol`` where both exist."""
    exchange = getattr(event, "exchange", None)
    symbol = getattr(event, "symbol", None)
    if exchange is None or symbol is None:
        return None
    return f"{exchange}:{symbol}".encode()


def producer_config(settings: Settings, **overrides: Any) -> dict[str, Any]:
    """Idempotent, ``acks=all``, lz4, lingering producer configuration."""
    config: dict[str, Any] = {
        "bootstrap.servers": settings.bootstrap_servers,
        "enable.idempotence": True,
        "acks": "all",
        "compression.type": settings.kafka.compression,
        "linger.ms": settings.kafka.linger_ms,
        "socket.nagle.disable": True,  # linger.ms decides when a batch leaves, not Nagle
        "batch.num.messages": 10_000,
        "queue.buffering.max.messages": 1_000_000,
        "queue.buffering.max.kbytes": 1_048_576,
    }
    config.update(overrides)
    return config


class EventProducer:
    """Produces kernel events to Kafka asynchronously, collecting delivery failures.

    ``send`` never blocks on the network; ``flush`` waits for every delivery and raises
    :class:`DeliveryError` if any failed, so a caller can commit its input only after its
    output is durable.
    """

    def __init__(self, settings: Settings, **overrides: Any) -> None:
        # Only failed deliveries call back into Python (they are all this class keeps).
        config = {"delivery.report.only.error": True, "on_delivery": self._on_delivery}
        self._producer = Producer(producer_config(settings, **config, **overrides))
        self._failures: list[str] = []

    def _on_delivery(self, error: KafkaError | None, _message: Message) -> None:
        if error is not None:
            self._failures.append(str(error))

    def send(self, topic: str, event: Event, key: bytes | None = None) -> None:
        """Queue one event for ``topic`` (key defaults to ``exchange:symbol``)."""
        self.send_raw(topic, encode(event), key if key is not None else key_of(event))

    def send_many(self, topic: str, events: Iterable[Event], poll: bool = True) -> None:
        """Queue many events for ``topic``; delivery reports are served once per call (unless
        ``poll`` is False: the caller then serves them with :meth:`poll` or :meth:`flush`)."""
        for event in events:
            self._produce(topic, _ENCODER.encode(event), key_of(event))
        if poll:
            self._producer.poll(0)

    def send_raw(self, topic: str, value: bytes, key: bytes | None = None) -> None:
        """Queue already-encoded bytes, waiting for room when the local queue is full."""
        self._produce(topic, value, key)
        self._producer.poll(0)

    def _produce(self, topic: str, value: bytes, key: bytes | None) -> None:
        while True:
            try:
                self._producer.produce(topic, value, key)
                return
            except BufferError:  # the local queue is full: let librdkafka send, then retry
                self._producer.poll(0.05)

    def poll(self, timeout: float = 0.0) -> int:
        """Serve delivery reports (failures are collected for :meth:`flush`)."""
        return int(self._producer.poll(timeout))

    def dead_letter(self, source: str, reason: str, payload: bytes | str, received_ns: int,
                    exchange: str | None = None) -> None:
        """Send unusable input to the dead-letter topic with the reason."""
        letter = DeadLetter(
            source=source, reason=reason, payload=payload_text(payload), exchange=exchange, ts_recv=received_ns
        )
        self.send(Topic.DEAD_LETTER, letter, key=source.encode())

    def flush(self, timeout: float = 30.0) -> None:
        """Wait until everything queued is delivered; raise if anything failed."""
        remaining = self._producer.flush(timeout)
        if remaining:
            raise DeliveryError(f"{remaining} messages still undelivered after {timeout}s; is Kafka up?")
        if self._failures:
            failures, self._failures = self._failures, []
            raise DeliveryError(f"{len(failures)} deliveries failed, first: {failures[0]}")

    def __len__(self) -> int:
        return len(self._producer)


def admin(settings: Settings) -> AdminClient:
    return AdminClient({"bootstrap.servers": settings.bootstrap_servers})


def ensure_topics(settings: Settings, topics: Iterable[str] | None = None,
                  partitions: int | None = None, timeout: float = 30.0) -> list[str]:
    """Create missing topics (all of :class:`Topic` by default); returns those created."""
    client = admin(settings)
    wanted = [str(topic) for topic in (topics if topics is not None else Topic)]
    existing = set(client.list_topics(timeout=timeout).topics)
    missing = [name for name in wanted if name not in existing]
    if not missing:
        return []
    new = [
        NewTopic(
            name,
            num_partitions=partitions or settings.kafka.partitions,
            replication_factor=settings.kafka.replication_factor,
        )
        for name in missing
    ]
    for future in client.create_topics(new, operation_timeout=timeout).values():
        try:
            future.result(timeout)
        except KafkaException as error:
            if error.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                raise
    return missing


def consumer(settings: Settings, group_id: str, topics: Sequence[str] | None = None,
             **overrides: Any) -> Consumer:
    """A consumer reading from the earliest offset, committing only when told to."""
    config: dict[str, Any] = {
        "bootstrap.servers": settings.bootstrap_servers,
        "group.id": group_id,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "enable.partition.eof": False,
    }
    config.update(overrides)
    client = Consumer(config)
    if topics:
        client.subscribe(list(topics))
    return client


def consume_events(client: Consumer, event_type: type[E], count: int, timeout: float = 60.0,
                   batch: int = 10_000) -> Iterator[E]:
    """Yield ``count`` decoded events from an already-subscribed consumer, or raise TimeoutError."""
    decoder = decoder_for(event_type)
    deadline = time.monotonic() + timeout
    seen = 0
    while seen < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"read {seen} of {count} {event_type.__name__} events in {timeout}s")
        for message in client.consume(min(batch, count - seen), 0.5):
            error = message.error()
            if error is not None:
                raise KafkaException(error)
            yield decoder.decode(message.value())
            seen += 1
