"""Process logs: one run a file, the previous run kept beside it."""

from __future__ import annotations

from pathlib import Path

from nashipai.services import fresh_log


def test_each_start_gets_a_fresh_log_and_keeps_only_the_previous_run(tmp_path: Path) -> None:
    path = tmp_path / "logs" / "kafka.log"
    for run in ("first", "second", "third"):
        with fresh_log(path) as log:
            log.write(f"{run} run\n".encode())
    assert path.read_text() == "third run\n"
    assert (tmp_path / "logs" / "kafka.log.1").read_text() == "second run\n"
    assert sorted(p.name for p in path.parent.iterdir()) == ["kafka.log", "kafka.log.1"]
