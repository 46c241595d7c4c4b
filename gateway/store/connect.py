"""Which database to use, and bringing its schema up to date."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from alembic import command
from alembic.config import Config

from gateway.settings import get_settings
from gateway.store.db import embedded_url


def migrations_dir() -> Path:
    """The Alembic scripts: beside the source tree, or in the working folder (the image's /app)."""
    for candidate in (
        os.environ.get("X12GW_MIGRATIONS"),
        Path(__file__).resolve().parents[2] / "migrations",
        Path.cwd() / "migrations",
    ):
        if candidate and (Path(candidate) / "env.py").is_file():
            return Path(candidate)
    raise FileNotFoundError("the migrations folder was not found; set X12GW_MIGRATIONS")


def database_url() -> str:
    """DATABASE_URL when set; otherwise the embedded server under the data folder."""
    settings = get_settings()
    if settings.database_url:
        return settings.database_url
    return embedded_url(settings.data_dir / "postgres")


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Apply the migrations (runs its own event loop: call it from a thread inside async code)."""
    command.upgrade(alembic_config(url), revision)


async def upgrade_async(url: str) -> None:
    await asyncio.to_thread(upgrade, url)
