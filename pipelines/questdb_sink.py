"""A Bytewax sink that writes kernel events to QuestDB over ILP/HTTP.

Rows are buffered and sent in the background when the buffer grows large, and at every
epoch's snapshot, which waits for QuestDB's acknowledgement of everything sent: Bytewax
commits an epoch only after its rows are durable, so a crash loses nothing, and DEDUP keys
make the replayed rows harmless.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from bytewax.outputs import FixedPartitionedSink, StatefulSinkPartition
from questdb import Sender

from nashipai.config import Settings
from nashipai.events import Event
from nashipai.names import TABLE_FOR_EVENT
from nashipai.questdb import ilp_conf, write_events
from pipelines.columnar import EventFrame

FLUSH_ROWS = 50_000  # rows buffered before a background flush


Rows = Sequence[Event] | EventFrame


class _Writer(StatefulSinkPartition[Rows, None]):
    """Fills one ILP buffer while the other is being flushed by a background thread.

    The questdb client releases the GIL while it waits for QuestDB, so decoding the next batch
    overlaps the database's ingestion of the last one. At most one flush is in flight, which
    bounds memory to two buffers and pushes back on the input when QuestDB is slower.
    """

    def __init__(self, settings: Settings, table_names: dict[type[Event], str]) -> None:
        self._sender = Sender.from_conf(ilp_conf(settings, auto_flush=False))
        self._sender.establish()
        self._buffer = self._sender.new_buffer()
        self._spare = self._sender.new_buffer()
        self._tables = table_names
        self._pending = 0
        self._flusher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="questdb-flush")
        self._in_flight: Future[None] | None = None

    def write_batch(self, items: list[Rows]) -> None:
        for rows in items:
            if isinstance(rows, EventFrame):
                table = TABLE_FOR_EVENT[rows.event]
                self._buffer.dataframe(rows.to_pandas(), table_name=self._tables.get(rows.event, table.name),
                                       symbols=list(table.symbols), at="ts")
                self._pending += len(rows)
            elif rows:
                self._pending += write_events(self._buffer, rows, table_name=self._tables.get(type(rows[0])))
        if self._pending >= FLUSH_ROWS:
            self._send()

    def _send(self) -> None:
        self._wait()
        buffer, self._buffer, self._spare = self._buffer, self._spare, self._buffer
        self._in_flight = self._flusher.submit(self._sender.flush, buffer)  # clears the buffer when sent
        self._pending = 0

    def _wait(self) -> None:
        if self._in_flight is not None:
            flushing, self._in_flight = self._in_flight, None
            # A refused write raises here and stops the dataflow rather than losing rows.
            flushing.result()

    def snapshot(self) -> None:
        # Bytewax commits the epoch after this returns: every row before it is acknowledged.
        if self._pending:
            self._send()
        self._wait()

    def close(self) -> None:
        try:
            self.snapshot()
        finally:
            self._flusher.shutdown()
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
