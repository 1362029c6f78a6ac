"""The simulator's Kraken dialect, pure: trade rows, the since/last cursor over the history, asset and
pair naming, and the ccxt config."""

from __future__ import annotations

import json

import msgspec
import pytest

from connectors.simulator import kraken_client_config
from connectors.simulator.history import TradeHistory
from connectors.simulator.instruments import make_instrument
from connectors.simulator.kraken.assets import (
    asset_altname,
    asset_id,
    asset_pair,
    asset_pairs,
    assets,
    find_assets,
    find_pair,
    increment,
    pair_names,
)
from connectors.simulator.kraken.trades import (
    NS_PER_MS,
    TradeRow,
    formatter_for,
    kraken_time,
    parse_since,
    trades_after,
    with_times,
)
from connectors.simulator.model import SimTrade
from tests.unit.simulator.histories import history_of, sim_trade

T0 = 1_700_000_000_000  # 2023-11-14T22:13:20Z, a whole second
BTC = make_instrument("BTC-USDT")
ETH = make_instrument("ETH-USDT")


#: Ten trades, several sharing a millisecond: ids 1-3 at T0+1, 4 at T0+2, 5-6 at T0+1000, 7-10 at T0+1001.
TIMES = [T0 + 1] * 3 + [T0 + 2] + [T0 + 1000] * 2 + [T0 + 1001] * 4


def ids(timed: list[tuple[SimTrade, int]]) -> list[int]:
    return [trade.trade_id for trade, _ in timed]


# -- rows ----------------------------------------------------------------------------------------


def test_trade_row_is_a_seven_element_array_with_the_taker_side_and_the_trade_id() -> None:
    formatter = formatter_for(BTC)
    bought = json.loads(msgspec.json.encode(formatter.row(sim_trade(42, T0 + 123, taker_buys=True))))
    sold = json.loads(msgspec.json.encode(formatter.row(sim_trade(43, T0 + 5, taker_buys=False))))
    assert bought == ["65000.50000000", "0.01230000", 1_700_000_000.123, "b", "m", "", 42]
    assert sold[3] == "s" and sold[6] == 43
    assert formatter_for(BTC) is formatter


def test_trade_time_is_seconds_with_four_decimals_that_ccxt_reads_back_to_the_millisecond() -> None:
    import ccxt

    assert bytes(kraken_time(T0 + 123)) == b"1700000000.1230" and bytes(kraken_time(T0 + 7)) == b"1700000000.0070"
    assert msgspec.json.encode(TradeRow("1", "2", kraken_time(T0), "b", "m", "", 1)) == (
        b'["1","2",1700000000.0000,"b","m","",1]'
    )
    exchange = ccxt.kraken()
    for time_ms in range(T0, T0 + 20_000, 7):
        assert exchange.safe_timestamp([json.loads(bytes(kraken_time(time_ms)))], 0) == time_ms


# -- since and the cursor ------------------------------------------------------------------------


def test_since_below_1e12_is_seconds_and_excludes_its_whole_millisecond() -> None:
    assert parse_since("1700000000") == (T0 + 1) * NS_PER_MS - 1
    assert parse_since("1700000000.0015") == (T0 + 2) * NS_PER_MS - 1  # within millisecond T0+1
    assert parse_since("0") == NS_PER_MS - 1
    assert parse_since("999999999999") == 999_999_999_999_000 * NS_PER_MS + NS_PER_MS - 1


def test_since_from_1e12_is_nanoseconds_as_given() -> None:
    assert parse_since("1700000000001000002") == 1_700_000_000_001_000_002
    assert parse_since("1000000000000") == 10**12


@pytest.mark.parametrize("text", ["", "abc", "-5", "1e9", "1.", " 17", "1700000000001000002.5", "1" * 21])
def test_since_that_is_not_a_timestamp_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="since"):
        parse_since(text)


def test_each_trade_of_a_millisecond_is_one_nanosecond_after_the_previous() -> None:
    history = history_of(TIMES)
    timed = with_times(history, history.from_id(1, 10))
    assert [time_ns - T0 * NS_PER_MS for _, time_ns in timed] == [
        1 * NS_PER_MS, 1 * NS_PER_MS + 1, 1 * NS_PER_MS + 2, 2 * NS_PER_MS,
        1000 * NS_PER_MS, 1000 * NS_PER_MS + 1,
        1001 * NS_PER_MS, 1001 * NS_PER_MS + 1, 1001 * NS_PER_MS + 2, 1001 * NS_PER_MS + 3,
    ]  # fmt: skip
    (second, third) = with_times(history, history.from_id(2, 2))  # ranks hold mid-millisecond too
    assert (second[1], third[1]) == (timed[1][1], timed[2][1])


def test_pages_start_strictly_after_since() -> None:
    history = history_of(TIMES)
    assert ids(trades_after(history, None, 4)) == [7, 8, 9, 10]  # no since: the latest
    assert ids(trades_after(history, parse_since("1700000000"), 100)) == list(range(1, 11))
    assert ids(trades_after(history, parse_since("1700000000.001"), 100)) == [4, 5, 6, 7, 8, 9, 10]
    assert ids(trades_after(history, parse_since("1700000001"), 3)) == [7, 8, 9]  # T0+1000 is not after
    assert ids(trades_after(history, (T0 + 1) * NS_PER_MS, 2)) == [2, 3]  # trade 1's own time
    assert ids(trades_after(history, (T0 + 1) * NS_PER_MS + 2, 2)) == [4, 5]  # trade 3's
    assert ids(trades_after(history, (T0 + 1) * NS_PER_MS + 7, 2)) == [4, 5]  # past the millisecond's trades
    assert ids(trades_after(history, (T0 + 500) * NS_PER_MS, 1)) == [5]  # between trades
    assert trades_after(history, (T0 + 1001) * NS_PER_MS + 3, 5) == []  # the last trade's time
    assert trades_after(TradeHistory(10), None, 5) == [] == trades_after(TradeHistory(10), 0, 5)
    with pytest.raises(ValueError, match="count"):
        trades_after(history, None, 0)


@pytest.mark.parametrize("count", [1, 2, 3, 7, 1000])
def test_walking_by_the_last_cursor_visits_every_trade_once(count: int) -> None:
    times = [T0 + step // 3 + (step % 5 == 0) * 7 for step in range(500)]  # bursts within milliseconds
    history = history_of(sorted(times))
    cursor, walked = parse_since("0"), []
    while page := trades_after(history, cursor, count):
        assert len(page) <= count
        walked += ids(page)
        cursor = page[-1][1]
    assert walked == list(range(1, 501))


def test_a_cursor_older_than_the_retained_history_starts_at_its_oldest_trade() -> None:
    history = history_of([T0 + trade_id for trade_id in range(1, 301)], capacity=100)  # ids 201..300 retained
    assert ids(trades_after(history, parse_since("0"), 2)) == [201, 202]
    assert ids(trades_after(history, (T0 + 5) * NS_PER_MS, 2)) == [201, 202]
    assert len(trades_after(history, None, 1000)) == 100


# -- assets and pairs ----------------------------------------------------------------------------


def test_assets_keep_kraken_ids_and_altnames() -> None:
    assert [(asset_id(code), asset_altname(code)) for code in ("BTC", "ETH", "DOGE", "USD", "USDT", "SOL")] == [
        ("XXBT", "XBT"), ("XETH", "ETH"), ("XXDG", "XDG"), ("ZUSD", "USD"), ("USDT", "USDT"), ("SOL", "SOL"),
    ]  # fmt: skip
    result = assets([BTC, ETH, make_instrument("ETH-USD")])
    assert list(result) == ["XXBT", "USDT", "XETH", "ZUSD"]
    assert [(a.altname, a.decimals, a.display_decimals) for a in result.values()] == [
        ("XBT", 10, 5), ("USDT", 8, 5), ("ETH", 10, 5), ("USD", 4, 2),
    ]  # fmt: skip
    fine = make_instrument("PEPE-USD", 0.00001)  # a tick of 1e-11: finer than USD's 4 decimals
    assert assets([fine])["ZUSD"].decimals == 11


def test_asset_filter_accepts_ids_altnames_and_codes() -> None:
    instruments = (BTC, ETH)
    assert list(find_assets(instruments, ["xbt", "XETH", "btc", "USDT"]) or {}) == ["XXBT", "XETH", "USDT"]
    assert find_assets(instruments, ["XBT", "DOGE"]) is None


def test_pair_carries_the_instrument_precision_under_kraken_names() -> None:
    row = msgspec.to_builtins(asset_pair(BTC))
    assert {key: row[key] for key in ("altname", "wsname", "base", "quote", "status")} == {
        "altname": "BTCUSDT", "wsname": "BTC/USDT", "base": "XXBT", "quote": "USDT", "status": "online",
    }  # fmt: skip
    assert (row["pair_decimals"], row["lot_decimals"], row["tick_size"], row["ordermin"]) == (2, 5, "0.01", "0.00001")
    assert row["fees"][0] == (0, 0.26) and row["fees_maker"][-1] == (10_000_000, 0.0) and row["leverage_buy"] == []
    assert list(asset_pairs([ETH, BTC])) == ["ETHUSDT", "BTCUSDT"]
    assert (increment(0), increment(3), increment(8)) == ("1", "0.001", "0.00000001")


def test_a_pair_may_be_named_every_kraken_way_in_any_case() -> None:
    assert pair_names(BTC) == {"BTCUSDT", "BTC/USDT", "XBTUSDT", "XXBTUSDT"}
    assert pair_names(make_instrument("ETH-USD")) == {"ETHUSD", "ETH/USD", "XETHZUSD"}
    instruments = (BTC, ETH)
    # == not `is`: the index is cached per set of instruments, and an equal set may have built it.
    assert all(find_pair(instruments, name) == BTC for name in ("btcusdt", "XBTUSDT", "btc/usdt", "XXBTUSDT"))
    assert find_pair(instruments, "ethusdt") == ETH
    assert find_pair(instruments, "BTC-USDT") is None and find_pair(instruments, "") is None


# -- ccxt config ---------------------------------------------------------------------------------


def test_ccxt_config_points_every_kraken_url_at_the_simulator() -> None:
    import ccxt

    client = ccxt.kraken(kraken_client_config("http://127.0.0.1:1/", verbose_option=True))
    assert set(client.urls["api"]) == {"public", "private", "zendesk"}
    assert set(client.urls["api"].values()) == {"http://127.0.0.1:1/kraken"}
    assert client.enableRateLimit is False and client.options["verbose_option"] is True
    assert client.options["adjustForTimeDifference"] is False
    request = client.sign("Trades", ["public"], "GET", {"pair": "BTCUSDT", "since": "1700000000"})
    assert request["url"] == "http://127.0.0.1:1/kraken/0/public/Trades?pair=BTCUSDT&since=1700000000"
