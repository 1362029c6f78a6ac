"""Configuration of one simulator run."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from connectors.simulator.faults import ScheduledFault
from connectors.simulator.instruments import Instrument, make_instrument
from connectors.simulator.model import ModelParams

#: CLI defaults: Binance's own stream port and the next one; clear of Kafka (9092/9093) and
#: QuestDB (9000/9003/9009/8812).
DEFAULT_WS_PORT = 9443
DEFAULT_REST_PORT = 9444


def default_instruments() -> tuple[Instrument, ...]:
    return (make_instrument("BTC-USDT"), make_instrument("ETH-USDT"))


@dataclass(frozen=True, slots=True)
class SimulatorConfig:
    """Everything a :class:`~connectors.simulator.simulator.Simulator` needs.

    Attributes:
        instruments: the symbols to simulate (ignored with ``replay``: the file's symbols are used).
        host: interface both servers bind to.
        ws_port: websocket port; 0 picks a free one (the default, for tests).
        rest_port: REST port; 0 picks a free one.
        model: market model parameters (``model.rate`` is trades per second per symbol).
        seed: seed of the market model; the same seed gives the same market.
        replay: a recorded JSON-lines trade file to play instead of the model.
        speed: replay speed-up factor (2.0 plays twice as fast).
        max_trades: stop generating a symbol after this many trades.
        duration: seconds after which the run counts as done (``wait_done`` returns).
        history_size: trades kept per symbol for the REST endpoints.
        faults: faults to apply on a schedule.
        ping_interval: seconds between server pings on each websocket.
        ping_timeout: seconds a client has to answer a ping before it is cut.
        start_on_subscribe: hold the market (no trades, ids unused) until a websocket client
            first subscribes to a stream, so that client can see every trade from id 1.
    """

    instruments: tuple[Instrument, ...] = field(default_factory=default_instruments)
    host: str = "127.0.0.1"
    ws_port: int = 0
    rest_port: int = 0
    model: ModelParams = field(default_factory=ModelParams)
    seed: int = 7
    replay: Path | None = None
    speed: float = 1.0
    max_trades: int | None = None
    duration: float | None = None
    history_size: int = 100_000
    faults: tuple[ScheduledFault, ...] = ()
    ping_interval: float = 20.0
    ping_timeout: float = 60.0
    start_on_subscribe: bool = False

    def __post_init__(self) -> None:
        if self.speed <= 0:
            raise ValueError("speed must be positive")
        if self.max_trades is not None and self.max_trades < 1:
            raise ValueError("max_trades must be at least 1")
        if self.duration is not None and self.duration <= 0:
            raise ValueError("duration must be positive")
        if not self.instruments and self.replay is None:
            raise ValueError("no instruments to simulate")
