"""The simulator's OKX dialect: the same market in OKX's v5 REST formats (public market data).

REST ``/okx/api/v5/...`` (``public/time``, ``public/instruments``, ``market/trades``,
``market/history-trades``): what ccxt's ``okx`` needs to load spot markets and page trades by id
(``connectors/simulator/rest/routes/okx.py``), over :mod:`.instruments` (instrument objects) and
:mod:`.trades` (trade rows and the ``after``/``before`` cursors). There is no OKX websocket.
"""
