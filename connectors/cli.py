"""``nashipai connect``: stream one exchange's trades and quotes into Kafka until Ctrl-C.

Examples::

    nashipai connect --exchange binance --symbols BTC-USDT,ETH-USDT
    nashipai connect --exchange binance --symbols BTC-USDT \\
        --url ws://127.0.0.1:9443/stream --rest-url http://127.0.0.1:9444 --namespace dev
    nashipai connect --exchange kucoin --symbols BTC-USDT        # not native: ccxt.pro

SIGINT or SIGTERM stops it gracefully: running backfills get a moment to finish and the
producer is flushed. On a terminal a status line shows messages/s, reconnects and gaps.
"""

from __future__ import annotations

import asyncio
import gc
import signal
import time
from collections.abc import Callable
from typing import Annotated, Any

import typer
from confluent_kafka import KafkaException
from rich.console import Console
from rich.live import Live
from rich.text import Text

from connectors.errors import ConnectorError
from connectors.registry import VENUES
from connectors.runner import Connector, ConnectorStats, RunnerOptions, build_connector
from connectors.venues.common import Channel
from connectors.venues.timestamps import iso_to_ns_many
from nashipai import metrics
from nashipai.config import load_settings
from nashipai.kafka import DeliveryError
from nashipai.names import check_namespace

app = typer.Typer(help="Exchange connectors: venue websockets (or ccxt.pro) -> Kafka.", no_args_is_help=True)
console = Console()
err_console = Console(stderr=True)


@app.callback()
def _connectors() -> None:
    """Exchange connectors: venue websockets (or ccxt.pro) -> Kafka."""


def rest_config_for(
    exchange: str, rest_url: str | None, ws_url: str | None, api_key: str | None
) -> dict[str, Any] | None:
    """The ccxt config of the backfill client: pointed at ``rest_url`` (the simulator) if given.

    Raises:
        typer.BadParameter: ``--rest-url`` for a venue the simulator does not speak.
    """
    config: dict[str, Any] = {}
    if rest_url is not None:
        if exchange == "binance":
            from connectors.simulator import binance_client_config

            ws_base = (ws_url or rest_url.replace("http", "ws", 1)).split("/stream")[0].split("/ws")[0]
            config = binance_client_config(rest_url, ws_base)
        elif exchange == "coinbase":
            from connectors.simulator import coinbase_client_config

            config = coinbase_client_config(rest_url)
        elif exchange == "kraken":
            from connectors.simulator import kraken_client_config

            config = kraken_client_config(rest_url)
        elif exchange == "okx":
            from connectors.simulator import okx_client_config

            config = okx_client_config(rest_url)
        else:
            raise typer.BadParameter(
                "--rest-url is supported for binance, coinbase, kraken and okx (the simulator's REST dialects) only",
                param_hint="--rest-url",
            )
    if api_key:
        config["apiKey"] = api_key
    return config or None


def status_line(stats: ConnectorStats, published: int, rate: float) -> Text:
    """The one-line status: connection, messages/s, events, reconnects, gaps, backfills, stale periods."""
    state = "[green]connected[/green]" if stats.connected else "[yellow]reconnecting[/yellow]"
    return Text.from_markup(
        f"{state} | {rate:,.0f} msg/s | {stats.messages:,} messages, {published:,} events | "
        f"reconnects {stats.reconnects} | gaps {stats.gaps} ({stats.missing:,} ids, {stats.backfilled:,} backfilled)"
        f" | stale {stats.stale} | decode errors {stats.decode_errors}"
    )


async def _watch(connector: Connector, task: asyncio.Task[None]) -> None:
    last_count, last_time = 0, time.monotonic()
    with Live(console=console, refresh_per_second=4, transient=False) as live:
        while not task.done():
            await asyncio.wait({task}, timeout=0.5)
            now = time.monotonic()
            rate = (connector.stats.messages - last_count) / max(now - last_time, 1e-9)
            last_count, last_time = connector.stats.messages, now
            counts = connector.publisher.counts
            live.update(status_line(connector.stats, counts.trades + counts.quotes, rate))


async def _run(build: Callable[[], Connector], show_status: bool) -> Connector:
    connector = build()  # inside the loop: the ccxt clients bind to it
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    task = asyncio.create_task(connector.run(stop))
    try:
        if show_status:
            await _watch(connector, task)
        await task
    finally:
        await connector.close()
    return connector


@app.command("connect")
def connect(
    exchange: Annotated[str, typer.Option(help=f"venue: native ({', '.join(sorted(VENUES))}) or any ccxt.pro id")],
    symbols: Annotated[str, typer.Option(help="comma-separated normalised symbols, e.g. BTC-USDT,ETH-USDT")],
    url: Annotated[str | None, typer.Option(help="websocket URL, e.g. ws://127.0.0.1:9443/stream")] = None,
    rest_url: Annotated[str | None, typer.Option(help="REST base for backfill, e.g. http://127.0.0.1:9444")] = None,
    rest_api_key: Annotated[
        str | None, typer.Option(envvar="NASHIPAI_CONNECTOR_API_KEY", help="Binance key: backfill by historicalTrades")
    ] = None,
    namespace: Annotated[str | None, typer.Option(help="write to <topic>.<namespace>")] = None,
    channels: Annotated[str, typer.Option(help="comma-separated: trades, quotes")] = "trades,quotes",
    stale_after: Annotated[float, typer.Option(min=0.1, help="seconds without a message before reconnecting")] = 10.0,
    backfill: Annotated[bool, typer.Option(help="backfill trade-id gaps over REST")] = True,
    metrics_port: Annotated[int | None, typer.Option(help="serve Prometheus metrics on 127.0.0.1:PORT")] = None,
    status: Annotated[bool | None, typer.Option(help="status line (default: when on a terminal)")] = None,
) -> None:
    """Stream an exchange's trades and best bid/ask into Kafka (md.trades, md.quotes, md.data_quality)."""
    symbol_list = [symbol.strip() for symbol in symbols.split(",") if symbol.strip()]
    try:
        channel_set = tuple(Channel(name.strip()) for name in channels.split(",") if name.strip())
        if namespace is not None:
            check_namespace(namespace)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None
    options = RunnerOptions(channels=channel_set, stale_after=stale_after, backfill=backfill)
    settings = load_settings()
    rest_config = rest_config_for(exchange, rest_url, url, rest_api_key)

    def build() -> Connector:
        return build_connector(
            settings, exchange, symbol_list, url=url, namespace=namespace, options=options, rest_config=rest_config
        )

    metrics.serve(metrics_port)
    iso_to_ns_many(["2024-01-01T00:00:00.000Z"])  # loads the numba kernel now, not on the first live batch
    gc.collect()
    gc.freeze()  # modules and settings are long-lived: keep them out of the collector's passes
    try:
        connector = asyncio.run(_run(build, console.is_terminal if status is None else status))
    except (ConnectorError, DeliveryError, KafkaException, KeyError, ValueError) as error:
        err_console.print(f"[red]stopped:[/red] {error}")
        raise typer.Exit(1) from None
    stats, counts = connector.stats, connector.publisher.counts
    console.print(
        f"published {counts.trades:,} trades, {counts.quotes:,} quotes, {counts.data_quality} data-quality events, "
        f"{counts.dead_letters} dead letters; {stats.reconnects} reconnects, {stats.gaps} gaps, "
        f"{stats.backfilled:,} trades backfilled"
    )
