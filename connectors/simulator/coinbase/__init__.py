"""The simulator's Coinbase dialect: the same market spoken in Coinbase's formats.

- websocket ``/coinbase``: Advanced Trade market data (``market_trades``, ``ticker``,
  ``heartbeats``), see :mod:`.ws_protocol` and :mod:`.ws_hub`;
- REST ``/coinbase/...``: the Exchange public endpoints ccxt's ``coinbaseexchange`` needs
  (``connectors/simulator/rest/routes/coinbase.py``), over :mod:`.products` and :mod:`.pagination`.

Product ids are the simulator's normalised symbols (``BTC-USDT``) and trade ids are the venue's.
"""
