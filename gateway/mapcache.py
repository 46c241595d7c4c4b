"""Compiled TR3 maps kept on disk between runs (a pickle per guide and engine version).

Compiling the 837 map from XML takes about 60 ms; loading it back takes a few.
Files are written atomically and any failure (read-only disk, stale pickle)
only means the map is compiled again.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path

from parsers.guides import use_map_store
from parsers.maps.spec import TransactionMap


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(os.environ.get("X12GW_CACHE_DIR", str(Path(base) / "x12gw"))) / "maps"


class PickleMapStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def get(self, key: str) -> TransactionMap | None:
        try:
            with (self.folder / f"{key}.pickle").open("rb") as fp:
                tmap = pickle.load(fp)
        except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError):
            return None
        return tmap if isinstance(tmap, TransactionMap) else None

    def put(self, key: str, tmap: TransactionMap) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(fd, "wb") as fp:
                pickle.dump(tmap, fp, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.folder / f"{key}.pickle")
        except (OSError, pickle.PickleError, RecursionError):
            pass


def enable(folder: Path | None = None) -> None:
    use_map_store(PickleMapStore(folder or default_cache_dir()))
