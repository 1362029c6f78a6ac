"""`nashipai services`: idempotent up, exact down, status, and clear port errors.

These run a second, throwaway stack (own data folder and ports) so they never touch the
test stack the other integration tests share.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from nashipai.config import ServicesSettings, Settings
from nashipai.services import LocalStack, ServiceError, port_is_free


def _settings(data_dir: Path, base: int, jars_dir: Path) -> Settings:
    services = ServicesSettings(
        kafka_port=base, kafka_controller_port=base + 1, questdb_http_port=base + 2,
        questdb_pg_port=base + 3, questdb_ilp_port=base + 4, questdb_min_http_port=base + 5,
        kafka_heap="256m", questdb_heap="512m", jars_dir=jars_dir,
    )
    return Settings(data_dir=data_dir, services=services)


@pytest.fixture
def throwaway(tmp_path: Path, settings: Settings) -> Iterator[LocalStack]:
    stack = LocalStack(_settings(tmp_path / "data", 39100, settings.services.jars_dir))
    yield stack
    stack.down()


def test_up_twice_starts_nothing_new_and_down_stops_exactly_those(throwaway: LocalStack) -> None:
    assert throwaway.up() == {"kafka": "started", "questdb": "started"}
    pids = {name: throwaway.pid(name) for name in ("kafka", "questdb")}
    assert all(pids.values())
    assert "] Using G1" in throwaway.log_file("kafka-gc").read_text()  # the broker logs its GC pauses

    assert throwaway.up() == {"kafka": "already running", "questdb": "already running"}
    assert {name: throwaway.pid(name) for name in ("kafka", "questdb")} == pids
    assert all(status.healthy for status in throwaway.status())

    assert throwaway.down() == {"kafka": "stopped", "questdb": "stopped"}
    statuses = throwaway.status()
    assert [(s.name, s.running, s.healthy) for s in statuses] == [("kafka", False, False), ("questdb", False, False)]
    assert throwaway.down() == {"kafka": "not running", "questdb": "not running"}


def test_port_taken_by_another_process_is_a_clear_error(tmp_path: Path, settings: Settings) -> None:
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    port = blocker.getsockname()[1]
    base = _settings(tmp_path / "data", 39200, settings.services.jars_dir)
    taken = Settings(data_dir=base.data_dir, services=base.services.model_copy(update={"kafka_port": port}))
    try:
        with pytest.raises(ServiceError, match=f"port {port} .*already in use.*NASHIPAI_SERVICES__KAFKA_PORT"):
            LocalStack(taken).up()
    finally:
        blocker.close()
        LocalStack(taken).down()


def test_a_port_left_in_time_wait_by_a_stop_is_free_a_listening_one_is_not() -> None:
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = server.accept()
    assert not port_is_free(port)  # listening
    accepted.close()  # the server side closes first: its end stays in TIME_WAIT on `port`
    client.close()
    server.close()
    assert port_is_free(port)  # as after `services down`, `services up` may bind it again
