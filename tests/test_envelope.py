"""Envelope checks: control numbers that must match, counts, ISA fields, guides."""

from __future__ import annotations

import pytest

from parsers import parse
from parsers.guides import resolve
from tests.x12 import claim, file_837, group, interchange, professional, transaction

GOOD = file_837([claim("A1", ["100*99213"])])


def codes(data: bytes) -> set[str]:
    return {f.code for f in parse(data).errors}


def test_a_good_file_has_no_findings() -> None:
    doc = parse(GOOD)
    assert doc.all_findings() == []
    ts = doc.transactions[0]
    assert ts.guide is not None and ts.guide.name == "837P"
    assert ts.start_offset == GOOD.index(b"ST*")
    assert GOOD[ts.end_offset - 1 : ts.end_offset] == b"~"


@pytest.mark.parametrize(
    "old, new, code, ack",
    [
        (b"IEA*1*000000101", b"IEA*1*000000102", "iea.control", ("ta1", "001")),
        (b"IEA*1*", b"IEA*2*", "iea.count", ("ta1", "021")),
        (b"GE*1*1~", b"GE*1*2~", "ge.control", ("ak9", "4")),
        (b"GE*1*1~", b"GE*3*1~", "ge.count", ("ak9", "5")),
        (b"SE*", b"SE*99*", "se.count", ("ik5", "4")),
        (b"*0001~GE", b"*0002~GE", "se.control", ("ik5", "3")),
        (b"*260101*1200*^", b"*261301*1200*^", "isa.09", ("ta1", "014")),
        (b"*1200*^*00501", b"*1299*^*00501", "isa.10", ("ta1", "015")),
        (b"*00501*", b"*00401*", "isa.12", ("ta1", "003")),
        (b"*0*T*:", b"*0*X*:", "isa.15", ("ta1", "020")),
        (
            b"GS*HC*SUBMITTER*RECEIVER*20260101",
            b"GS*HC*SUBMITTER*RECEIVER*20261301",
            "gs.04",
            ("ak9", None),
        ),
    ],
)
def test_envelope_errors_carry_their_ack_codes(
    old: bytes, new: bytes, code: str, ack: tuple[str, str | None]
) -> None:
    data = GOOD.replace(old, new, 1)
    assert data != GOOD
    found = [f for f in parse(data).errors if f.code == code]
    assert found, [str(f) for f in parse(data).errors]
    assert getattr(found[0], ack[0]) == ack[1]
    assert found[0].offset is not None


def test_missing_trailers_are_reported() -> None:
    no_se = GOOD.replace(GOOD[GOOD.index(b"SE*") : GOOD.index(b"GE*")], b"")
    assert "se.missing" in codes(no_se)
    no_ge = GOOD.replace(b"GE*1*1~", b"")
    assert "ge.missing" in codes(no_ge)


def test_transaction_outside_a_group_is_kept_and_reported() -> None:
    data = GOOD.replace(b"GS*HC*SUBMITTER*RECEIVER*20260101*1200*1*X*005010X222A1~", b"").replace(
        b"GE*1*1~", b""
    )
    doc = parse(data)
    assert "st.outside_group" in {f.code for f in doc.errors}
    assert len(doc.transactions) == 1


def test_duplicate_control_numbers_within_a_group() -> None:
    body = transaction(professional([claim("A1", ["100*99213"])]))
    data = interchange(group([body, body])).encode()
    assert "st.duplicate_control" in codes(data)


def test_several_groups_and_sets_in_one_interchange() -> None:
    body1 = transaction(professional([claim("A1", ["100*99213"])]), control="0001")
    body2 = transaction(professional([claim("A2", ["100*99213"])]), control="0002")
    data = interchange(
        group([body1, body2], control="7") + group([body1], control="8"), groups=2
    ).encode()
    doc = parse(data)
    assert doc.errors == []
    assert [g.control for g in doc.interchanges[0].groups] == ["7", "8"]
    assert len(doc.transactions) == 3


@pytest.mark.parametrize(
    "version, st01, bht02, name",
    [
        ("005010X222A1", "837", "", "837P"),
        ("005010X222A2", "837", "", "837P"),
        ("005010X223A2", "837", "", "837I"),
        ("005010X223A3", "837", "", "837I"),
        ("005010X224A2", "837", "", "837D"),
        ("005010X279A1", "270", "", "270"),
        ("005010X279", "271", "", "271"),
        ("005010X212", "277", "", "277"),
        ("005010X214", "277", "", "277CA"),
        ("005010X217", "278", "13", "278"),
        ("005010X217", "278", "11", "278R"),
        ("005010X221A1", "835", "", "835"),
        ("005010X231A1", "999", "", "999"),
        ("005010X231", "999", "", "999"),
        ("005010X230", "997", "", "997"),
    ],
)
def test_guides_and_their_accepted_versions(version: str, st01: str, bht02: str, name: str) -> None:
    guide = resolve(version, st01, bht02)
    assert guide is not None and guide.name == name


def test_unknown_guide_is_reported_not_raised() -> None:
    data = GOOD.replace(b"005010X222A1", b"005010X999A9")
    doc = parse(data)
    assert "st.not_supported" in {f.code for f in doc.errors}
    assert doc.transactions[0].root is not None  # the segments are kept
