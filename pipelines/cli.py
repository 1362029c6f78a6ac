"""``nashipai pipeline ...``: run the dataflows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from nashipai.config import load_settings
from nashipai.metrics import serve
from nashipai.names import check_namespace
from pipelines.runtime import RunOptions, run

if TYPE_CHECKING:
    from pipelines.signals import SignalsOptions

app = typer.Typer(help="Run the Bytewax dataflows.", no_args_is_help=True)

Namespace = Annotated[str | None, typer.Option(help="read <topic>.<ns>, write <table>_<ns> (replays, tests)")]
NoRecovery = Annotated[bool, typer.Option("--no-recovery", help="development only: run without snapshots")]
Snapshot = Annotated[float, typer.Option(help="seconds between recovery snapshots (Bytewax epoch length)")]
SignalSnapshot = Annotated[float, typer.Option(
    help="seconds between recovery snapshots: each pauses the signal path for milliseconds, "
         "and a restart replays at most this much input")]
Workers = Annotated[int, typer.Option(min=1, help="worker threads in this process")]
MetricsPort = Annotated[int | None, typer.Option(help="serve Prometheus metrics on this port")]


@app.command("store")
def store(namespace: Namespace = None, no_recovery: NoRecovery = False, snapshot_interval: Snapshot = 1.0,
          workers: Workers = 1, until_end: bool = False, metrics_port: MetricsPort = None) -> None:
    """Trades, quotes, data quality, bars and signals from Kafka into QuestDB."""
    from pipelines import store as store_flow

    settings = load_settings()
    if namespace:
        check_namespace(namespace)
    serve(metrics_port)
    flow = store_flow.build_flow(settings, namespace, stop_at_end=until_end)
    options = RunOptions(workers=workers, recovery=not no_recovery,
                         snapshot_interval=timedelta(seconds=snapshot_interval))
    name = store_flow.NAME + (f"-{namespace}" if namespace else "")
    run(flow, settings, name, options, production=namespace is None)


Strategies = Annotated[Path | None, typer.Option(help="strategy config (TOML); default: the built-ins on 1m")]
Timeframes = Annotated[str, typer.Option(help="bars to build, comma-separated")]


def _signal_options(strategies: Path | None, timeframes: str, namespace: str | None, run_id: str = "live",
                    quiet_timeout: float | None = 2.0) -> SignalsOptions:
    from pipelines.signals import SignalsOptions
    from pipelines.strategies.config import StrategyConfigError, default_config, load_config

    try:
        configs = load_config(strategies) if strategies else default_config()
    except StrategyConfigError as error:
        raise typer.BadParameter(str(error), param_hint="--strategies") from None
    return SignalsOptions(
        strategies=tuple(configs),
        timeframes=tuple(part.strip() for part in timeframes.split(",") if part.strip()),
        quiet_timeout=None if quiet_timeout is None else timedelta(seconds=quiet_timeout),
        run_id=run_id,
        namespace=namespace,
    )


@app.command("signals")
def signals(
    strategies: Strategies = None,
    timeframes: Timeframes = "1s,1m,5m,1h",
    namespace: Namespace = None,
    no_recovery: NoRecovery = False,
    snapshot_interval: SignalSnapshot = 5.0,
    workers: Workers = 1,
    process_id: Annotated[int | None, typer.Option(help="this process's index in a cluster")] = None,
    addresses: Annotated[str | None, typer.Option(help="host:port of every cluster process, comma-separated")] = None,
    until_end: Annotated[bool, typer.Option(help="stop at the end of the topic (bounded run)")] = False,
    quiet_timeout: Annotated[float, typer.Option(help="close a bar this many seconds after its last trade (0: off)")]
    = 2.0,
    metrics_port: MetricsPort = None,
) -> None:
    """Trades -> bars -> indicators -> strategies -> signals (Kafka `bars`, `signals`; QuestDB)."""
    from pipelines import signals as signals_flow

    settings = load_settings()
    if namespace:
        check_namespace(namespace)
    serve(metrics_port)
    options = _signal_options(strategies, timeframes, namespace, quiet_timeout=quiet_timeout or None)
    flow = signals_flow.build_flow(settings, options, stop_at_end=until_end)
    run_options = RunOptions(workers=workers, recovery=not no_recovery,
                             snapshot_interval=timedelta(seconds=snapshot_interval), process_id=process_id,
                             addresses=addresses.split(",") if addresses else None)
    name = signals_flow.NAME + (f"-{namespace}" if namespace else "")
    run(flow, settings, name, run_options, production=namespace is None,
        prepare=lambda: signals_flow.load_kernels(options))


@app.command("replay")
def replay(
    start: Annotated[datetime, typer.Option("--from", help="first trade time (UTC), e.g. 2026-11-25T10:00:00")],
    end: Annotated[datetime, typer.Option("--to", help="end of the period (UTC, exclusive)")],
    strategies: Strategies = None,
    timeframes: Timeframes = "1m",
    namespace: Namespace = None,
    run_id: Annotated[str | None, typer.Option(help="name of this run (default: replay_<now>)")] = None,
) -> None:
    """Backtest: run the recorded trades of a period (from the Kafka log) through the same dataflow.

    Signals get run_id = the run's name in QuestDB (`SELECT * FROM signals WHERE run_id = ...`)
    and go to the topic `signals.<run>`, never to the live `signals` topic.
    """
    from rich.console import Console

    from pipelines.replay import replay_period

    run_name = check_namespace(run_id or f"replay_{datetime.now(UTC):%Y%m%d_%H%M%S}")
    if namespace:
        check_namespace(namespace)
    options = _signal_options(strategies, timeframes, namespace, run_id=run_name, quiet_timeout=None)
    summary = replay_period(load_settings(), options, _utc(start), _utc(end))
    Console().print(summary)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
