"""Decode raw Kafka batches into kernel events; what does not decode becomes a dead letter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import msgspec

from nashipai.events import DataQualityEvent, DeadLetter, Event, decoder_for, instrument_error, payload_text
from nashipai.names import TOPIC_EVENTS, Topic
from pipelines.kafka_io import RawBatch

_list_decoders: dict[type[Event], msgspec.json.Decoder[Any]] = {}


@dataclass(frozen=True)
class Decoded:
    """The usable events of one batch and dead letters for the rest."""

    batch: RawBatch
    events: list[Event]
    dead: list[DeadLetter]


# Longest names first, so ``md.trades.x`` never matches a shorter topic that prefixes it.
_BY_PREFIX: Final = sorted(TOPIC_EVENTS.items(), key=lambda item: -len(item[0]))


def event_type_of(topic: str) -> type[Event]:
    """The event type a topic carries; namespaced and replay topics carry the type of their prefix."""
    for known, event_type in _BY_PREFIX:
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
        whole: list[Event] = decoder.decode(b"[" + b",".join(batch.values) + b"]")
    except msgspec.DecodeError:
        pass
    else:
        return _check_instruments(batch, kind, whole)
    single = decoder_for(kind)
    events: list[Event] = []
    dead: list[DeadLetter] = []
    for value, offset in zip(batch.values, batch.offsets, strict=True):
        try:
            event = single.decode(value)
        except msgspec.DecodeError as error:  # ValidationError is a DecodeError
            reason: str | None = str(error)
        else:
            symbol = None if kind is DataQualityEvent else getattr(event, "symbol", None)
            reason = None if symbol is None else instrument_error(event.exchange, symbol)  # type: ignore[attr-defined]
            if reason is None:
                events.append(event)
                continue
        dead.append(DeadLetter(
            source=f"{batch.topic}/{batch.partition}@{offset}",
            reason=f"not a valid {kind.__name__}: {reason}",
            payload=payload_text(value),
            ts_recv=batch.received_ns,
        ))
    return Decoded(batch, events, dead)


def _check_instruments(batch: RawBatch, kind: type[Event], events: list[Event]) -> Decoded:
    """Refuse events whose exchange or symbol is not normalised: checked once per distinct pair."""
    if kind is DataQualityEvent or not hasattr(kind, "symbol"):  # its symbol may be "*": the connection
        return Decoded(batch, events, [])
    pairs = {(event.exchange, event.symbol) for event in events}  # type: ignore[attr-defined]
    bad = {pair: reason for pair in pairs if (reason := instrument_error(*pair)) is not None}
    if not bad:
        return Decoded(batch, events, [])
    good: list[Event] = []
    dead: list[DeadLetter] = []
    for event, value, offset in zip(events, batch.values, batch.offsets, strict=True):
        reason = bad.get((event.exchange, event.symbol))  # type: ignore[attr-defined]
        if reason is None:
            good.append(event)
        else:
            dead.append(DeadLetter(source=f"{batch.topic}/{batch.partition}@{offset}",
                                   reason=f"not a valid {kind.__name__}: {reason}", payload=payload_text(value),
                                   ts_recv=batch.received_ns))
    return Decoded(batch, good, dead)
