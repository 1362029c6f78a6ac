"""The simulator's REST side: Binance's public spot endpoints plus the ``/sim`` control routes."""
