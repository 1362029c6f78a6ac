"""The synthetic market: a pure, seeded model of trades and top-of-book quotes for one symbol.

Trade arrivals follow a Hawkes process with an exponential kernel (each trade raises the
intensity by ``branching * decay``, which decays at rate ``decay``), so trades come in bursts
while the long-run mean rate stays ``rate``. The mid price follows geometric Brownian motion
with Poisson jumps of log-normal size, evaluated at trade times. The L1 spread is a positive
number of ticks around the mid; a taker buy prints at the ask and a taker sell at the bid.
Trade sizes and L1 sizes are log-normal around a median notional.

The model only knows its own clock: event times are ``start_ms`` plus the simulated offsets.
Given the same instrument, parameters, seed and ``start_ms`` it yields the same events however
``advance_to`` is called (random numbers are drawn per event, never per call).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import msgspec

from connectors.simulator.instruments import Instrument

SECONDS_PER_YEAR = 365.0 * 24 * 3600
SECONDS_PER_DAY = 24.0 * 3600


class SimTrade(msgspec.Struct, frozen=True, gc=False):
    """One trade of the simulated venue, in Binance's terms.

    ``buyer_is_maker`` is Binance's ``m``: true when the taker sold.
    """

    trade_id: int
    price: float
    size: float
    buyer_is_maker: bool
    time_ms: int


class SimQuote(msgspec.Struct, frozen=True, gc=False):
    """Best bid and ask after an update; ``update_id`` is Binance's ``u`` (per symbol, from 1)."""

    update_id: int
    bid_price: float
    bid_size: float
    ask_price: float
    ask_size: float
    time_ms: int


@dataclass(frozen=True, slots=True)
class ModelParams:
    """Parameters of :class:`MarketModel`.

    Attributes:
        rate: long-run mean trades per second.
        branching: Hawkes branching ratio in [0, 1): the share of trades triggered by earlier
            trades (0 gives a plain Poisson process).
        decay: Hawkes kernel decay per second (bursts last about ``1 / decay`` seconds).
        drift: log-price drift per year.
        volatility: log-price volatility per square-root year.
        jumps_per_day: mean number of price jumps per day.
        jump_mean: mean log size of a jump.
        jump_stdev: standard deviation of the log size of a jump.
        mean_spread_ticks: mean L1 spread in ticks (at least 1).
        median_notional: median trade notional, in quote units.
        size_sigma: log-normal sigma of trade sizes.
        side_persistence: probability that a taker side repeats the previous one.
    """

    rate: float = 10.0
    branching: float = 0.6
    decay: float = 5.0
    drift: float = 0.0
    volatility: float = 0.6
    jumps_per_day: float = 4.0
    jump_mean: float = 0.0
    jump_stdev: float = 0.01
    mean_spread_ticks: float = 2.0
    median_notional: float = 500.0
    size_sigma: float = 1.0
    side_persistence: float = 0.6

    def __post_init__(self) -> None:
        if self.rate < 0 or not 0 <= self.branching < 1 or self.decay <= 0:
            raise ValueError("need rate >= 0, 0 <= branching < 1 and decay > 0")
        if self.volatility < 0 or self.jumps_per_day < 0 or self.jump_stdev < 0:
            raise ValueError("volatility, jumps_per_day and jump_stdev must be >= 0")
        if self.mean_spread_ticks < 1 or self.median_notional <= 0 or self.size_sigma < 0:
            raise ValueError("need mean_spread_ticks >= 1, median_notional > 0, size_sigma >= 0")


class MarketModel:
    """Seeded trade and quote generator of one instrument (see the module docstring)."""

    def __init__(self, instrument: Instrument, params: ModelParams, seed: int, start_ms: int) -> None:
        self.instrument = instrument
        self.params = params
        self.start_ms = start_ms
        self.jumps = 0
        self._rng = random.Random(f"{seed}:{instrument.symbol}")
        self._log_mid = math.log(instrument.start_price)
        self._base_intensity = params.rate * (1.0 - params.branching)
        self._excitation = params.branching * params.decay
        self._excess = 0.0
        self._clock = 0.0  # seconds since start of the pending (next) arrival
        self._price_clock = 0.0  # seconds since start of the last price update
        self._taker_buys = True
        self._next_trade_id = 1
        self._next_update_id = 1
        self._price_decimals = instrument.price_decimals
        self._size_decimals = instrument.size_decimals
        self._log_median_notional = math.log(params.median_notional)
        self._log_book_factor = math.log(5.0)  # L1 sizes are about five median trades
        self._draw_arrival()

    @property
    def mid(self) -> float:
        """The current (unrounded) mid price."""
        return math.exp(self._log_mid)

    @property
    def next_time_ms(self) -> float:
        """Event time of the next trade (``inf`` when the rate is zero)."""
        return self.start_ms + self._clock * 1000.0

    def rebase(self, start_ms: int) -> None:
        """Move the start of the model's clock (e.g. to when the first subscriber came).

        Raises:
            RuntimeError: trades were already generated.
        """
        if self.last_trade_id:
            raise RuntimeError("cannot rebase a model that already generated trades")
        self.start_ms = start_ms

    @property
    def last_trade_id(self) -> int:
        """Id of the last trade generated, 0 before the first."""
        return self._next_trade_id - 1

    def advance_to(self, time_ms: float, max_trades: int | None = None) -> list[tuple[SimTrade, SimQuote]]:
        """Generate every trade (with the quote that follows it) up to ``time_ms`` inclusive.

        Args:
            time_ms: the model clock to advance to, ms since the epoch.
            max_trades: stop after this many trades even if ``time_ms`` is not reached.
        """
        events: list[tuple[SimTrade, SimQuote]] = []
        while self.start_ms + self._clock * 1000.0 <= time_ms and (max_trades is None or len(events) < max_trades):
            events.append(self._emit(self._clock))
            self._draw_arrival()
        return events

    def _draw_arrival(self) -> None:
        """Draw the next Hawkes arrival by Ogata thinning into ``_clock`` (``inf``: none ever)."""
        mu = self._base_intensity
        if mu <= 0:
            self._clock = math.inf
            return
        rng, decay = self._rng, self.params.decay
        clock, excess = self._clock, self._excess
        while True:
            bound = mu + excess
            wait = rng.expovariate(bound)
            clock += wait
            excess *= math.exp(-decay * wait)
            if rng.random() * bound <= mu + excess:
                break
        self._clock, self._excess = clock, excess + self._excitation

    def _emit(self, clock: float) -> tuple[SimTrade, SimQuote]:
        rng, params, instrument = self._rng, self.params, self.instrument
        self._evolve_price(clock - self._price_clock)
        self._price_clock = clock
        if rng.random() >= params.side_persistence:
            self._taker_buys = not self._taker_buys
        mid = math.exp(self._log_mid)
        log_trade_size = self._log_median_notional - self._log_mid
        log_book_size = log_trade_size + self._log_book_factor
        tick = instrument.tick_size
        spread_ticks = 1 + (
            int(rng.expovariate(1.0 / (params.mean_spread_ticks - 1))) if params.mean_spread_ticks > 1 else 0
        )
        bid_ticks = math.floor(mid / tick - spread_ticks / 2.0)
        bid = round(max(bid_ticks, 1) * tick, self._price_decimals)
        ask = round((max(bid_ticks, 1) + spread_ticks) * tick, self._price_decimals)
        time_ms = int(self.start_ms + clock * 1000.0)
        trade = SimTrade(
            trade_id=self._next_trade_id,
            price=ask if self._taker_buys else bid,
            size=self._draw_size(log_trade_size),
            buyer_is_maker=not self._taker_buys,
            time_ms=time_ms,
        )
        quote = SimQuote(
            update_id=self._next_update_id,
            bid_price=bid,
            bid_size=self._draw_size(log_book_size),
            ask_price=ask,
            ask_size=self._draw_size(log_book_size),
            time_ms=time_ms,
        )
        self._next_trade_id += 1
        self._next_update_id += 1
        return trade, quote

    def _evolve_price(self, dt_seconds: float) -> None:
        if dt_seconds <= 0:
            return
        params, rng = self.params, self._rng
        dt_years = dt_seconds / SECONDS_PER_YEAR
        sigma = params.volatility
        self._log_mid += (params.drift - 0.5 * sigma * sigma) * dt_years + sigma * math.sqrt(dt_years) * rng.gauss()
        for _ in range(self._poisson(params.jumps_per_day * dt_seconds / SECONDS_PER_DAY)):
            self._log_mid += rng.gauss(params.jump_mean, params.jump_stdev)
            self.jumps += 1

    def _poisson(self, mean: float) -> int:
        """Knuth's Poisson draw; the means here are small (jumps per inter-trade interval)."""
        if mean <= 0:
            return 0
        limit, count, product = math.exp(-mean), 0, self._rng.random()
        while product > limit:
            count += 1
            product *= self._rng.random()
        return count

    def _draw_size(self, log_median_size: float) -> float:
        """A log-normal size around ``exp(log_median_size)``, in whole lot steps (at least one)."""
        size = math.exp(log_median_size + self.params.size_sigma * self._rng.gauss())
        step = self.instrument.step_size
        return round(max(1, round(size / step)) * step, self._size_decimals)
