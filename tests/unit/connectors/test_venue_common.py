from __future__ import annotations

import pytest

from connectors import ConnectionLost, ConnectorError, ParseError, SymbolError, VenueError
from connectors.registry import VENUES, Channel, get_venue
from connectors.venues.common import QUOTE_ASSETS, split_concatenated


def test_concatenated_symbols_split_by_the_longest_quote_asset() -> None:
    assert split_concatenated("BTCFDUSD", "binance") == "BTC-FDUSD"
    assert split_concatenated("ETHBUSD", "binance") == "ETH-BUSD"
    assert split_concatenated("BTCTUSD", "binance") == "BTC-TUSD"
    assert split_concatenated("USDCUSDT", "binance") == "USDC-USDT"
    assert split_concatenated("1000SATSUSDT", "binance") == "1000SATS-USDT"
    assert list(QUOTE_ASSETS) == sorted(QUOTE_ASSETS, key=lambda asset: (-len(asset), asset))
    with pytest.raises(SymbolError, match="no known quote asset"):
        split_concatenated("BTCXYZ", "bybit")


def test_errors_say_whether_to_retry() -> None:
    assert ParseError("bad", b"x").should_retry is False
    assert ConnectionLost("gone").should_retry is True
    assert SymbolError("?").should_retry is False
    assert isinstance(SymbolError("?"), ValueError)
    error = VenueError("okx", "64008", "upgrade", should_retry=True)
    assert (error.should_retry, str(error)) == (True, "okx error 64008: upgrade")
    assert str(VenueError("bybit", "", "nope")) == "bybit error: nope"
    assert all(issubclass(cls, ConnectorError) for cls in (ParseError, VenueError, ConnectionLost, SymbolError))


def test_registry_holds_every_venue_under_its_own_name() -> None:
    assert sorted(VENUES) == ["binance", "bybit", "coinbase", "kraken", "okx"]
    for name, venue in VENUES.items():
        assert name == venue.NAME
        assert venue.URL.startswith("wss://")
        assert venue.CCXT_ID
        assert (venue.PING_INTERVAL is None) == (venue.PING_MESSAGE is None)
        assert venue.subscribe_messages(["BTC-USDT"], [Channel.TRADES])
        assert venue.from_venue_symbol(venue.to_venue_symbol("ETH-USDT")) == "ETH-USDT"
    assert get_venue("kraken") is VENUES["kraken"]
    with pytest.raises(KeyError, match="ccxt_pro"):
        get_venue("kucoin")


def test_sequential_trade_ids_are_declared_per_venue() -> None:
    assert {name: venue.SEQUENTIAL_TRADE_IDS for name, venue in VENUES.items()} == {
        "binance": True,
        "bybit": False,
        "coinbase": False,
        "kraken": True,
        "okx": False,
    }


@pytest.mark.parametrize("name", sorted(VENUES))
def test_every_venue_refuses_a_non_normalised_symbol(name: str) -> None:
    with pytest.raises(SymbolError):
        VENUES[name].subscribe_messages(["btc_usdt"])
