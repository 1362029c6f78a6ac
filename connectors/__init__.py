"""Nashipai connectors: exchange websocket feeds turned into kernel events.

``connectors.venues`` holds one module per exchange (pure parsing and subscribe messages),
``connectors.registry`` maps venue names to those modules, ``connectors.ccxt_pro`` covers every
other exchange ccxt supports, and the errors below classify every failure.
"""

from connectors.errors import ConnectionLost, ConnectorError, ParseError, SymbolError, VenueError

__all__ = ["ConnectionLost", "ConnectorError", "ParseError", "SymbolError", "VenueError"]
