"""Bars from the streaming builder equal the bars polars computes from the same trades."""

from __future__ import annotations

import pickle
import random

import polars as pl
import pytest

from nashipai.events import Bar, DataQualityKind, Side, Trade
from pipelines import bars
from pipelines.bars import BarBuilder

SECOND = 1_000_000_000
MINUTE = 60 * SECOND
BASE = 1_764_000_000 * SECOND


def random_trades(count: int, seed: int, spacing_ms: int = 700) -> list[Trade]:
    rng = random.Random(seed)
    ts = BASE
    price = 100.0
    trades = []
    for i in range(count):
        ts += rng.randrange(1, spacing_ms) * 1_000_000
        price *= 1 + rng.gauss(0, 0.001)
        trades.append(Trade(exchange="binance", symbol="BTC-USDT", price=round(price, 2), size=rng.random() + 0.01,
                            side=Side.BUY, trade_id=str(i + 1), ts_event=ts, ts_recv=ts + 1_000_000))
    return trades


def polars_bars(trades: list[Trade], every: str) -> pl.DataFrame:
    frame = pl.DataFrame({
        "ts": [t.ts_event for t in trades], "price": [t.price for t in trades], "size": [t.size for t in trades],
    }).with_columns(pl.col("ts").cast(pl.Datetime("ns")))
    return (
        frame.sort("ts")
        .group_by_dynamic("ts", every=every, closed="left", label="left")
        .agg(
            open=pl.col("price").first(), high=pl.col("price").max(), low=pl.col("price").min(),
            close=pl.col("price").last(), volume=pl.col("size").sum(),
            vwap=(pl.col("price") * pl.col("size")).sum() / pl.col("size").sum(), trade_count=pl.len(),
        )
        .with_columns(pl.col("ts").cast(pl.Int64))
    )


def builder_bars(trades: list[Trade], chunk: int) -> dict[str, list[Bar]]:
    builder = BarBuilder("binance", "BTC-USDT", [("1s", SECOND), ("1m", MINUTE)])
    bars: list[Bar] = []
    for start in range(0, len(trades), chunk):
        update = builder.add(trades[start:start + chunk])
        assert not update.corrected and not update.quality
        bars += [bar for bar, _ in update.closed]
    bars += builder.close_open(ts_recv=0)
    return {frame: [bar for bar in bars if bar.timeframe == frame] for frame in ("1s", "1m")}


@pytest.mark.parametrize("chunk", [1, 7, 1000])
def test_bars_equal_polars_group_by_dynamic(chunk: int) -> None:
    trades = random_trades(3_000, seed=chunk)
    ours = builder_bars(trades, chunk)
    for frame, every in (("1s", "1s"), ("1m", "1m")):
        expected = polars_bars(trades, every)
        got = pl.DataFrame({
            "ts": [b.ts_event for b in ours[frame]], "open": [b.open for b in ours[frame]],
            "high": [b.high for b in ours[frame]], "low": [b.low for b in ours[frame]],
            "close": [b.close for b in ours[frame]], "volume": [b.volume for b in ours[frame]],
            "vwap": [b.vwap for b in ours[frame]], "trade_count": [b.trade_count for b in ours[frame]],
        })
        assert got["ts"].to_list() == expected["ts"].to_list()
        assert got["trade_count"].to_list() == expected["trade_count"].cast(pl.Int64).to_list()
        for column in ("open", "high", "low", "close", "volume", "vwap"):
            assert got[column].to_list() == pytest.approx(expected[column].to_list(), rel=1e-12), column


def test_bar_closes_on_the_first_trade_of_a_later_bar_carrying_its_receive_time() -> None:
    trades = random_trades(10, seed=1, spacing_ms=400)
    builder = BarBuilder("binance", "BTC-USDT", [("1s", SECOND)])
    update = builder.add(trades)
    for bar, closer in update.closed:
        assert trades[closer].ts_event >= bar.ts_event + SECOND
        assert trades[closer - 1].ts_event < bar.ts_event + SECOND
        assert bar.ts_recv == trades[closer].ts_recv


def test_late_trade_corrects_the_closed_bar_and_records_data_quality() -> None:
    builder = BarBuilder("binance", "BTC-USDT", [("1s", SECOND)])
    make = lambda i, ts, price: Trade(exchange="binance", symbol="BTC-USDT", price=price, size=1.0,  # noqa: E731
                                      side=Side.SELL, trade_id=str(i), ts_event=ts, ts_recv=ts)
    first = builder.add([make(1, BASE + 100, 10.0), make(2, BASE + SECOND + 5, 11.0)])
    assert [bar.close for bar, _ in first.closed] == [10.0]
    late = builder.add([make(3, BASE + 900_000_000, 7.0)])
    assert len(late.corrected) == 1
    corrected = late.corrected[0]
    assert (corrected.ts_event, corrected.low, corrected.volume, corrected.trade_count, corrected.revision) == (
        BASE, 7.0, 2.0, 2, 1)
    assert corrected.vwap == pytest.approx(8.5)
    assert [q.kind for q in late.quality] == [DataQualityKind.LATE_TRADE]
    assert late.quality[0].first_missing == "3"


def test_trade_older_than_the_kept_bars_is_reported_not_dropped() -> None:
    builder = BarBuilder("binance", "BTC-USDT", [("1s", SECOND)], keep_closed=2)
    make = lambda i, ts: Trade(exchange="binance", symbol="BTC-USDT", price=1.0, size=1.0,  # noqa: E731
                               side=Side.SELL, trade_id=str(i), ts_event=ts, ts_recv=ts)
    builder.add([make(i, BASE + i * SECOND) for i in range(6)])
    update = builder.add([make(99, BASE)])
    assert update.corrected == []
    assert len(update.quality) == 1 and "older than the last 2" in update.quality[0].detail


def test_batch_decode_dead_letters_unnormalised_symbols_and_keeps_the_rest() -> None:
    from nashipai.events import encode
    from pipelines.decode import decode_batch
    from pipelines.kafka_io import RawBatch

    good = random_trades(3, seed=2)
    bad = Trade(exchange="binance", symbol="BTCUSDT", price=1.0, size=1.0, side=Side.BUY, trade_id="9",
                ts_event=BASE, ts_recv=BASE)
    values = [encode(good[0]), encode(bad), encode(good[1]), b"{broken", encode(good[2])]
    decoded = decode_batch(RawBatch("md.trades", 0, values, [10, 11, 12, 13, 14], BASE), Trade)
    assert decoded.events == good
    assert [letter.source for letter in decoded.dead] == ["md.trades/0@11", "md.trades/0@13"]
    assert "symbol 'BTCUSDT'" in decoded.dead[0].reason


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_small_batches_fold_exactly_as_the_numba_kernel_does_late_trades_included(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Batches of up to _SMALL_BATCH trades take the plain-Python fold; the same batches through
    # the numba kernel must give identical bars, corrections and data-quality events, in order.
    rng = random.Random(seed)
    trades = random_trades(4_000, seed=seed, spacing_ms=300)
    for _ in range(150):  # move some trades back in the stream: they arrive late
        i = rng.randrange(50, len(trades))
        trades.insert(i - rng.randrange(1, 40), trades.pop(i))
    chunks = [rng.randrange(1, bars._SMALL_BATCH + 1) for _ in range(len(trades))]

    def outputs() -> list[object]:
        builder = BarBuilder("binance", "BTC-USDT", [("1s", SECOND), ("5s", 5 * SECOND)], keep_closed=3)
        seen: list[object] = []
        start = 0
        for size in chunks:
            update = builder.add(trades[start : start + size])
            seen += [("closed", bar, closer) for bar, closer in update.closed]
            seen += [("corrected", bar) for bar in update.corrected] + [("quality", q) for q in update.quality]
            start += size
        return [*seen, *builder.close_open(ts_recv=0)]

    python_fold = outputs()
    monkeypatch.setattr(bars, "_SMALL_BATCH", 0)
    assert python_fold == outputs()
    kinds = {item[0] for item in python_fold if isinstance(item, tuple)}
    assert kinds == {"closed", "corrected", "quality"}


def test_small_and_large_batches_and_snapshots_in_between_give_the_bars_of_one_pass() -> None:
    # The open bar is kept as Python numbers and handed to numba as arrays for large batches:
    # alternating the two paths, with a pickle round trip (a recovery snapshot) between batches,
    # must give exactly the bars of the whole stream folded at once.
    trades = random_trades(3_000, seed=7, spacing_ms=150)
    rng = random.Random(7)
    whole = BarBuilder("binance", "BTC-USDT", [("1s", SECOND), ("5s", 5 * SECOND)])
    expected = [bar for bar, _ in whole.add(trades).closed] + whole.close_open(ts_recv=0)

    builder = BarBuilder("binance", "BTC-USDT", [("1s", SECOND), ("5s", 5 * SECOND)])
    got: list[Bar] = []
    start = 0
    while start < len(trades):
        size = rng.choice([1, 3, bars._SMALL_BATCH, bars._SMALL_BATCH + 1, 200])
        got += [bar for bar, _ in builder.add(trades[start : start + size]).closed]
        builder = pickle.loads(pickle.dumps(builder))
        start += size
    got += builder.close_open(ts_recv=0)
    key = lambda bar: (bar.timeframe, bar.ts_event)  # noqa: E731
    assert sorted(got, key=key) == sorted(expected, key=key)
    assert len(expected) > 200
