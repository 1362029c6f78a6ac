"""The connectors' small error hierarchy.

Every failure a connector meets is one of these, so the runner decides what to do from the type
and :attr:`ConnectorError.should_retry` alone:

- :class:`ParseError`: input we cannot use (not JSON, a missing field, a wrong type, an unknown
  message). Never retried: the runner dead-letters ``raw`` with ``reason`` and carries on.
- :class:`VenueError`: the venue said no (an error message, a failed subscription, a notice that
  it will close the connection). ``should_retry`` says whether reconnecting and resubscribing may
  help, as the venue's code tells.
- :class:`ConnectionLost`: the network or the venue dropped us. Always retried.
- :class:`SymbolError`: a symbol we cannot map between our ``BASE-QUOTE`` form and the venue's.
  A configuration error: never retried.
"""

from __future__ import annotations


class ConnectorError(Exception):
    """Base of every connector error."""

    should_retry: bool = False


class ParseError(ConnectorError):
    """A message that could not be turned into events.

    Attributes:
        reason: what is wrong, naming the field or the message type, e.g.
            ``"binance trade: Expected `float`, got `str` - at `$.p`"``.
        raw: the input, whole, for the dead-letter topic.
    """

    should_retry = False

    def __init__(self, reason: str, raw: bytes | str = b"") -> None:
        super().__init__(reason)
        self.reason = reason
        self.raw = raw


class VenueError(ConnectorError):
    """An error the venue reported.

    Attributes:
        venue: the venue name, e.g. ``"okx"``.
        code: the venue's error code as text (``""`` when the venue sends none).
        message: the venue's own message.
        should_retry: whether reconnecting and resubscribing may succeed.
    """

    def __init__(self, venue: str, code: str, message: str, *, should_retry: bool = False) -> None:
        super().__init__(f"{venue} error {code}: {message}" if code else f"{venue} error: {message}")
        self.venue = venue
        self.code = code
        self.message = message
        self.should_retry = should_retry


class ConnectionLost(ConnectorError):  # noqa: N818 (the name the runner and the brief use)
    """The connection dropped or timed out; reconnect and resubscribe."""

    should_retry = True


class SymbolError(ConnectorError, ValueError):
    """A symbol that cannot be mapped between the normalised and the venue's form."""

    should_retry = False
