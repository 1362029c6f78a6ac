"""``nashipai connect``: option checking, the backfill client's config, the status line."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from connectors.cli import app, rest_config_for, status_line
from connectors.publish import FeedStats


def test_rest_url_points_the_binance_backfill_client_at_the_simulator() -> None:
    config = rest_config_for("binance", "http://127.0.0.1:9444", "ws://127.0.0.1:9443/stream", None)
    assert config is not None
    assert config["urls"]["api"]["public"] == "http://127.0.0.1:9444/api/v3"
    assert config["urls"]["api"]["ws"]["spot"] == "ws://127.0.0.1:9443/ws"
    assert "apiKey" not in config
    assert rest_config_for("binance", None, None, "key") == {"apiKey": "key"}
    assert rest_config_for("binance", None, None, None) is None
    coinbase = rest_config_for("coinbase", "http://127.0.0.1:9444", "ws://127.0.0.1:9443/coinbase", None)
    assert coinbase is not None and coinbase["urls"]["api"]["public"] == "http://127.0.0.1:9444/coinbase"
    kraken = rest_config_for("kraken", "http://127.0.0.1:9444", None, None)
    assert kraken is not None and kraken["urls"]["api"]["public"] == "http://127.0.0.1:9444/kraken"
    okx = rest_config_for("okx", "http://127.0.0.1:9444", None, None)
    assert okx is not None and okx["urls"]["api"]["rest"] == "http://127.0.0.1:9444/okx"
    with pytest.raises(typer.BadParameter, match="binance, coinbase, kraken and okx"):
        rest_config_for("bybit", "http://127.0.0.1:1", None, None)


def test_status_line_shows_rate_reconnects_and_gaps() -> None:
    stats = FeedStats(messages=1200, reconnects=2, gaps=3, missing=40, backfilled=40, connected=True)
    text = status_line(stats, published=1100, rate=523.4).plain
    assert "connected" in text and "523 msg/s" in text and "reconnects 2" in text
    assert "gaps 3 (40 ids, 40 backfilled)" in text


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--namespace", "Bad!"], "namespace"),
        (["--channels", "trades,candles"], "candles"),
    ],
)
def test_bad_options_are_refused_before_connecting(arguments: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["connect", "--exchange", "binance", "--symbols", "BTC-USDT", *arguments])
    assert result.exit_code == 2 and message in result.output


def test_a_bad_symbol_stops_with_a_clear_error() -> None:
    result = CliRunner().invoke(app, ["connect", "--exchange", "binance", "--symbols", "btcusdt", "--no-status"])
    assert result.exit_code == 1 and "BASE-QUOTE" in result.output
