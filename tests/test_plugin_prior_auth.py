"""The 278 prior authorization plugin: corpus, fixtures and built round trips, fields users query."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from parsers import parse
from parsers.envelope import TransactionSet
from tests.conftest import CorpusFile, corpus_files, fixture_files
from tests.x12 import group, interchange, transaction
from transactions.emit import emit
from transactions.prior_auth import PriorAuthPlugin
from transactions.records import INDEX_KEYS, Record
from transactions.registry import Registry
from transactions.rules import check

PLUGIN = PriorAuthPlugin()
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "x12" / "278"

# Every segment of the guide, request and response (fictional people only).
REQUEST = [
    "BHT*0007*13*REQ1*20250401*101530*RU",
    "HL*1**20*1",
    "NM1*X3*2*EXAMPLE HEALTH PLAN*****PI*87726",
    "HL*2*1*21*1",
    "NM1*1P*1*DOE*JANE*Q**JR*XX*1234567893",
    "REF*EI*123456789",
    "N3*1 MAIN ST*STE 2",
    "N4*SPRINGFIELD*IL*62704",
    "PER*IC*DESK*TE*2175550100*EX*12*FX*2175550101",
    "PRV*PE*PXC*207X00000X",
    "HL*3*2*22*1",
    "NM1*IL*1*ROE*RICHARD*A*MR*III*MI*M123456",
    "REF*6P*GRP1",
    "REF*SY*123456789",
    "N3*2 ELM ST",
    "N4*CHATHAM*IL*62629",
    "DMG*D8*19600101*M",
    "INS*Y*18******FT",
    "HL*4*3*23*1",
    "NM1*QC*1*ROE*SAM",
    "REF*EJ*PAT1",
    "N3*2 ELM ST",
    "N4*CHATHAM*IL*62629",
    "DMG*D8*20100202*F",
    "INS*N*19***************2",
    "HL*5*4*EV*1",
    "TRN*1*TR1*1234567890*DEPT7",
    "TRN*1*TR2*1234567891",
    "UM*HS*I*1*22:B*AA:EM::NY*E*1*2*Y*1",
    "REF*BB*PREV1",
    "REF*NT*ADM1",
    "DTP*439*D8*20250101",
    "DTP*484*D8*20250102",
    "DTP*ABC*D8*20251001",
    "DTP*431*D8*20250103",
    "DTP*AAH*RD8*20250410-20250420",
    "DTP*435*D8*20250410",
    "DTP*096*D8*20250420",
    "HI*ABK:S82101A:D8:20250101*ABF:V4352XA",
    "HSD*VS*1*WK*1*7*2*1*A",
    "CRC*07*Y*01*04",
    "CRC*75*Y*01*02",
    "CL1*1*7*01*1",
    "CR1*LB*180.50*I*A*DH*10***ROUND TRIP*STRETCHER",
    "CR2*1*3*C1*C2****A*N*CONDITION*MORE*Y",
    "CR5***A*B*REASON*2*3*4*ORDER*55*88*E*1*2*3*2*A*C",
    "CR6*4*20250401*RD8*20250401-20250630***Y*I*20250301*HC*27447*20250320*20250325*20250326*RD8*20250201-20250205*A",
    "PWK*77*EL***AC*ATT123*XRAY REPORT",
    "PWK*03*FX",
    "MSG*PLEASE EXPEDITE",
    "NM1*71*1*SMITH*JOHN*K*DR*MD*XX*1234567893",
    "REF*0B*LIC123*IL",
    "N3*3 OAK AVE",
    "N4*SPRINGFIELD*IL*62704",
    "PER*IC*OFFICE*TE*2175550102",
    "PRV*AT*PXC*207Q00000X",
    "NM1*DN*1*JONES*AMY****XX*1234567893",
    "NM1*PW*2*HOME",
    "N3*2 ELM ST",
    "N4*CHATHAM*IL*62629",
    "NM1*CA*2*OTHER PLAN",
    "REF*ZZ*88**ZZ:89:ZZ:90",
    "DTP*598*D8*20250301",
    "HL*6*5*SS*0",
    "TRN*1*TRS1*1234567890",
    "UM*HS*I*1*22:B**E",
    "REF*BB*PREV2",
    "REF*NT*ADM2",
    "DTP*472*D8*20250410",
    "SV2*0120*HC:99223:25*1500.00*DA*3*500***1*1",
    "HSD*DY*3",
    "PWK*03*FX",
    "MSG*INPATIENT STAY",
    "NM1*72*1*CUTTER*CARL****XX*1234567893",
    "PRV*OP*PXC*208600000X",
    "HL*7*5*SS*0",
    "SV3*AD:D2740*800**01*I*1*CROWN",
    "TOO*JP*8*M:O",
    "TOO*JP*9",
    "NM1*QV*2*SMILE DENTAL GROUP*****XX*1234567893",
    "HL*8*5*SS*0",
    "UM*HS*I*1",
    "DTP*472*RD8*20250410-20250501",
    "SV1*HC:97110:GP:KX:59:XU:THERAPEUTIC EXERCISE*100*UN*4***1:2****Y",
    "HSD*VS*12*WK*3",
]
RESPONSE = [
    "BHT*0007*11*REQ1*20250401*1130*18",
    "HL*1**20*1",
    "AAA*Y**42*P",
    "NM1*X3*2*EXAMPLE HEALTH PLAN*****PI*87726",
    "PER*IC*UM DEPT*TE*8005550199*EM*UM@EXAMPLE.COM",
    "AAA*N**79*R",
    "HL*2*1*21*1",
    "NM1*1P*1*DOE*JANE****XX*1234567893",
    "REF*1G*UPIN9",
    "AAA*N**41*C",
    "PRV*PE*PXC*207X00000X",
    "HL*3*2*22*1",
    "NM1*IL*1*ROE*RICHARD****MI*M123456",
    "REF*6P*GRP1",
    "N3*2 ELM ST",
    "N4*CHATHAM*IL*62629",
    "AAA*N**72*C",
    "DMG*D8*19600101*M",
    "INS*Y*18",
    "HL*4*3*23*1",
    "NM1*QC*1*ROE*SAM",
    "AAA*N**73*C",
    "DMG*D8*20100202*F",
    "INS*N*19",
    "HL*5*4*EV*1",
    "TRN*2*TR1*1234567890",
    "TRN*1*UM9*9876543210",
    "AAA*N**T5*C",
    "UM*HS*I*1*22:B",
    "HCR*A3*DEN1*82*N",
    "REF*NT*ADM1",
    "REF*BB*PREV1",
    "DTP*AAH*D8*20250410",
    "DTP*102*D8*20250401",
    "DTP*036*D8*20250630",
    "DTP*007*RD8*20250410-20250630",
    "HI*ABK:S82101A*LOI:18842-5",
    "MSG*NOT MEDICALLY NECESSARY",
    "NM1*71*1*SMITH*JOHN****XX*1234567893",
    "AAA*N**35*C",
    "NM1*PR*2*EXAMPLE HEALTH PLAN INTAKE",
    "N3*9 PLAN WAY",
    "N4*CHICAGO*IL*60601",
    "PER*IC*INTAKE*FX*8005550177",
    "NM1*PW*2*HOME",
    "N3*2 ELM ST",
    "N4*CHATHAM*IL*62629",
    "HL*6*5*SS*0",
    "TRN*2*TRS1*1234567890",
    "UM*HS*I*1",
    "HCR*A1*AUTH77**Y",
    "REF*NT*ADM2",
    "DTP*472*D8*20250410",
    "DTP*102*D8*20250401",
    "DTP*036*D8*20250630",
    "DTP*007*D8*20250410",
    "HI*LOI:18842-5",
    "SV1*HC:97110:GP*100*UN*4",
    "PWK*09*FX",
    "MSG*APPROVED 4 UNITS",
    "NM1*SJ*1*CUTTER*CARL****XX*1234567893",
    "AAA*N**35*C",
    "PRV*PE*PXC*208600000X",
    "NM1*PR*2*EXAMPLE HEALTH PLAN INTAKE",
    "PER*IC*INTAKE*TE*8005550178",
    "HL*7*4*EV*0",
    "TRN*2*TR3*1234567890",
    "UM*SC*I*3",
    "HCR*A4*PEND9",
]


def x12(segments: list[str]) -> bytes:
    st = transaction(segments, st01="278", version="005010X217")
    return interchange(group([st], fid="HI", version="005010X217")).encode()


def only(data: bytes) -> TransactionSet:
    doc = parse(data, rules=check)
    assert len(doc.transactions) == 1
    return doc.transactions[0]


def comparable(records: list[Record]) -> list[Any]:
    return [r.comparable() for r in records]


def body(ts: TransactionSet) -> list[str]:
    """The segments between ST and SE as text."""
    return [seg.render() for seg in ts.flat[1:-1]]


def rewrite(records: list[Record], guide: str) -> tuple[TransactionSet, list[Record], list[str]]:
    """Emit, parse with the rules, read again: (set, records, error findings)."""
    doc = parse(emit(PLUGIN, records, guide=guide), rules=check)
    assert len(doc.transactions) == 1
    ts = doc.transactions[0]
    return ts, PLUGIN.read(ts), [str(f) for f in doc.errors]


def round_trip(ts: TransactionSet) -> tuple[list[Record], TransactionSet]:
    assert ts.guide is not None
    records = PLUGIN.read(ts)
    again_ts, again, errors = rewrite(records, ts.guide.name)
    assert errors == []
    assert again_ts.guide is not None and again_ts.guide.name == ts.guide.name
    assert comparable(again) == comparable(records)
    return records, again_ts


def by_key(records: list[Record]) -> dict[str, Record]:
    return {r.key: r for r in records}


def fixture(name: str) -> list[Record]:
    return PLUGIN.read(only((FIXTURES / name).read_bytes()))


# corpus and fixtures --------------------------------------------------------------------


def corpus_278s() -> list[object]:
    files = [f for f in corpus_files() if f.type == "278"]
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason="../shared/x12-corpus is absent"))]
    return [pytest.param(f, id=f.rel) for f in files]


@pytest.mark.corpus
@pytest.mark.parametrize("item", corpus_278s())
def test_corpus_round_trip(item: CorpusFile | None) -> None:
    """valid=yes: clean and the same records; valid=no: the rewrite adds no error (it may fix some)."""
    assert item is not None
    doc = parse(item.path.read_bytes(), rules=check)
    if item.valid in ("yes", "repairable"):
        assert doc.errors == []
    assert doc.transactions
    for ts in doc.transactions:
        records, again = round_trip(ts)
        assert records[0].entity == "transaction"
        if not doc.errors:
            assert body(again) == body(ts)  # the very same segments


def fixtures_278() -> list[object]:
    found = [p for p in fixture_files() if b"ST*278*" in p.read_bytes()[:400]]
    if not found:
        return [pytest.param(None, marks=pytest.mark.skip(reason="no 278 fixtures"))]
    return [pytest.param(p, id=p.name) for p in found]


@pytest.mark.parametrize("path", fixtures_278())
def test_fixture_round_trip(path: Path | None) -> None:
    assert path is not None
    doc = parse(path.read_bytes(), rules=check)
    assert doc.errors == []
    for ts in doc.transactions:
        _, again = round_trip(ts)
        assert body(again) == body(ts)


@pytest.mark.parametrize(("segments", "guide"), [(REQUEST, "278"), (RESPONSE, "278R")])
def test_every_segment_of_the_guide_round_trips(segments: list[str], guide: str) -> None:
    ts = only(x12(segments))
    assert ts.guide is not None and ts.guide.name == guide
    assert ts.errors == []
    records, again = round_trip(ts)
    assert not any("extra" in r.fields or "levelExtra" in r.fields for r in records)
    # the same segments, but for amounts and weights written canonically
    canonical = [s.replace("180.50", "180.5").replace("1500.00", "1500") for s in segments]
    assert body(again) == canonical


# records --------------------------------------------------------------------------------


def test_registers_for_both_guides() -> None:
    assert Registry([("prior_auth", PLUGIN)]).guides == ["278", "278R"]


@pytest.mark.parametrize("segments", [REQUEST, RESPONSE])
def test_keys_unique_parents_first_index_known(segments: list[str]) -> None:
    records = PLUGIN.read(only(x12(segments)))
    seen: set[str] = set()
    for r in records:
        assert r.key not in seen
        assert r.parent is None or r.parent in seen
        assert set(r.index) <= INDEX_KEYS
        assert r.ordinal > 0
        seen.add(r.key)
    entities = {r.entity for r in records}
    assert entities == {"transaction", "party", "review", "service"}


def test_request_with_several_services() -> None:
    records = by_key(fixture("request-outpatient-knee-two-cpt.278"))
    header = records["transaction"]
    assert header.fields["purposeCode"] == "13"
    assert header.fields["creationDate"] == "2025-03-01"
    assert header.fields["creationTime"] == "09:30"
    review = records["review:1"]
    assert review.parent == "party:subscriber:1"
    assert review.index == {
        "trace_number": "TRACE0001A",
        "service_date": "2025-03-24",
        "member_id": "XJH400112233",
    }
    assert review.fields["requestCategoryCode"] == "HS"
    assert review.fields["certificationTypeCode"] == "I"
    assert review.fields["serviceTypeCode"] == "2"
    assert review.fields["facilityTypeCode"] == "22"
    assert review.fields["levelOfServiceCode"] == "E"
    assert review.fields["releaseOfInformationCode"] == "Y"
    assert review.fields["diagnoses"] == [
        {"diagnosisTypeCode": "ABK", "diagnosisCode": "M1711"},
        {"diagnosisTypeCode": "ABF", "diagnosisCode": "M25561"},
    ]
    first, second = records["review:1/service:1"], records["review:1/service:2"]
    assert first.parent == second.parent == "review:1"
    assert first.fields["procedureCode"] == "29881"
    assert first.fields["procedureModifiers"] == ["RT"]
    assert first.fields["chargeAmount"] == "2850"
    assert first.fields["serviceUnitCount"] == "1"
    assert first.fields["diagnosisCodePointers"] == ["1", "2"]
    assert first.index == {
        "trace_number": "TRACE0001B",
        "code": "29881",
        "amount": "2850",
        "service_date": "2025-03-24",
        "member_id": "XJH400112233",
    }
    assert second.index["code"] == "20610" and second.index["amount"] == "310"
    surgeon = records["review:1/service:1/party:service_provider:1"]
    assert surgeon.fields["npi"] == surgeon.index["npi"] == "1293847566"
    assert surgeon.fields["taxonomy"] == "207X00000X"
    facility = records["review:1/party:facility:1"]
    assert facility.fields["organizationName"] == "LAKESIDE SURGERY CENTER"
    assert facility.fields["address"]["postalCode"] == "62704"
    requester = records["party:requester:1"]
    assert requester.fields["contacts"][0]["phone"] == "2175550142"
    assert requester.fields["contacts"][0]["fax"] == "2175550143"
    assert requester.fields["address"]["line2"] == "SUITE 310"


def test_certified_response() -> None:
    records = by_key(fixture("response-outpatient-knee-certified.278"))
    assert records["transaction"].fields["purposeCode"] == "11"
    review = records["review:1"]
    assert review.fields["actionCode"] == "A1"
    assert review.fields["decision"] == "certified"
    assert review.fields["certificationNumber"] == "AUTH2503011"
    assert review.fields["administrativeReferenceNumber"] == "ADM7781204"
    assert review.fields["certificationIssueDate"] == "2025-03-01"
    assert review.fields["certificationExpirationDate"] == "2025-06-23"
    assert review.fields["certificationEffectiveDate"] == "2025-03-24"
    assert review.fields["certificationEffectiveDateEnd"] == "2025-06-23"
    assert [t["traceTypeCode"] for t in review.fields["traceNumbers"]] == ["2", "1"]
    assert review.index["trace_number"] == "TRACE0001A"  # the requester's trace, echoed
    assert review.index["code"] == "A1"
    services = [r for r in records.values() if r.entity == "service"]
    assert [s.fields["actionCode"] for s in services] == ["A1", "A1"]
    assert [s.index["trace_number"] for s in services] == ["TRACE0001B", "TRACE0001C"]


def test_pended_response_asks_for_information() -> None:
    records = by_key(fixture("response-ambulance-dialysis-pended-rfai.278"))
    assert records["review:1"].fields["decision"] == "pended"
    service = records["review:1/service:1"]
    assert service.fields["actionCode"] == "A4"
    assert service.fields["informationRequests"] == [
        {"codeListQualifierCode": "LOI", "industryCode": "18842-5"},
        {"codeListQualifierCode": "LOI", "industryCode": "11506-3"},
    ]
    assert service.fields["serviceDate"] == "2025-03-24"
    assert service.fields["serviceDateEnd"] == "2025-06-30"
    assert service.fields["attachments"] == [{"reportTypeCode": "09", "transmissionCode": "FX"}]
    assert service.fields["message"].startswith("SEND PHYSICIAN")
    contact = records["review:1/service:1/party:information_contact:1"]
    assert contact.fields["entityIdentifierCode"] == "PR"
    assert contact.fields["contacts"][0]["fax"] == "8005550177"


def test_denied_response_for_a_dependent() -> None:
    records = by_key(fixture("response-dependent-inpatient-extension-denied.278"))
    dependent = records["party:dependent:1"]
    assert dependent.parent == "party:subscriber:1"
    assert dependent.fields["firstName"] == "ELLIOT"
    assert dependent.fields["birthDate"] == "2015-08-09"
    assert dependent.fields["relationshipCode"] == "19"
    assert dependent.index["member_id"] == "XJH500998877"
    review = records["review:1"]
    assert review.parent == "party:dependent:1"
    assert review.fields["actionCode"] == "A3"
    assert review.fields["decision"] == "denied"
    assert review.fields["decisionReasonCode"] == "82"
    assert review.fields["previousReviewAuthorizationNumber"] == "AUTH2502270"
    assert review.fields["admissionDate"] == "2025-03-10"
    assert review.index["service_date"] == "2025-03-10"


def test_ambulance_request_parties_and_clinical_segments() -> None:
    records = by_key(fixture("request-ambulance-dialysis-transport-other-umo.278"))
    review = records["review:1"]
    assert review.fields["ambulanceTransport"]["patientWeight"] == "185"
    assert review.fields["ambulanceTransport"]["transportDistance"] == "12"
    assert review.fields["certificationConditions"] == [
        {
            "codeCategory": "07",
            "certificationConditionIndicator": "Y",
            "conditionCodes": ["04", "12"],
        }
    ]
    assert records["review:1/party:pickup_location:1"].fields["address"]["city"] == "CHATHAM"
    assert "review:1/party:final_scheduled_destination:1" in records
    other = records["review:1/party:other_umo:1"]
    assert other.fields["denialReasonCodes"] == ["88", "89"]
    assert other.fields["denialDate"] == "2025-03-18"
    service = records["review:1/service:1"]
    assert service.fields["serviceDelivery"]["quantityQualifier"] == "VS"


def test_rejections_at_every_level_of_a_response() -> None:
    records = by_key(PLUGIN.read(only(x12(RESPONSE))))
    assert records["transaction"].fields["rejections"][0]["rejectReasonCode"] == "42"
    for key, code in (
        ("party:umo:1", "79"),
        ("party:requester:1", "41"),
        ("party:subscriber:1", "72"),
        ("party:dependent:1", "73"),
        ("review:1", "T5"),
        ("review:1/party:attending:1", "35"),
        ("review:1/service:1/party:service_provider:1", "35"),
    ):
        assert records[key].fields["rejections"][0]["rejectReasonCode"] == code, key
    assert records["review:2"].fields["decision"] == "pended"
    assert records["review:2"].parent == "party:dependent:1"


# records built by hand --------------------------------------------------------------------


def _built(purpose: str) -> list[Record]:
    return [
        Record(
            "transaction",
            "transaction",
            None,
            0,
            {
                "purposeCode": purpose,
                "referenceIdentification": "REF77",
                "creationDate": "2026-01-05",
                "creationTime": "09:30",
            },
        ),
        Record(
            "party",
            "party:umo:1",
            "transaction",
            0,
            {"role": "umo", "organizationName": "PLAN", "idQualifier": "PI", "identifier": "12345"},
        ),
        Record(
            "party",
            "party:requester:1",
            "party:umo:1",
            0,
            {"role": "requester", "organizationName": "CLINIC", "npi": "1234567893"},
        ),
        Record(
            "party",
            "party:subscriber:1",
            "party:requester:1",
            0,
            {"role": "subscriber", "lastName": "DOE", "firstName": "JO", "memberId": "M1"},
        ),
        Record(
            "review",
            "review:1",
            "party:subscriber:1",
            0,
            {
                "traceNumbers": [
                    {
                        "traceTypeCode": "2" if purpose == "11" else "1",
                        "referenceIdentification": "T1",
                        "originatingCompanyIdentifier": "1234567890",
                    }
                ],
                "requestCategoryCode": "HS",
                "certificationTypeCode": "I",
                "serviceTypeCode": "2",
                "eventDate": "2026-02-01",
                "diagnoses": [{"diagnosisTypeCode": "ABK", "diagnosisCode": "M1711"}],
                **(
                    {"decision": "certified", "certificationNumber": "AUTH1"}
                    if purpose == "11"
                    else {}
                ),
            },
        ),
        *(
            Record(
                "service",
                f"review:1/service:{n}",
                "review:1",
                0,
                {
                    "requestCategoryCode": "HS",
                    "certificationTypeCode": "I",
                    "serviceDate": "2026-02-01",
                    "productOrServiceIdQualifier": "HC",
                    "procedureCode": code,
                    "chargeAmount": amount,
                    "measurementUnitCode": "UN",
                    "serviceUnitCount": "1",
                },
            )
            for n, (code, amount) in enumerate((("29881", "2850.00"), ("20610", "310")), 1)
        ),
    ]


@pytest.mark.parametrize(("purpose", "guide"), [("13", "278"), ("11", "278R")])
def test_records_built_by_hand_write_a_clean_set(purpose: str, guide: str) -> None:
    ts, again, errors = rewrite(_built(purpose), guide)
    assert errors == []
    assert ts.guide is not None and ts.guide.name == guide
    records = by_key(again)
    assert records["party:requester:1"].fields["idQualifier"] == "XX"
    assert records["party:requester:1"].index["npi"] == "1234567893"
    assert records["party:subscriber:1"].index["member_id"] == "M1"
    assert records["review:1/service:1"].index["amount"] == "2850"
    assert records["review:1/service:2"].fields["serviceLineType"] == "professional"
    if purpose == "11":
        assert records["review:1"].fields["actionCode"] == "A1"
        assert "HCR*A1*AUTH1" in body(ts)
    # what was read back is stable from then on
    _, third, errors = rewrite(again, guide)
    assert errors == [] and comparable(third) == comparable(again)
