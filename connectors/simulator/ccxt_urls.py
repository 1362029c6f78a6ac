"""ccxt configs that point a ``binance`` client (REST and ccxt.pro websockets), a
``coinbaseexchange`` client (REST), a ``kraken`` client (REST) or an ``okx`` client (REST) at the simulator.

Every base URL the ccxt exchange knows is replaced, not only the spot ones, so no call can leave
the machine: endpoints the simulator lacks answer 404 locally. Rate limiting is off (the
simulator does not limit); binance's and okx's ``load_markets`` ask for spot markets only, kraken's
for ``Assets`` and ``AssetPairs`` (no server time).
"""

from __future__ import annotations

from typing import Any

#: ccxt binance ``urls['api']`` key -> path on the REST base.
REST_PATHS: dict[str, str] = {
    "public": "/api/v3",
    "private": "/api/v3",
    "v1": "/api/v1",
    "sapi": "/sapi/v1",
    "sapiV2": "/sapi/v2",
    "sapiV3": "/sapi/v3",
    "sapiV4": "/sapi/v4",
    "dapiPublic": "/dapi/v1",
    "dapiPrivate": "/dapi/v1",
    "dapiPrivateV2": "/dapi/v2",
    "dapiData": "/futures/data",
    "eapiPublic": "/eapi/v1",
    "eapiPrivate": "/eapi/v1",
    "fapiPublic": "/fapi/v1",
    "fapiPublicV2": "/fapi/v2",
    "fapiPublicV3": "/fapi/v3",
    "fapiPrivate": "/fapi/v1",
    "fapiPrivateV2": "/fapi/v2",
    "fapiPrivateV3": "/fapi/v3",
    "fapiData": "/futures/data",
    "papi": "/papi/v1",
    "papiV2": "/papi/v2",
}
#: ccxt.pro binance ``urls['api']['ws']`` keys served by the stream endpoint ``/ws``.
WS_STREAM_KEYS = ("spot", "margin", "linear", "inverse", "stock", "option", "optionMarket", "optionPrivate", "papi")
WS_API_KEYS = ("spot", "linear", "inverse")


def binance_client_config(rest_base: str, ws_base: str, **options: Any) -> dict[str, Any]:
    """The config for ``ccxt.binance(...)``, ``ccxt.async_support.binance(...)`` or ``ccxt.pro.binance(...)``.

    Args:
        rest_base: the simulator's REST base, e.g. ``http://127.0.0.1:9444`` (``Simulator.rest_base_url``).
        ws_base: the simulator's stream base, e.g. ``ws://127.0.0.1:9443`` (``Simulator.ws_base_url``).
        options: extra entries merged into ccxt's ``options``.
    """
    rest = rest_base.rstrip("/")
    ws = ws_base.rstrip("/")
    api: dict[str, Any] = {key: rest + path for key, path in REST_PATHS.items()}
    api["ws"] = {key: f"{ws}/ws" for key in WS_STREAM_KEYS}
    api["ws"]["ws-api"] = {key: f"{ws}/ws-api/v3" for key in WS_API_KEYS}
    return {
        "urls": {"api": api, "test": api, "demo": api},
        "enableRateLimit": False,
        "options": {
            "defaultType": "spot",
            "fetchMarkets": {"types": ["spot"]},
            "fetchCurrencies": False,
            "adjustForTimeDifference": False,
            **options,
        },
    }


#: ccxt coinbaseexchange ``urls['api']`` (and ``urls['test']``) keys, in place of
#: ``https://api.{hostname}`` (hostname ``exchange.coinbase.com``) and the sandbox host.
COINBASE_API_KEYS = ("public", "private")
COINBASE_PREFIX = "/coinbase"


def coinbase_client_config(rest_base: str, **options: Any) -> dict[str, Any]:
    """The config for ``ccxt.coinbaseexchange(...)`` or ``ccxt.async_support.coinbaseexchange(...)``.

    Args:
        rest_base: the simulator's REST base, e.g. ``http://127.0.0.1:9444`` (``Simulator.rest_base_url``);
            the Coinbase Exchange endpoints are under its ``/coinbase``.
        options: extra entries merged into ccxt's ``options``.
    """
    api = {key: rest_base.rstrip("/") + COINBASE_PREFIX for key in COINBASE_API_KEYS}
    return {"urls": {"api": api, "test": dict(api)}, "enableRateLimit": False, "options": dict(options)}


#: ccxt kraken ``urls['api']`` keys, in place of ``https://api.kraken.com`` and Kraken's help centre.
KRAKEN_API_KEYS = ("public", "private", "zendesk")
KRAKEN_PREFIX = "/kraken"


def kraken_client_config(rest_base: str, **options: Any) -> dict[str, Any]:
    """The config for ``ccxt.kraken(...)`` or ``ccxt.async_support.kraken(...)`` (spot REST).

    Args:
        rest_base: the simulator's REST base, e.g. ``http://127.0.0.1:9444`` (``Simulator.rest_base_url``);
            the Kraken endpoints are under its ``/kraken`` (ccxt appends ``/0/public/<method>``).
        options: extra entries merged into ccxt's ``options``.
    """
    api = {key: rest_base.rstrip("/") + KRAKEN_PREFIX for key in KRAKEN_API_KEYS}
    return {"urls": {"api": api}, "enableRateLimit": False, "options": {"adjustForTimeDifference": False, **options}}


#: ccxt okx ``urls['api']`` (and ``urls['test']``) keys, in place of ``https://{hostname}`` (www.okx.com).
OKX_API_KEYS = ("rest",)
OKX_PREFIX = "/okx"


def okx_client_config(rest_base: str, **options: Any) -> dict[str, Any]:
    """The config for ``ccxt.okx(...)`` or ``ccxt.async_support.okx(...)`` (spot REST).

    ``load_markets`` then asks for ``public/instruments?instType=SPOT`` only: no other instrument
    type, no server time (``adjustForTimeDifference`` off) and no currencies (ccxt's okx asks for
    those only with credentials).

    Args:
        rest_base: the simulator's REST base, e.g. ``http://127.0.0.1:9444`` (``Simulator.rest_base_url``);
            the OKX endpoints are under its ``/okx`` (ccxt appends ``/api/v5/<path>``).
        options: extra entries merged into ccxt's ``options``.
    """
    api = {key: rest_base.rstrip("/") + OKX_PREFIX for key in OKX_API_KEYS}
    return {
        "urls": {"api": api, "test": dict(api)},
        "enableRateLimit": False,
        "options": {
            "defaultType": "spot",
            "fetchMarkets": {"types": ["spot"]},
            "adjustForTimeDifference": False,
            **options,
        },
    }
