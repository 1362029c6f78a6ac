"""JSON Schema of every event, generated from the msgspec Structs.

``docs/schemas/`` holds one file per event, kept in sync by a test, so a team in any
language can read the topics.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec

from nashipai.events import EVENT_TYPES


def event_schemas() -> dict[str, dict[str, Any]]:
    """``{event name: JSON Schema}`` for every event type."""
    return {name: msgspec.json.schema(event_type) for name, event_type in EVENT_TYPES.items()}


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    """Write ``<Event>.json`` files into ``folder``; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, schema in event_schemas().items():
        path = folder / f"{name}.json"
        path.write_text(render(schema))
        paths.append(path)
    return paths
