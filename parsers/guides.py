"""Implementation guides the engine knows, and the map each one compiles from.

GS08 (or ST03 when present) names the guide. Versions senders really use are
accepted with the structure they share: errata (X222A2, X223A3) and base
guides (X279, X221, X222, X231) read with the adopted guide's map.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

from parsers.maps.compiler import compile_file, own_map_dir, pyx12_map_dir
from parsers.maps.spec import ElementSpec, SegmentSpec, TransactionMap

ENVELOPE_IDS = frozenset({"ISA", "IEA", "GS", "GE", "ST", "SE", "TA1"})


@dataclass(frozen=True, slots=True)
class Guide:
    id: str  # the adopted guide, e.g. "005010X222A1"
    name: str  # short name users know, e.g. "837P"
    st01: str
    gs01: str  # functional identifier code
    map_file: str
    aliases: tuple[str, ...] = ()
    #: for 278: BHT02 purpose code that selects this map (13 request, 11 response)
    bht02: tuple[str, ...] = ()
    title: str = ""

    @property
    def versions(self) -> frozenset[str]:
        return frozenset((self.id, *self.aliases))


GUIDES: tuple[Guide, ...] = (
    Guide(
        "005010X279A1",
        "270",
        "270",
        "HS",
        "270.5010.X279.A1.xml",
        ("005010X279",),
        title="Eligibility, Coverage or Benefit Inquiry",
    ),
    Guide(
        "005010X279A1",
        "271",
        "271",
        "HB",
        "271.5010.X279.A1.xml",
        ("005010X279",),
        title="Eligibility, Coverage or Benefit Information",
    ),
    Guide(
        "005010X212",
        "276",
        "276",
        "HR",
        "276.5010.X212.xml",
        title="Health Care Claim Status Request",
    ),
    Guide(
        "005010X212",
        "277",
        "277",
        "HN",
        "277.5010.X212.xml",
        title="Health Care Claim Status Response",
    ),
    Guide(
        "005010X214",
        "277CA",
        "277",
        "HN",
        "277.5010.X214.xml",
        title="Health Care Claim Acknowledgment",
    ),
    Guide(
        "005010X217",
        "278",
        "278",
        "HI",
        "278.5010.X217.13.xml",
        bht02=("13", "01", "36", "CN", "RT"),
        title="Health Care Services Review - Request for Review",
    ),
    Guide(
        "005010X217",
        "278R",
        "278",
        "HI",
        "278.5010.X217.11.xml",
        bht02=("11",),
        title="Health Care Services Review - Response",
    ),
    Guide(
        "005010X221A1",
        "835",
        "835",
        "HP",
        "835.5010.X221.A1.xml",
        ("005010X221",),
        title="Health Care Claim Payment/Advice",
    ),
    Guide(
        "005010X222A1",
        "837P",
        "837",
        "HC",
        "837.5010.X222.A1.xml",
        ("005010X222A2", "005010X222"),
        title="Health Care Claim: Professional",
    ),
    Guide(
        "005010X223A2",
        "837I",
        "837",
        "HC",
        "837Q3.I.5010.X223.A1.xml",
        ("005010X223A3", "005010X223A1", "005010X223"),
        title="Health Care Claim: Institutional",
    ),
    Guide(
        "005010X224A2",
        "837D",
        "837",
        "HC",
        "837.5010.X224.A2.xml",
        ("005010X224A3", "005010X224A1", "005010X224"),
        title="Health Care Claim: Dental",
    ),
    Guide(
        "005010X231A1",
        "999",
        "999",
        "FA",
        "999.5010X231.A1.xml",
        ("005010X231",),
        title="Implementation Acknowledgment",
    ),
    Guide(
        "005010X230",
        "997",
        "997",
        "FA",
        "997.4010.xml",
        ("005010",),
        title="Functional Acknowledgment",
    ),
)

BY_NAME = {g.name: g for g in GUIDES}
FUNCTIONAL_IDS = {g.st01: g.gs01 for g in GUIDES}


def resolve(version: str, st01: str, bht02: str = "") -> Guide | None:
    """The guide for a transaction set with this GS08/ST03 version, ST01 and BHT02."""
    version = version.strip().upper()
    candidates = [g for g in GUIDES if g.st01 == st01 and version in g.versions]
    if len(candidates) > 1 and bht02:
        picked = [g for g in candidates if bht02 in g.bht02]
        candidates = picked or candidates[:1]
    return candidates[0] if candidates else None


def map_path(guide: Guide) -> Path | None:
    """Our own map wins over pyx12's shipped one of the same name."""
    for folder in (own_map_dir(), pyx12_map_dir()):
        path = folder / guide.map_file
        if path.is_file():
            return path
    return None


#: Corrections to shipped maps, each with the reason: (guide, loop, segment, qualifier, usage).
MAP_ERRATA: dict[str, tuple[tuple[str, str, str | None, str, str], ...]] = {
    # X214 2200C STC is situational: an accepted batch may carry only the TRN
    # (TR3 2200C notes; stupidedi agrees); pyx12 marks it required.
    "277CA": (("2200C", "STC", None, "usage", "S"),),
}

#: Element corrections: (guide, element reference, attribute, value, reason).
ELEMENT_ERRATA: tuple[tuple[str, str, str, int, str], ...] = (
    # An acknowledgment echoes the control number it received, whatever its length.
    ("999", "AK202", "min_len", 1, "echo of the received ST02"),
    ("997", "AK202", "min_len", 1, "echo of the received ST02"),
)


class MapStore(Protocol):
    """Somewhere to keep compiled maps between runs; the application provides one
    (the engine itself does no I/O beyond reading its own map files)."""

    def get(self, key: str) -> TransactionMap | None: ...

    def put(self, key: str, tmap: TransactionMap) -> None: ...


_store: list[MapStore] = []


def use_map_store(store: MapStore | None) -> None:
    """Keep compiled maps in ``store`` (or nowhere, with None) from now on."""
    _store[:] = [store] if store is not None else []
    load_map.cache_clear()


@cache
def _engine_version() -> str:
    """A digest of the code that shapes a compiled map, so a stale stored map is never used."""
    digest = hashlib.sha256()
    for module in ("compiler.py", "spec.py"):
        digest.update((own_map_dir() / module).read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:16]


@cache
def load_map(guide: Guide) -> TransactionMap | None:
    path = map_path(guide)
    if path is None:
        return None
    key = ""
    if _store:
        key = (
            f"{guide.name}-{hashlib.sha256(path.read_bytes()).hexdigest()[:16]}-{_engine_version()}"
        )
        stored = _store[0].get(key)
        if stored is not None:
            return stored
    tmap = _compile(guide, path)
    if _store:
        _store[0].put(key, tmap)
    return tmap


def _compile(guide: Guide, path: Path) -> TransactionMap:
    tmap = compile_file(path, guide.name, st03_codes=guide.versions)
    for loop_id, seg_id, _qual, attr, usage in MAP_ERRATA.get(guide.name, ()):
        loop = tmap.root.find_loop(loop_id)
        if loop is None:
            continue
        for i, child in enumerate(loop.children):
            if getattr(child, "id", None) == seg_id and not hasattr(child, "children"):
                setattr(child, attr, usage)
                if attr == "usage":
                    loop.required = tuple(r for r in loop.required if r != i) + (
                        (i,) if usage == "R" else ()
                    )
    if guide.name == "997":
        _upgrade_997(tmap)
    for name, ref, attr, value, _reason in ELEMENT_ERRATA:
        if name != guide.name:
            continue
        for node in tmap.root.walk():
            for element in getattr(node, "elements", ()):
                if element.ref == ref:
                    setattr(element, attr, value)
    return tmap


def _upgrade_997(tmap: TransactionMap) -> None:
    """pyx12 ships only the 4010 997 map; 5010 (X230) adds ST03 and AK103 (the version)."""
    for node in [tmap.st, *tmap.root.walk()]:
        if isinstance(node, SegmentSpec) and node.id in ("ST", "AK1") and len(node.elements) == 2:
            ref = f"{node.id}03"
            node.elements = (
                *node.elements,
                ElementSpec(
                    ref,
                    3,
                    "1705" if node.id == "ST" else "480",
                    "Version",
                    "S",
                    "AN",
                    1,
                    35,
                    codes=guide_versions("997") if node.id == "ST" else None,
                ),
            )
            node.fast_ok = None


def guide_versions(name: str) -> frozenset[str]:
    return BY_NAME[name].versions


@cache
def known_segment_ids() -> frozenset[str]:
    """Every segment ID some supported guide uses (to tell 'unexpected' from 'unrecognized')."""
    ids = set(ENVELOPE_IDS)
    for guide in GUIDES:
        tmap = load_map(guide)
        if tmap is not None:
            for n in tmap.root.walk():
                ids.add(n.id if isinstance(n, SegmentSpec) else n.trigger.id)
    return frozenset(ids)
