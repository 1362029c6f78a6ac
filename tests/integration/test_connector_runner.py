"""The websocket runner against the in-process simulator, publishing to the test stack's Kafka.

Each test runs a Binance-protocol simulator with a bounded number of trades, starts the runner
on it in a namespace, injects a fault and reads the namespaced topics back: every trade id
1..N exactly once, and the data-quality events that explain what happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

import pytest
from confluent_kafka import OFFSET_BEGINNING, KafkaException, TopicPartition

from connectors.ccxt_pro import CcxtProSource
from connectors.publish import Publisher
from connectors.runner import Connector, RunnerOptions, build_connector, run_connector
from connectors.simulator import (
    FaultKind,
    FaultRequest,
    MalformedVariant,
    ModelParams,
    Simulator,
    SimulatorConfig,
    binance_client_config,
    make_instrument,
)
from connectors.venues.common import Channel
from nashipai import kafka
from nashipai.config import Settings
from nashipai.events import DataQualityEvent, DataQualityKind, DeadLetter, E, Quote, Trade, decoder_for
from nashipai.names import Topic, namespaced_topic

pytestmark = pytest.mark.integration

SYMBOL = "BTC-USDT"
FAST = RunnerOptions(
    stale_after=5.0, backoff_initial=0.05, backoff_cap=0.5, reconnect_tail_wait=0.5, seed=1, ensure_topics=False
)


def read_topic(settings: Settings, topic: str, event_type: type[E], until: Callable[[list[E]], bool],
               timeout: float = 20.0, settle: float = 0.5) -> list[E]:
    """Every event of ``topic`` from the start until ``until(events)`` holds (then ``settle`` s more)."""
    client = kafka.consumer(settings, f"test-{uuid.uuid4().hex[:8]}")
    partitions = client.list_topics(topic, timeout=10).topics[topic].partitions
    client.assign([TopicPartition(topic, partition, OFFSET_BEGINNING) for partition in partitions])
    decoder = decoder_for(event_type)
    events: list[E] = []
    deadline = time.monotonic() + timeout
    settled_at: float | None = None
    try:
        while time.monotonic() < deadline and (settled_at is None or time.monotonic() < settled_at):
            for message in client.consume(1000, 0.1):
                if message.error() is not None:
                    raise KafkaException(message.error())
                events.append(decoder.decode(message.value()))
            if settled_at is None and until(events):
                settled_at = time.monotonic() + settle
    finally:
        client.close()
    return events


async def read(settings: Settings, namespace: str, topic: Topic, event_type: type[E],
               until: Callable[[list[E]], bool], timeout: float = 20.0, settle: float = 0.5) -> list[E]:
    name = namespaced_topic(topic, namespace)
    return await asyncio.to_thread(read_topic, settings, name, event_type, until, timeout, settle)


def trade_ids(trades: list[Trade]) -> list[int]:
    return sorted(int(trade.trade_id) for trade in trades)


def all_ids(count: int) -> Callable[[list[Trade]], bool]:
    return lambda trades: len({trade.trade_id for trade in trades}) >= count


def kinds(events: list[DataQualityEvent], kind: DataQualityKind) -> list[DataQualityEvent]:
    return [event for event in events if event.kind is kind]


def has_backfill_and_reconnect(events: list[DataQualityEvent]) -> bool:
    return bool(kinds(events, DataQualityKind.RECONNECT)) and bool(kinds(events, DataQualityKind.BACKFILL))


@dataclass
class Run:
    simulator: Simulator
    connector: Connector
    task: asyncio.Task[None]

    async def trades_reach(self, trade_id: int, timeout: float = 10.0) -> None:
        """Wait until the simulator has generated ``trade_id``."""
        deadline = time.monotonic() + timeout
        while self.simulator.stats().symbols[SYMBOL].last_trade_id < trade_id:
            assert time.monotonic() < deadline, f"simulator did not reach trade {trade_id}"
            await asyncio.sleep(0.01)


@pytest.fixture
def start_run(settings: Settings, namespace: str) -> Callable[..., AbstractAsyncContextManager[Run]]:
    @contextlib.asynccontextmanager
    async def start(trades: int, rate: float = 300.0, options: RunnerOptions = FAST) -> AsyncIterator[Run]:
        config = SimulatorConfig(
            instruments=(make_instrument(SYMBOL),), model=ModelParams(rate=rate, branching=0.2), seed=11,
            max_trades=trades, start_on_subscribe=True,
        )  # fmt: skip
        async with Simulator(config) as simulator:
            connector = build_connector(
                settings, "binance", [SYMBOL], url=f"{simulator.ws_base_url}/stream", namespace=namespace,
                rest_config=binance_client_config(simulator.rest_base_url, simulator.ws_base_url), options=options,
            )  # fmt: skip
            stop = asyncio.Event()
            task = asyncio.create_task(connector.run(stop))
            try:
                yield Run(simulator, connector, task)
            finally:
                stop.set()
                await asyncio.wait_for(task, 15)
                await connector.close()

    return start


async def test_every_simulated_trade_lands_once_in_kafka(settings: Settings, namespace: str) -> None:
    count = 600
    config = SimulatorConfig(
        instruments=(make_instrument(SYMBOL),), model=ModelParams(rate=400), seed=3, max_trades=count,
        start_on_subscribe=True,
    )  # fmt: skip
    async with Simulator(config) as simulator:
        stop = asyncio.Event()
        task = asyncio.create_task(
            run_connector(
                settings, "binance", [SYMBOL], url=f"{simulator.ws_base_url}/stream", namespace=namespace,
                rest_config=binance_client_config(simulator.rest_base_url, simulator.ws_base_url),
                stop_event=stop, options=FAST,
            )
        )  # fmt: skip
        await asyncio.wait_for(simulator.wait_done(), 20)
        trades = await read(settings, namespace, Topic.TRADES, Trade, all_ids(count))
        stop.set()
        stats = await asyncio.wait_for(task, 15)
        emitted = simulator.stats().symbols[SYMBOL].trades_emitted
    assert emitted == count
    assert trade_ids(trades) == list(range(1, count + 1))
    assert {(trade.exchange, trade.symbol) for trade in trades} == {("binance", SYMBOL)}
    assert stats.gaps == 0 and stats.reconnects == 0 and stats.decode_errors == 0
    quotes = await read(settings, namespace, Topic.QUOTES, Quote, lambda quotes: len(quotes) > 0, settle=0)
    assert quotes[0].bid_price < quotes[0].ask_price


async def test_drop_and_skipped_ids_are_reconnected_reported_and_backfilled(
    settings: Settings, namespace: str, start_run: Callable[..., AbstractAsyncContextManager[Run]]
) -> None:
    count, hidden = 1200, 40
    async with start_run(count) as run:
        await run.trades_reach(300)
        run.simulator.apply_fault(FaultRequest(kind=FaultKind.DROP))
        await run.trades_reach(600)
        assert run.connector.stats.reconnects == 1
        last_before_skip = run.simulator.stats().symbols[SYMBOL].last_trade_id
        run.simulator.apply_fault(FaultRequest(kind=FaultKind.SKIP_IDS, count=hidden, symbol=SYMBOL))
        await asyncio.wait_for(run.simulator.wait_done(), 20)
        trades = await read(settings, namespace, Topic.TRADES, Trade, all_ids(count))
        quality = await read(
            settings, namespace, Topic.DATA_QUALITY, DataQualityEvent,
            lambda events: len(kinds(events, DataQualityKind.BACKFILL)) >= 2,
        )  # fmt: skip
    assert trade_ids(trades) == list(range(1, count + 1))  # every id once: no loss, no duplicate
    reconnects = kinds(quality, DataQualityKind.RECONNECT)
    assert len(reconnects) == 1 and reconnects[0].symbol == "*"
    gaps = kinds(quality, DataQualityKind.GAP)
    skipped = (str(last_before_skip + 1), str(last_before_skip + hidden))
    assert skipped in [(gap.first_missing, gap.last_missing) for gap in gaps]
    assert all(gap.symbol == SYMBOL and gap.count == int(gap.last_missing or 0) - int(gap.first_missing or 0) + 1
               for gap in gaps)  # fmt: skip
    backfills = kinds(quality, DataQualityKind.BACKFILL)
    assert sum(backfill.count for backfill in backfills) == sum(gap.count for gap in gaps)
    assert all("incomplete" not in backfill.detail for backfill in backfills)


async def test_malformed_frames_are_dead_lettered_and_the_stream_goes_on(
    settings: Settings, namespace: str, start_run: Callable[..., AbstractAsyncContextManager[Run]]
) -> None:
    count = 600
    async with start_run(count) as run:
        await run.trades_reach(200)
        run.simulator.apply_fault(FaultRequest(kind=FaultKind.MALFORMED, variant=MalformedVariant.INVALID_JSON))
        await run.trades_reach(300)
        run.simulator.apply_fault(FaultRequest(kind=FaultKind.MALFORMED, variant=MalformedVariant.MISSING_FIELD))
        await asyncio.wait_for(run.simulator.wait_done(), 20)
        trades = await read(settings, namespace, Topic.TRADES, Trade, all_ids(count))
        letters = await read(settings, namespace, Topic.DEAD_LETTER, DeadLetter, lambda letters: len(letters) >= 2)
        assert run.connector.stats.decode_errors == 2 and run.connector.stats.reconnects == 0
    assert trade_ids(trades) == list(range(1, count + 1))
    assert len(letters) == 2
    truncated, missing_price = letters
    assert truncated.source == "connector:binance" and truncated.exchange == "binance"
    assert truncated.payload.startswith('{"stream":"btcusdt@trade","data":{"e":"trade"')
    assert truncated.payload.endswith('"p":"1.0}')  # the raw frame, whole, as it came
    assert "not valid JSON" in truncated.reason
    assert '"p"' not in missing_price.payload and "$.data" in missing_price.reason and "`p`" in missing_price.reason


async def test_a_stalled_feed_is_reported_stale_and_reconnected(
    settings: Settings, namespace: str, start_run: Callable[..., AbstractAsyncContextManager[Run]]
) -> None:
    count = 700
    options = RunnerOptions(
        stale_after=0.8, backoff_initial=0.05, backoff_cap=0.5, reconnect_tail_wait=0.5, seed=1, ensure_topics=False
    )
    async with start_run(count, options=options) as run:
        await run.trades_reach(200)
        run.simulator.apply_fault(FaultRequest(kind=FaultKind.STALL, seconds=2.0))
        await asyncio.wait_for(run.simulator.wait_done(), 20)
        trades = await read(settings, namespace, Topic.TRADES, Trade, all_ids(count))
        quality = await read(settings, namespace, Topic.DATA_QUALITY, DataQualityEvent, has_backfill_and_reconnect)
    assert trade_ids(trades) == list(range(1, count + 1))
    stale = kinds(quality, DataQualityKind.STALE)
    assert stale and stale[0].symbol == "*" and stale[0].count >= 800
    assert kinds(quality, DataQualityKind.RECONNECT)
    assert stale[0].ts_event <= kinds(quality, DataQualityKind.RECONNECT)[0].ts_event


async def test_trades_missed_while_the_market_ends_are_backfilled_after_reconnect(
    settings: Settings, namespace: str, start_run: Callable[..., AbstractAsyncContextManager[Run]]
) -> None:
    count = 400
    slow_reconnect = RunnerOptions(backoff_initial=0.6, backoff_cap=1.0, reconnect_tail_wait=0.3, ensure_topics=False)
    async with start_run(count, options=slow_reconnect) as run:
        await run.trades_reach(count - 10)
        run.simulator.apply_fault(FaultRequest(kind=FaultKind.DROP))
        await asyncio.wait_for(run.simulator.wait_done(), 20)
        last_seen = run.connector.tracker.last_id(SYMBOL)
        trades = await read(settings, namespace, Topic.TRADES, Trade, all_ids(count))
        quality = await read(settings, namespace, Topic.DATA_QUALITY, DataQualityEvent, has_backfill_and_reconnect)
    assert last_seen is not None and last_seen < count  # no live trade will ever reveal this gap
    assert trade_ids(trades) == list(range(1, count + 1))
    gaps = kinds(quality, DataQualityKind.GAP)
    assert [(gap.first_missing, gap.last_missing) for gap in gaps] == [(str(last_seen + 1), str(count))]
    assert [backfill.count for backfill in kinds(quality, DataQualityKind.BACKFILL)] == [count - last_seen]


async def test_the_ccxt_pro_path_publishes_through_the_same_pipeline(settings: Settings, namespace: str) -> None:
    count = 300
    config = SimulatorConfig(
        instruments=(make_instrument(SYMBOL),), model=ModelParams(rate=300), seed=5, max_trades=count,
        start_on_subscribe=True,
    )  # fmt: skip
    async with Simulator(config) as simulator:
        source = CcxtProSource(
            "binance", [SYMBOL], (Channel.TRADES,),
            config=binance_client_config(simulator.rest_base_url, simulator.ws_base_url),
        )  # fmt: skip
        publisher = Publisher(kafka.EventProducer(settings), "binance", namespace)
        connector = Connector(publisher, [SYMBOL], source=source, options=FAST)
        stop = asyncio.Event()
        task = asyncio.create_task(connector.run(stop))
        await asyncio.wait_for(simulator.wait_done(), 20)
        trades = await read(settings, namespace, Topic.TRADES, Trade, all_ids(count))
        stop.set()
        await asyncio.wait_for(task, 15)
        await connector.close()
    assert trade_ids(trades) == list(range(1, count + 1))
    assert connector.stats.messages > 0 and connector.stats.gaps == 0
