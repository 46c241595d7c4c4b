"""Compile pyx12-schema XML maps into :mod:`parsers.maps.spec` objects, once.

Both forms of pyx12's schema are read: child elements (``map.xsd``, e.g.
``837.5010.X222.A1.xml``) and attributes (``map.v2.xsd``). Only the
``ST_LOOP`` subtree is compiled; the envelope (ISA/GS) is checked by
:mod:`parsers.envelope`. Wrapper loops (HEADER, DETAIL, FOOTER) are inlined so
the tree carries only the TR3's own loop IDs.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from functools import cache
from importlib import resources
from pathlib import Path

from parsers.maps.spec import (
    UNBOUNDED,
    ElementSpec,
    KeyedCandidates,
    LoopSpec,
    SegmentSpec,
    SyntaxRule,
    TransactionMap,
)

#: External code lists that are stable enough to enforce (SNIP 5 lists that
#: change three times a year, such as remark codes, are left to later levels).
ENFORCED_EXTERNAL = frozenset({"states", "country", "currency"})

#: Elements the 5010 TR3s let repeat (pyx12's maps do not say), and how often.
REPEATABLE = {"EQ01": 99, "EB03": 99, "CTX01": 10, "HSD": 1}


def pyx12_map_dir() -> Path:
    return Path(str(resources.files("pyx12") / "map"))


def own_map_dir() -> Path:
    return Path(str(resources.files("parsers.maps")))


def _get(el: ET.Element, name: str, default: str = "") -> str:
    value = el.get(name)
    if value is None:
        value = el.findtext(name)
    return value.strip() if value is not None else default


def _repeat(text: str) -> int:
    text = text.strip()
    if not text or text.startswith(">"):
        return UNBOUNDED
    return int(text)


@cache
def data_elements() -> dict[str, tuple[str, int, int]]:
    """Data element dictionary: number -> (type, min length, max length)."""
    tree = ET.parse(pyx12_map_dir() / "dataele.xml")
    out: dict[str, tuple[str, int, int]] = {}
    for el in tree.getroot():
        out[el.get("ele_num", "")] = (
            el.get("data_type", "AN"),
            int(el.get("min_len", "1")),
            int(el.get("max_len", "256")),
        )
    return out


@cache
def external_codes() -> dict[str, frozenset[str]]:
    tree = ET.parse(pyx12_map_dir() / "codes.xml")
    out: dict[str, frozenset[str]] = {}
    for cs in tree.getroot().iter("codeset"):
        name = cs.findtext("id", "").strip()
        out[name] = frozenset(c.text.strip() for c in cs.iter("code") if c.text)
    return out


def _element(el: ET.Element, seg_id: str) -> ElementSpec:
    data_ele = _get(el, "data_ele")
    usage = _get(el, "usage", "S")
    seq = int(_get(el, "seq", "0") or 0)
    xid = el.get("xid", "") or f"{seg_id}{seq:02d}"
    name = _get(el, "name")
    if el.tag == "composite":
        comps = tuple(_element(c, seg_id) for c in el if c.tag == "element")
        return ElementSpec(
            ref=xid,
            pos=seq,
            data_ele=data_ele,
            name=name,
            usage=usage,
            components=comps,
            max_repeat=REPEATABLE.get(xid, 1),
        )
    dtype, min_len, max_len = data_elements().get(data_ele, ("AN", 1, 256))
    codes: frozenset[str] | None = None
    external: str | None = None
    vc = el.find("valid_codes")
    if vc is not None:
        external = vc.get("external")
        found = [c.text.strip() for c in vc.iter("code") if c.text and c.text.strip()]
        if found:
            codes = frozenset(found)
        elif external in ENFORCED_EXTERNAL:
            codes = external_codes().get(external)
        else:
            external = external or None
    regex_text = _get(el, "regex")
    return ElementSpec(
        ref=xid,
        pos=seq,
        data_ele=data_ele,
        name=name,
        usage=usage,
        data_type=dtype,
        min_len=min_len,
        max_len=max_len,
        codes=codes,
        external=external,
        regex=re.compile(regex_text) if regex_text else None,
        max_repeat=REPEATABLE.get(xid, 1),
    )


def _qualifier(
    seg_id: str, elements: tuple[ElementSpec, ...]
) -> tuple[int, int, frozenset[str]] | None:
    by_pos = {e.pos: e for e in elements}
    first = by_pos.get(1)
    if first is not None:
        if first.components:
            sub = first.components[0]
            if sub.codes and (sub.data_type == "ID" or seg_id == "CTX"):
                return (1, 1, sub.codes)
        elif first.codes and first.data_type == "ID":
            return (1, 0, first.codes)
    special = {"HL": 3, "ENT": 2}.get(seg_id)
    if special and (e := by_pos.get(special)) is not None and e.codes:
        return (special, 0, e.codes)
    return None


def _segment(el: ET.Element, loop_id: str) -> SegmentSpec:
    seg_id = el.get("xid", "")
    elements = tuple(_element(c, seg_id) for c in el if c.tag in ("element", "composite"))
    rules = []
    for s in el.findall("syntax"):  # composite-level rules sit inside <composite>
        text = (s.text or "").strip()
        if len(text) >= 5:
            rules.append(
                SyntaxRule(text[0], tuple(int(text[i : i + 2]) for i in range(1, len(text), 2)))
            )
    # dense tuple indexed by position - 1
    dense: list[ElementSpec] = []
    for e in sorted(elements, key=lambda e: e.pos):
        while len(dense) < e.pos - 1:
            n = len(dense) + 1
            dense.append(ElementSpec(f"{seg_id}{n:02d}", n, "", "", "N"))
        dense.append(e)
    return SegmentSpec(
        id=seg_id,
        name=_get(el, "name"),
        usage=_get(el, "usage", "S"),
        pos=int(_get(el, "pos", "0") or 0),
        max_use=_repeat(_get(el, "max_use", "1")),
        elements=tuple(dense),
        syntax=tuple(rules),
        qualifier=_qualifier(seg_id, tuple(dense)),
        loop_id=loop_id,
    )


def _loop(el: ET.Element) -> LoopSpec:
    loop = LoopSpec(
        id=el.get("xid", ""),
        name=_get(el, "name"),
        usage=_get(el, "usage", "S"),
        pos=int(_get(el, "pos", "0") or 0),
        max_repeat=_repeat(_get(el, "repeat", "1")),
    )
    _fill(loop, el)
    return loop


def _fill(loop: LoopSpec, el: ET.Element) -> None:
    for child in el:
        if child.tag == "segment":
            loop.children.append(_segment(child, loop.id))
        elif child.tag == "loop":
            if child.get("type") == "wrapper":
                _fill(loop, child)  # inline HEADER / DETAIL / FOOTER
            else:
                loop.children.append(_loop(child))


def _index(loop: LoopSpec) -> None:
    lookup: dict[str, list[tuple[int, SegmentSpec | LoopSpec]]] = {}
    required = []
    for i, child in enumerate(loop.children):
        child.index = i
        if child.usage == "R":
            required.append(i)
        if isinstance(child, LoopSpec):
            _index(child)
            key = child.trigger.id
        else:
            key = child.id
        lookup.setdefault(key, []).append((i, child))
    loop.lookup = lookup
    loop.required = tuple(required)
    loop.keyed = {tag: _keyed(cands) for tag, cands in lookup.items()}


def _keyed(cands: list[tuple[int, SegmentSpec | LoopSpec]]) -> KeyedCandidates:
    specs = [(ci, c, c if isinstance(c, SegmentSpec) else c.trigger) for ci, c in cands]
    positions = {(sp.qualifier[0], sp.qualifier[1]) for _, _, sp in specs if sp.qualifier}
    if len(positions) != 1:
        # no shared qualifier: every candidate is tried in order
        everything = tuple((ci, c) for ci, c, _ in specs)
        return KeyedCandidates(0, 0, {}, everything, len(everything) > 1)
    epos, cpos = next(iter(positions))
    by_code: dict[str, list[tuple[int, SegmentSpec | LoopSpec]]] = {}
    unqualified = [(ci, c) for ci, c, sp in specs if sp.qualifier is None]
    for ci, c, sp in specs:
        if sp.qualifier is not None:
            for code in sp.qualifier[2]:
                by_code.setdefault(code, []).append((ci, c))
    ambiguous = any(len(v) > 1 for v in by_code.values()) or (bool(unqualified) and bool(by_code))
    if unqualified:
        merged = {
            code: tuple(sorted([*v, *unqualified], key=lambda t: t[0]))
            for code, v in by_code.items()
        }
    else:  # already in child order
        merged = {code: tuple(v) for code, v in by_code.items()}
    return KeyedCandidates(epos, cpos, merged, tuple(unqualified), ambiguous)


def _hoist_trailer(root: LoopSpec) -> None:
    """Move SE to the end of the ST loop wherever a map nested it (pyx12's 277 X212 map)."""

    def take(loop: LoopSpec) -> SegmentSpec | None:
        for i, child in enumerate(loop.children):
            if isinstance(child, SegmentSpec) and child.id == "SE":
                del loop.children[i]
                return child
            if isinstance(child, LoopSpec) and (found := take(child)) is not None:
                return found
        return None

    se = take(root)
    if se is None:  # a map that lost its trailer: the SE is the same in every guide
        se = SegmentSpec(
            id="SE",
            name="Transaction Set Trailer",
            usage="R",
            pos=9999,
            max_use=1,
            elements=(
                ElementSpec("SE01", 1, "96", "Number of Included Segments", "R", "N0", 1, 10),
                ElementSpec("SE02", 2, "329", "Transaction Set Control Number", "R", "AN", 4, 9),
            ),
        )
    se.loop_id = root.id
    root.children.append(se)


def compile_file(path: Path, key: str, st03_codes: frozenset[str] | None = None) -> TransactionMap:
    root_el = ET.parse(path).getroot()
    st_el = root_el if root_el.get("xid") == "ST_LOOP" else root_el.find(".//loop[@xid='ST_LOOP']")
    if st_el is None:
        raise ValueError(f"{path.name}: no ST_LOOP")
    root = _loop(st_el)
    _hoist_trailer(root)
    st, se = root.children[0], root.children[-1]
    if not (isinstance(st, SegmentSpec) and st.id == "ST"):
        raise ValueError(f"{path.name}: ST_LOOP must start with ST")
    if not (isinstance(se, SegmentSpec) and se.id == "SE"):
        raise ValueError(f"{path.name}: ST_LOOP must end with SE")
    if st03_codes is not None and len(st.elements) >= 3:
        st.elements[2].codes = st03_codes
        st.elements[2].usage = "S"
    _index(root)
    st01 = st.elements[0].codes
    return TransactionMap(
        key=key,
        st01=next(iter(st01)) if st01 else "",
        name=_get(root_el, "name"),
        root=root,
        st=st,
        se=se,
    )
