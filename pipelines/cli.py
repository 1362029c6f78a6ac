"""``nashipai pipeline ...``: run the dataflows."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from nashipai.config import load_settings
from nashipai.metrics import serve
from nashipai.names import check_namespace
from pipelines.runtime import RunOptions, run

app = typer.Typer(help="Run the Bytewax dataflows.", no_args_is_help=True)

Namespace = Annotated[str | None, typer.Option(help="read <topic>.<ns>, write <table>_<ns> (replays, tests)")]
NoRecovery = Annotated[bool, typer.Option("--no-recovery", help="development only: run without snapshots")]
Snapshot = Annotated[float, typer.Option(help="seconds between recovery snapshots (Bytewax epoch length)")]
Workers = Annotated[int, typer.Option(min=1, help="worker threads in this process")]
MetricsPort = Annotated[int | None, typer.Option(help="serve Prometheus metrics on this port")]


@app.command("ticks")
def ticks(namespace: Namespace = None, no_recovery: NoRecovery = False, snapshot_interval: Snapshot = 1.0,
          workers: Workers = 1, until_end: bool = False, metrics_port: MetricsPort = None) -> None:
    """Ticks and data-quality events from Kafka into QuestDB."""
    from pipelines import ticks as ticks_flow

    settings = load_settings()
    if namespace:
        check_namespace(namespace)
    serve(metrics_port)
    flow = ticks_flow.build_flow(settings, namespace, stop_at_end=until_end)
    options = RunOptions(workers=workers, recovery=not no_recovery,
                         snapshot_interval=timedelta(seconds=snapshot_interval))
    name = ticks_flow.NAME + (f"-{namespace}" if namespace else "")
    run(flow, settings, name, options, production=namespace is None)
