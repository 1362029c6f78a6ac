"""``nashipai up``: the whole product on one machine, as supervised child processes.

Services (Kafka, QuestDB) come up first and tables and topics are created; then the local
exchange simulator (unless a live exchange is named), the connector, the tick dataflow and
the signal dataflow start as separate processes (each its own ``nashipai`` sub-command, so
each can be restarted, replayed or scaled on its own). Their logs go to ``<data>/logs``. A
live table shows what lands in QuestDB; Ctrl-C (or ``--for``) stops the children cleanly.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
from rich.console import Console
from rich.live import Live
from rich.table import Table

from nashipai import questdb
from nashipai.config import Settings
from nashipai.services import fresh_log

#: Short-period strategies for the offline run, so a first run shows signals within minutes.
OFFLINE_STRATEGIES = Path(__file__).resolve().parent.parent / "pipelines" / "strategies" / "offline.toml"


@dataclass(frozen=True)
class Child:
    name: str
    args: list[str]


def plan(exchange: str | None, symbols: str, sim_ws_port: int = 9443, sim_rest_port: int = 9444,
         strategies: Path | None = None) -> list[Child]:
    """The processes of the product, in start order."""
    children = []
    connect = ["connect", "--symbols", symbols]
    if exchange is None:
        children.append(Child("simulator", ["sim", "--symbols", symbols, "--rate", "20",
                                            "--ws-port", str(sim_ws_port), "--rest-port", str(sim_rest_port)]))
        connect += ["--exchange", "binance", "--url", f"ws://127.0.0.1:{sim_ws_port}/stream",
                    "--rest-url", f"http://127.0.0.1:{sim_rest_port}"]
    else:
        connect += ["--exchange", exchange]
    children.append(Child("connector", connect))
    children.append(Child("store", ["pipeline", "store"]))
    signals = ["pipeline", "signals"]
    if strategies is None and exchange is None:
        strategies = OFFLINE_STRATEGIES
    if strategies is not None:
        signals += ["--strategies", str(strategies)]
    children.append(Child("signals", signals))
    return children


class Supervisor:
    """Starts the children, watches them, stops them."""

    def __init__(self, settings: Settings, children: list[Child], console: Console) -> None:
        self.settings = settings
        self.children = children
        self.console = console
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self) -> None:
        logs = self.settings.data_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        for child in self.children:
            log = fresh_log(logs / f"{child.name}.log")
            self.processes[child.name] = subprocess.Popen(
                [sys.executable, "-m", "nashipai.cli", *child.args], stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
            self.console.print(f"started {child.name} (pid {self.processes[child.name].pid}), "
                               f"log: {logs / (child.name + '.log')}")
            time.sleep(1.0)  # the simulator listens before the connector dials it

    def stop(self) -> None:
        for process in reversed(list(self.processes.values())):
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for name, process in self.processes.items():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.console.print(f"{name} did not stop in 20 s; killing it")
                process.kill()

    def table(self) -> Table:
        table = Table(title="Nashipai (Ctrl-C to stop)")
        for column in ("process", "state", "trades", "bars", "signals", "data quality"):
            table.add_column(column)
        counts = self._counts()
        for index, (name, process) in enumerate(self.processes.items()):
            code = process.poll()
            state = "[green]running[/green]" if code is None else f"[red]exited {code}[/red]"
            row = counts if index == 0 else ["", "", "", ""]
            table.add_row(name, state, *row)
        return table

    def _counts(self) -> list[str]:
        counts = []
        try:
            with questdb.connect(self.settings, readonly=True) as connection:
                for table in ("trades", "bars", "signals", "data_quality"):
                    row = connection.execute(f"SELECT count() FROM {table}").fetchone()
                    counts.append(f"{row[0]:,}" if row else "?")
        except psycopg.Error as error:  # QuestDB restarting: show it, keep supervising
            return [f"QuestDB: {error}".splitlines()[0], "", "", ""]
        return counts


def run(settings: Settings, children: list[Child], console: Console, duration: float | None) -> int:
    """Run until Ctrl-C or ``duration`` seconds; returns the number of children that died."""
    supervisor = Supervisor(settings, children, console)
    supervisor.start()
    deadline = None if duration is None else time.monotonic() + duration
    try:
        with Live(supervisor.table(), console=console, refresh_per_second=1) as live:
            while deadline is None or time.monotonic() < deadline:
                time.sleep(2)
                live.update(supervisor.table())
    except KeyboardInterrupt:
        pass
    finally:
        with contextlib.suppress(KeyboardInterrupt):
            supervisor.stop()
    console.print(supervisor.table())
    return sum(1 for process in supervisor.processes.values() if process.returncode not in (0, -2, 130, None))
