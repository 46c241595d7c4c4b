"""Settings, from the environment (prefix ``X12GW_``) or a ``.env`` file; they fail fast."""

from __future__ import annotations

import base64
import binascii
from functools import cache
from pathlib import Path
from typing import Any, Literal

from platformdirs import user_data_dir
from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Upstream(BaseModel):
    """A trading partner that answers real-time requests addressed to it (see ``upstreams``)."""

    #: Where the request interchange is POSTed.
    url: str
    #: Sent as ``Authorization: Bearer ...`` when set.
    token: SecretStr | None = None
    #: ``x12``: the bare interchange (application/edi-x12); ``core``: a CAQH CORE
    #: real-time multipart/form-data envelope.
    mode: Literal["x12", "core"] = "x12"

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("an upstream URL must start with http:// or https://")
        return value


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
    #: The Fernet key that encrypts webhook secrets at rest (urlsafe base64 of 32 bytes;
    #: make one with ``x12gw secret-key``). Unset: one is derived from the admin key, and
    #: the gateway warns at start. Changing it makes secrets stored with the old key
    #: unreadable (their deliveries fail) until the webhooks are set again.
    secret_key: SecretStr | None = None
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
    #: Webhook deliveries: attempts in all, the exponential backoff's base in seconds
    #: (waits base, base², base³ ... between attempts) and each attempt's timeout.
    webhook_max_attempts: int = Field(default=10, ge=1)
    webhook_backoff_seconds: int = Field(default=3, ge=0)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    #: Real-time requests (270, 276, 278) whose ISA receiver ID is a key here are forwarded
    #: to that trading partner instead of being answered from the store, e.g.
    #: ``X12GW_UPSTREAMS='{"BIGPAYER": "https://payer.example/x12"}'``; a value may also be
    #: ``{"url": ..., "token": ..., "mode": "x12" | "core"}``.
    upstreams: dict[str, Upstream] = {}
    #: A batch 270/276/278 whose answer failed for a passing reason is tried again by a
    #: job, up to this many times, waiting base, base², base³ ... seconds between tries.
    answer_max_attempts: int = Field(default=6, ge=1)
    answer_backoff_seconds: int = Field(default=5, ge=0)
    #: How long an upstream may take to answer, in all (connect, send, wait, read).
    upstream_timeout_seconds: float = Field(default=30.0, gt=0)

    @field_validator("database_url")
    @classmethod
    def _postgres_only(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("postgresql://", "postgresql+asyncpg://", "postgres://")):
            raise ValueError("DATABASE_URL must be a PostgreSQL URL (postgresql://...)")
        return value

    @field_validator("upstreams", mode="before")
    @classmethod
    def _upstream_urls(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        out: dict[str, Any] = {}
        for key, item in value.items():
            name = str(key).strip()
            if not 1 <= len(name) <= 15:
                raise ValueError(f"upstream {key!r}: an ISA receiver ID has 1 to 15 characters")
            out[name] = {"url": item} if isinstance(item, str) else item
        return out

    @field_validator("secret_key")
    @classmethod
    def _fernet_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or value.get_secret_value() == "":
            return None
        try:
            raw = base64.urlsafe_b64decode(value.get_secret_value().encode("ascii"))
        except (UnicodeEncodeError, binascii.Error, ValueError):
            raw = b""
        if len(raw) != 32:
            raise ValueError(
                "X12GW_SECRET_KEY must be urlsafe base64 of 32 bytes (run `x12gw secret-key`)"
            )
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
