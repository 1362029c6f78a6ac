"""Settings fail loudly: unknown keys and placeholder secrets are errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from nashipai.config import load_settings
from nashipai.names import TABLES


def test_unknown_environment_key_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NASHIPAI_KAFKA__PARTITONS", "6")  # typo
    with pytest.raises(ValidationError, match="partitons"):
        load_settings()


def test_unknown_toml_key_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "nashipai.toml"
    config.write_text("[questdb]\nhots = 'x'\n")
    monkeypatch.setenv("NASHIPAI_CONFIG", str(config))
    with pytest.raises(ValidationError, match="hots"):
        load_settings()


def test_toml_values_are_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "nashipai.toml"
    config.write_text("[kafka]\npartitions = 12\n")
    monkeypatch.setenv("NASHIPAI_CONFIG", str(config))
    assert load_settings().kafka.partitions == 12


def test_missing_config_file_named_by_env_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NASHIPAI_CONFIG", "/nonexistent/nashipai.toml")
    with pytest.raises(FileNotFoundError, match="nonexistent"):
        load_settings()


@pytest.mark.parametrize("secret", ["quest", "changeme", ""])
def test_placeholder_passwords_are_refused(monkeypatch: pytest.MonkeyPatch, secret: str) -> None:
    monkeypatch.setenv("NASHIPAI_QUESTDB__PASSWORD", secret)
    with pytest.raises(ValidationError, match="placeholder"):
        load_settings()


def test_every_table_is_wal_with_dedup_keys_that_include_ts() -> None:
    for table in TABLES.values():
        ddl = table.ddl()
        assert "TIMESTAMP(ts) PARTITION BY DAY WAL DEDUP UPSERT KEYS(ts," in ddl
