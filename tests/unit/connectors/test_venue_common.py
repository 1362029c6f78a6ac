from __future__ import annotations

import pytest

from connectors import ConnectionLost, ConnectorError, ParseError, SymbolError, VenueError
from connectors.registry import VENUES, Channel, get_venue
from connectors.venues.common import QUOTE_ASSETS, iso_to_ns, missing_trade_ids, split_concatenated


@pytest.mark.parametrize(
    ("text", "ns"),
    [
        ("1970-01-01T00:00:00Z", 0),
        ("2019-08-14T20:42:27.265Z", 1_565_815_347_265_000_000),
        ("2019-08-14T20:42:27.265000Z", 1_565_815_347_265_000_000),
        ("2023-02-09T20:19:35.39625135Z", 1_675_973_975_396_251_350),
        ("2023-02-09T20:30:37.167359596Z", 1_675_974_637_167_359_596),
        ("2023-02-09T20:30:37.000000001+00:00", 1_675_974_637_000_000_001),
        ("2024-06-10T06:13:20.9Z", 1_718_000_000_900_000_000),
        ("2024-02-29T23:59:59Z", 1_709_251_199_000_000_000),
    ],
)
def test_iso_timestamps_convert_exactly_to_nanoseconds(text: str, ns: int) -> None:
    assert iso_to_ns(text) == ns
    assert iso_to_ns(text) == ns  # cached date part gives the same answer


@pytest.mark.parametrize(
    "text",
    [
        "2023-02-09T20:19:35",
        "2023-02-09T20:19:35.Z",
        "2023-02-09T20:19:35,5Z",
        "2023-02-09T20:19:35.1234567891Z",
        "2023-13-09T20:19:35Z",
        "2023-02-09 20:19:35Z",
        "20230209T201935Z",
        "2023-02-09T20:19:35.12a4Z",
        "",
    ],
)
def test_bad_iso_timestamps_raise_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        iso_to_ns(text)


def test_concatenated_symbols_split_by_the_longest_quote_asset() -> None:
    assert split_concatenated("BTCFDUSD", "binance") == "BTC-FDUSD"
    assert split_concatenated("ETHBUSD", "binance") == "ETH-BUSD"
    assert split_concatenated("BTCTUSD", "binance") == "BTC-TUSD"
    assert split_concatenated("USDCUSDT", "binance") == "USDC-USDT"
    assert split_concatenated("1000SATSUSDT", "binance") == "1000SATS-USDT"
    assert list(QUOTE_ASSETS) == sorted(QUOTE_ASSETS, key=lambda asset: (-len(asset), asset))
    with pytest.raises(SymbolError, match="no known quote asset"):
        split_concatenated("BTCXYZ", "bybit")


def test_missing_trade_ids_bound_a_gap_and_ignore_replays() -> None:
    assert missing_trade_ids("100", "101") == range(0)
    assert missing_trade_ids("100", "104") == range(101, 104)
    assert list(missing_trade_ids("100", "103")) == [101, 102]
    assert missing_trade_ids("100", "90") == range(0)
    with pytest.raises(ValueError):
        missing_trade_ids("abc", "1")


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
