"""``nashipai sim``: run the local exchange simulator until Ctrl-C, ``--max-trades`` or ``--duration``."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

from connectors.simulator.config import DEFAULT_REST_PORT, DEFAULT_WS_PORT, SimulatorConfig
from connectors.simulator.faults import parse_fault_spec
from connectors.simulator.instruments import parse_symbol_list
from connectors.simulator.model import ModelParams
from connectors.simulator.simulator import Simulator
from connectors.simulator.stats import SimulatorStats

app = typer.Typer(help="Local Binance-spot- and Coinbase-compatible exchange simulator.", no_args_is_help=False)
console = Console()


def _live_line(stats: SimulatorStats, rate: float) -> Text:
    parts = [
        f"{symbol} {counts.trades_emitted:,} (id {counts.last_trade_id})" for symbol, counts in stats.symbols.items()
    ]
    return Text(
        "  ".join(parts)
        + f"  | {rate:,.0f} trades/s | ws {stats.connections} open, {stats.frames_sent:,} frames"
        + f" | faults {len(stats.faults)}"
    )


def _summary(stats: SimulatorStats) -> Table:
    table = Table(title=f"simulator summary ({stats.uptime_seconds:.1f} s)")
    for column in ("symbol", "trades emitted", "skipped on ws", "quotes", "last trade id"):
        table.add_column(column, justify="right" if column != "symbol" else "left")
    for symbol, counts in stats.symbols.items():
        table.add_row(
            symbol, f"{counts.trades_emitted:,}", f"{counts.trades_skipped:,}",
            f"{counts.quotes_emitted:,}", str(counts.last_trade_id),
        )  # fmt: skip
    table.caption = (
        f"{stats.connections_total} ws connections, {stats.frames_sent:,} frames sent, "
        f"{len(stats.faults)} faults applied, {stats.slow_consumers_cut} slow consumers cut"
    )
    return table


async def _run(config: SimulatorConfig, live: bool, linger: float) -> SimulatorStats:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with Simulator(config) as simulator:
        console.print(
            f"[bold]simulator[/] websocket [cyan]{simulator.ws_base_url}/ws/<symbol>@trade[/]"
            f"  rest [cyan]{simulator.rest_base_url}/api/v3/...[/]"
            f"  coinbase [cyan]{simulator.ws_base_url}/coinbase[/], [cyan]{simulator.rest_base_url}/coinbase/...[/]"
            f"  control [cyan]{simulator.rest_base_url}/sim/stats[/] (Ctrl-C stops)"
        )
        ended = asyncio.create_task(simulator.wait_done())
        stopped = asyncio.create_task(stop.wait())
        with Live(console=console, refresh_per_second=4, transient=True) if live else contextlib.nullcontext() as view:
            last_total, last_time = 0, time.monotonic()
            while not (ended.done() or stopped.done()):
                await asyncio.wait({ended, stopped}, timeout=0.5)
                stats = simulator.stats()
                total = sum(counts.trades_emitted for counts in stats.symbols.values())
                now = time.monotonic()
                rate, last_total, last_time = (total - last_total) / (now - last_time), total, now
                if isinstance(view, Live):
                    view.update(_live_line(stats, rate))
        if ended.done() and linger != 0:
            console.print(f"done generating; serving {'until Ctrl-C' if linger < 0 else f'{linger:g} s more'}")
            await asyncio.wait({stopped}, timeout=None if linger < 0 else linger)
        ended.cancel()
        stopped.cancel()
    return simulator.stats()


@app.callback(invoke_without_command=True)
def run(
    symbols: Annotated[str, typer.Option(help="Comma-separated BASE-QUOTE symbols, optionally =start price.")] = (
        "BTC-USDT,ETH-USDT"
    ),
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    ws_port: Annotated[int, typer.Option(help="Websocket port (0: any free port).")] = DEFAULT_WS_PORT,
    rest_port: Annotated[int, typer.Option(help="REST port (0: any free port).")] = DEFAULT_REST_PORT,
    rate: Annotated[float, typer.Option(help="Mean trades per second per symbol.")] = 10.0,
    seed: Annotated[int, typer.Option(help="Seed of the market model.")] = 7,
    volatility: Annotated[float, typer.Option(help="Annualised volatility of the mid price.")] = 0.6,
    branching: Annotated[float, typer.Option(help="Burstiness: Hawkes branching ratio in [0, 1).")] = 0.6,
    replay: Annotated[Path | None, typer.Option(help="Replay this JSON-lines trade file instead.")] = None,
    speed: Annotated[float, typer.Option(help="Replay speed-up factor.")] = 1.0,
    max_trades: Annotated[int | None, typer.Option(help="Stop after this many trades per symbol.")] = None,
    duration: Annotated[float | None, typer.Option(help="Stop after this many seconds.")] = None,
    fault: Annotated[
        list[str] | None,
        typer.Option(
            help="Scheduled fault KIND:ARG@WHEN/EVERY (ARG and /EVERY optional), e.g. drop@10s, stall:5@20s, "
            "skip_ids:100@5s/30s, malformed:missing_field@3s. Repeatable."
        ),
    ] = None,
    history_size: Annotated[int, typer.Option(help="Trades kept per symbol for REST.")] = 100_000,
    start_on_subscribe: Annotated[
        bool, typer.Option(help="Hold the market until a websocket client first subscribes.")
    ] = False,
    linger: Annotated[
        float, typer.Option(help="Seconds to keep serving once --max-trades/--duration is reached (-1: until Ctrl-C).")
    ] = 1.0,
    live: Annotated[bool, typer.Option(help="Show a live line of counts.")] = True,
) -> None:
    """Serve Binance's spot websocket streams and public REST endpoints from a simulated market."""
    try:
        config = SimulatorConfig(
            instruments=tuple(parse_symbol_list(symbols)),
            host=host,
            ws_port=ws_port,
            rest_port=rest_port,
            model=ModelParams(rate=rate, volatility=volatility, branching=branching),
            seed=seed,
            replay=replay,
            speed=speed,
            max_trades=max_trades,
            duration=duration,
            history_size=history_size,
            faults=tuple(parse_fault_spec(spec) for spec in fault or []),
            start_on_subscribe=start_on_subscribe,
        )
    except ValueError as error:
        raise typer.BadParameter(str(error)) from error
    stats = asyncio.run(_run(config, live, linger))
    console.print(_summary(stats))
