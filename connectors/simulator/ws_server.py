"""The websocket side of the simulator: connections, subscriptions and batched fan-out.

Binance's stream paths are served here; another protocol (Coinbase's, on ``/coinbase``) plugs in
as a dialect of :class:`StreamServer` and keeps its connections in the same :class:`StreamHub`,
so drops, stalls and counts reach every connection alike.

Frames are written straight through each connection's Sans-I/O protocol, all the frames of a
tick in one ``transport.write`` per connection, which is what makes tens of thousands of
messages per second possible from one Python process. A connection whose unsent buffer passes
``max_buffer_bytes`` is a slow consumer and is cut, as Binance does.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.protocol import State

from connectors.simulator.wire import combined
from connectors.simulator.ws_protocol import InvalidPathError, RequestOutcome, SessionState, handle_request, parse_path

log = logging.getLogger(__name__)


@dataclass(eq=False, slots=True)
class Subscriber:
    """One websocket connection and what it subscribed to."""

    connection: ServerConnection
    session: SessionState
    held: list[bytes] = field(default_factory=list)  # frames kept during a stall with backlog


class StreamHub:
    """Routes encoded stream payloads to the connections subscribed to each stream."""

    def __init__(self, max_buffer_bytes: int = 64 * 2**20) -> None:
        self.max_buffer_bytes = max_buffer_bytes
        self.subscribers: set[Subscriber] = set()
        self.connections_total = 0
        self.frames_sent = 0
        self.slow_consumers_cut = 0
        self._by_stream: defaultdict[str, set[Subscriber]] = defaultdict(set)
        self._stalled_until = 0.0
        self._stall_backlog = False
        #: Set when a connection first subscribes to any stream.
        self.first_subscription = asyncio.Event()

    def has_subscribers(self, stream: str) -> bool:
        return bool(self._by_stream.get(stream))

    def add(self, subscriber: Subscriber) -> None:
        self.subscribers.add(subscriber)
        self.connections_total += 1
        self._index(subscriber, tuple(subscriber.session.streams), ())

    def remove(self, subscriber: Subscriber) -> None:
        self.subscribers.discard(subscriber)
        self._index(subscriber, (), tuple(subscriber.session.streams))

    def apply(self, subscriber: Subscriber, outcome: RequestOutcome) -> None:
        """Reflect a request's subscription changes in the stream index."""
        self._index(subscriber, outcome.added, outcome.removed)

    def _index(self, subscriber: Subscriber, added: tuple[str, ...], removed: tuple[str, ...]) -> None:
        if added:
            self.first_subscription.set()
        for name in added:
            self._by_stream[name].add(subscriber)
        for name in removed:
            subscribers = self._by_stream.get(name)
            if subscribers is not None:
                subscribers.discard(subscriber)
                if not subscribers:
                    del self._by_stream[name]

    @property
    def stalled(self) -> bool:
        return time.monotonic() < self._stalled_until

    def publish(self, frames_by_stream: dict[str, list[bytes]]) -> None:
        """Send each stream's payloads (raw or wrapped, per subscriber) in one write per connection."""
        outgoing: defaultdict[Subscriber, list[bytes]] = defaultdict(list)
        for stream, frames in frames_by_stream.items():
            wrapped: list[bytes] | None = None
            for subscriber in self._by_stream.get(stream, ()):
                if subscriber.session.combined:
                    if wrapped is None:
                        wrapped = [combined(stream, frame) for frame in frames]
                    outgoing[subscriber].extend(wrapped)
                else:
                    outgoing[subscriber].extend(frames)
        self.deliver(outgoing)

    def deliver(self, outgoing: dict[Subscriber, list[bytes]], *, hold: bool = False) -> None:
        """Write each connection's frames in one write, behind any frames a stall held back.

        During a stall the frames are held for delivery when it ends if the stall keeps a
        backlog or ``hold`` is set (replies that must keep their place in a numbered sequence),
        and are otherwise lost.
        """
        if self.stalled:
            if self._stall_backlog or hold:
                for subscriber, frames in outgoing.items():
                    subscriber.held.extend(frames)
            return
        for subscriber in [subscriber for subscriber in self.subscribers if subscriber.held]:
            outgoing[subscriber] = [*subscriber.held, *outgoing.get(subscriber, ())]
            subscriber.held.clear()
        for subscriber, frames in outgoing.items():
            self._write(subscriber, frames)

    @property
    def has_held(self) -> bool:
        """Some connection has frames held back by a stall with backlog."""
        return any(subscriber.held for subscriber in self.subscribers)

    def _write(self, subscriber: Subscriber, frames: list[bytes]) -> None:
        connection = subscriber.connection
        if connection.protocol.state is not State.OPEN or connection.send_in_progress is not None:
            return
        transport = connection.transport
        if transport.get_write_buffer_size() > self.max_buffer_bytes:
            log.warning("cutting slow consumer %s", connection.remote_address)
            self.slow_consumers_cut += 1
            transport.abort()
            return
        protocol = connection.protocol
        for frame in frames:
            protocol.send_text(frame)
        transport.write(b"".join(protocol.data_to_send()))
        self.frames_sent += len(frames)

    def send_raw(self, streams: set[str], frame_for: dict[str, bytes]) -> int:
        """Send ``frame_for[stream]`` once to each subscriber of one of ``streams`` (faults).

        The frame is sent as is to raw subscribers and inside a combined envelope (built by
        text concatenation, so broken JSON stays broken) to combined ones. Returns how many
        connections got it.
        """
        reached = 0
        for subscriber in list(self.subscribers):
            names = [name for name in subscriber.session.streams if name in streams]
            if not names:
                continue
            frame = frame_for[names[0]]
            if subscriber.session.combined:
                frame = b'{"stream":"' + names[0].encode() + b'","data":' + frame + b"}"
            self._write(subscriber, [frame])
            reached += 1
        return reached

    def drop_all(self, close_code: int | None) -> int:
        """Close every connection: TCP abort when ``close_code`` is None, else a close frame."""
        subscribers = list(self.subscribers)
        for subscriber in subscribers:
            if close_code is None:
                subscriber.connection.transport.abort()
            else:
                asyncio.get_running_loop().create_task(subscriber.connection.close(close_code, "simulated drop"))
        return len(subscribers)

    def stall(self, seconds: float, backlog: bool) -> int:
        """Send nothing for ``seconds`` (keeping sockets open); returns the connections affected."""
        self._stalled_until = time.monotonic() + seconds
        self._stall_backlog = backlog
        return len(self.subscribers)


ConnectionHandler = Callable[[ServerConnection], Awaitable[None]]


class StreamServer:
    """Binance-style stream endpoint (``/ws/..``, ``/stream?streams=..``) on top of a :class:`StreamHub`.

    ``dialects`` maps further paths to their own connection handlers (``/coinbase`` serves
    Coinbase's protocol). ``ping_interval`` and ``ping_timeout`` default to Binance's: a ping
    every 20 s, and a connection that has not answered within 60 s is closed. Client pings get pongs.
    """

    def __init__(
        self,
        hub: StreamHub,
        ping_interval: float = 20.0,
        ping_timeout: float = 60.0,
        dialects: Mapping[str, ConnectionHandler] | None = None,
    ) -> None:
        self.hub = hub
        self.ping_interval = ping_interval
        self.ping_timeout = ping_timeout
        self.dialects: Mapping[str, ConnectionHandler] = dialects or {}
        self._server: Server | None = None

    async def start(self, host: str, port: int) -> int:
        """Listen on ``host:port`` (0 picks a free port); returns the bound port."""
        self._server = await serve(
            self._handle,
            host,
            port,
            process_request=self._check_path,
            ping_interval=self.ping_interval,
            ping_timeout=self.ping_timeout,
            compression=None,
        )
        return int(next(iter(self._server.sockets)).getsockname()[1])

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    def _dialect(self, path: str) -> ConnectionHandler | None:
        return self.dialects.get(urlsplit(path).path.rstrip("/"))

    def _check_path(self, connection: ServerConnection, request: Request) -> Response | None:
        if self._dialect(request.path) is not None:
            return None
        try:
            parse_path(request.path)
        except InvalidPathError as error:
            return connection.respond(HTTPStatus.NOT_FOUND, f"{error}\n")
        return None

    async def _handle(self, connection: ServerConnection) -> None:
        path = connection.request.path if connection.request else "/ws"
        dialect = self._dialect(path)
        if dialect is not None:
            await dialect(connection)
            return
        subscriber = Subscriber(connection, parse_path(path))
        self.hub.add(subscriber)
        try:
            async for message in connection:
                outcome = handle_request(message, subscriber.session)
                self.hub.apply(subscriber, outcome)
                await connection.send(outcome.reply, text=True)
        except ConnectionClosed:
            pass  # the client went away or a drop fault cut it: nothing to clean but the index
        finally:
            self.hub.remove(subscriber)
