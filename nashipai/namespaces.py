"""Namespaces: a private copy of every topic (``<topic>.<ns>``) and table (``<table>_<ns>``).

Tests, benchmarks and replays work in namespaces so they never touch the live data. Dropping
a namespace matters: each one adds a partition directory per topic partition to the broker,
and a broker holding thousands of idle partitions serves the live ones more slowly.
"""

from __future__ import annotations

from confluent_kafka.admin import AdminClient

from nashipai import kafka, questdb
from nashipai.config import Settings
from nashipai.names import TABLES, Topic, namespaced_table, namespaced_topic


def create_namespace(settings: Settings, namespace: str) -> None:
    """Create the namespace's topics and tables (idempotent)."""
    kafka.ensure_topics(settings, [namespaced_topic(topic, namespace) for topic in Topic])
    questdb.migrate(settings, namespace=namespace)


def drop_namespace(settings: Settings, namespace: str, extra_topics: list[str] | None = None) -> None:
    """Delete the namespace's topics (and ``extra_topics``) and drop its tables.

    Raises:
        KafkaException: the broker refused a deletion (a topic that does not exist is fine).
    """
    client = AdminClient({"bootstrap.servers": settings.bootstrap_servers})
    existing = set(client.list_topics(timeout=30).topics)
    topics = [namespaced_topic(topic, namespace) for topic in Topic] + list(extra_topics or [])
    doomed = [topic for topic in topics if topic in existing]
    for future in (client.delete_topics(doomed, operation_timeout=30).values() if doomed else []):
        future.result(30)
    for table in TABLES.values():
        questdb.query(settings, f"DROP TABLE IF EXISTS {namespaced_table(table.name, namespace)}")
