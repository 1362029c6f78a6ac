"""The simulator's Kraken dialect: the same market in Kraken's Spot REST formats (public market data).

REST ``/kraken/0/public/...`` (``Time``, ``Assets``, ``AssetPairs``, ``Trades``): what ccxt's
``kraken`` needs to load markets and page trades (``connectors/simulator/rest/routes/kraken.py``),
over :mod:`.assets` (asset ids, pair objects and pair names) and :mod:`.trades` (trade rows and
the ``since``/``last`` cursor). There is no Kraken websocket.
"""
