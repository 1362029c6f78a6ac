"""The pure trade-id bookkeeping (de-duplication, gaps) and REST paging of a backfill."""

from __future__ import annotations

import pytest

from connectors.backfill import (
    MISSED_IN_SEQUENCE_GAP,
    Backfiller,
    Gap,
    SequenceGap,
    SequenceTracker,
    TradeTracker,
    binance_gap_params,
    can_backfill,
    coinbase_gap_params,
    kraken_cursor,
)
from nashipai.events import DeadLetter, Event, Quote, Side, Trade
from tests.unit.connectors.fakes import NewestFirstClient, PagingClient, TimePagingClient, ccxt_trade


def trade(trade_id: int | str, symbol: str = "BTC-USDT") -> Trade:
    return Trade(exchange="binance", symbol=symbol, price=100.0, size=1.0, side=Side.BUY, trade_id=str(trade_id),
                 ts_event=1, ts_recv=2)  # fmt: skip


def ids(events: list[Event]) -> list[str]:
    return [event.trade_id for event in events if isinstance(event, Trade)]


QUOTE = Quote(exchange="binance", symbol="BTC-USDT", bid_price=1.0, bid_size=1.0, ask_price=2.0, ask_size=1.0,
              ts_event=1, ts_recv=1)  # fmt: skip


def test_consecutive_trades_pass_without_gaps_and_others_pass_through() -> None:
    tracker = TradeTracker(sequential=True)
    kept, gaps = tracker.admit_live([trade(1), QUOTE, trade(2), trade(3)])
    assert ids(kept) == ["1", "2", "3"] and QUOTE in kept and gaps == []
    assert tracker.last_id("BTC-USDT") == 3


def test_a_jump_in_trade_ids_is_a_gap_with_its_bounds_per_symbol() -> None:
    tracker = TradeTracker(sequential=True)
    kept, gaps = tracker.admit_live([trade(1), trade(5), trade(10, "ETH-USDT"), trade(6), trade(9)])
    assert ids(kept) == ["1", "5", "10", "6", "9"]
    assert gaps == [Gap("BTC-USDT", 2, 4), Gap("BTC-USDT", 7, 8)]
    assert gaps[0].size == 3


def test_a_gap_across_batches_and_a_reconnect_is_found() -> None:
    tracker = TradeTracker(sequential=True)
    tracker.admit_live([trade(1), trade(2)])
    tracker.connection_lost()
    _kept, gaps = tracker.admit_live([trade(7)])
    assert gaps == [Gap("BTC-USDT", 3, 6)]
    assert tracker.open_gaps() == []  # a live trade came: the ordinary gap covers it


def test_a_trade_id_is_never_admitted_twice() -> None:
    tracker = TradeTracker(sequential=True)
    tracker.admit_live([trade(1), trade(2), trade(3)])
    kept, gaps = tracker.admit_live([trade(2), trade(3), trade(4)])  # a replay after reconnect
    assert ids(kept) == ["4"] and gaps == [] and tracker.duplicates == 2


def test_backfill_admits_only_unseen_ids_inside_the_gap() -> None:
    tracker = TradeTracker(sequential=True)
    _kept, (gap,) = tracker.admit_live([trade(1), trade(5)])
    tracker.admit_live([trade(6)])
    kept = tracker.admit_backfill([trade(1), trade(2), trade(3), trade(3), trade(4), trade(5), trade(6)], gap)
    assert ids(list(kept)) == ["2", "3", "4"]
    assert tracker.admit_backfill([trade(2), trade(3)], gap) == []
    assert tracker.last_id("BTC-USDT") == 6


def test_symbols_silent_since_a_reconnect_get_an_open_gap_once() -> None:
    tracker = TradeTracker(sequential=True)
    tracker.admit_live([trade(3), trade(8, "ETH-USDT")])
    tracker.connection_lost()
    tracker.admit_live([trade(9, "ETH-USDT")])
    assert tracker.open_gaps() == [Gap("BTC-USDT", 4)]
    assert tracker.open_gaps() == []
    kept = tracker.admit_backfill([trade(4), trade(5)], Gap("BTC-USDT", 4))
    assert ids(list(kept)) == ["4", "5"] and tracker.last_id("BTC-USDT") == 5  # an open gap moves the last id


def test_non_sequential_venues_dedup_but_report_no_gaps() -> None:
    tracker = TradeTracker(sequential=False)
    kept, gaps = tracker.admit_live([trade("a1"), trade("zz"), trade("a1")])
    assert ids(kept) == ["a1", "zz"] and gaps == [] and tracker.last_id("BTC-USDT") is None


def test_the_dedup_window_is_bounded() -> None:
    tracker = TradeTracker(sequential=False, window=3)
    tracker.admit_live([trade(i) for i in range(1, 6)])
    kept, _gaps = tracker.admit_live([trade(1), trade(5)])
    assert ids(kept) == ["1"]  # 1 fell out of the window; 5 is still remembered
    with pytest.raises(ValueError, match="window"):
        TradeTracker(sequential=True, window=0)


def test_binance_uses_historical_trades_only_with_an_api_key() -> None:
    assert binance_gap_params(7, {}) == {"fromId": 7}
    assert binance_gap_params(7, {"apiKey": "k"}) == {"fromId": 7, "fetchTradesMethod": "publicGetHistoricalTrades"}


async def test_a_closed_gap_is_paged_from_its_first_id_until_its_last() -> None:
    client = PagingClient([ccxt_trade(i) for i in range(1, 30)])
    backfiller = Backfiller("binance", "binance", client=client, page_limit=5)
    result = await backfiller.fetch(Gap("BTC-USDT", 4, 15))
    assert [call["fromId"] for call in client.calls] == [4, 9, 14]
    assert client.calls[0]["symbol"] == "BTC/USDT" and client.calls[0]["limit"] == 5
    assert result.complete and result.error is None
    assert [trade.trade_id for trade in result.trades] == [str(i) for i in range(4, 19)]
    assert result.trades[0].exchange == "binance" and result.trades[0].symbol == "BTC-USDT"
    await backfiller.close()
    assert client.closed


async def test_an_open_gap_pages_until_the_history_ends() -> None:
    client = PagingClient([ccxt_trade(i) for i in range(1, 13)])
    result = await Backfiller("binance", "binance", client=client, page_limit=5).fetch(Gap("BTC-USDT", 3))
    assert [trade.trade_id for trade in result.trades] == [str(i) for i in range(3, 13)] and result.complete


async def test_a_gap_the_history_does_not_cover_is_incomplete() -> None:
    client = PagingClient([ccxt_trade(i) for i in range(1, 8)])
    result = await Backfiller("binance", "binance", client=client, page_limit=5).fetch(Gap("BTC-USDT", 5, 20))
    assert [trade.trade_id for trade in result.trades] == ["5", "6", "7"]
    assert not result.complete and result.error is None


async def test_a_network_error_ends_the_backfill_with_what_was_fetched() -> None:
    client = PagingClient([ccxt_trade(i) for i in range(1, 30)], fail_after=1)
    result = await Backfiller("binance", "binance", client=client, page_limit=5).fetch(Gap("BTC-USDT", 1, 20))
    assert len(result.trades) == 5 and not result.complete
    assert result.error is not None and result.error.startswith("NetworkError")


async def test_aggregates_of_several_trades_are_refused_not_published_under_wrong_ids() -> None:
    row = ccxt_trade(9) | {"info": {"a": 9, "f": 20, "l": 22}}
    result = await Backfiller("binance", "binance", client=PagingClient([row])).fetch(Gap("BTC-USDT", 9, 9))
    assert result.trades == [] and result.error is not None and "apiKey" in result.error


async def test_unusable_rows_become_dead_letters() -> None:
    bad = ccxt_trade(3) | {"side": None}
    client = PagingClient([ccxt_trade(2), bad, ccxt_trade(4)])
    result = await Backfiller("binance", "binance", client=client).fetch(Gap("BTC-USDT", 2, 4))
    assert [trade.trade_id for trade in result.trades] == ["2", "4"]
    assert len(result.dead_letters) == 1 and isinstance(result.dead_letters[0], DeadLetter)
    assert "side" in result.dead_letters[0].reason


def test_venues_without_paging_by_id_or_time_have_no_backfiller() -> None:
    with pytest.raises(KeyError):
        Backfiller("bybit", "bybit", client=PagingClient([]))


def test_a_missing_id_arriving_late_on_the_live_stream_is_admitted_once() -> None:
    tracker = TradeTracker(sequential=True)
    _kept, (gap,) = tracker.admit_live([trade(1), trade(4)])
    kept, gaps = tracker.admit_live([trade(3), trade(3), trade(5)])
    assert ids(kept) == ["3", "5"] and gaps == [] and tracker.duplicates == 1
    assert ids(list(tracker.admit_backfill([trade(2), trade(3)], gap))) == ["2"]


def test_message_numbers_report_each_jump_once_and_restart_per_connection() -> None:
    sequence = SequenceTracker()
    assert sequence.observe([5, 6, 7]) == []  # the first number anchors
    assert sequence.observe([8, 12, 13, 15]) == [SequenceGap(9, 11), SequenceGap(14, 14)]
    assert [gap.size for gap in sequence.observe([20])] == [4]
    assert sequence.observe([19, 20, 21]) == [] and sequence.out_of_order == 2
    sequence.reset()
    assert sequence.observe([0, 1]) == [] and sequence.last == 1


def test_resume_gaps_start_after_the_newest_id_of_every_symbol() -> None:
    tracker = TradeTracker(sequential=False)
    tracker.admit_live([trade(7), trade(9), trade(3, "ETH-USDT")])
    tracker.admit_backfill([trade(8)], Gap("BTC-USDT", 8))  # older than the live 9: resume after 9
    tracker.admit_live([Trade(exchange="coinbase", symbol="SOL-USDT", price=1.0, size=1.0, side=Side.BUY,
                              trade_id="a-uuid", ts_event=1, ts_recv=1)])  # fmt: skip
    gaps = tracker.resume_gaps(MISSED_IN_SEQUENCE_GAP)
    assert gaps == [Gap("BTC-USDT", 10, cause=MISSED_IN_SEQUENCE_GAP), Gap("ETH-USDT", 4, cause=MISSED_IN_SEQUENCE_GAP)]
    tracker.admit_backfill([trade(12, "ETH-USDT"), trade(11, "ETH-USDT")], Gap("ETH-USDT", 4))
    assert tracker.resume_gaps()[1] == Gap("ETH-USDT", 13)  # after the newest id, live or backfilled
    sequential = TradeTracker(sequential=True)
    sequential.admit_live([trade(1), trade(2)])
    assert sequential.resume_gaps() == [Gap("BTC-USDT", 3)]


def test_coinbase_pages_forward_with_the_before_cursor() -> None:
    assert coinbase_gap_params(101, {}) == {"before": 100}


def test_gaps_carry_the_time_of_the_last_trade_before_them() -> None:
    tracker = TradeTracker(sequential=True)
    timed = [Trade(exchange="kraken", symbol="BTC-USDT", price=1.0, size=1.0, side=Side.BUY, trade_id=str(number),
                   ts_event=number * 1_000, ts_recv=0) for number in (1, 2, 6)]  # fmt: skip
    _kept, (gap,) = tracker.admit_live(timed)
    assert (gap.first, gap.last, gap.after_ns) == (3, 5, 2_000)
    tracker.connection_lost()
    assert [(g.first, g.after_ns) for g in tracker.open_gaps()] == [(7, 6_000)]
    assert [(g.first, g.after_ns) for g in tracker.resume_gaps()] == [(7, 6_000)]


async def test_kraken_pages_by_time_from_before_the_gap_following_its_cursor() -> None:
    history = [ccxt_trade(i) for i in range(1, 40)]  # trade i at 1_700_000_000_000 + i ms
    client = TimePagingClient(history)
    backfiller = Backfiller("kraken", "kraken", client=client, page_limit=5)
    anchor = history[8]["timestamp"] * 1_000_000  # trade 9, the last one seen before the gap
    result = await backfiller.fetch(Gap("BTC-USDT", 10, 21, after_ns=anchor))
    assert result.complete and result.error is None
    nanos = [row["timestamp"] * 1_000_000 for row in history]
    # A second before the anchor (trades 1.. are older ones), then each page's cursor.
    cursors = [str(anchor - 1_000_000_000), *(str(nanos[i]) for i in (4, 9, 14, 19))]
    assert [call["since"] for call in client.calls] == cursors
    assert [int(trade.trade_id) for trade in result.trades] == list(range(1, 26))
    tracker = TradeTracker(sequential=True)
    tracker.admit_live([trade(9), trade(22)])
    assert ids(list(tracker.admit_backfill(result.trades, Gap("BTC-USDT", 10, 21)))) == [str(i) for i in range(10, 22)]


async def test_a_time_paged_backfill_needs_a_time_and_a_cursor() -> None:
    client = TimePagingClient([ccxt_trade(i, timestamp=1_700_000_000_000 + i) for i in range(1, 20)])
    backfiller = Backfiller("kraken", "kraken", client=client, page_limit=5)
    result = await backfiller.fetch(Gap("BTC-USDT", 3, 9))
    assert result.error is not None and "no trade time" in result.error and client.calls == []
    assert kraken_cursor([ccxt_trade(1)]) is None  # a response without Kraken's "last"
    assert can_backfill("kraken") and can_backfill("coinbase") and can_backfill("okx") and not can_backfill("bybit")


async def test_okx_walks_back_from_the_newest_trade_to_the_gaps_first_id() -> None:
    client = NewestFirstClient([ccxt_trade(i) for i in range(1, 50)])
    backfiller = Backfiller("okx", "okx", client=client)
    open_gap = await backfiller.fetch(Gap("BTC-USDT", 12))  # ids need not be consecutive: walk by id
    assert [call.get("after") for call in client.calls] == [None]  # the latest 100 reach back past 12
    assert client.calls[0]["method"] == "publicGetMarketHistoryTrades" and client.calls[0]["limit"] == 100
    assert [int(t.trade_id) for t in open_gap.trades] == list(range(12, 50)) and open_gap.complete
    paged = Backfiller("okx", "okx", client=(small := NewestFirstClient([ccxt_trade(i) for i in range(1, 350)])))
    closed = await paged.fetch(Gap("BTC-USDT", 20, 30))
    assert [call.get("after") for call in small.calls] == [None, "250", "150", "50"]
    assert [int(t.trade_id) for t in closed.trades] == list(range(20, 31)) and closed.complete


async def test_a_walk_back_that_never_reaches_the_gap_is_incomplete() -> None:
    client = NewestFirstClient([ccxt_trade(i) for i in range(500, 560)])  # history starts after the gap
    result = await Backfiller("okx", "okx", client=client).fetch(Gap("BTC-USDT", 100))
    assert not result.complete and result.error is None
    assert [int(t.trade_id) for t in result.trades] == list(range(500, 560))
