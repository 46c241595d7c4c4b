"""The 270/271 plugin: records read from every sample and fixture write back to the same records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from parsers import Delimiters, parse
from parsers.delimiters import DEFAULT
from parsers.envelope import TransactionSet
from tests.conftest import FIXTURES, CorpusFile, corpus_files
from tests.x12 import group, interchange, transaction
from transactions.eligibility import EligibilityPlugin
from transactions.emit import emit
from transactions.records import Record
from transactions.registry import Registry
from transactions.rules import check

PLUGIN = EligibilityPlugin()
TYPES = ("270", "271")
#: errors of an original that the plugin's output cannot carry (the envelope is the builder's)
ENVELOPE_ONLY = frozenset({"st.functional_id", "se.control"})


def sets(data: bytes) -> list[TransactionSet]:
    doc = parse(data, rules=check)
    assert doc.transactions
    return doc.transactions


def comparable(records: list[Record]) -> list[Any]:
    return [r.comparable() for r in records]


def round_trip(ts: TransactionSet, delimiters: Delimiters | None = None) -> list[Record]:
    """read -> emit -> parse (no errors) -> read gives the same records; returns them."""
    assert ts.guide is not None
    records = PLUGIN.read(ts)
    out = emit(PLUGIN, records, guide=ts.guide.name, delimiters=delimiters or DEFAULT)
    doc = parse(out, rules=check)
    assert doc.errors == [], [str(f) for f in doc.errors]
    assert len(doc.transactions) == 1
    again = PLUGIN.read(doc.transactions[0])
    assert comparable(again) == comparable(records)
    # records are JSON (the store keeps fields in JSONB)
    for r in records:
        assert json.loads(json.dumps(r.fields)) == r.fields
    return records


def by_key(records: list[Record]) -> dict[str, Record]:
    return {r.key: r for r in records}


def read_fixture(name: str) -> list[Record]:
    (ts,) = sets((FIXTURES / name).read_bytes())
    return round_trip(ts)


# every sample and fixture ---------------------------------------------------------------


def _corpus() -> list[object]:
    files = [f for f in corpus_files() if f.type in TYPES]
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason="../shared/x12-corpus is absent"))]
    return [pytest.param(f, id=f.rel) for f in files]


@pytest.mark.parametrize("item", _corpus())
def test_corpus_file_round_trips(item: CorpusFile) -> None:
    doc = parse(item.path.read_bytes(), rules=check)
    codes = {f.code for f in doc.errors}
    if item.valid == "no" and codes - ENVELOPE_ONLY:
        pytest.skip(f"the original has errors in its body: {sorted(codes - ENVELOPE_ONLY)}")
    assert doc.transactions
    for ts in doc.transactions:
        records = round_trip(ts)
        assert records[0].entity == "transaction"
        assert len({r.key for r in records}) == len(records)
        keys = {r.key for r in records}
        assert all(r.parent is None or r.parent in keys for r in records)


FIXTURE_FILES = sorted(p for t in TYPES for p in (FIXTURES / t).glob("*") if p.is_file())


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=[p.name for p in FIXTURE_FILES])
def test_fixture_round_trips(path: Path) -> None:
    for ts in sets(path.read_bytes()):
        round_trip(ts)
        round_trip(ts, Delimiters("|", ">", "}", "!"))  # composites, repetitions re-encoded


def test_registers_for_both_guides() -> None:
    registry = Registry([("eligibility", PLUGIN)])
    assert registry.for_guide("270") is PLUGIN
    assert registry.for_guide("271") is PLUGIN


def test_write_needs_the_transaction_record() -> None:
    records = read_fixture("270/two-subscribers-with-dependent.270")
    with pytest.raises(ValueError, match="transaction"):
        emit(PLUGIN, records[1:], guide="270")


# 270 ---------------------------------------------------------------------------------------


def test_270_parties_inquiries_and_traces() -> None:
    records = read_fixture("270/two-subscribers-with-dependent.270")
    r = by_key(records)
    header = r["transaction"].fields
    assert header["purposeCode"] == "13"
    assert header["creationDate"] == "2025-01-15"
    assert header["creationTime"] == "08:15"

    source = r["party:information_source:1"]
    assert source.parent is None
    assert source.fields["organizationName"] == "SUMMIT HEALTH PLAN"
    assert source.fields["payerId"] == "SHP01"

    receiver = r["party:information_receiver:1"]
    assert receiver.parent == source.key
    assert receiver.index == {"npi": "1738294614"}
    assert receiver.fields["taxonomy"] == "207Q00000X"
    assert receiver.fields["address"] == {
        "line1": "1200 LAKESIDE PARKWAY",
        "line2": "BUILDING C",
        "city": "SPRINGFIELD",
        "state": "IL",
        "postalCode": "62704",
    }

    subscribers = [x for x in records if x.fields.get("role") == "subscriber"]
    assert [s.index["member_id"] for s in subscribers] == ["SHP123456789", "SHP987654321"]
    assert all(s.parent == receiver.key for s in subscribers)
    ada = subscribers[0]
    assert ada.fields["birthDate"] == "1984-03-12"
    assert ada.fields["gender"] == "F"
    assert ada.fields["groupNumber"] == "GRP-44120"
    assert ada.index["service_date"] == "2025-01-15"

    inquiries = [x for x in records if x.entity == "inquiry" and x.parent == ada.key]
    assert [q.fields.get("serviceTypeCodes") for q in inquiries] == [["30"], ["98", "UC"], None]
    assert inquiries[1].fields["additionalInformation"] == [
        {"qualifier": "ZZ", "industryCode": "11"}
    ]
    assert inquiries[2].fields["procedureQualifier"] == "HC"
    assert inquiries[2].fields["procedureCode"] == "99213"

    dependent = r["party:dependent:1"]
    assert dependent.parent == "party:subscriber:2"
    assert dependent.fields["relationshipCode"] == "19"
    assert dependent.index["member_id"] == "SHP987654321"  # the subscriber's
    assert dependent.fields["dateInformation"]["plan"] == {
        "startDate": "2025-01-01",
        "endDate": "2025-01-31",
    }
    trace = r["party:dependent:1/trace:1"]
    assert trace.index == {"trace_number": "INQ-0003"}
    assert trace.fields == {
        "traceType": "1",
        "referenceIdentification": "INQ-0003",
        "originatingCompanyIdentifier": "1234567890",
    }
    referral = r["party:dependent:1/inquiry:2"].fields
    assert referral["priorAuthorizationNumber"] == "PA-55120"


def test_270_spend_down_amounts_diagnoses_and_birth_sequence() -> None:
    r = by_key(read_fixture("270/medicaid-spend-down-multiple-birth.270"))
    mira = r["party:subscriber:1"].fields
    assert mira["birthSequenceNumber"] == "2"
    assert mira["healthCareDiagnosisCodes"] == [
        {"qualifier": "ABK", "code": "P0739"},
        {"qualifier": "ABF", "code": "Z3830"},
    ]
    assert mira["additionalIdentifiers"] == [{"qualifier": "NQ", "identifier": "MRI5550012"}]
    assert [r[f"party:subscriber:1/trace:{n}"].index["trace_number"] for n in (1, 2)] == [
        "SPD-0001",
        "CLR-55091",
    ]
    spend = r["party:subscriber:1/inquiry:1"]
    assert spend.fields["spendDownAmount"] == "350"
    assert spend.fields["spendDownTotalBilledAmount"] == "1125.5"
    assert spend.index == {"code": "30", "service_date": "2025-02-01"}
    assert r["party:subscriber:1/inquiry:2"].fields["diagnosisCodePointers"] == [1, 2]
    assert r["transaction"].fields["transactionTypeCode"] == "RT"


def test_270_from_hand_built_records() -> None:
    """A request made by an application: convenient fields only, no raw identifiers."""
    records = [
        Record(
            "transaction",
            "transaction",
            fields={
                "hierarchicalStructureCode": "0022",
                "purposeCode": "13",
                "referenceIdentification": "APP-1",
                "creationDate": "2026-03-01",
                "creationTime": "09:30",
            },
        ),
        Record(
            "party",
            "party:information_source:1",
            fields={
                "role": "information_source",
                "entityIdentifierCode": "PR",
                "entityType": "organization",
                "organizationName": "ACME PLAN",
                "payerId": "ACME1",
            },
        ),
        Record(
            "party",
            "party:information_receiver:1",
            "party:information_source:1",
            fields={
                "role": "information_receiver",
                "entityIdentifierCode": "1P",
                "entityType": "organization",
                "organizationName": "CLINIC",
                "npi": "1234567893",
            },
        ),
        Record(
            "party",
            "party:subscriber:1",
            "party:information_receiver:1",
            fields={
                "role": "subscriber",
                "entityIdentifierCode": "IL",
                "entityType": "person",
                "lastName": "DOE",
                "firstName": "JANE",
                "memberId": "M-1",
                "birthDate": "1980-02-29",
            },
        ),
        Record(
            "trace",
            "party:subscriber:1/trace:1",
            "party:subscriber:1",
            fields={
                "traceType": "1",
                "referenceIdentification": "T1",
                "originatingCompanyIdentifier": "1234567890",
            },
        ),
        Record(
            "inquiry",
            "party:subscriber:1/inquiry:1",
            "party:subscriber:1",
            fields={"serviceTypeCodes": ["30", "98"]},
        ),
    ]
    out = emit(PLUGIN, records, guide="270")
    assert b"NM1*IL*1*DOE*JANE****MI*M-1~" in out
    assert b"DMG*D8*19800229~" in out
    assert b"EQ*30^98~" in out
    (ts,) = sets(out)
    assert parse(out, rules=check).errors == []
    again = by_key(round_trip(ts))
    assert again["party:subscriber:1"].index["member_id"] == "M-1"
    assert again["party:information_receiver:1"].index["npi"] == "1234567893"
    assert again["party:subscriber:1/trace:1"].index["trace_number"] == "T1"


# 271 ---------------------------------------------------------------------------------------


def test_271_benefits_amounts_and_related_entities() -> None:
    records = read_fixture("271/hdhp-benefits-in-out-network-tpa.271")
    r = by_key(records)
    sub = r["party:subscriber:1"]
    assert sub.fields["groupNumber"] == "GRP-44120"
    assert sub.fields["groupDescription"] == "NORTHWIND TOOLS INC"
    assert sub.fields["planNumber"] == "PLN-HDHP-2025"
    assert sub.fields["dateInformation"] == {"planBegin": "2025-01-01", "planEnd": "2025-12-31"}
    assert sub.fields["maintenanceReasonCode"] == "25"
    # TRN*2 echoes the inquiry's trace (the link to the 270), TRN*1 is the payer's own
    traces = [x for x in records if x.entity == "trace" and x.parent == sub.key]
    assert [(t.fields["traceType"], t.index["trace_number"]) for t in traces] == [
        ("2", "INQ-0001"),
        ("1", "SHP-778812"),
    ]
    source = r["party:information_source:1"].fields
    assert source["contacts"][0]["phone"] == "8005550142"
    assert source["contacts"][0]["url"] == "WWW.SUMMITHEALTH.EXAMPLE"

    benefits = [x for x in records if x.entity == "benefit" and x.parent == sub.key]
    assert len(benefits) == 16
    assert benefits[0].fields["planCoverageDescription"] == "SUMMIT HDHP GOLD"
    assert benefits[0].fields["messages"] == ["HIGH DEDUCTIBLE HEALTH PLAN, HSA QUALIFIED"]
    deductible = benefits[2]
    assert deductible.index == {"code": "C", "amount": "1125.25"}
    assert deductible.fields["benefitAmount"] == "1125.25"
    assert deductible.fields["timeQualifierCode"] == "29"
    assert deductible.fields["inPlanNetworkIndicator"] == "Y"
    assert benefits[8].fields["serviceTypeCodes"] == ["98", "UC"]
    visits = benefits[13].fields
    assert visits["quantityQualifierCode"] == "VS"
    assert visits["quantity"] == "20"
    assert visits["serviceDeliveries"] == [
        {"quantityQualifierCode": "VS", "quantity": "20", "timePeriodQualifier": "22"}
    ]
    assert visits["dates"] == [
        {"qualifier": "292", "startDate": "2025-01-01", "endDate": "2025-12-31"}
    ]
    assert visits["additionalInformation"] == [{"qualifier": "ZZ", "industryCode": "11"}]

    tpa = r["party:subscriber:1/benefit:15/party:related:1"]
    assert tpa.entity == "party"
    assert tpa.parent == "party:subscriber:1/benefit:15"
    assert tpa.fields["role"] == "third_party_administrator"
    assert tpa.fields["address"]["line2"] == "SUITE 210"
    assert tpa.fields["contacts"][0]["email"] == "HSA@MERIDIAN.EXAMPLE"
    pcp = r["party:subscriber:1/benefit:16/party:related:1"]
    assert pcp.fields["role"] == "primary_care_provider"
    assert pcp.index == {"npi": "1629518378"}
    assert pcp.fields["taxonomy"] == "207Q00000X"

    dep = r["party:dependent:1"]
    assert dep.index == {"member_id": "SHP123456789"}
    cob = r["party:dependent:1/benefit:3/party:related:1"]
    assert cob.fields["role"] == "primary_payer"
    assert cob.fields["payerId"] == "CMI220"
    zero = r["party:dependent:1/benefit:2"]
    assert zero.index == {"code": "B", "amount": "0"}


def test_271_rejections_only() -> None:
    r = by_key(read_fixture("271/information-source-unable-to-respond.271"))
    assert set(r) == {"transaction", "party:information_source:1"}
    assert r["party:information_source:1"].fields["rejections"] == [
        {"validRequestIndicator": "N", "rejectReasonCode": "42", "followUpActionCode": "R"}
    ]

    r = by_key(read_fixture("271/subscriber-not-found-rejections.271"))
    assert r["party:subscriber:1"].fields["rejections"] == [
        {"validRequestIndicator": "N", "rejectReasonCode": "75", "followUpActionCode": "C"}
    ]
    assert r["party:dependent:1"].fields["rejections"][0]["rejectReasonCode"] == "67"
    assert r["party:subscriber:2"].fields.get("rejections") is None
    assert not any(x.startswith("party:subscriber:1/benefit") for x in r)


RICH_271 = [
    "BHT*0022*11*REQ-77*20250301*101530",
    "HL*1**20*1",
    "NM1*PR*2*RIVER HEALTH*****PI*RH01",
    "PER*IC*CALL CENTER*TE*8005551234*EX*12*FX*8005554321",
    "HL*2*1*21*1",
    "NM1*1P*1*WELBY*MARCUS*J**JR*XX*1093817465",
    "REF*TJ*741234567",
    "N3*1 MAIN ST",
    "N4*AUSTIN*TX*78701",
    "PRV*PE*PXC*207Q00000X",
    "HL*3*2*22*0",
    "TRN*2*T-1*1234567890*DEPT7",
    "NM1*IL*1*STONE*RIVER*Q***MI*RH555",
    "REF*1L*POL-9*SILVER PLAN",
    "N3*22 ELM ST*APT 4",
    "N4*AUSTIN*TX*787011234",
    "DMG*D8*19900115*U",
    "INS*Y*18*001*25",
    "HI*ABK:I10*ABF:E119",
    "DTP*307*RD8*20250101-20251231",
    "DTP*356*D8*20250101",
    "MPI*C*AO*A*ARMY*S1*D8*20200101",
    "EB*A*IND*30*HM*SILVER PPO*27**0.2***Y*Y",
    "EB*B*IND*98*HM**27*25.50*****Y*HC:99213:25:GT*1:2",
    "HSD*VS*12*DA*1*34*1*1*A",
    "REF*G1*AUTH-1*NEEDED",
    "DTP*292*RD8*20250101-20251231",
    "DTP*198*D8*20250615",
    "AAA*Y**15*C",
    "MSG*PRIOR AUTH REQUIRED",
    "MSG*SECOND MESSAGE",
    "III*ZZ*21",
    "III*GR*AA*44*FREE TEXT",
    "LS*2120",
    "NM1*13*2*RAD PARTNERS*****FI*741234567*02",
    "N3*9 SIDE ST",
    "N4*TORONTO*ON*M5V2T6*CA",
    "PER*IC*INTAKE*TE*8005550000",
    "NM1*P3*1*HOUSE*GREG****XX*1234567893",
    "LE*2120",
]


def rich_271(body: list[str]) -> bytes:
    return interchange(
        group([transaction(body, "271", version="005010X279A1")], fid="HB", version="005010X279A1")
    ).encode()


def test_271_every_modelled_segment() -> None:
    data = rich_271(RICH_271)
    assert parse(data, rules=check).errors == []
    (ts,) = sets(data)
    r = by_key(round_trip(ts))
    assert r["transaction"].fields["creationTime"] == "10:15:30"
    contact = r["party:information_source:1"].fields["contacts"][0]
    assert contact["communications"] == [
        {"qualifier": "TE", "number": "8005551234"},
        {"qualifier": "EX", "number": "12"},
        {"qualifier": "FX", "number": "8005554321"},
    ]
    assert (contact["phone"], contact["extension"], contact["fax"]) == (
        "8005551234",
        "12",
        "8005554321",
    )
    receiver = r["party:information_receiver:1"].fields
    assert (receiver["lastName"], receiver["suffix"], receiver["middleName"]) == (
        "WELBY",
        "JR",
        "J",
    )
    sub = r["party:subscriber:1"]
    assert sub.fields["gender"] == "U"
    assert sub.fields["address"]["postalCode"] == "787011234"
    assert sub.fields["dateInformation"] == {
        "eligibility": {"startDate": "2025-01-01", "endDate": "2025-12-31"},
        "eligibilityBegin": "2025-01-01",
    }
    assert sub.fields["militaryPersonnelInformation"] == {
        "informationStatusCode": "C",
        "employmentStatusCode": "AO",
        "governmentServiceAffiliationCode": "A",
        "description": "ARMY",
        "militaryServiceRankCode": "S1",
        "date": "2020-01-01",
    }
    assert r["party:subscriber:1/trace:1"].fields["secondaryReferenceIdentification"] == "DEPT7"
    coinsurance = r["party:subscriber:1/benefit:1"]
    assert coinsurance.fields["benefitPercent"] == "0.2"
    assert coinsurance.fields["authorizationOrCertificationIndicator"] == "Y"
    assert coinsurance.index == {"code": "A"}  # no EB07, no amount
    copay = r["party:subscriber:1/benefit:2"]
    assert copay.index == {"code": "B", "amount": "25.5"}
    f = copay.fields
    assert (f["procedureCode"], f["procedureModifiers"]) == ("99213", ["25", "GT"])
    assert f["diagnosisCodePointers"] == [1, 2]
    assert f["serviceDeliveries"] == [
        {
            "quantityQualifierCode": "VS",
            "quantity": "12",
            "unitOrBasisForMeasurementCode": "DA",
            "sampleSelectionModulus": "1",
            "timePeriodQualifier": "34",
            "numberOfPeriods": "1",
            "deliveryFrequencyCode": "1",
            "deliveryPatternTimeCode": "A",
        }
    ]
    assert f["priorAuthorizationNumber"] == "AUTH-1"
    assert f["dateInformation"]["completion"] == "2025-06-15"
    assert f["rejections"] == [
        {"validRequestIndicator": "Y", "rejectReasonCode": "15", "followUpActionCode": "C"}
    ]
    assert f["messages"] == ["PRIOR AUTH REQUIRED", "SECOND MESSAGE"]
    assert f["additionalInformation"] == [
        {"qualifier": "ZZ", "industryCode": "21"},
        {"qualifier": "GR", "industryCode": "AA", "codeCategory": "44", "text": "FREE TEXT"},
    ]
    rad = r["party:subscriber:1/benefit:2/party:related:1"]
    assert rad.fields["role"] == "contracted_service_provider"
    assert rad.fields["entityRelationshipCode"] == "02"
    assert rad.fields["address"]["country"] == "CA"
    assert rad.index == {"tin": "741234567"}
    house = r["party:subscriber:1/benefit:2/party:related:2"]
    assert house.fields["role"] == "primary_care_provider"


def test_271_source_level_rejection() -> None:
    body = [
        "BHT*0022*11**20250301*1015",
        "HL*1**20*0",
        "AAA*N**79*P",
        "NM1*PR*2*RIVER HEALTH*****PI*RH01",
    ]
    (ts,) = sets(rich_271(body))
    r = by_key(round_trip(ts))
    source = r["party:information_source:1"].fields
    assert source["levelRejections"] == [
        {"validRequestIndicator": "N", "rejectReasonCode": "79", "followUpActionCode": "P"}
    ]
    assert "rejections" not in source
