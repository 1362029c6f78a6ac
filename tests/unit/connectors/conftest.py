"""Fixture factories for the connector tests: venue messages in their real wire format."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def wire() -> Callable[[str, str], bytes]:
    """``wire("binance", "trade.json")`` -> the message as received, without the file's newline."""

    def load(venue: str, name: str) -> bytes:
        return (FIXTURES / venue / name).read_bytes().rstrip(b"\n")

    return load


@pytest.fixture
def session() -> Callable[[str], list[bytes]]:
    """``session("kraken")`` -> the frames of a recorded-style session, one per line."""

    def load(venue: str) -> list[bytes]:
        return [line for line in (FIXTURES / venue / "session.jsonl").read_bytes().splitlines() if line]

    return load
