"""The simulator's REST side: Binance's public spot endpoints, Coinbase Exchange's under
``/coinbase``, Kraken's under ``/kraken``, OKX's under ``/okx``, and the ``/sim`` control routes."""
