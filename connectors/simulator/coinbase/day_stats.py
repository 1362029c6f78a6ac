"""Rolling 24-hour statistics of one product for Coinbase's ticker: volume, low, high, change."""

from __future__ import annotations

import math
from collections import deque
from typing import Final

DAY_MS: Final = 86_400_000


class RollingDay:
    """The trades of the last ``window_ms`` (by trade time) folded into volume, low, high and open.

    :meth:`add` is amortised O(1): the window is a deque, and low and high are the fronts of two
    monotonic deques. ``low_all`` and ``high_all`` span every trade since the start and stand in
    for Coinbase's 52-week range (a simulator run is far shorter). Until the first trade every
    statistic is NaN (volume 0).
    """

    def __init__(self, window_ms: int = DAY_MS) -> None:
        if window_ms <= 0:
            raise ValueError("window_ms must be positive")
        self.window_ms = window_ms
        self.volume = 0.0
        self.low_all = math.nan
        self.high_all = math.nan
        self._window: deque[tuple[int, float, float]] = deque()  # (time_ms, price, size), oldest first
        self._lows: deque[tuple[int, float]] = deque()  # (time_ms, price), prices rising
        self._highs: deque[tuple[int, float]] = deque()  # (time_ms, price), prices falling

    def __len__(self) -> int:
        """Trades in the window."""
        return len(self._window)

    def add(self, time_ms: int, price: float, size: float) -> None:
        """Take the next trade (times non-decreasing) and drop those older than the window."""
        window, lows, highs = self._window, self._lows, self._highs
        window.append((time_ms, price, size))
        self.volume += size
        while lows and lows[-1][1] >= price:
            lows.pop()
        lows.append((time_ms, price))
        while highs and highs[-1][1] <= price:
            highs.pop()
        highs.append((time_ms, price))
        cutoff = time_ms - self.window_ms
        while window[0][0] <= cutoff:
            self.volume -= window.popleft()[2]
        while lows[0][0] <= cutoff:
            lows.popleft()
        while highs[0][0] <= cutoff:
            highs.popleft()
        if not price >= self.low_all:  # also true while low_all is NaN
            self.low_all = price
        if not price <= self.high_all:
            self.high_all = price

    @property
    def low(self) -> float:
        return self._lows[0][1] if self._lows else math.nan

    @property
    def high(self) -> float:
        return self._highs[0][1] if self._highs else math.nan

    @property
    def open(self) -> float:
        """Price of the oldest trade in the window."""
        return self._window[0][1] if self._window else math.nan

    def change_percent(self, price: float) -> float:
        """Change of ``price`` from the window's open, in percent."""
        return (price / self.open - 1.0) * 100.0
