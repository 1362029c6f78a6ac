"""Decode raw Kafka batches into kernel events; what does not decode becomes a dead letter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec

from nashipai.events import DeadLetter, Event, decoder_for, payload_text
from nashipai.names import TOPIC_EVENTS, Topic
from pipelines.kafka_io import RawBatch

_list_decoders: dict[type[Event], msgspec.json.Decoder[Any]] = {}


@dataclass(frozen=True)
class Decoded:
    """The usable events of one batch and dead letters for the rest."""

    batch: RawBatch
    events: list[Event]
    dead: list[DeadLetter]


def event_type_of(topic: str) -> type[Event]:
    """The event type a topic carries; test and replay topics carry the type of their prefix."""
    for known, event_type in TOPIC_EVENTS.items():
        if topic == known or topic.startswith(f"{known}."):
            return event_type
    raise ValueError(f"no event type is known for topic {topic!r}; topics are {[str(t) for t in Topic]}")


def decode_batch(batch: RawBatch, event_type: type[Event] | None = None) -> Decoded:
    """Decode a whole batch in one msgspec call; on failure, message by message to isolate the bad."""
    kind = event_type or event_type_of(batch.topic)
    decoder = _list_decoders.get(kind)
    if decoder is None:
        decoder = _list_decoders[kind] = msgspec.json.Decoder(list[kind])  # type: ignore[valid-type]
    try:
        return Decoded(batch, decoder.decode(b"[" + b",".join(batch.values) + b"]"), [])
    except msgspec.DecodeError:
        pass
    single = decoder_for(kind)
    events: list[Event] = []
    dead: list[DeadLetter] = []
    for value, offset in zip(batch.values, batch.offsets, strict=True):
        try:
            events.append(single.decode(value))
        except msgspec.DecodeError as error:  # ValidationError is a DecodeError
            dead.append(DeadLetter(
                source=f"{batch.topic}/{batch.partition}@{offset}",
                reason=f"not a valid {kind.__name__}: {error}",
                payload=payload_text(value),
                ts_recv=batch.received_ns,
            ))
    return Decoded(batch, events, dead)
