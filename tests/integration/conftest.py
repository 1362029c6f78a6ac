"""Fixtures for tests against the real Kafka and QuestDB of the test stack."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import pytest
from confluent_kafka.admin import AdminClient

from nashipai import kafka, questdb
from nashipai.config import Settings, load_settings
from nashipai.names import Table
from nashipai.namespaces import create_namespace, drop_namespace
from nashipai.services import LocalStack


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/integration" in str(item.path):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def settings() -> Settings:
    return load_settings()


@pytest.fixture(scope="session")
def stack(settings: Settings) -> Iterator[LocalStack]:
    local = LocalStack(settings)
    outcome = local.up()
    questdb.migrate(settings)
    kafka.ensure_topics(settings)
    yield local
    started_here = "started" in outcome.values()
    if started_here and os.environ.get("NASHIPAI_KEEP_TEST_STACK") != "1":
        local.down()


@pytest.fixture
def topic_factory(settings: Settings, stack: LocalStack) -> Iterator[Callable[..., str]]:
    """Makes uniquely named topics, deleted after the test."""
    created: list[str] = []

    def make(prefix: str = "test", partitions: int = 3) -> str:
        name = f"{prefix}.{uuid.uuid4().hex[:10]}"
        kafka.ensure_topics(settings, [name], partitions=partitions)
        created.append(name)
        return name

    yield make
    if created:
        client = AdminClient({"bootstrap.servers": settings.bootstrap_servers})
        for future in client.delete_topics(created, operation_timeout=30).values():
            future.result(30)


@pytest.fixture
def questdb_table(settings: Settings, stack: LocalStack) -> Iterator[Callable[[Table], str]]:
    """Creates a uniquely named copy of a table spec, dropped after the test."""
    created: list[str] = []

    def make(spec: Table) -> str:
        name = f"test_{spec.name}_{uuid.uuid4().hex[:10]}"
        questdb.query(settings, spec.ddl(name))
        created.append(name)
        return name

    yield make
    for name in created:
        questdb.query(settings, f"DROP TABLE IF EXISTS {name}")


@pytest.fixture
def namespace(settings: Settings, stack: LocalStack) -> Iterator[str]:
    """A fresh namespace: every topic as ``<topic>.<ns>`` and every table as ``<table>_<ns>``."""
    ns = f"t{uuid.uuid4().hex[:10]}"
    create_namespace(settings, ns)
    yield ns
    drop_namespace(settings, ns)
