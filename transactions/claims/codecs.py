"""Reusable segment codecs: positional fields, qualified values (REF, AMT), dates, CAS.

Values follow the normalized-record conventions: amounts are decimal strings,
dates ISO (``2026-01-02``), date-times ``2026-01-02T10:30``, times ``10:30``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from transactions.claims.raw import Ctx, Fields, Raw, amount_text, components, element, strip

# values ------------------------------------------------------------------------

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")
_ISO_TIME = re.compile(r"^\d{2}:\d{2}(:\d{2}(\.\d{1,2})?)?$")


def date_in(text: str) -> str | None:
    """CCYYMMDD to ISO; None when it is not a real date."""
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:])).isoformat()
    except ValueError:
        return None


def date_out(value: str) -> str:
    return value.replace("-", "") if _ISO_DATE.match(value) else value


def time_in(text: str) -> str | None:
    """HHMM[SS[D[D]]] to ``HH:MM[:SS[.D[D]]]``."""
    if not text.isdigit() or len(text) not in (4, 6, 7, 8):
        return None
    if int(text[:2]) > 23 or int(text[2:4]) > 59:
        return None
    out = f"{text[:2]}:{text[2:4]}"
    if len(text) >= 6:
        out += f":{text[4:6]}"
    if len(text) > 6:
        out += f".{text[6:]}"
    return out


def time_out(value: str) -> str:
    return value.replace(":", "").replace(".", "") if _ISO_TIME.match(value) else value


def datetime_in(text: str) -> str | None:
    """CCYYMMDDHHMM to ``CCYY-MM-DDTHH:MM``."""
    if len(text) != 12:
        return None
    day, clock = date_in(text[:8]), time_in(text[8:])
    return f"{day}T{clock}" if day and clock else None


def datetime_out(value: str) -> str:
    return date_out(value[:10]) + time_out(value[11:]) if _ISO_DATETIME.match(value) else value


def _convert(text: str, kind: str) -> Any:
    if kind == "date":
        return date_in(text)
    if kind == "time":
        return time_in(text)
    if kind == "int":
        return int(text) if text.isdigit() else None
    return text


def _unconvert(value: Any, kind: str) -> str:
    if kind == "date":
        return date_out(str(value))
    if kind == "time":
        return time_out(str(value))
    if kind == "money":
        return amount_text(value) or ""
    return str(value)


# positional codec --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class P:
    """One field at element ``pos`` (component ``comp``).

    kind: text, money, int, date, time; ``list``/``ints`` take components
    ``comp``..``last`` as a list; ``const`` writes ``value`` (only when field
    ``when`` is set, if given) and is checked, not stored.
    """

    name: str
    pos: int
    comp: int = 0
    kind: str = "text"
    last: int = 0
    value: str = ""
    when: str = ""


def const(pos: int, value: str, comp: int = 0, when: str = "") -> P:
    return P("", pos, comp, "const", value=value, when=when)


class Positional:
    """A segment whose elements map to named fields.

    ``key`` None merges the fields into the record; with ``key`` they go in a
    nested dict, or (``many``) one dict per segment in a list.
    """

    def __init__(
        self, tag: str, fields: list[P], key: str | None = None, many: bool = False
    ) -> None:
        self.tag = tag
        self.fields = fields
        self.key = key
        self.many = many
        self.named = [p for p in fields if p.kind != "const"]
        self.checks = [p for p in fields if p.kind == "const" and not p.when]
        # the empty segment render starts from, worked out once (``fields`` is fixed)
        self._size = max(p.pos for p in fields)
        self._composite = frozenset(p.pos for p in fields if p.comp)

    def accepts(self, raw: Raw) -> bool:
        return all(element(raw, p.pos, p.comp) == p.value for p in self.checks)

    def read(self, raw: Raw) -> Fields | None:
        item: Fields = {}
        for p in self.named:
            if p.kind in ("list", "ints"):
                parts = components(raw, p.pos)[p.comp - 1 : p.last]
                while parts and not parts[-1]:
                    parts.pop()
                if not parts:
                    continue
                if "" in parts:
                    return None
                if p.kind == "ints":
                    if not all(x.isdigit() for x in parts):
                        return None
                    item[p.name] = [int(x) for x in parts]
                else:
                    item[p.name] = parts
                continue
            text = element(raw, p.pos, p.comp)
            if not text:
                continue
            value = _convert(text, p.kind)
            if value is None:
                return None
            item[p.name] = value
        if self.key is None:
            return item
        return {self.key: [item] if self.many else item}

    def write(self, fields: Fields, ctx: Ctx) -> list[Raw]:
        if self.key is None:
            items = [fields]
        elif self.many:
            items = list(fields.get(self.key) or [])
        else:
            items = [fields[self.key]] if isinstance(fields.get(self.key), dict) else []
        out = []
        for item in items:
            if not self.many:
                for p in self.named:
                    if item.get(p.name) not in (None, "", []):
                        break
                else:
                    continue  # nothing to write
            out.append(self.render(item))
        return out

    def render(self, item: Fields) -> Raw:
        size, composite = self._size, self._composite
        els: list[Any] = [[] if pos in composite else "" for pos in range(size + 1)]
        els[0] = self.tag
        for p in self.fields:
            if p.kind == "const":
                if p.when and item.get(p.when) in (None, "", []):
                    continue
                values = [p.value]
            elif p.kind in ("list", "ints"):
                values = [str(v) for v in item.get(p.name) or []]
            else:
                value = item.get(p.name)
                values = [_unconvert(value, p.kind)] if value not in (None, "") else []
            if not values:
                continue
            if p.comp:
                slot = els[p.pos]
                while len(slot) < p.comp - 1:
                    slot.append("")
                slot[p.comp - 1 : p.comp - 1 + len(values)] = values
            else:
                els[p.pos] = values[0]
        return strip(els)


# qualified values (REF, AMT) ----------------------------------------------------


class Qualified:
    """Element 1 names the field, element 2 holds the value: REF, AMT.

    ``many`` qualifiers collect lists; with ``rest`` set, any other qualifier
    goes to that list as ``{"qualifier", "identifier"}``.
    """

    def __init__(
        self,
        tag: str,
        table: Mapping[str, str],
        *,
        money: bool = False,
        many: frozenset[str] = frozenset(),
        rest: str | None = None,
    ) -> None:
        self.tag = tag
        self.table = dict(table)
        self.money = money
        self.many = many
        self.rest = rest

    def accepts(self, raw: Raw) -> bool:
        return self.rest is not None or element(raw, 1) in self.table

    def read(self, raw: Raw) -> Fields | None:
        qual, value = element(raw, 1), element(raw, 2)
        if not value or len(raw) > 3:
            return None
        name = self.table.get(qual)
        if name is None:
            return {str(self.rest): [{"qualifier": qual, "identifier": value}]}
        return {name: [value] if qual in self.many else value}

    def write(self, fields: Fields, ctx: Ctx) -> list[Raw]:
        out: list[Raw] = []
        for qual, name in self.table.items():
            value = fields.get(name)
            if value in (None, "", []):
                continue
            for v in value if qual in self.many else [value]:
                out.append([self.tag, qual, amount_text(v) if self.money else str(v)])
        if self.rest is not None:
            for item in fields.get(self.rest) or []:
                out.append([self.tag, item.get("qualifier", ""), item.get("identifier", "")])
        return out


class Texts:
    """A repeated one-value segment (K3) as a list of strings."""

    def __init__(self, tag: str, name: str) -> None:
        self.tag = tag
        self.name = name

    def accepts(self, raw: Raw) -> bool:
        return True

    def read(self, raw: Raw) -> Fields | None:
        return {self.name: [element(raw, 1)]} if len(raw) == 2 and element(raw, 1) else None

    def write(self, fields: Fields, ctx: Ctx) -> list[Raw]:
        return [[self.tag, str(v)] for v in fields.get(self.name) or []]


# dates (DTP) ---------------------------------------------------------------------


def _date_value(fmt: str, text: str) -> tuple[str, str | None] | None:
    if fmt == "D8":
        day = date_in(text)
        return (day, None) if day else None
    if fmt == "RD8":
        start, _, end = text.partition("-")
        a, b = date_in(start), date_in(end)
        return (a, b) if a and b else None
    if fmt == "DT":
        stamp = datetime_in(text)
        return (stamp, None) if stamp else None
    if fmt == "TM":
        clock = time_in(text)
        return (clock, None) if clock else None
    return None


def _date_raw(qual: str, start: str, end: str | None) -> Raw:
    if end:
        return ["DTP", qual, "RD8", f"{date_out(start)}-{date_out(end)}"]
    if _ISO_DATETIME.match(start):
        return ["DTP", qual, "DT", datetime_out(start)]
    if _ISO_TIME.match(start):
        return ["DTP", qual, "TM", time_out(start)]
    return ["DTP", qual, "D8", date_out(start)]


class Dates:
    """DTP by qualifier: D8 ``name``; RD8 ``name`` + end name; DT and TM in ``name``.

    ``table`` maps a qualifier to a field name or a (start, end) pair of names
    (the end name defaults to ``name + "End"``); ``many`` qualifiers collect
    lists of D8 dates.
    """

    tag = "DTP"

    def __init__(
        self, table: Mapping[str, str | tuple[str, str]], many: frozenset[str] = frozenset()
    ) -> None:
        self.names: dict[str, tuple[str, str]] = {
            q: (n, f"{n}End") if isinstance(n, str) else n for q, n in table.items()
        }
        self.many = many

    def accepts(self, raw: Raw) -> bool:
        return element(raw, 1) in self.names

    def read(self, raw: Raw) -> Fields | None:
        qual = element(raw, 1)
        start_name, end_name = self.names[qual]
        value = _date_value(element(raw, 2), element(raw, 3))
        if value is None or len(raw) > 4:
            return None
        start, end = value
        if qual in self.many:
            return None if end or element(raw, 2) != "D8" else {start_name: [start]}
        return {start_name: start, end_name: end} if end else {start_name: start}

    def write(self, fields: Fields, ctx: Ctx) -> list[Raw]:
        out: list[Raw] = []
        for qual, (start_name, end_name) in self.names.items():
            value = fields.get(start_name)
            if value in (None, "", []):
                continue
            if qual in self.many:
                values = [value] if isinstance(value, str) else value
                out.extend(["DTP", qual, "D8", date_out(str(v))] for v in values)
            else:
                out.append(_date_raw(qual, str(value), fields.get(end_name)))
        return out


# adjustments (CAS) ---------------------------------------------------------------


class Adjustments:
    """CAS: one ``{groupCode, reasonCode, amount, quantity}`` per reason, in ``adjustments``."""

    tag = "CAS"
    name = "adjustments"

    def accepts(self, raw: Raw) -> bool:
        return True

    def read(self, raw: Raw) -> Fields | None:
        group = element(raw, 1)
        items: list[Fields] = []
        for start in range(2, len(raw), 3):
            reason, amount, quantity = (element(raw, start + i) for i in range(3))
            if not reason or not amount:
                return None
            item: Fields = {"groupCode": group, "reasonCode": reason, "amount": amount}
            if quantity:
                item["quantity"] = quantity
            items.append(item)
        return {self.name: items} if group and items else None

    def write(self, fields: Fields, ctx: Ctx) -> list[Raw]:
        out: list[Raw] = []
        for item in fields.get(self.name) or []:
            group = str(item.get("groupCode", ""))
            triplet = [
                str(item.get("reasonCode", "")),
                amount_text(item.get("amount")) or "",
                amount_text(item.get("quantity")) or "",
            ]
            if out and out[-1][1] == group and len(out[-1]) < 18:
                out[-1].extend(triplet)
            else:
                out.append(["CAS", group, *triplet])
        return [strip(r) for r in out]
