"""A Bytewax sink that writes kernel events to QuestDB over ILP/HTTP.

Rows are buffered and sent when the buffer grows large and at every epoch's snapshot, where
the flush waits for QuestDB's acknowledgement: Bytewax commits an epoch only after its rows
are durable, so a crash loses nothing, and DEDUP keys make the replayed rows harmless.
"""

from __future__ import annotations

from collections.abc import Sequence

from bytewax.outputs import FixedPartitionedSink, StatefulSinkPartition
from questdb import Sender

from nashipai.config import Settings
from nashipai.events import Event
from nashipai.names import TABLE_FOR_EVENT
from nashipai.questdb import ilp_conf, write_events
from pipelines.columnar import EventFrame

_FLUSH_ROWS = 50_000


Rows = Sequence[Event] | EventFrame


class _Writer(StatefulSinkPartition[Rows, None]):
    def __init__(self, settings: Settings, table_names: dict[type[Event], str]) -> None:
        self._sender = Sender.from_conf(ilp_conf(settings, auto_flush=False))
        self._sender.establish()
        self._tables = table_names
        self._pending = 0

    def write_batch(self, items: list[Rows]) -> None:
        for rows in items:
            if isinstance(rows, EventFrame):
                table = TABLE_FOR_EVENT[rows.event]
                self._sender.dataframe(rows.to_pandas(), table_name=self._tables.get(rows.event, table.name),
                                       symbols=list(table.symbols), at="ts")
                self._pending += len(rows)
            elif rows:
                self._pending += write_events(self._sender, rows, table_name=self._tables.get(type(rows[0])))
        if self._pending >= _FLUSH_ROWS:
            self.snapshot()

    def snapshot(self) -> None:
        # A refused write raises here and stops the dataflow rather than losing rows.
        if self._pending:
            self._sender.flush()
            self._pending = 0

    def close(self) -> None:
        self.snapshot()
        self._sender.close()


class QuestDBSink(FixedPartitionedSink[Rows, None]):
    """Each item is a list of events of one type (or an :class:`EventFrame`), written to that type's table.

    ``table_names`` maps an event type to another table name (tests, replays). Items arrive
    keyed (see :func:`pipelines.kafka_io.keyed`).
    """

    def __init__(self, settings: Settings, table_names: dict[type[Event], str] | None = None) -> None:
        self._settings = settings
        self._tables = table_names or {}

    def list_parts(self) -> list[str]:
        return ["0"]

    def part_fn(self, item_key: str) -> int:
        return 0

    def build_part(self, step_id: str, for_part: str, resume_state: None) -> _Writer:
        return _Writer(self._settings, self._tables)
