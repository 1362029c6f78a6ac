"""Instrument parsing and the fault spelling of the CLI."""

from __future__ import annotations

import pytest

from connectors.simulator.faults import FaultKind, FaultRequest, MalformedVariant, parse_duration, parse_fault_spec
from connectors.simulator.instruments import format_decimal, parse_symbol_list, split_venue_id


def test_symbol_list_with_and_without_start_prices() -> None:
    btc, sol = parse_symbol_list("BTC-USDT, SOL-USDT=142.5")
    assert (btc.venue_id, btc.stream_id, btc.start_price, btc.tick_size, btc.step_size) == (
        "BTCUSDT", "btcusdt", 65_000.0, 0.01, 1e-05,
    )  # fmt: skip
    assert (sol.symbol, sol.start_price, sol.tick_size, sol.step_size) == ("SOL-USDT", 142.5, 0.0001, 0.001)


@pytest.mark.parametrize("specs", ["BTCUSDT", "BTC-USDT,BTC-USDT", "BTC-USDT=-1", "", "BTC-USDT=abc"])
def test_bad_symbol_lists_are_refused(specs: str) -> None:
    with pytest.raises(ValueError):
        parse_symbol_list(specs)


def test_split_venue_id() -> None:
    assert split_venue_id("ETHBTC") == ("ETH", "BTC")
    assert split_venue_id("btcfdusd") == ("BTC", "FDUSD")
    with pytest.raises(ValueError):
        split_venue_id("FOOBAR")


def test_binance_numbers_have_eight_decimals() -> None:
    assert format_decimal(0.001, 3) == "0.00100000"
    assert format_decimal(65000.01, 2) == "65000.01000000"


def test_fault_specs() -> None:
    stall = parse_fault_spec("stall:2.5@20s")
    assert stall.request == FaultRequest(kind=FaultKind.STALL, seconds=2.5) and stall.at_seconds == 20
    skip = parse_fault_spec("skip_ids:100@500ms/1m")
    assert (skip.request.count, skip.at_seconds, skip.every_seconds) == (100, 0.5, 60.0)
    assert parse_fault_spec("malformed:missing_field@3").request.variant is MalformedVariant.MISSING_FIELD
    assert parse_fault_spec("drop:1001@1s").request.close_code == 1001
    assert parse_fault_spec("drop@1s").request.close_code is None


@pytest.mark.parametrize("spec", ["explode@1s", "drop", "stall:x@1s", "skip_ids:0@1s", "malformed:weird@1s"])
def test_bad_fault_specs_are_refused(spec: str) -> None:
    with pytest.raises(ValueError):
        parse_fault_spec(spec)


def test_durations() -> None:
    assert (parse_duration("10s"), parse_duration("250ms"), parse_duration("2m"), parse_duration("3")) == (
        10.0, 0.25, 120.0, 3.0,
    )  # fmt: skip
