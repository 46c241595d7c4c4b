"""The loop matcher: TR3 loops and HL levels, usage, repeats, ambiguous segments, the tree API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from parsers import parse
from parsers.findings import Scope
from tests.conftest import CORPUS
from tests.x12 import claim, file_837

TWO_CLAIMS = file_837([claim("A1", ["100*99213", "25.5*85025"]), claim("A2", ["40*80053"])])


def test_tree_has_the_tr3_loops() -> None:
    ts = parse(TWO_CLAIMS).transactions[0]
    root = ts.root
    assert root is not None
    assert [loop.id for loop in root.loops()] == ["1000A", "1000B", "2000A"]
    billing = next(root.loops("2000A"))
    assert [loop.id for loop in billing.loops()] == ["2010AA", "2000B"]
    claims = list(root.find("2300"))
    assert [c.get("CLM/01") for c in claims] == ["A1", "A2"]
    assert [len(list(c.loops("2400"))) for c in claims] == [2, 1]
    # every segment was placed by the map
    assert all(seg.spec is not None for seg in ts.flat)


def test_paths_and_typed_values() -> None:
    ts = parse(TWO_CLAIMS).transactions[0]
    assert ts.get("2300/CLM/01") == "A1"
    assert ts.root is not None
    assert ts.root.value("2300/CLM/02") == Decimal("125.5")
    assert ts.values("2400/SV1/01-2") == ["99213", "85025", "80053"]
    assert ts.root.value("2400/DTP/03") == "20251015"  # DTP03 is AN (format in DTP02)
    assert ts.root.value("2010BA/DMG/02") == "19800101"
    assert ts.root.value("BHT/04") == dt.date(2026, 1, 1)
    assert ts.get("2010BA/NM1[IL]/09") == "MEM001"
    assert ts.get("NM1[PR]/03") == "ACME HEALTH PLAN"
    assert ts.root.value("2300/CLM/05") == ("11", "B", "1")


def test_unexpected_and_unrecognized_segments_keep_their_place() -> None:
    data = TWO_CLAIMS.replace(b"HI*ABK:E119~", b"HI*ABK:E119~ZZZ*1~N3*NOT HERE~", 1)
    doc = parse(data)
    by_code = {f.code: f for f in doc.errors}
    assert by_code["segment.unrecognized"].ik3 == "1"
    assert by_code["segment.unexpected"].ik3 == "2"
    assert by_code["segment.unexpected"].loop == "2300"
    assert by_code["segment.unexpected"].position is not None
    # nothing is lost: the segments are in the tree and the file writes back the same
    ts = doc.transactions[0]
    assert [s.elements[0] for s in ts.flat].count("ZZZ") == 1


def test_required_segment_and_loop_missing() -> None:
    no_n3 = TWO_CLAIMS.replace(b"N3*1 MAIN ST~", b"")
    f = next(f for f in parse(no_n3).errors if f.code == "segment.required_missing")
    assert (f.segment_id, f.loop, f.ik3) == ("N3", "2010AA", "3")
    no_subscriber = TWO_CLAIMS.replace(
        b"NM1*IL*1*DOE*JANE****MI*MEM001~N3*2 ELM ST~N4*SPRINGFIELD*IL*62701~DMG*D8*19800101*F~",
        b"",
    )
    f = next(f for f in parse(no_subscriber).errors if f.code == "loop.required_missing")
    assert (f.loop, f.ik3) == ("2010BA", "3")


def test_max_use_and_loop_repeat() -> None:
    twice = TWO_CLAIMS.replace(b"REF*EI*123456789~", b"REF*EI*123456789~REF*EI*987654321~")
    f = next(f for f in parse(twice).errors if f.code == "segment.over_max")
    assert (f.segment_id, f.ik3) == ("REF", "5")
    two_names = TWO_CLAIMS.replace(
        b"REF*EI*123456789~", b"REF*EI*123456789~NM1*85*2*OTHER*****XX*1234567893~"
    )
    f = next(f for f in parse(two_names).errors if f.code == "loop.over_max")
    assert (f.loop, f.ik3) == ("2010AA", "4")


def test_element_errors_name_position_and_code() -> None:
    data = TWO_CLAIMS.replace(b"SBR*P*18", b"SBR*Q*18").replace(
        b"DMG*D8*19800101", b"DMG*D8*19801301"
    )
    errors = {f.code: f for f in parse(data).errors}
    code = errors["element.invalid_code"]
    assert (code.segment_id, code.element, code.ik4, code.loop) == ("SBR", 1, "7", "2000B")
    assert code.value == "Q" and "Q" not in code.message  # the value is for the 999 only
    assert "Q" not in str(code.public())
    date = errors.get("element.invalid_date")
    assert date is None or date.ik4 == "8"


def test_composite_and_syntax_errors() -> None:
    data = TWO_CLAIMS.replace(b"SV1*HC:99213", b"SV1*HC", 1)
    f = next(f for f in parse(data).errors if f.code == "element.required_missing")
    assert (f.segment_id, f.element, f.component) == ("SV1", 1, 2)
    # C0704: a country subdivision (N407) needs a country code (N404)
    conditional = TWO_CLAIMS.replace(b"N4*SPRINGFIELD*IL*62701~", b"N4*SPRINGFIELD**62701****ON~")
    found = [f for f in parse(conditional).errors if f.code == "element.conditional_missing"]
    assert found and (found[0].segment_id, found[0].element, found[0].ik4) == ("N4", 4, "2")


def test_hl_parent_pointer_is_checked() -> None:
    data = TWO_CLAIMS.replace(b"HL*2*1*22*0", b"HL*2*5*22*0")
    f = next(f for f in parse(data).errors if f.element == 2 and f.segment_id == "HL")
    assert f.scope is Scope.ELEMENT


def test_ambiguous_rendering_provider_resolves_to_line_loop() -> None:
    path = CORPUS / "837P" / "imsweb__x12_ambiguous_loop.txt"
    if not path.is_file():
        import pytest

        pytest.skip("corpus absent")
    ts = parse(path.read_bytes()).transactions[0]
    assert ts.root is not None
    line = next(ts.root.find("2400"))
    assert [loop.id for loop in line.loops()] == ["2420A"]


def test_partial_claim_errors_are_tied_to_their_claim() -> None:
    from transactions.rules import check

    data = TWO_CLAIMS.replace(b"CLM*A2*40***11:B:1", b"CLM*A2*40***11:B:1*Y*Q", 1)
    doc = parse(data, rules=check)
    ts = doc.transactions[0]
    bad = list(ts.errors)
    assert bad and all(f.claim is not None for f in bad)
    assert ts.accepted  # the set goes through; the claim is rejected on its own
