"""Settings: one pydantic-settings class, ``SHOPCOACH_`` prefix.

Precedence: explicit argument > environment variable > config file > default. The config
file is TOML, read from ``SHOPCOACH_CONFIG`` or ``<home>/shopcoach.toml`` when present.
Every field has a default and a description; ``docs/settings.md`` lists them all and
``tests/test_docs.py`` fails when one is missing there.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from shopcoach.errors import ConfigError

CONFIG_FILE_NAME = "shopcoach.toml"


class Settings(BaseSettings):
    """Runtime configuration for the CLI, the API server and the library."""

    model_config = SettingsConfigDict(env_prefix="SHOPCOACH_", extra="forbid")

    home: Path = Field(
        default=Path(".shopcoach"),
        description="Folder for the embedded SQLite database, search indexes, models and "
        "the config file. Relative paths are taken from the working directory. "
        "(SHOPCOACH_DATA_DIR is not this: it names the shared evaluation data sets.)",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the store, e.g. "
        "postgresql+psycopg://user@host/db. Default: SQLite file <home>/shopcoach.db.",
    )
    default_store: str = Field(
        default="default",
        description="Store (tenant) slug used when a command or record names none.",
    )
    host: str = Field(default="127.0.0.1", description="Address `shopcoach serve` binds to.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `shopcoach serve` uses.")
    max_batch_records: int = Field(
        default=1000,
        ge=1,
        description="Most records one HTTP ingest batch may carry; larger batches get 413.",
    )
    max_body_bytes: int = Field(
        default=20_000_000,
        ge=1024,
        description="Largest HTTP request body accepted, in bytes; larger bodies get 413.",
    )
    import_chunk_size: int = Field(
        default=1000,
        ge=1,
        description="Lines (records) per transaction in file imports; each committed chunk "
        "is checkpointed so a killed import resumes after it.",
    )
    import_workers: int | None = Field(
        default=None,
        ge=0,
        description="Worker processes that prepare (parse, validate, redact) file-import "
        "chunks while the main process writes. Default: one per CPU core; 0 prepares in "
        "the main process.",
    )
    log_level: str = Field(default="INFO", description="Python logging level for the server.")
    embedder: str = Field(
        default="auto",
        description="Embedding model for knowledge search: auto (the first installed "
        "embeddings extra), minilm, e5-small, or none (lexical BM25 only).",
    )
    intent_model: Path | None = Field(
        default=None,
        description="Intent model directory (from `shopcoach intents train`) the agent uses; "
        "unset: no intent model (every message is in scope, confidence 1).",
    )
    llm_base_url: str | None = Field(
        default=None,
        description="OpenAI-compatible endpoint for drafting answers, e.g. "
        "http://127.0.0.1:8080/v1; unset: the extractive generator (no LLM).",
    )
    llm_model: str = Field(default="gpt-4o-mini", description="Model name sent to the LLM.")
    llm_api_key: str | None = Field(default=None, description="Bearer key for the LLM endpoint.")
    alert_max_attempts: int = Field(
        default=5,
        ge=1,
        description="Failed attempts per alert, sink and event after which delivery gives up.",
    )
    smtp_username: str | None = Field(
        default=None,
        description="SMTP login for e-mail alert sinks whose config has no username.",
    )
    smtp_password: str | None = Field(
        default=None,
        description="SMTP password for e-mail alert sinks whose config has no username "
        "(keeps the secret out of the database).",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _TomlSource(settings_cls))

    def resolved_database_url(self) -> str:
        """The database URL, defaulting to the SQLite file in ``home``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'shopcoach.db').resolve()}"


class _TomlSource(PydanticBaseSettingsSource):
    """Reads the TOML config file, if there is one."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: __call__ returns everything at once

    def __call__(self) -> dict[str, Any]:
        path = config_file_path()
        if path is None:
            return {}
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(
                f"The config file {path} is not valid TOML: {exc}.",
                hint="Fix the file or point SHOPCOACH_CONFIG at another one.",
            ) from exc
        section = data.get("shopcoach", data)
        return dict(section)


def config_file_path() -> Path | None:
    """The config file in use: ``SHOPCOACH_CONFIG``, else ``<home>/shopcoach.toml``."""
    explicit = os.environ.get("SHOPCOACH_CONFIG")
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(
                f"SHOPCOACH_CONFIG names {path}, which does not exist.",
                hint="Create the file or unset SHOPCOACH_CONFIG.",
            )
        return path
    home = Path(os.environ.get("SHOPCOACH_HOME", ".shopcoach"))
    candidate = home / CONFIG_FILE_NAME
    return candidate if candidate.is_file() else None


def load_settings(**overrides: Any) -> Settings:
    """Build settings, turning pydantic's errors into a :class:`ConfigError` with a fix."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**clean)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(
            f"Invalid Shopcoach settings: {problems}.",
            hint="Check the SHOPCOACH_* environment variables and the config file "
            "(see docs/settings.md).",
        ) from exc
