"""Binance stream protocol: URL paths, live subscriptions, properties and error replies."""

from __future__ import annotations

import msgspec
import pytest

from connectors.simulator.ws_protocol import InvalidPathError, SessionState, handle_request, parse_path


def reply(text: str, state: SessionState) -> object:
    return msgspec.json.decode(handle_request(text, state).reply)


def test_raw_and_combined_paths() -> None:
    assert parse_path("/ws/btcusdt@trade") == SessionState(combined=False, streams={"btcusdt@trade": None})
    assert parse_path("/ws") == SessionState(combined=False)
    assert parse_path("/ws/0").streams == {"0": None}  # ccxt.pro's connection naming
    combined = parse_path("/stream?streams=btcusdt@trade/ethusdt@bookTicker")
    assert combined.combined and list(combined.streams) == ["btcusdt@trade", "ethusdt@bookTicker"]
    assert parse_path("/stream") == SessionState(combined=True)


@pytest.mark.parametrize("path", ["/", "/api/v3/time", "/wss/btcusdt@trade", "/streams"])
def test_other_paths_are_not_stream_endpoints(path: str) -> None:
    with pytest.raises(InvalidPathError):
        parse_path(path)


def test_subscribe_list_and_unsubscribe() -> None:
    state = SessionState(combined=False)
    outcome = handle_request('{"method":"SUBSCRIBE","params":["btcusdt@trade","btcusdt@trade","a@b"],"id":1}', state)
    assert msgspec.json.decode(outcome.reply) == {"result": None, "id": 1}
    assert outcome.added == ("btcusdt@trade", "a@b")
    assert reply('{"method":"LIST_SUBSCRIPTIONS","id":"x2"}', state) == {"result": ["btcusdt@trade", "a@b"], "id": "x2"}
    outcome = handle_request('{"method":"UNSUBSCRIBE","params":["a@b","never@trade"],"id":3}', state)
    assert outcome.removed == ("a@b",) and list(state.streams) == ["btcusdt@trade"]


def test_combined_property() -> None:
    state = SessionState(combined=False)
    assert reply('{"method":"SET_PROPERTY","params":["combined",true],"id":5}', state) == {"result": None, "id": 5}
    assert state.combined
    assert reply('{"method":"GET_PROPERTY","params":["combined"],"id":6}', state) == {"result": True, "id": 6}


@pytest.mark.parametrize(
    ("text", "code", "request_id"),
    [
        ("{not json", 3, None),
        ('{"method":"SUBSCRIBE","params":["a@trade"]}', 2, None),
        ('{"method":"SUBSCRIBE","params":["a@trade"],"id":true}', 2, None),
        ('{"method":"SUBSCRIBE","params":["a@trade"],"id":-1.5}', 2, None),
        ('{"method":"SUBSCRIBED","params":[],"id":7}', 2, 7),
        ('{"params":[],"id":7}', 2, 7),
        ('{"method":"SUBSCRIBE","params":[1],"id":7}', 2, 7),
        ('{"method":"SUBSCRIBE","params":"a@trade","id":7}', 2, 7),
        ('{"method":"SUBSCRIBE","params":[],"id":7,"extra":1}', 2, 7),
        ('{"method":"SET_PROPERTY","params":["fast",true],"id":8}', 0, 8),
        ('{"method":"SET_PROPERTY","params":["combined","yes"],"id":9}', 1, 9),
        ('{"method":"GET_PROPERTY","params":[3],"id":9}', 2, 9),
    ],
)
def test_bad_requests_get_binance_error_codes(text: str, code: int, request_id: int | None) -> None:
    state = SessionState(combined=False)
    answer = reply(text, state)
    assert isinstance(answer, dict)
    assert answer["error"]["code"] == code and answer["id"] == request_id
    assert isinstance(answer["error"]["msg"], str) and answer["error"]["msg"]
    assert state.streams == {}
