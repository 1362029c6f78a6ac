"""QuestDB helpers: credentials, ILP-over-HTTP writes, PostgreSQL-wire queries, migrations.

Writes go over ILP/HTTP, where every flush is acknowledged by the server: an error raises
(:class:`questdb.SenderError`), never drops rows silently. Reads go over the
PostgreSQL wire protocol with psycopg; history comes back as polars frames.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import psycopg
from questdb import Sender, TimestampNanos

from nashipai.config import Settings
from nashipai.events import Event
from nashipai.names import TABLE_FOR_EVENT, TABLES, Table, namespaced_table


class MissingCredentialsError(RuntimeError):
    """No QuestDB password is configured and the local stack has not generated one."""


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str
    readonly_user: str
    readonly_password: str


def generate_credentials(settings: Settings) -> Credentials:
    """Create random QuestDB credentials for the local stack (once), stored 0600 under the data folder."""
    path = settings.credentials_file
    if path.exists():
        return load_credentials(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    credentials = Credentials(
        user=settings.questdb.user,
        password=secrets.token_urlsafe(24),
        readonly_user=settings.questdb.readonly_user,
        readonly_password=secrets.token_urlsafe(24),
    )
    path.touch(mode=0o600)
    path.write_text(json.dumps(credentials.__dict__))
    return credentials


def load_credentials(settings: Settings) -> Credentials:
    """Credentials from settings (``NASHIPAI_QUESTDB__PASSWORD``) or the local stack's file."""
    config = settings.questdb
    if config.password is not None:
        readonly = config.readonly_password or config.password
        return Credentials(
            config.user, config.password.get_secret_value(), config.readonly_user, readonly.get_secret_value()
        )
    path: Path = settings.credentials_file
    if not path.exists():
        raise MissingCredentialsError(
            f"no QuestDB password: set NASHIPAI_QUESTDB__PASSWORD for a remote QuestDB, "
            f"or run `nashipai services up` to start the local stack (it writes {path})"
        )
    data = json.loads(path.read_text())
    return Credentials(**data)


def ilp_conf(settings: Settings, auto_flush_rows: int | None = None, auto_flush: bool = True) -> str:
    """The ILP-over-HTTP configuration string of the questdb client.

    With ``auto_flush=False`` rows leave only on an explicit ``flush()``, which a caller
    that must know its rows are durable (a dataflow sink) wants.
    """
    credentials = load_credentials(settings)
    rows = auto_flush_rows or settings.questdb.auto_flush_rows
    flushing = f"auto_flush_rows={rows};auto_flush_interval=1000;" if auto_flush else "auto_flush=off;"
    return (
        f"http::addr={settings.questdb.host}:{settings.questdb_http_port};"
        f"username={credentials.user};password={credentials.password};"
        f"{flushing}retry_timeout=10000;"
    )


@contextmanager
def ilp_sender(settings: Settings, auto_flush_rows: int | None = None) -> Iterator[Sender]:
    """An open ILP/HTTP sender; flushes on exit, raising if the server refused anything."""
    with Sender.from_conf(ilp_conf(settings, auto_flush_rows)) as sender:
        yield sender


def write_events(sender: Any, events: Iterable[Event], table: Table | None = None,
                 table_name: str | None = None) -> int:
    """Append events as ILP rows (into each event type's table unless one is given); returns the count.

    ``sender`` is a ``Sender`` or a buffer from ``Sender.new_buffer()``.

    Rows are buffered; the sender flushes per its auto-flush settings and on close.
    """
    count = 0
    for event in events:
        spec = table or TABLE_FOR_EVENT[type(event)]
        symbols, columns = spec.row(event)
        sender.row(
            table_name or spec.name,
            symbols=symbols,
            columns=columns,
            at=TimestampNanos(event.ts_event),  # type: ignore[attr-defined]
        )
        count += 1
    return count


def connect(settings: Settings, readonly: bool = False, autocommit: bool = True) -> psycopg.Connection[Any]:
    """A PostgreSQL-wire connection to QuestDB (the read-only user when ``readonly``)."""
    credentials = load_credentials(settings)
    return psycopg.connect(
        host=settings.questdb.host,
        port=settings.questdb_pg_port,
        user=credentials.readonly_user if readonly else credentials.user,
        password=credentials.readonly_password if readonly else credentials.password,
        dbname=settings.questdb.database,
        autocommit=autocommit,
    )


def query(settings: Settings, sql: str, params: Sequence[Any] | None = None,
          readonly: bool = False) -> list[tuple[Any, ...]]:
    """Run one SQL statement and return its rows."""
    with connect(settings, readonly=readonly) as connection, connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def query_frame(settings: Settings, sql: str, params: Sequence[Any] | None = None) -> pl.DataFrame:
    """Run a query and return a polars frame (history is read in bulk, never row by row)."""
    with connect(settings, readonly=True) as connection, connection.cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.description is None:
            return pl.DataFrame()
        names = [column.name for column in cursor.description]
        return pl.DataFrame(cursor.fetchall(), schema=names, orient="row")


def migrate(settings: Settings, tables: Iterable[Table] | None = None, namespace: str | None = None) -> list[str]:
    """Create every table (idempotent: ``CREATE TABLE IF NOT EXISTS``); returns the names.

    With a ``namespace`` the tables are ``<name>_<namespace>`` (replays, tests).
    """
    chosen = list(tables if tables is not None else TABLES.values())
    names = [namespaced_table(table.name, namespace) for table in chosen]
    with connect(settings) as connection:
        for table, name in zip(chosen, names, strict=True):
            connection.execute(table.ddl(name))
    return names


def wait_for_wal(settings: Settings, table: str, timeout: float = 60.0) -> None:
    """Wait until QuestDB has applied every committed WAL transaction of ``table``.

    Raises:
        TimeoutError: the table did not catch up (or is suspended: see ``wal_tables()``).
    """
    import time

    deadline = time.monotonic() + timeout
    sql = "SELECT suspended, writerTxn, sequencerTxn FROM wal_tables() WHERE name = %s"
    while time.monotonic() < deadline:
        rows = query(settings, sql, (table,))
        if rows and rows[0][0]:
            raise RuntimeError(f"WAL table {table} is suspended; see the QuestDB log and `wal_tables()`")
        if rows and rows[0][1] == rows[0][2]:
            return
        time.sleep(0.1)
    raise TimeoutError(f"QuestDB did not apply the WAL of {table} within {timeout}s")


def wait_for_rows(settings: Settings, table: str, expected: int, timeout: float = 60.0,
                  where: str = "") -> int:
    """Poll ``count()`` until it reaches ``expected`` (WAL tables apply asynchronously)."""
    import time

    deadline = time.monotonic() + timeout
    count = -1
    while time.monotonic() < deadline:
        count = int(query(settings, f"SELECT count() FROM {table} {where}")[0][0])
        if count >= expected:
            return count
        time.sleep(0.2)
    return count
