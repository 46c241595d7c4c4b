"""The 999/997 plugin: received acknowledgments as records, and back."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from parsers import parse, read
from tests.conftest import corpus_files, fixture_files
from tests.x12 import claim, file_837, group, interchange, professional, transaction
from transactions.ack_reports import AckReportPlugin
from transactions.acks import acknowledge
from transactions.emit import emit
from transactions.rules import check

PLUGIN = AckReportPlugin()


def _our_999s() -> list[bytes]:
    counter = itertools.count(1)
    good = transaction(professional([claim("A1", ["100*99213"])]), control="0001")
    bad = (
        transaction(professional([claim("B1", ["100*99213"])]), control="0002")
        .replace("N3*1 MAIN ST~", "")
        .replace("SBR*P*18", "SBR*Q*18")
    )
    batch = interchange(group([good, bad])).encode()
    out = [acknowledge(read(batch, rules=check)).to_x12(lambda: next(counter))]
    out += [
        acknowledge(read(p.read_bytes(), rules=check)).to_x12(lambda: next(counter))
        for p in fixture_files()[:4]
    ]
    out.append(
        acknowledge(read(file_837([claim("C1", ["1*99213"])]), rules=check)).to_x12(
            lambda: next(counter)
        )
    )
    return out


def _cases() -> list[object]:
    cases: list[object] = [
        pytest.param(f.path.read_bytes(), id=f.rel)
        for f in corpus_files()
        if f.type in ("999", "997") and f.valid != "no"
    ]
    cases += [pytest.param(data, id=f"generated-{i}") for i, data in enumerate(_our_999s())]
    return cases


@pytest.mark.parametrize("data", _cases())
def test_round_trip(data: bytes) -> None:
    doc = parse(data)
    sets = [ts for ts in doc.transactions if ts.guide and ts.guide.name in ("999", "997")]
    assert sets
    for ts in sets:
        assert ts.guide is not None
        records = PLUGIN.read(ts)
        emitted = emit(PLUGIN, records, guide=ts.guide.name)
        again = parse(emitted, rules=check)
        assert again.errors == [], [str(f) for f in again.errors]
        assert [r.comparable() for r in PLUGIN.read(again.transactions[0])] == [
            r.comparable() for r in records
        ]


def test_fields_and_links() -> None:
    data = _our_999s()[0]
    ts = next(t for t in parse(data).transactions if t.st01 == "999")
    records = PLUGIN.read(ts)
    group_rec = records[0]
    assert group_rec.entity == "ack_group" and group_rec.fields["acknowledgmentCode"] == "P"
    assert group_rec.index == {"trace_number": "1", "code": "P"}
    sets = [r for r in records if r.entity == "ack_set"]
    assert [(s.fields["controlNumber"], s.fields["acknowledgmentCode"]) for s in sets] == [
        ("0001", "A"),
        ("0002", "R"),
    ]
    errors = [r for r in records if r.entity == "ack_segment_error"]
    assert {e.fields["segmentIdCode"] for e in errors} >= {"N3", "SBR"}
    element = next(r for r in records if r.entity == "ack_element_error")
    assert element.fields["syntaxErrorCode"] == "7" and element.fields["badValue"] == "Q"


def test_corpus_999_with_repeated_context() -> None:
    path = (
        Path(__file__).resolve().parents[2]
        / "shared"
        / "x12-corpus"
        / "999"
        / "staedi__simple999.edi"
    )
    if not path.is_file():
        pytest.skip("corpus absent")
    ts = parse(path.read_bytes()).transactions[0]
    records = PLUGIN.read(ts)
    contexts = [c for r in records for c in r.fields.get("contexts", [])]
    assert any(len(ctx[0]) > 1 for ctx in contexts)  # CTX01 repeats
