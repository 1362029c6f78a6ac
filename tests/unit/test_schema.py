"""docs/schemas is the published contract: it must match the Structs."""

from __future__ import annotations

from pathlib import Path

from nashipai.events import EVENT_TYPES
from nashipai.schema import event_schemas, render

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"


def test_published_schemas_match_the_structs() -> None:
    for name, schema in event_schemas().items():
        path = SCHEMAS / f"{name}.json"
        assert path.exists(), f"{path} missing: run `nashipai schema --out docs/schemas`"
        assert path.read_text() == render(schema), f"{path} is stale: run `nashipai schema --out docs/schemas`"


def test_every_event_has_a_schema_with_its_fields() -> None:
    schemas = event_schemas()
    for name, event_type in EVENT_TYPES.items():
        properties = schemas[name]["$defs"][name]["properties"]
        assert set(properties) == set(event_type.__struct_fields__)
