"""Prometheus metrics shared by the services (each process exposes its own registry)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram, start_http_server

MESSAGES = Counter("nashipai_messages_total", "Messages received from a venue", ["exchange", "kind"])
DECODE_ERRORS = Counter("nashipai_decode_errors_total", "Venue messages that could not be parsed", ["exchange"])
RECONNECTS = Counter("nashipai_reconnects_total", "Websocket reconnections", ["exchange"])
LAG = Histogram(
    "nashipai_receive_lag_seconds",
    "Receive time minus exchange event time",
    ["exchange"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
ROWS_WRITTEN = Counter("nashipai_rows_written_total", "Rows a dataflow wrote to QuestDB", ["topic"])
DEAD_LETTERS = Counter("nashipai_dead_letters_total", "Messages sent to the dead-letter topic", ["source"])
LAST_MESSAGE = Gauge("nashipai_last_message_timestamp_seconds", "When a venue last sent data", ["exchange"])


def serve(port: int | None) -> None:
    """Expose this process's metrics on ``port`` (no-op for None)."""
    if port:
        start_http_server(port, addr="127.0.0.1")
