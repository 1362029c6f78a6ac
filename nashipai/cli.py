"""The ``nashipai`` command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table as RichTable

from nashipai.config import Settings, load_settings

app = typer.Typer(help="Nashipai: real-time streaming analytics and execution for trading.",
                  no_args_is_help=True, pretty_exceptions_show_locals=False)
services_app = typer.Typer(help="The local Kafka and QuestDB (JVM processes, no Docker).", no_args_is_help=True)
db_app = typer.Typer(help="QuestDB tables.", no_args_is_help=True)
app.add_typer(services_app, name="services")
app.add_typer(db_app, name="db")


def _mount_services() -> None:
    # Services register their own sub-commands; imported lazily inside each command.
    from connectors.cli import connect
    from connectors.simulator.cli import app as sim_app
    from pipelines.cli import app as pipeline_app
    from pipelines.cli import replay

    app.add_typer(pipeline_app, name="pipeline")
    app.add_typer(sim_app, name="sim")
    app.command("connect")(connect)
    app.command("replay")(replay)


_mount_services()

console = Console()
err_console = Console(stderr=True)


def _settings() -> Settings:
    try:
        return load_settings()
    except ValueError as error:
        err_console.print(f"[red]invalid settings:[/red] {error}")
        raise typer.Exit(2) from None


def _fail(error: Exception) -> typer.Exit:
    err_console.print(f"[red]error:[/red] {error}")
    return typer.Exit(1)


def _print_status(settings: Settings) -> bool:
    from nashipai.services import LocalStack

    table = RichTable(title=f"services of {settings.data_dir.resolve()}")
    for column in ("service", "state", "pid", "address", "detail"):
        table.add_column(column)
    healthy = True
    for status in LocalStack(settings).status():
        state = "[green]healthy[/green]" if status.healthy else (
            "[yellow]unhealthy[/yellow]" if status.running else "[red]stopped[/red]")
        healthy &= status.healthy
        table.add_row(status.name, state, str(status.pid or "-"), status.address, status.detail)
    console.print(table)
    return healthy


@services_app.command("up")
def services_up() -> None:
    """Fetch the jars if missing, start Kafka and QuestDB, wait until both answer."""
    from nashipai.services import LocalStack, ServiceError

    settings = _settings()
    try:
        outcome = LocalStack(settings).up()
    except ServiceError as error:
        raise _fail(error) from None
    for name, what in outcome.items():
        console.print(f"{name}: {what}")
    _print_status(settings)


@services_app.command("down")
def services_down() -> None:
    """Stop the Kafka and QuestDB processes that `services up` started."""
    from nashipai.services import LocalStack

    for name, what in LocalStack(_settings()).down().items():
        console.print(f"{name}: {what}")


@services_app.command("status")
def services_status() -> None:
    """Report whether Kafka and QuestDB run and answer; exit 1 if either does not."""
    if not _print_status(_settings()):
        raise typer.Exit(1)


@db_app.command("migrate")
def db_migrate() -> None:
    """Create every QuestDB table and Kafka topic that is missing (idempotent)."""
    from nashipai import kafka, questdb

    settings = _settings()
    tables = questdb.migrate(settings)
    created = kafka.ensure_topics(settings)
    console.print(f"tables ready: {', '.join(tables)}")
    console.print(f"topics created: {', '.join(created) or 'none (all existed)'}")


@app.command("schema")
def schema(
    out: Annotated[Path | None, typer.Option(help="write one <Event>.json per event into this folder")] = None,
) -> None:
    """Print (or write) the JSON Schema of every event on the topics."""
    import json

    from nashipai.schema import event_schemas, write_schemas

    if out is None:
        console.print_json(json.dumps(event_schemas()))
    else:
        for path in write_schemas(out):
            console.print(f"wrote {path}")


@app.command("tail")
def tail(
    topic: Annotated[str, typer.Argument(help="a topic name, e.g. md.trades")],
    count: Annotated[int, typer.Option(help="stop after this many messages (0: never)")] = 0,
    from_beginning: Annotated[bool, typer.Option(help="start at the earliest offset")] = False,
) -> None:
    """Print a topic's messages as JSON lines."""
    import uuid

    from nashipai.kafka import consumer

    settings = _settings()
    reset = "earliest" if from_beginning else "latest"
    client = consumer(settings, f"nashipai-tail-{uuid.uuid4().hex[:8]}", [topic], **{"auto.offset.reset": reset})
    seen = 0
    try:
        while count == 0 or seen < count:
            message = client.poll(1.0)
            if message is None or message.error():
                continue
            key = message.key().decode() if message.key() else ""
            console.print(f"{key}\t{message.value().decode()}", markup=False, highlight=False, soft_wrap=True)
            seen += 1
    except KeyboardInterrupt:
        pass
    finally:
        client.close()


@app.command("up")
def up(
    exchange: Annotated[str | None, typer.Option(help="a live exchange (e.g. binance); default: the local simulator")]
    = None,
    symbols: Annotated[str, typer.Option(help="normalised symbols, comma-separated")] = "BTC-USDT,ETH-USDT",
    strategies: Annotated[Path | None, typer.Option(help="strategy config (TOML); default: the built-ins")] = None,
    duration: Annotated[float | None, typer.Option("--for", help="stop after this many seconds")] = None,
    services_only: Annotated[bool, typer.Option(help="start Kafka and QuestDB, create tables, and return")] = False,
) -> None:
    """Run the whole product: services, simulator (or a live exchange), connector, dataflows."""
    from nashipai import supervisor

    services_up()
    db_migrate()
    settings = _settings()
    console.print(
        "\nQuery QuestDB: [bold]psql -h 127.0.0.1 -p "
        f"{settings.questdb_pg_port} -U {settings.questdb.readonly_user} qdb[/bold] "
        f"(password: readonly_password in {settings.credentials_file})\n"
        "Tail a topic:  [bold]nashipai tail md.trades[/bold] (or bars, signals, md.data_quality)\n"
    )
    if services_only:
        return
    children = supervisor.plan(exchange, symbols, strategies=strategies)
    if supervisor.run(settings, children, console, duration):
        raise typer.Exit(1)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
