"""Bounded in-memory history of one symbol's trades, indexed by trade id and by time."""

from __future__ import annotations

import bisect

from connectors.simulator.model import SimTrade


class TradeHistory:
    """The last ``capacity`` trades of one symbol, in id order (ids are consecutive).

    Appends are amortised O(1) (old trades are trimmed in chunks); lookups by id are O(1) and
    by time O(log n).
    """

    def __init__(self, capacity: int = 100_000) -> None:
        if capacity < 1:
            raise ValueError("history capacity must be at least 1")
        self.capacity = capacity
        self._trades: list[SimTrade] = []
        self._times: list[int] = []

    def __len__(self) -> int:
        return min(len(self._trades), self.capacity)

    @property
    def _start(self) -> int:
        """Index of the oldest retained trade in the backing lists."""
        return max(0, len(self._trades) - self.capacity)

    @property
    def first_id(self) -> int | None:
        """Id of the oldest retained trade."""
        return self._trades[self._start].trade_id if self._trades else None

    @property
    def first(self) -> SimTrade | None:
        """The oldest retained trade."""
        return self._trades[self._start] if self._trades else None

    @property
    def last(self) -> SimTrade | None:
        return self._trades[-1] if self._trades else None

    def extend(self, trades: list[SimTrade]) -> None:
        """Append trades (ids consecutive with the last one, times non-decreasing)."""
        self._trades.extend(trades)
        self._times.extend(trade.time_ms for trade in trades)
        if len(self._trades) > 2 * self.capacity:
            del self._trades[: -self.capacity]
            del self._times[: -self.capacity]

    def recent(self, limit: int) -> list[SimTrade]:
        """The last ``limit`` trades, oldest first."""
        return self._trades[max(self._start, len(self._trades) - limit) :]

    def from_id(self, trade_id: int, limit: int) -> list[SimTrade]:
        """Up to ``limit`` trades from ``trade_id`` inclusive, oldest first.

        An id older than the retained history starts at the oldest retained trade; an id past
        the last trade gives an empty list.
        """
        if not self._trades:
            return []
        index = max(self._start, trade_id - self._trades[0].trade_id)
        return self._trades[index : index + limit]

    def between(self, start_ms: int | None, end_ms: int | None, limit: int | None = None) -> list[SimTrade]:
        """Trades with ``start_ms <= time <= end_ms`` (either bound optional), oldest first."""
        low = self._start if start_ms is None else max(self._start, bisect.bisect_left(self._times, start_ms))
        high = len(self._times) if end_ms is None else bisect.bisect_right(self._times, end_ms)
        if limit is not None:
            high = min(high, low + limit)
        return self._trades[low:high]
