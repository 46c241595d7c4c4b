"""Compiled maps kept on disk give the same verdicts as freshly compiled ones."""

from __future__ import annotations

from pathlib import Path

from gateway.mapcache import PickleMapStore
from parsers import parse
from parsers.guides import BY_NAME, load_map, use_map_store
from tests.x12 import claim, file_837


def test_stored_maps_are_reused_and_equivalent(tmp_path: Path) -> None:
    bad = file_837([claim("A1", ["100*99213"])]).replace(b"SBR*P*18", b"SBR*Q*18")
    fresh = [str(f) for f in parse(bad).all_findings()]
    try:
        use_map_store(PickleMapStore(tmp_path))
        load_map(BY_NAME["837P"])  # compiles and stores
        assert len(list(tmp_path.glob("837P-*.pickle"))) == 1
        load_map.cache_clear()
        stored = load_map(BY_NAME["837P"])  # loads the pickle
        assert stored is not None and stored.name
        assert [str(f) for f in parse(bad).all_findings()] == fresh
        # a damaged file is ignored, never trusted
        next(tmp_path.glob("837P-*.pickle")).write_bytes(b"not a pickle")
        load_map.cache_clear()
        assert [str(f) for f in parse(bad).all_findings()] == fresh
    finally:
        use_map_store(None)
