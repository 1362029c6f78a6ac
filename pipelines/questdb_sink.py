"""A Bytewax sink that writes kernel events to QuestDB over ILP/HTTP, one flush per batch."""

from __future__ import annotations

from collections.abc import Sequence

from bytewax.outputs import DynamicSink, StatelessSinkPartition
from questdb import Sender

from nashipai.config import Settings
from nashipai.events import Event
from nashipai.questdb import ilp_conf, write_frame


class _Writer(StatelessSinkPartition[Sequence[Event]]):
    def __init__(self, settings: Settings, table_names: dict[type[Event], str]) -> None:
        self._sender = Sender.from_conf(ilp_conf(settings, auto_flush=False))
        self._sender.establish()
        self._tables = table_names

    def write_batch(self, items: list[Sequence[Event]]) -> None:
        for events in items:
            if events:
                write_frame(self._sender, events, table_name=self._tables.get(type(events[0])))
        # Every row is acknowledged by QuestDB before Bytewax may snapshot past its input;
        # a refused write raises and stops the dataflow rather than losing rows.
        self._sender.flush()

    def close(self) -> None:
        self._sender.close()


class QuestDBSink(DynamicSink[Sequence[Event]]):
    """Each item is a list of events of one type, written to that type's table.

    ``table_names`` maps an event type to another table name (tests, replays).
    """

    def __init__(self, settings: Settings, table_names: dict[type[Event], str] | None = None) -> None:
        self._settings = settings
        self._tables = table_names or {}

    def build(self, step_id: str, worker_index: int, worker_count: int) -> _Writer:
        return _Writer(self._settings, self._tables)
