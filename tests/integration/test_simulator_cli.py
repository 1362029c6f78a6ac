"""``nashipai sim`` (the typer app of the simulator package)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from connectors.simulator.cli import app

pytestmark = pytest.mark.integration


def test_cli_runs_to_max_trades_and_prints_the_summary() -> None:
    result = CliRunner().invoke(
        app,
        ["--symbols", "BTC-USDT,DOGE-USDT=0.2", "--ws-port", "0", "--rest-port", "0", "--rate", "3000",
         "--max-trades", "300", "--fault", "skip_ids:5@10ms", "--no-live", "--linger", "0"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "ws://127.0.0.1:" in result.output and "/sim/stats" in result.output
    assert "BTC-USDT" in result.output and "DOGE-USDT" in result.output
    assert result.output.count("300") >= 2 and "1 faults applied" in result.output


@pytest.mark.parametrize(
    "arguments", [["--symbols", "BTCUSDT"], ["--fault", "explode@1s"], ["--rate", "-5"], ["--speed", "0"]]
)
def test_cli_refuses_bad_options(arguments: list[str]) -> None:
    result = CliRunner().invoke(app, [*arguments, "--ws-port", "0", "--rest-port", "0", "--duration", "0.1"])
    assert result.exit_code == 2


def test_cli_help_lists_the_options() -> None:
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for option in ("--symbols", "--ws-port", "--rest-port", "--rate", "--seed", "--replay", "--speed", "--max-trades",
                   "--duration", "--fault", "--start-on-subscribe", "--linger"):  # fmt: skip
        assert option in result.output
