"""Raw segments and the codec engine every 837 loop module uses.

A *raw* segment is JSON-ready: ``["REF", "G1", "AUTH1"]`` or
``["SV1", ["HC", "99213", "25"], "43", ...]`` (the tag, then a string per simple
element and a list of strings per composite). Amounts (type R) are normalized
with :func:`money` and integers (N0) lose leading zeros when they are read, so a
raw segment compares equal to what a codec writes back.

A *codec* maps one kind of segment to a fragment of fields and back. A segment
is modelled only when writing its fragment gives the segment again; any other
segment (an unknown qualifier, an element no codec names, a value that does not
convert) is kept raw under ``fields["extra"][loop_id]``, and a loop no module
knows under ``fields["extraLoops"][parent_loop_id]``, so nothing is lost.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from parsers.segment import Segment
from parsers.tree import Loop
from transactions.records import Record, money

Raw = list[Any]
Fields = dict[str, Any]
#: Segments placed by the structure, never by a codec.
STRUCTURAL = frozenset({"ST", "SE", "HL"})


@dataclass(frozen=True, slots=True)
class Ctx:
    """What a codec may need beyond its fields: the guide and the party's role."""

    guide: str
    role: str = ""


class Codec(Protocol):
    tag: str

    def accepts(self, raw: Raw) -> bool: ...

    def read(self, raw: Raw) -> Fields | None: ...

    def write(self, fields: Fields, ctx: Ctx) -> list[Raw]: ...


# raw segments ------------------------------------------------------------------


def _normal(text: str, data_type: str, min_len: int) -> str:
    if not text:
        return text
    if data_type == "R":
        try:
            return money(text) or text
        except (InvalidOperation, ValueError):
            return text
    if data_type == "N0" and text.isdigit():
        short = str(int(text))
        return short if len(short) >= min_len else text
    return text


#: How to_raw reads each element of a segment spec: "" (text as is), a (data type, min
#: length) tuple (an amount or an integer to normalize), or a list of those per component
#: (a composite); past the spec's elements, None.
_Plan = tuple[Any, ...]
_PLANS: dict[int, tuple[object, _Plan]] = {}
_KEEP = ""


def _element_plan(data_type: str, min_len: int) -> Any:
    return (data_type, min_len) if data_type in ("R", "N0") else _KEEP


def _plan(spec: Any) -> _Plan:
    """Per element of ``spec``, what :func:`_normal` needs (computed once per spec: the
    specs live as long as the loaded maps, and the entry keeps its spec alive)."""
    found = _PLANS.get(id(spec))
    if found is not None and found[0] is spec:
        return found[1]
    plan: list[Any] = []
    for es in spec.elements:
        if es.components is not None:
            plan.append([_element_plan(c.data_type, c.min_len) for c in es.components])
        else:
            plan.append(_element_plan(es.data_type, es.min_len))
    out = tuple(plan)
    _PLANS[id(spec)] = (spec, out)
    return out


def to_raw(seg: Segment) -> Raw:
    """A parsed segment as a raw list (composites split, amounts normalized)."""
    spec = seg.spec
    els = seg.elements
    plan = _plan(spec) if spec is not None else ()
    known = len(plan)
    out: Raw = [els[0]]
    sep = seg.delims.component
    for pos in range(1, len(els)):
        text = els[pos]
        step = plan[pos - 1] if pos <= known else None
        if step is None:  # no spec for this element
            out.append(text.split(sep) if sep in text else text)
        elif step is _KEEP or not text:
            out.append(text)
        elif type(step) is list:  # a composite
            parts = text.split(sep)
            count = len(step)
            for i, part in enumerate(parts):
                if i < count and part:
                    comp = step[i]
                    if comp is not _KEEP:
                        parts[i] = _normal(part, comp[0], comp[1])
            while parts and not parts[-1]:
                parts.pop()
            out.append(parts or "")
        else:
            out.append(_normal(text, step[0], step[1]))
    return strip(out)


def strip(raw: Raw) -> Raw:
    while len(raw) > 1 and raw[-1] in ("", None, []):
        raw.pop()
    return raw


def canon(raw: Raw) -> tuple[Any, ...]:
    """A comparable form: empties as "", one-component composites as text."""
    out: list[Any] = [raw[0]]
    for e in raw[1:]:
        if isinstance(e, list):
            parts = ["" if p is None else str(p) for p in e]
            while parts and not parts[-1]:
                parts.pop()
            out.append(tuple(parts) if len(parts) > 1 else (parts[0] if parts else ""))
        else:
            out.append("" if e is None else str(e))
    while len(out) > 1 and out[-1] == "":
        out.pop()
    return tuple(out)


def element(raw: Raw, pos: int, comp: int = 0) -> str:
    """Element ``pos`` (component ``comp`` when > 0) of a raw segment, "" when absent."""
    if pos >= len(raw):
        return ""
    value = raw[pos]
    if type(value) is str:  # the common case: a simple element
        return value if comp <= 1 else ""
    if isinstance(value, list):
        if comp == 0:
            comp = 1
        return str(value[comp - 1]) if comp <= len(value) else ""
    if comp > 1:
        return ""
    return "" if value is None else str(value)


def components(raw: Raw, pos: int) -> list[str]:
    if pos >= len(raw) or raw[pos] in ("", None):
        return []
    value = raw[pos]
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def qualifier(raw: Raw, pos: int = 1) -> str:
    return element(raw, pos, 1)


# fields ------------------------------------------------------------------------


def _mergeable(into: Fields, frag: Fields) -> bool:
    for key, value in frag.items():
        if key not in into:
            continue
        have = into[key]
        if isinstance(have, list) and isinstance(value, list):
            continue
        if isinstance(have, dict) and isinstance(value, dict) and _mergeable(have, value):
            continue
        return False
    return True


def _merge(into: Fields, frag: Fields) -> None:
    for key, value in frag.items():
        if key not in into:
            into[key] = value
        elif isinstance(value, list):
            into[key].extend(value)
        else:
            _merge(into[key], value)


def merge(into: Fields, frag: Fields) -> bool:
    """Add a fragment's fields; False (nothing changed) when a value is already set."""
    if not _mergeable(into, frag):
        return False
    _merge(into, frag)
    return True


def put(fields: Fields, name: str, value: Any) -> None:
    """Set ``name`` unless the value is empty."""
    if value not in (None, "", [], {}):
        fields[name] = value


def amount_text(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, (int, Decimal)):
        return money(Decimal(value))
    try:
        return money(str(value))
    except (InvalidOperation, ValueError):
        return str(value)


# reading and writing loops --------------------------------------------------------


def _modelled(raw: Raw, codecs: Sequence[Codec], ctx: Ctx) -> Fields | None:
    """The fields of the first codec that takes ``raw``, if writing them gives it back."""
    for codec in codecs:
        if codec.tag != raw[0] or not codec.accepts(raw):
            continue
        frag = codec.read(raw)
        if frag is None:
            return None
        written = codec.write(frag, ctx)
        # equal lists have equal canonical forms: compare those only when they differ
        if written != [raw] and [canon(r) for r in written] != [canon(raw)]:
            return None
        return frag
    return None


def model(raw: Raw, codecs: Sequence[Codec], fields: Fields, ctx: Ctx) -> bool:
    """Put ``raw`` into ``fields`` through the first codec that takes it, if it round-trips."""
    frag = _modelled(raw, codecs, ctx)
    return frag is not None and merge(fields, frag)


def read_loop(loop: Loop, codecs: Sequence[Codec], fields: Fields, ctx: Ctx) -> None:
    """The direct segments of ``loop`` into ``fields``; the rest raw under ``extra``."""
    extra = [
        raw
        for raw in (to_raw(seg) for seg in loop.segments() if seg.elements[0] not in STRUCTURAL)
        if not model(raw, codecs, fields, ctx)
    ]
    if extra:
        fields.setdefault("extra", {})[loop.id] = extra


def keep_loop(fields: Fields, parent_id: str, loop: Loop) -> None:
    """A loop no module models, kept whole under ``extraLoops[parent_id]``."""
    fields.setdefault("extraLoops", {}).setdefault(parent_id, []).append(raw_loop(loop))


def raw_loop(loop: Loop) -> Fields:
    children: list[Any] = []
    for child in loop.children:
        children.append(raw_loop(child) if isinstance(child, Loop) else to_raw(child))
    return {"loop": loop.id, "children": children}


def first_ordinal(loop: Loop) -> int:
    for seg in loop.walk():
        return seg.ordinal
    return 0


def write_loop(fields: Fields, codecs: Iterable[Codec], ctx: Ctx, loop_id: str) -> list[Any]:
    """The raw segments of a loop's fields, then its raw extras and raw sub-loops."""
    out: list[Any] = []
    for codec in codecs:
        out.extend(codec.write(fields, ctx))
    out.extend(fields.get("extra", {}).get(loop_id, []))
    out.extend(Node.from_raw(r) for r in fields.get("extraLoops", {}).get(loop_id, []))
    return out


@dataclass(slots=True)
class Node:
    """One loop to write: raw segments and sub-loops, put in TR3 order when emitted."""

    loop: str
    items: list[Any] = field(default_factory=list)
    #: HL03 level code for the hierarchical loops 2000A/B/C
    hl: str | None = None

    @classmethod
    def from_raw(cls, data: Fields) -> Node:
        items = [
            cls.from_raw(c) if isinstance(c, dict) else list(c) for c in data.get("children", [])
        ]
        return cls(str(data["loop"]), items)


# records -----------------------------------------------------------------------


@dataclass(slots=True)
class Reading:
    """State of one read: the guide, the records so far and the key counters."""

    guide: str
    out: list[Record] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)

    def next(self, name: str) -> int:
        self.counters[name] = self.counters.get(name, 0) + 1
        return self.counters[name]

    def add(self, record: Record) -> Record:
        self.out.append(record)
        return record

    def ctx(self, role: str = "") -> Ctx:
        return Ctx(self.guide, role)


def unique_key(taken: set[str], base: str) -> str:
    """``base``, or ``base:2``, ``base:3`` ... when a sibling already has it."""
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}:{n}"
    taken.add(key)
    return key
