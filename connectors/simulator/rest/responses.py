"""Responses encoded by msgspec (Binance's bodies are large lists; FastAPI's encoder is slow on them)."""

from __future__ import annotations

from typing import Any

import msgspec
from fastapi.responses import Response

_encoder = msgspec.json.Encoder()


class MsgspecResponse(Response):
    """JSON response whose content is encoded by msgspec (Structs, lists, dicts)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return _encoder.encode(content)
