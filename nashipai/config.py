"""Settings of every Nashipai service: one pydantic-settings class, loud on mistakes.

Values come from, highest priority first: keyword arguments, ``NASHIPAI_*`` environment
variables (nested with ``__``, e.g. ``NASHIPAI_KAFKA__PARTITIONS=6``), a ``nashipai.toml``
file (path in ``NASHIPAI_CONFIG``, default ``./nashipai.toml`` when present), then the
defaults here. An unknown key anywhere is an error, never silently ignored.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

_FORBID = ConfigDict(extra="forbid", frozen=True)
_PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "password", "secret", "quest", "admin"})


class KafkaSettings(BaseModel):
    """How services reach Kafka, and how the local broker is laid out."""

    model_config = _FORBID

    bootstrap_servers: str | None = Field(
        default=None, description="host:port list; default: the local broker at services.kafka_port"
    )
    partitions: int = Field(default=3, ge=1, description="partitions of every topic Nashipai creates")
    replication_factor: int = Field(default=1, ge=1)
    linger_ms: int = Field(default=1, ge=0, description="producer linger: latency vs batching")
    compression: str = "lz4"


class QuestDBSettings(BaseModel):
    """How services reach QuestDB (HTTP for ILP and REST, PostgreSQL wire for SQL)."""

    model_config = _FORBID

    host: str = "127.0.0.1"
    http_port: int | None = Field(default=None, description="default: services.questdb_http_port")
    pg_port: int | None = Field(default=None, description="default: services.questdb_pg_port")
    user: str = "nashipai"
    password: SecretStr | None = Field(
        default=None,
        description="required for a remote QuestDB; the local stack generates one under the data folder",
    )
    readonly_user: str = "analyst"
    readonly_password: SecretStr | None = None
    database: str = "qdb"
    auto_flush_rows: int = Field(default=10_000, ge=1)

    @field_validator("password", "readonly_password")
    @classmethod
    def _refuse_placeholders(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value().lower() in _PLACEHOLDER_SECRETS:
            raise ValueError("a placeholder or default password is refused; set a real secret")
        return value


class ServicesSettings(BaseModel):
    """The local Kafka and QuestDB that ``nashipai services up`` runs as JVM processes."""

    model_config = _FORBID

    kafka_port: int = 9092
    kafka_controller_port: int = 9093
    questdb_http_port: int = 9000
    questdb_pg_port: int = 8812
    questdb_ilp_port: int = 9009
    questdb_min_http_port: int = 9003
    kafka_heap: str = "768m"
    questdb_heap: str = "1g"
    jars_dir: Path = Field(
        default=Path("var/jars"), description="where Maven copies the server jars (shared by stacks)"
    )
    start_timeout_s: float = Field(default=90.0, gt=0)


class Settings(BaseSettings):
    """All of Nashipai's settings."""

    model_config = SettingsConfigDict(
        env_prefix="NASHIPAI_",
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )

    data_dir: Path = Field(default=Path("var"), description="everything that keeps state lives here")
    kafka: KafkaSettings = KafkaSettings()
    questdb: QuestDBSettings = QuestDBSettings()
    services: ServicesSettings = ServicesSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        toml_path = Path(os.environ.get("NASHIPAI_CONFIG", "nashipai.toml"))
        if "NASHIPAI_CONFIG" in os.environ and not toml_path.is_file():
            raise FileNotFoundError(f"NASHIPAI_CONFIG names {toml_path}, which does not exist")
        if toml_path.is_file():
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_path))
        return tuple(sources)

    # -- derived values ---------------------------------------------------------------------

    @cached_property
    def bootstrap_servers(self) -> str:
        return self.kafka.bootstrap_servers or f"127.0.0.1:{self.services.kafka_port}"

    @cached_property
    def questdb_http_port(self) -> int:
        return self.questdb.http_port or self.services.questdb_http_port

    @cached_property
    def questdb_pg_port(self) -> int:
        return self.questdb.pg_port or self.services.questdb_pg_port

    @property
    def credentials_file(self) -> Path:
        return self.data_dir / "secrets" / "questdb.json"


def load_settings(**overrides: Any) -> Settings:
    """Load settings from keyword overrides, the environment and ``nashipai.toml``."""
    return Settings(**overrides)
