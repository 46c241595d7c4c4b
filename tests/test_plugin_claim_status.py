"""Claim status plugin (276, 277, 277CA): read -> write -> read round trips and the fields users query."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from parsers import parse, read
from parsers.envelope import TransactionSet
from tests.conftest import FIXTURES, TODAY, CorpusFile, corpus_files, fixture_files
from tests.x12 import claim, file_837
from transactions.acks import acknowledge
from transactions.claim_status import ClaimStatusPlugin
from transactions.emit import emit
from transactions.records import Record
from transactions.registry import Registry
from transactions.rules import check, checker

PLUGIN = ClaimStatusPlugin()
TYPES = ("276", "277", "277CA")
WHEN = dt.datetime(2026, 11, 23, 12, 0)


def roundtrip(ts: TransactionSet) -> list[Record]:
    """Read, write, parse (no errors), read again (the same records); returns the records."""
    assert ts.guide is not None
    records = PLUGIN.read(ts)
    data = emit(PLUGIN, records, guide=ts.guide.name)
    doc = parse(data, rules=check)
    assert doc.errors == [], [str(f) for f in doc.errors]
    assert [t.guide.name for t in doc.transactions if t.guide] == [ts.guide.name]
    again = PLUGIN.read(doc.transactions[0])
    assert [r.comparable() for r in again] == [r.comparable() for r in records]
    return records


def sets_of(data: bytes, guides: tuple[str, ...] = TYPES) -> list[TransactionSet]:
    doc = parse(data, rules=check)
    return [ts for ts in doc.transactions if ts.guide is not None and ts.guide.name in guides]


def by_entity(records: list[Record], entity: str) -> list[Record]:
    return [r for r in records if r.entity == entity]


def ack_277ca(data: bytes) -> bytes:
    """The 277CA (with the 999 and TA1) our own builder sends back for an 837."""
    counter = itertools.count(700)
    acks = acknowledge(read(data, rules=checker(3, TODAY)))
    return acks.to_x12(lambda: next(counter), when=WHEN)


# every file of our types ----------------------------------------------------------------


def _corpus() -> list[Any]:
    files = [f for f in corpus_files() if f.type in TYPES]
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason="../shared/x12-corpus is absent"))]
    return [pytest.param(f, id=f.rel) for f in files]


def _fixtures() -> list[Path]:
    return [p for p in fixture_files() if p.parent.name in TYPES]


def _claim_fixtures() -> list[Any]:
    """837 inputs for our 277CA builder: the 837 fixtures and the corpus 837s that are valid."""
    files = [p for p in fixture_files() if p.parent.name.startswith("837")]
    files += [f.path for f in corpus_files() if f.type.startswith("837") and f.valid == "yes"]
    return [pytest.param(p, id=p.name) for p in files]


@pytest.mark.corpus
@pytest.mark.parametrize("item", _corpus())
def test_corpus_round_trip(item: CorpusFile) -> None:
    sets = sets_of(item.path.read_bytes())
    assert sets, "no 276/277/277CA transaction set read"
    checked = 0
    for ts in sets:
        if ts.errors:  # the original is already wrong (valid=no); nothing to compare against
            assert item.valid != "yes"
            continue
        roundtrip(ts)
        checked += 1
    if not checked:
        pytest.skip(f"every transaction set of {item.rel} has errors of its own")


@pytest.mark.parametrize("path", _fixtures(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture_round_trip(path: Path) -> None:
    sets = sets_of(path.read_bytes())
    assert sets
    for ts in sets:
        assert ts.errors == []
        roundtrip(ts)


@pytest.mark.parametrize("path", _claim_fixtures())
def test_our_277ca_round_trip(path: Path) -> None:
    sets = sets_of(ack_277ca(path.read_bytes()), ("277CA",))
    if not sets:
        pytest.skip("the interchange was rejected: no 277CA")
    for ts in sets:
        assert ts.errors == []
        records = roundtrip(ts)
        _assert_summaries_add_up(records)


def _assert_summaries_add_up(records: list[Record]) -> None:
    """2200B counts and amounts = the sum of the 2200C ones = what the 2200D claims say."""
    statuses = by_entity(records, "claim_status")
    level = {
        loop: [r.fields for r in statuses if r.fields["loop"] == loop]
        for loop in ("2200B", "2200C", "2200D")
    }
    claims = level["2200D"]
    accepted = [c for c in claims if c["statuses"][0].get("actionCode") == "WQ"]
    rejected = [c for c in claims if c["statuses"][0].get("actionCode") == "U"]
    assert len(accepted) + len(rejected) == len(claims)

    def total(items: list[dict[str, Any]], name: str) -> Decimal:
        return sum((Decimal(i.get(name, "0")) for i in items), Decimal(0))

    def charges(items: list[dict[str, Any]]) -> Decimal:
        return sum((Decimal(i["statuses"][0]["totalClaimChargeAmount"]) for i in items), Decimal(0))

    (batch,) = level["2200B"]
    for name, expected in (
        ("acceptedQuantity", Decimal(len(accepted))),
        ("rejectedQuantity", Decimal(len(rejected))),
        ("acceptedAmount", charges(accepted)),
        ("rejectedAmount", charges(rejected)),
    ):
        assert total([batch], name) == expected, name
        assert total(level["2200C"], name) == expected, name


def test_registry_accepts_the_plugin() -> None:
    registry = Registry([("claim_status", PLUGIN)])
    assert registry.guides == ["276", "277", "277CA"]
    assert registry.for_guide("277CA") is PLUGIN


# the fields users query -------------------------------------------------------------------


def test_276_request_fields_and_index() -> None:
    (ts,) = sets_of((FIXTURES / "276" / "two-patients-service-lines.276").read_bytes())
    records = roundtrip(ts)
    head = records[0]
    assert (head.entity, head.key) == ("transaction", "transaction")
    assert head.fields["creationDate"] == "2024-03-15"
    assert head.fields["creationTime"] == "09:30"
    roles = [r.fields["role"] for r in by_entity(records, "party")]
    assert roles == [
        "payer",
        "information_receiver",
        "service_provider",
        "subscriber",
        "subscriber",
        "dependent",
    ]
    subscriber = next(r for r in records if r.key == "party:subscriber:1")
    assert subscriber.fields["birthDate"] == "1978-04-12"
    assert subscriber.fields["gender"] == "F"
    assert subscriber.index == {"member_id": "NWH00012345"}
    provider = next(r for r in records if r.key == "party:service_provider:1")
    assert provider.index == {"npi": "1928374655"}
    assert subscriber.parent == provider.key

    first, second = by_entity(records, "claim_status_request")
    assert first.parent == "party:subscriber:1"
    assert second.parent == "party:dependent:1"
    assert first.fields["claimChargeAmount"] == "310"
    assert first.fields["serviceStartDate"] == "2024-02-01"
    assert first.fields["serviceEndDate"] == "2024-02-02"
    assert first.index == {
        "trace_number": "CLM-2024-0001",
        "payer_claim_control_number": "2024071000123",
        "patient_control_number": "PCN0001",
        "amount": "310",
        "service_date": "2024-02-01",
    }
    lines = [r for r in by_entity(records, "service_line_status") if r.parent == first.key]
    assert [r.key for r in lines] == ["request:1/line:1", "request:1/line:2"]
    assert lines[0].fields["procedureCode"] == "99214"
    assert lines[0].fields["procedureModifiers"] == ["25"]
    assert lines[0].fields["lineItemChargeAmount"] == "185"
    assert lines[0].fields["lineItemControlNumber"] == "LN0001-1"
    assert lines[0].index == {"code": "99214", "amount": "185", "service_date": "2024-02-01"}


def test_277_status_fields_and_index() -> None:
    (ts,) = sets_of((FIXTURES / "277" / "claim-and-line-status.277").read_bytes())
    records = roundtrip(ts)
    payer = records[1]
    assert payer.fields["role"] == "payer"
    assert payer.fields["contacts"][0]["communications"][0] == {
        "qualifier": "TE",
        "number": "8005550142",
    }
    first, second = by_entity(records, "claim_status")
    assert first.fields["loop"] == "2200D"
    paid, pended = first.fields["statuses"]
    assert paid == {
        "categoryCode": "F1",
        "statusCode": "65",
        "statusEffectiveDate": "2024-03-15",
        "totalClaimChargeAmount": "310",
        "claimPaymentAmount": "185",
        "adjudicationDate": "2024-03-14",
        "paymentMethodCode": "CHK",
        "checkIssueDate": "2024-03-15",
        "checkNumber": "00448812",
    }
    assert pended["statusCode"] == "107"
    assert first.fields["statusSummary"] == "F1:65, F1:107"
    assert first.fields["voucherIdentifier"] == "VCH-88120"
    assert first.index["code"] == "F1"
    assert first.index["amount"] == "310"
    assert first.index["patient_control_number"] == "PCN0001"
    # the second and third status composites
    assert second.fields["statuses"][0]["additionalStatuses"] == [
        {"categoryCode": "P1", "statusCode": "21", "entityIdentifierCode": "QC"}
    ]
    assert second.parent == "party:dependent:1"
    line = next(r for r in records if r.key == "status:1/line:2")
    assert line.fields["lineItemProviderPaymentAmount"] == "0"
    assert line.fields["statuses"] == [
        {"categoryCode": "F2", "statusCode": "116", "statusEffectiveDate": "2024-03-15"}
    ]


def test_277_receiver_and_provider_level_statuses() -> None:
    first, second = sets_of(
        (FIXTURES / "277" / "receiver-provider-and-claim-status.277").read_bytes()
    )
    receiver = by_entity(roundtrip(first), "claim_status")
    assert [(r.parent, r.fields["loop"], r.fields["statusSummary"]) for r in receiver] == [
        ("party:information_receiver:1", "2200B", "E1:0")
    ]
    records = roundtrip(second)
    provider = next(r for r in by_entity(records, "claim_status") if r.fields["loop"] == "2200C")
    assert provider.parent == "party:service_provider:1"
    assert provider.fields["statuses"][0]["entityIdentifierCode"] == "1P"
    assert provider.index == {"trace_number": "BATCH-7781-P1", "code": "E0"}


def test_277ca_fields_and_summaries() -> None:
    data = file_837(
        [claim("GOOD", ["100*99213"]), claim("BAD", ["100*99213", "20*85025"], total="100")]
    )
    (ts,) = sets_of(ack_277ca(data), ("277CA",))
    records = roundtrip(ts)
    source = records[1]
    assert (source.key, source.fields["role"]) == (
        "party:information_source:1",
        "information_source",
    )
    statuses = {r.fields["loop"]: r for r in by_entity(records, "claim_status")}
    receipt = statuses["2200A"]
    assert receipt.fields["receiptDate"] == receipt.fields["processDate"] == "2026-11-23"
    batch = statuses["2200B"].fields
    assert (batch["acceptedQuantity"], batch["rejectedQuantity"]) == ("1", "1")
    assert (batch["acceptedAmount"], batch["rejectedAmount"]) == ("100", "100")
    provider = statuses["2200C"]
    assert provider.parent == "party:billing_provider:1"
    assert provider.fields["acceptedQuantity"] == "1"
    claims = [r for r in by_entity(records, "claim_status") if r.fields["loop"] == "2200D"]
    assert [c.index["patient_control_number"] for c in claims] == ["GOOD", "BAD"]
    assert [c.fields["patientControlNumber"] for c in claims] == ["GOOD", "BAD"]
    assert [c.index["code"] for c in claims] == ["A2", "A7"]
    assert [c.parent for c in claims] == ["party:patient:1", "party:patient:2"]
    assert "payer_claim_control_number" in claims[0].index
    assert "payer_claim_control_number" not in claims[1].index
    assert claims[0].fields["serviceDate"] == "2025-10-15"
    _assert_summaries_add_up(records)


# records built by hand: everything the 277CA can carry ---------------------------------------


def _full_277ca() -> list[Record]:
    def party(key: str, parent: str | None, **fields: Any) -> Record:
        index = {
            col: fields[f] for f, col in (("npi", "npi"), ("memberId", "member_id")) if f in fields
        }
        return Record("party", key, parent, 0, fields, index)

    def status(code: str, action: str, amount: str | None = None, **more: Any) -> dict[str, Any]:
        cat, st, *entity = code.split(":")
        out: dict[str, Any] = {"categoryCode": cat, "statusCode": st}
        if entity:
            out["entityIdentifierCode"] = entity[0]
        out.update(statusEffectiveDate="2026-11-20", actionCode=action)
        if amount is not None:
            out["totalClaimChargeAmount"] = amount
        out.update(more)
        return out

    rejected = status(
        "A7:673:QC",
        "U",
        "250.5",
        additionalStatuses=[
            {"categoryCode": "A7", "statusCode": "21", "entityIdentifierCode": "QC"}
        ],
        message="PATIENT NOT FOUND",
    )
    provider_status = status("A1:19:PR", "WQ", "350.5")
    del provider_status["statusEffectiveDate"]  # not used at 2200C
    line_status = {
        "categoryCode": "A7",
        "statusCode": "453",
        "statusEffectiveDate": "2026-11-20",
        "actionCode": "U",
    }
    return [
        Record(
            "transaction",
            "transaction",
            None,
            0,
            {
                "hierarchicalStructureCode": "0085",
                "purposeCode": "08",
                "referenceIdentification": "B-1",
                "creationDate": "2026-11-20",
                "creationTime": "08:15:30",
                "transactionTypeCode": "TH",
            },
        ),
        party(
            "party:payer:1",
            None,
            role="payer",
            entityType="organization",
            organizationName="ACME HEALTH",
            idQualifier="PI",
            identifier="P456",
        ),
        Record(
            "claim_status",
            "status:1",
            "party:payer:1",
            0,
            {
                "loop": "2200A",
                "traceNumber": "T-1",
                "receiptDate": "2026-11-19",
                "processDate": "2026-11-20",
            },
            {"trace_number": "T-1"},
        ),
        party(
            "party:information_receiver:1",
            "party:payer:1",
            role="information_receiver",
            entityType="organization",
            organizationName="SUBMITTER",
            idQualifier="46",
            identifier="S123",
        ),
        Record(
            "claim_status",
            "status:2",
            "party:information_receiver:1",
            0,
            {
                "loop": "2200B",
                "traceNumber": "BATCH1",
                "statuses": [status("A1:19:PR", "WQ", "350.5")],
                "statusSummary": "A1:19:PR",
                "acceptedQuantity": "1",
                "rejectedQuantity": "1",
                "acceptedAmount": "100",
                "rejectedAmount": "250.5",
            },
            {"trace_number": "BATCH1", "amount": "350.5", "code": "A1"},
        ),
        party(
            "party:billing_provider:1",
            "party:information_receiver:1",
            role="billing_provider",
            entityType="person",
            lastName="HOUSE",
            firstName="GREG",
            prefix="DR",
            suffix="MD",
            idQualifier="XX",
            identifier="1234567893",
            npi="1234567893",
        ),
        party(
            "party:billing_provider:2",
            "party:billing_provider:1",
            role="billing_provider",
            additionalName=True,
            entityType="organization",
            organizationName="HOUSE CLINIC",
            idQualifier="XX",
            identifier="1234567893",
            npi="1234567893",
        ),
        Record(
            "claim_status",
            "status:3",
            "party:billing_provider:1",
            0,
            {
                "loop": "2200C",
                "traceNumber": "BATCH1-1",
                "statuses": [provider_status],
                "statusSummary": "A1:19:PR",
                "references": [{"qualifier": "TJ", "value": "123456789"}],
                "acceptedQuantity": "1",
                "rejectedQuantity": "1",
                "acceptedAmount": "100",
                "rejectedAmount": "250.5",
            },
            {"trace_number": "BATCH1-1", "amount": "350.5", "code": "A1"},
        ),
        party(
            "party:patient:1",
            "party:billing_provider:1",
            role="patient",
            entityType="person",
            lastName="DOE",
            firstName="JANE",
            middleName="Q",
            idQualifier="MI",
            identifier="MEM001",
            memberId="MEM001",
        ),
        Record(
            "claim_status",
            "status:4",
            "party:patient:1",
            0,
            {
                "loop": "2200D",
                "traceNumber": "PCN-9",
                "patientControlNumber": "PCN-9",
                "statuses": [rejected],
                "statusSummary": "A7:673:QC",
                "clearinghouseTraceNumber": "CH-77",
                "billTypeCode": "131",
                "serviceStartDate": "2026-10-01",
                "serviceEndDate": "2026-10-03",
            },
            {
                "trace_number": "PCN-9",
                "patient_control_number": "PCN-9",
                "amount": "250.5",
                "service_date": "2026-10-01",
                "code": "A7",
            },
        ),
        Record(
            "service_line_status",
            "status:4/line:1",
            "status:4",
            0,
            {
                "procedureQualifier": "HC",
                "procedureCode": "99213",
                "procedureModifiers": ["25", "59"],
                "lineItemChargeAmount": "250.5",
                "revenueCode": "0450",
                "originalUnitsOfService": "1.5",
                "statuses": [line_status],
                "statusSummary": "A7:453",
                "lineItemControlNumber": "LI-1",
                "pharmacyPrescriptionNumber": "RX-1",
                "serviceDate": "2026-10-02",
            },
            {"code": "99213", "amount": "250.5", "service_date": "2026-10-02"},
        ),
        party(
            "party:patient:2",
            "party:billing_provider:1",
            role="patient",
            entityType="person",
            lastName="ROE",
            firstName="RICHARD",
            idQualifier="MI",
            identifier="MEM002",
            memberId="MEM002",
        ),
        Record(
            "claim_status",
            "status:5",
            "party:patient:2",
            0,
            {
                "loop": "2200D",
                "traceNumber": "PCN-10",
                "patientControlNumber": "PCN-10",
                "statuses": [status("A2:20:PR", "WQ", "100")],
                "statusSummary": "A2:20:PR",
                "payerClaimControlNumber": "PAYER-1",
                "serviceDate": "2026-10-05",
            },
            {
                "trace_number": "PCN-10",
                "payer_claim_control_number": "PAYER-1",
                "patient_control_number": "PCN-10",
                "amount": "100",
                "service_date": "2026-10-05",
                "code": "A2",
            },
        ),
    ]


def test_277ca_written_from_records() -> None:
    records = _full_277ca()
    data = emit(PLUGIN, records, guide="277CA")
    doc = parse(data, rules=check)
    assert doc.all_findings() == [], [str(f) for f in doc.all_findings()]
    text = data.decode()
    assert "STC*A7:673:QC*20261120*U*250.5******A7:21:QC**PATIENT NOT FOUND~" in text
    assert "HL*3*2*19*1~NM1*85*1*HOUSE*GREG**DR*MD*XX*1234567893~NM1*85*2*HOUSE CLINIC" in text
    assert "HL*4*3*PT~" in text
    assert "REF*D9*CH-77~REF*BLT*131~DTP*472*RD8*20261001-20261003~" in text
    assert "QTY*QA*1~QTY*QC*1~AMT*YU*100~AMT*YY*250.5~" in text
    assert "BHT*0085*08*B-1*20261120*081530*TH~" in text
    again = PLUGIN.read(doc.transactions[0])
    assert [r.comparable() for r in again] == [r.comparable() for r in records]
    assert [r.ordinal for r in again][:3] == [4, 5, 7]  # BHT, HL, TRN of the set written


def test_values_that_do_not_convert_are_kept_as_read() -> None:
    data = (FIXTURES / "277" / "claim-and-line-status.277").read_bytes()
    data = data.replace(b"DTP*472*D8*20240201", b"DTP*472*D8*20241301")
    data = data.replace(b"STC*F1:65*20240315**310*185", b"STC*F1:65*20240315**310*18X")
    (ts,) = parse(data).transactions
    records = PLUGIN.read(ts)
    line = next(r for r in records if r.key == "status:1/line:1")
    assert line.fields["serviceDate"] == "20241301"
    assert "service_date" not in line.index
    claim_status = next(r for r in records if r.key == "status:1")
    assert claim_status.fields["statuses"][0]["claimPaymentAmount"] == "18X"
    written = emit(PLUGIN, records, guide="277")
    assert b"DTP*472*D8*20241301~" in written
    assert b"STC*F1:65*20240315**310*18X*" in written
    again = PLUGIN.read(parse(written).transactions[0])
    assert [r.comparable() for r in again] == [r.comparable() for r in records]
