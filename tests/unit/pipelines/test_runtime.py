"""``pipelines.runtime.run``: Ctrl-C wherever it lands is a clean stop; other errors are not."""

from __future__ import annotations

from typing import Any

import bytewax.operators as op
import pytest
from bytewax.dataflow import Dataflow
from bytewax.outputs import FixedPartitionedSink, StatefulSinkPartition
from bytewax.testing import TestingSource

from nashipai.config import Settings
from pipelines import runtime


class _Part(StatefulSinkPartition[int, None]):
    def __init__(self, error: BaseException, written: list[int]) -> None:
        self._error = error
        self._written = written

    def write_batch(self, values: list[int]) -> None:
        if 3 in values:
            raise self._error
        self._written += values

    def snapshot(self) -> None:
        return None


class _Sink(FixedPartitionedSink[int, None]):
    """One partition that raises ``error`` on the item 3, as a sink interrupted mid-write does."""

    def __init__(self, error: BaseException, written: list[int]) -> None:
        self._error = error
        self._written = written

    def list_parts(self) -> list[str]:
        return ["only"]

    def part_fn(self, item_key: str) -> int:
        return 0

    def build_part(self, step_id: str, for_part: str, resume_state: Any) -> _Part:
        return _Part(self._error, self._written)


def _flow(error: BaseException, written: list[int]) -> Dataflow:
    flow = Dataflow("runtime_test")
    numbers = op.input("numbers", flow, TestingSource(list(range(6)), batch_size=1))
    op.output("sink", op.key_on("key", numbers, lambda _: "k"), _Sink(error, written))
    return flow


def test_ctrl_c_inside_a_partitioned_sink_is_a_clean_stop(tmp_path: Any) -> None:
    written: list[int] = []
    # Bytewax hands this KeyboardInterrupt back unwrapped (the store's QuestDB sink is such a sink).
    runtime.run(_flow(KeyboardInterrupt(), written), Settings(data_dir=tmp_path), "runtime_test",
                runtime.RunOptions(recovery=False), production=False)
    assert written == [0, 1, 2]  # stopped where the interrupt landed


def test_an_error_inside_a_sink_still_fails_the_run(tmp_path: Any) -> None:
    with pytest.raises(RuntimeError, match="QuestDB refused"):
        runtime.run(_flow(RuntimeError("QuestDB refused"), []), Settings(data_dir=tmp_path), "runtime_test",
                    runtime.RunOptions(recovery=False), production=False)
