"""The simulator's OKX dialect, pure: trade rows, the after/before cursor pages over the history,
instrument objects and the ccxt config."""

from __future__ import annotations

import json

import msgspec
import pytest

from connectors.simulator import okx_client_config
from connectors.simulator.history import TradeHistory
from connectors.simulator.instruments import make_instrument
from connectors.simulator.model import SimTrade
from connectors.simulator.okx.instruments import find_instrument, increment, okx_instrument, okx_instruments
from connectors.simulator.okx.trades import PageType, formatter_for, page, plain
from tests.unit.simulator.histories import history_of, sim_trade

T0 = 1_700_000_000_000
BTC = make_instrument("BTC-USDT")
ETH = make_instrument("ETH-USDT")


def ids(trades: list[SimTrade]) -> list[int]:
    return [trade.trade_id for trade in trades]


# -- rows ----------------------------------------------------------------------------------------


def test_trade_row_has_okx_fields_the_taker_side_and_strings_throughout() -> None:
    formatter = formatter_for(BTC)
    bought = json.loads(msgspec.json.encode(formatter.row(sim_trade(42, T0 + 123, taker_buys=True))))
    sold = json.loads(msgspec.json.encode(formatter.row(sim_trade(43, T0 + 5, taker_buys=False))))
    assert bought == {
        "instId": "BTC-USDT", "side": "buy", "sz": "0.0123", "px": "65000.5", "source": "0", "tradeId": "42",
        "ts": "1700000000123",
    }  # fmt: skip
    assert (sold["side"], sold["tradeId"], sold["ts"]) == ("sell", "43", "1700000000005")
    assert formatter_for(BTC) is formatter


def test_numbers_are_written_without_trailing_zeros() -> None:
    assert [plain(text) for text in ("0.01230000", "65000.00000000", "100", "0.00000001", "10.50")] == [
        "0.0123", "65000", "100", "0.00000001", "10.5",
    ]  # fmt: skip


# -- cursor pages --------------------------------------------------------------------------------


def test_without_a_cursor_a_page_is_the_latest_trades_newest_first() -> None:
    history = history_of([T0 + trade_id for trade_id in range(1, 11)])
    assert ids(page(history, None, None, 4)) == [10, 9, 8, 7]
    assert ids(page(history, None, None, 100)) == list(range(10, 0, -1))
    assert page(TradeHistory(10), None, None, 5) == [] == page(TradeHistory(10), 3, 1, 5)
    with pytest.raises(ValueError, match="limit"):
        page(history, None, None, 0)


def test_after_gives_the_trades_right_below_the_cursor_newest_first() -> None:
    history = history_of([T0 + trade_id for trade_id in range(1, 11)])
    assert ids(page(history, 8, None, 3)) == [7, 6, 5]
    assert ids(page(history, 3, None, 100)) == [2, 1]
    assert ids(page(history, 50, None, 2)) == [10, 9]  # past the last trade: the latest
    assert page(history, 1, None, 5) == [] == page(history, 0, None, 5)


def test_before_gives_the_newest_trades_above_the_cursor() -> None:
    history = history_of([T0 + trade_id for trade_id in range(1, 11)])
    assert ids(page(history, None, 3, 2)) == [10, 9]  # the newest, as OKX documents: not 5, 4
    assert ids(page(history, None, 7, 100)) == [10, 9, 8]
    assert page(history, None, 10, 5) == []


def test_after_and_before_give_the_range_between_closest_to_after() -> None:
    history = history_of([T0 + trade_id for trade_id in range(1, 11)])
    assert ids(page(history, 9, 2, 100)) == [8, 7, 6, 5, 4, 3]
    assert ids(page(history, 9, 2, 2)) == [8, 7]
    assert page(history, 5, 4, 10) == [] == page(history, 4, 7, 10)


def test_timestamp_cursors_compare_trade_times_strictly() -> None:
    # ids 1-3 at T0+1, 4 at T0+2, 5-6 at T0+5, 7-8 at T0+9
    history = history_of([T0 + 1] * 3 + [T0 + 2] + [T0 + 5] * 2 + [T0 + 9] * 2)
    by_time = PageType.TIMESTAMP
    assert ids(page(history, T0 + 5, None, 100, by_time)) == [4, 3, 2, 1]
    assert ids(page(history, T0 + 5, None, 2, by_time)) == [4, 3]
    assert ids(page(history, T0 + 4, None, 100, by_time)) == [4, 3, 2, 1]  # between trades
    assert ids(page(history, None, T0 + 2, 100, by_time)) == [8, 7, 6, 5]
    assert ids(page(history, None, T0 + 2, 1, by_time)) == [8]
    assert ids(page(history, T0 + 9, T0 + 1, 100, by_time)) == [6, 5, 4]
    assert page(history, T0 + 1, None, 10, by_time) == [] == page(history, None, T0 + 9, 10, by_time)
    assert ids(page(history, T0 + 99, None, 2, by_time)) == [8, 7]


@pytest.mark.parametrize("limit", [1, 3, 7, 100])
def test_walking_back_by_the_oldest_id_visits_every_trade_once(limit: int) -> None:
    history = history_of([T0 + step // 4 for step in range(250)])
    walked: list[int] = []
    cursor = None
    while trades := page(history, cursor, None, limit):
        assert len(trades) <= limit
        walked += ids(trades)
        cursor = trades[-1].trade_id
    assert walked == list(range(250, 0, -1))


def test_cursors_outside_the_retained_history_stop_at_its_oldest_trade() -> None:
    history = history_of([T0 + trade_id for trade_id in range(1, 301)], capacity=100)  # ids 201..300 retained
    assert ids(page(history, 203, None, 100)) == [202, 201]
    assert ids(page(history, None, 5, 2)) == [300, 299]
    assert len(page(history, None, 5, 1000)) == 100
    assert page(history, 150, None, 10) == []
    assert ids(page(history, T0 + 202, None, 10, PageType.TIMESTAMP)) == [201]


# -- instruments ---------------------------------------------------------------------------------


def test_instrument_object_carries_the_instrument_precision_as_okx_spells_it() -> None:
    row = msgspec.to_builtins(okx_instrument(BTC))
    assert {key: row[key] for key in ("instType", "instId", "baseCcy", "quoteCcy", "state", "lever")} == {
        "instType": "SPOT", "instId": "BTC-USDT", "baseCcy": "BTC", "quoteCcy": "USDT", "state": "live", "lever": "",
    }  # fmt: skip
    assert (row["tickSz"], row["lotSz"], row["minSz"]) == ("0.01", "0.00001", "0.00001")
    assert (row["settleCcy"], row["ctVal"], row["uly"], row["expTime"]) == ("", "", "", "")
    assert [instrument.instId for instrument in okx_instruments([ETH, BTC])] == ["ETH-USDT", "BTC-USDT"]
    assert (okx_instrument(ETH).tickSz, okx_instrument(ETH).lotSz) == ("0.001", "0.0001")
    assert (increment(0), increment(3), increment(8)) == ("1", "0.001", "0.00000001")


def test_instruments_are_found_by_their_exact_inst_id() -> None:
    # == not `is`: the index is cached per set of instruments, and an equal set may have built it.
    assert find_instrument((BTC, ETH), "BTC-USDT") == BTC and find_instrument((BTC, ETH), "ETH-USDT") == ETH
    assert find_instrument((BTC, ETH), "BTCUSDT") is None and find_instrument((BTC, ETH), "btc-usdt") is None
    assert find_instrument((BTC, ETH), "BTC-USDT-SWAP") is None


# -- ccxt config ---------------------------------------------------------------------------------


def test_ccxt_config_points_every_okx_url_at_the_simulator_and_asks_for_spot_only() -> None:
    import ccxt

    client = ccxt.okx(okx_client_config("http://127.0.0.1:1/", verbose_option=True))
    assert client.urls["api"] == {"rest": "http://127.0.0.1:1/okx"} == client.urls["test"]
    assert client.enableRateLimit is False and client.options["verbose_option"] is True
    assert client.options["adjustForTimeDifference"] is False
    assert client.options["fetchMarkets"] == {"types": ["spot"]} and client.options["defaultType"] == "spot"
    client.set_sandbox_mode(True)
    request = client.sign("market/history-trades", ["public"], "GET", {"instId": "BTC-USDT", "after": "5"})
    assert request["url"] == "http://127.0.0.1:1/okx/api/v5/market/history-trades?instId=BTC-USDT&after=5"
