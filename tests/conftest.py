from __future__ import annotations

import csv
import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs the same examples every time; a developer's run explores new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

# fixtures for HTTP API tests (api_client, api_database_url)
pytest_plugins = ["tests.api_support"]

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "x12-corpus"
FIXTURES = ROOT / "fixtures" / "x12"


@dataclass(frozen=True)
class CorpusFile:
    path: Path
    type: str
    version: str
    valid: str
    notes: str

    @property
    def rel(self) -> str:
        return str(self.path.relative_to(CORPUS))


def corpus_files() -> list[CorpusFile]:
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.is_file():
        return []
    with manifest.open(newline="") as fp:
        rows = list(csv.DictReader(fp, delimiter="\t"))
    return [
        CorpusFile(CORPUS / r["path"], r["type"], r["version"], r["valid"], r["notes"])
        for r in rows
    ]


def corpus_params(valid: str | None = None) -> list[object]:
    files = [f for f in corpus_files() if valid is None or f.valid == valid]
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason="../shared/x12-corpus is absent"))]
    return [pytest.param(f, id=f.rel) for f in files]


def fixture_files() -> list[Path]:
    return sorted(p for p in FIXTURES.rglob("*") if p.is_file())


TODAY = dt.date(2026, 11, 23)
