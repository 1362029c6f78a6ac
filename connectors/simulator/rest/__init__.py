"""The simulator's REST side: Binance's public spot endpoints, Coinbase Exchange's under
``/coinbase``, and the ``/sim`` control routes."""
