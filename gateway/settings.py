"""Settings, from the environment (prefix ``X12GW_``) or a ``.env`` file; they fail fast."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="X12GW_", env_file=".env", extra="ignore")

    #: A PostgreSQL URL; without one the embedded server (pgserver) is started.
    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    #: Where the embedded server keeps its data.
    data_dir: Path = Path(user_data_dir("x12gw"))
    #: Apply migrations when the gateway starts.
    migrate_on_start: bool = True
    #: Highest WEDI SNIP level whose findings reject (a partner may ask for more).
    snip_level: int = 3
    #: The first admin key (ops and back office); partners get keys of their own.
    admin_key: str | None = None
    #: Largest X12 body accepted in one request, in bytes.
    max_upload_bytes: int = 64 << 20
    #: Load the demo partner and files at start, and print their keys.
    demo: bool = False
    #: Posts larger than this are answered 202 and processed by a worker (a job).
    async_threshold_bytes: int = 4 << 20
    #: Run a job worker inside the server (the single-machine mode); set false when
    #: separate ``x12gw worker`` processes do the work.
    embedded_worker: bool = True
    #: A request still running after this many seconds is answered 504 (what it stored
    #: stays stored; a large file is answered 202 long before this, as a job).
    request_timeout_seconds: float = 300.0

    @field_validator("database_url")
    @classmethod
    def _postgres_only(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("postgresql://", "postgresql+asyncpg://", "postgres://")):
            raise ValueError("DATABASE_URL must be a PostgreSQL URL (postgresql://...)")
        return value

    @field_validator("snip_level")
    @classmethod
    def _snip(cls, value: int) -> int:
        if not 1 <= value <= 7:
            raise ValueError("X12GW_SNIP_LEVEL must be 1 to 7")
        return value


@cache
def get_settings() -> Settings:
    return Settings()
