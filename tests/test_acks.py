"""Acknowledgments: TA1, 999 with partial acceptance, 277CA claim by claim; all validate clean."""

from __future__ import annotations

import datetime as dt
import itertools

from parsers import parse, read
from tests.conftest import TODAY
from tests.x12 import claim, file_837, group, interchange, professional, transaction
from transactions.acks import acknowledge
from transactions.rules import checker

WHEN = dt.datetime(2026, 11, 23, 12, 0)


def acks_for(data: bytes) -> tuple[bytes, dict[str, object]]:
    counter = itertools.count(500)
    acks = acknowledge(read(data, rules=checker(3, TODAY)))
    return acks.to_x12(lambda: next(counter), when=WHEN), acks.summary()


def segments(x12: bytes, tag: str) -> list[list[str]]:
    doc = parse(x12)
    return [s.elements for ts in doc.transactions for s in ts.flat if s.elements[0] == tag] + [
        s.elements for ic in doc.interchanges for s in ic.ta1s if s.elements[0] == tag
    ]


def assert_clean(x12: bytes) -> None:
    doc = parse(x12)
    assert doc.all_findings() == [], [str(f) for f in doc.all_findings()]


def test_all_good_batch_is_accepted() -> None:
    x12, summary = acks_for(file_837([claim("A1", ["100*99213"]), claim("A2", ["50*85025"])]))
    assert_clean(x12)
    assert segments(x12, "IK5") == [["IK5", "A"]]
    assert segments(x12, "AK9") == [["AK9", "A", "1", "1", "1"]]
    stc = [s[1] for s in segments(x12, "STC")]
    assert stc == ["A1:19:PR", "A2:20:PR", "A2:20:PR"]
    assert summary["interchanges"][0]["claims"] == {"accepted": 2, "rejected": 0}  # type: ignore[index]
    assert segments(x12, "TA1") == []  # ISA14=0 and no interchange error


def test_one_bad_set_gives_a_partial_999() -> None:
    good = transaction(professional([claim("A1", ["100*99213"])]), control="0001")
    bad = transaction(professional([claim("B1", ["100*99213"])]), control="0002").replace(
        "N3*1 MAIN ST~", ""
    )
    good3 = transaction(professional([claim("C1", ["100*99213"])]), control="0003")
    x12, _ = acks_for(interchange(group([good, bad, good3])).encode())
    assert_clean(x12)
    assert [s[1] for s in segments(x12, "IK5")] == ["A", "R", "A"]
    assert segments(x12, "AK9") == [["AK9", "P", "3", "3", "2"]]
    ik3 = segments(x12, "IK3")
    assert ik3 and ik3[0][1] == "N3" and ik3[0][3] == "2010" and ik3[0][4] == "3"
    # the 277CA rejects only the claims of the rejected set
    claim_stc = [s[1].split(":")[0] for s in segments(x12, "STC") if not s[1].startswith("A1")]
    assert claim_stc == ["A2", "A3", "A2"]
    assert len(parse(x12).transactions) == 1 + 3  # one 999, one 277CA per 837


def test_one_bad_claim_is_rejected_alone() -> None:
    data = file_837(
        [claim("GOOD", ["100*99213"]), claim("BAD", ["100*99213", "20*85025"], total="100")]
    )
    x12, summary = acks_for(data)
    assert_clean(x12)
    assert segments(x12, "IK5") == [["IK5", "E"]] or segments(x12, "IK5") == [["IK5", "A"]]
    stcs = [s[1] for s in segments(x12, "STC")]
    assert stcs == ["A1:19:PR", "A2:20:PR", "A7:400"]
    assert summary["interchanges"][0]["claims"] == {"accepted": 1, "rejected": 1}  # type: ignore[index]
    refs = segments(x12, "REF")
    assert (
        len([r for r in refs if r[1] == "1K"]) == 1
    )  # a payer claim number for the accepted claim only
    assert ["QTY", "AA", "1"] in segments(x12, "QTY")


def test_syntax_error_inside_a_claim_rejects_that_claim() -> None:
    data = file_837([claim("GOOD", ["100*99213"]), claim("BAD", ["100*99213"])]).replace(
        b"CLM*BAD*100***11:B:1*Y*A*Y*Y", b"CLM*BAD*100***11:B:1*Y*Q*Y*Y"
    )
    x12, _ = acks_for(data)
    assert_clean(x12)
    assert segments(x12, "IK5") == [["IK5", "E", "5"]]
    assert segments(x12, "IK4")[0][1:4] == ["7", "1359", "7"]
    assert [s[1] for s in segments(x12, "STC")][1:] == ["A2:20:PR", "A7:21"]


def test_ta1_when_requested_and_when_the_interchange_is_bad() -> None:
    x12, _ = acks_for(file_837([claim("A1", ["100*99213"])], ack="1"))
    assert segments(x12, "TA1") == [["TA1", "000000101", "260101", "1200", "A", "000"]]
    bad = file_837([claim("A1", ["100*99213"])]).replace(b"IEA*1*000000101", b"IEA*1*000000999")
    x12, summary = acks_for(bad)
    assert segments(x12, "TA1") == [["TA1", "000000101", "260101", "1200", "R", "001"]]
    assert segments(x12, "AK9") == []  # a rejected interchange is not acknowledged further
    assert summary["interchanges"][0]["ta1"] == {"acknowledgmentCode": "R", "noteCode": "001"}  # type: ignore[index]


def test_acks_go_back_to_the_sender_with_unique_control_numbers() -> None:
    data = file_837([claim("A1", ["100*99213"])])
    x12, _ = acks_for(data + data.replace(b"000000101", b"000000102"))
    doc = parse(x12)
    assert len(doc.interchanges) == 2
    isa = doc.interchanges[0].header
    assert (isa.get(6).strip(), isa.get(8).strip()) == ("RECEIVER", "SUBMITTER")
    controls = [ic.control for ic in doc.interchanges] + [
        g.control for ic in doc.interchanges for g in ic.groups
    ]
    assert len(controls) == len(set(controls))
