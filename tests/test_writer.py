"""The writer: byte-exact round trips, other separators, and the builder."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from parsers import Delimiters, parse
from parsers.writer import InterchangeBuilder, make_segment, write_document
from tests.conftest import fixture_files
from tests.x12 import claim, file_837

SAMPLE = file_837([claim("A1", ["100*99213", "25.5*85025"])])


def test_parse_then_write_gives_the_same_bytes() -> None:
    assert write_document(parse(SAMPLE)) == SAMPLE


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixtures_round_trip(path) -> None:
    data = path.read_bytes()
    doc = parse(data)
    assert write_document(doc) == data[data.index(b"ISA") :]


@pytest.mark.parametrize(
    "delims",
    [
        Delimiters("|", ">", "{", "!", "\n"),
        Delimiters("^", "\\", "~", "\x1c", ""),
        Delimiters("*", ":", "^", "~", "\r\n"),
    ],
    ids=["pipes", "odd", "crlf"],
)
def test_writing_with_other_separators_reads_back_the_same(delims: Delimiters) -> None:
    doc = parse(SAMPLE)
    again = parse(write_document(doc, delims))
    assert again.errors == []
    assert again.interchanges[0].delimiters.element == delims.element
    old, new = doc.transactions[0], again.transactions[0]
    assert [s == t for s, t in zip(old.flat, new.flat, strict=True)] == [True] * len(old.flat)
    assert new.values("2400/SV1/01-2") == ["99213", "85025"]


def test_builder_fills_counts_and_control_numbers() -> None:
    ic = InterchangeBuilder(
        ("ZZ", "GATEWAY"), ("ZZ", "PARTNER"), control=42, when=dt.datetime(2026, 1, 2, 3, 4)
    )
    g = ic.group("HP", "GATEWAY", "PARTNER", version="005010X221A1", control=7)
    ts = g.transaction("835")
    ts.add(
        "BPR",
        "I",
        Decimal("80.00"),
        "C",
        "CHK",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        dt.date(2026, 1, 5),
    )
    ts.add("TRN", "1", "CHK0001", "1512345678")
    data = ic.to_bytes()
    doc = parse(data)
    assert doc.interchanges[0].control == "000000042"
    assert doc.interchanges[0].trailer is not None and doc.interchanges[0].trailer.elements == [
        "IEA",
        "1",
        "000000042",
    ]
    ts_read = doc.transactions[0]
    assert ts_read.trailer is not None and ts_read.trailer.elements == ["SE", "4", "0001"]
    assert ts_read.header.elements == ["ST", "835", "0001", "005010X221A1"]
    assert ts_read.flat[1].elements[2] == "80" and ts_read.flat[1].elements[-1] == "20260105"
    assert "loop.required_missing" in {
        f.code for f in doc.errors
    }  # an incomplete 835 is still caught (1000A)
    assert not [f for f in doc.all_findings() if f.code.startswith(("se.", "ge.", "iea."))]


def test_builder_refuses_separator_characters_in_values() -> None:
    with pytest.raises(ValueError, match="separator"):
        make_segment("NM1", "IL", "1", "O*BRIEN")
    assert (
        make_segment("CLM", "A1", "10", "", "", ("11", "B", "1")).render() == "CLM*A1*10***11:B:1"
    )
    assert (
        make_segment("DTP", "472", "D8", dt.date(2026, 2, 3), None, "").render()
        == "DTP*472*D8*20260203"
    )
