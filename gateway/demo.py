"""Demo data: a partner bound to the ISA senders of the bundled files, and those files stored."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from gateway.api.auth import create_partner_key
from gateway.api.interchanges import isa_senders
from gateway.ingest import ingest
from gateway.store import models as m
from gateway.store.db import Database


def demo_files() -> list[Path]:
    for base in (Path.cwd(), Path(__file__).resolve().parents[1]):
        folder = base / "fixtures" / "x12"
        if folder.is_dir():
            return sorted(p for p in folder.rglob("*") if p.is_file())
    return []


async def load_demo(url: str) -> tuple[str, int]:
    """Create the demo partner and its key; store the demo files once. Returns (key, files stored)."""
    db = Database(url)
    try:
        files = demo_files()
        senders = sorted({s for p in files for s in isa_senders(p.read_bytes())})
        async with db.session() as s:
            _, key = await create_partner_key(s, "demo", senders)
            await s.commit()
            already = (await s.execute(select(func.count()).select_from(m.Upload))).scalar_one()
        loaded = 0
        if not already:
            for path in files:
                await ingest(db, path.read_bytes(), source=m.Source.CLI, filename=path.name)
                loaded += 1
        return key, loaded
    finally:
        await db.dispose()
