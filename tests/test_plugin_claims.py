"""The 837P/I/D claims plugin: corpus, fixture and hand-written round trips, fields users query."""

from __future__ import annotations

import json
from typing import Any

import pytest

from parsers import parse
from parsers.envelope import TransactionSet
from tests.conftest import CorpusFile, corpus_files, fixture_files
from tests.x12 import group, interchange, transaction
from transactions.claims import ClaimsPlugin
from transactions.emit import emit
from transactions.records import Record
from transactions.registry import Registry
from transactions.rules import check

PLUGIN = ClaimsPlugin()
GUIDES = ("837P", "837I", "837D")
VERSIONS = {"837P": "005010X222A1", "837I": "005010X223A2", "837D": "005010X224A2"}


def comparable(records: list[Record]) -> list[Any]:
    return [r.comparable() for r in records]


def rewrite(records: list[Record], guide: str) -> tuple[bytes, list[Record], list[str]]:
    """Emit, parse with the rules, read again: (bytes, records, error codes)."""
    data = emit(PLUGIN, records, guide=guide)
    doc = parse(data, rules=check)
    assert len(doc.transactions) == 1
    return data, PLUGIN.read(doc.transactions[0]), [f.code for f in doc.errors]


def assert_round_trip(ts: TransactionSet) -> list[Record]:
    assert ts.guide is not None
    records = PLUGIN.read(ts)
    _, again, errors = rewrite(records, ts.guide.name)
    assert errors == []
    assert comparable(again) == comparable(records)
    return records


def claim_files(valid: tuple[str, ...]) -> list[object]:
    files = [f for f in corpus_files() if f.type in GUIDES and f.valid in valid]
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason="../shared/x12-corpus is absent"))]
    return [pytest.param(f, id=f.rel) for f in files]


# corpus and fixtures --------------------------------------------------------------------


@pytest.mark.parametrize("item", claim_files(("yes", "repairable")))
def test_corpus_round_trip(item: CorpusFile | None) -> None:
    assert item is not None
    doc = parse(item.path.read_bytes(), rules=check)
    before = {f.code for f in doc.errors}  # two samples have known defects (see test_corpus.py)
    assert doc.transactions
    for ts in doc.transactions:
        assert ts.guide is not None
        records = PLUGIN.read(ts)
        _, again, errors = rewrite(records, ts.guide.name)
        assert set(errors) <= before
        assert comparable(again) == comparable(records)


#: Errors of an original that a rewrite cannot be expected to keep or avoid alike
STRUCTURE = {"segment.unrecognized", "loop.over_max", "segment.over_max"}


@pytest.mark.parametrize("item", claim_files(("no",)))
def test_invalid_corpus_files_keep_their_records(item: CorpusFile | None) -> None:
    """Broken samples too: the same records come back, and no error the original lacks."""
    assert item is not None
    doc = parse(item.path.read_bytes(), rules=check)
    before = {f.code for f in doc.errors}
    if before & STRUCTURE:
        pytest.skip(f"segments where the guide has no place for them: {sorted(before & STRUCTURE)}")
    for ts in doc.transactions:
        if ts.guide is None or ts.root is None:
            continue
        records = PLUGIN.read(ts)
        _, again, errors = rewrite(records, ts.guide.name)
        assert set(errors) <= before
        assert comparable(again) == comparable(records)


def fixture_claims() -> list[object]:
    found = [p for p in fixture_files() if b"ST*837*" in p.read_bytes()[:600]]
    if not found:
        return [pytest.param(None, marks=pytest.mark.skip(reason="no 837 fixtures"))]
    return [pytest.param(p, id=f"{p.parent.name}/{p.name}") for p in found]


@pytest.mark.parametrize("path", fixture_claims())
def test_fixture_round_trip(path: Any) -> None:
    doc = parse(path.read_bytes(), rules=check)
    assert doc.errors == []
    for ts in doc.transactions:
        assert_round_trip(ts)


# hand-written sets ----------------------------------------------------------------------

#: Two billing providers; the first has a subscriber who is the patient (two claims in
#: 2000B) and a subscriber with two dependents (2000C), the second an individual provider.
PROFESSIONAL = [
    "BHT*0019*00*BATCH42*20250105*0930*CH",
    "NM1*41*2*CLEARINGHOUSE SAMPLE*****46*CH123",
    "PER*IC*EDI DESK*TE*5555550100*EX*12*EM*EDI@EXAMPLE.COM",
    "NM1*40*2*SAMPLE HEALTH PLAN*****46*PLAN01",
    "HL*1**20*1",
    "PRV*BI*PXC*207Q00000X",
    "NM1*85*2*RIVER CLINIC*****XX*1234567893",
    "N3*100 MAIN ST*SUITE 2",
    "N4*SPRINGFIELD*IL*62701",
    "REF*EI*371234567",
    "PER*IC*BILLING OFFICE*TE*5555550101",
    "NM1*87*2",
    "N3*PO BOX 9",
    "N4*SPRINGFIELD*IL*62702",
    "HL*2*1*22*0",
    "SBR*P*18*GRP100******CI",
    "NM1*IL*1*DOE*JANE*Q***MI*MEM001",
    "N3*1 ELM ST",
    "N4*SPRINGFIELD*IL*62703",
    "DMG*D8*19800115*F",
    "NM1*PR*2*SAMPLE HEALTH PLAN*****PI*PLAN01",
    "CLM*PCN-1*150.00***11:B:1*Y*A*Y*Y",
    "DTP*431*D8*20241220",
    "PWK*OZ*BM***AC*ATT001",
    "REF*9F*REF88",
    "REF*G1*AUTH77",
    "NTE*ADD*PATIENT SEEN FOR FOLLOW UP",
    "CRC*75*Y*IH",
    "HI*ABK:J020*ABF:R509",
    "NM1*DN*1*WELBY*MARCUS****XX*1987654328",
    "NM1*P3*1*HOUSE*GREG****XX*1555555550",
    "NM1*82*1*SMITH*ANNA****XX*1666666668",
    "PRV*PE*PXC*207Q00000X",
    "LX*1",
    "SV1*HC:99213:25*100*UN*1***1:2",
    "DTP*472*D8*20250102",
    "REF*6R*LINE-1",
    "LX*2",
    "SV1*HC:J3301*50*UN*2***1",
    "DTP*472*RD8*20250102-20250103",
    "LIN**N4*00409123401",
    "CTP****2*UN",
    "NM1*82*1*JONES*AMY****XX*1777777776",
    "CLM*PCN-2*80***11:B:7*Y*A*Y*Y",
    "REF*F8*PAYERCLM9",
    "HI*ABK:E119",
    "LX*1",
    "SV1*HC:E0601*80*UN*1***1",
    "DTP*472*D8*20250104",
    "LQ*UT*04.04",
    "FRM*1*Y",
    "HL*3*1*22*1",
    "SBR*P**GRP200******CI",
    "NM1*IL*1*ROE*RICHARD****MI*MEM002",
    "N3*2 OAK ST",
    "N4*SPRINGFIELD*IL*62704",
    "DMG*D8*19750310*M",
    "NM1*PR*2*SAMPLE HEALTH PLAN*****PI*PLAN01",
    "HL*4*3*23*0",
    "PAT*19",
    "NM1*QC*1*ROE*SAM",
    "N3*2 OAK ST",
    "N4*SPRINGFIELD*IL*62704",
    "DMG*D8*20150601*M",
    "CLM*PCN-3*60***11:B:1*Y*A*Y*Y",
    "HI*ABK:I10",
    "SBR*S*01*GRP900******CI",
    "AMT*D*40",
    "OI***Y*P**Y",
    "NM1*IL*1*ROE*RITA****MI*OTHER55",
    "NM1*PR*2*OTHER PAYER CO*****PI*OP77",
    "DTP*573*D8*20250110",
    "REF*F8*OPCLAIM1",
    "LX*1",
    "SV1*HC:99212*60*UN*1***1",
    "DTP*472*D8*20250105",
    "SVD*OP77*40*HC:99212**1",
    "CAS*CO*45*15**253*5",
    "DTP*573*D8*20250110",
    "HL*5*3*23*0",
    "PAT*19",
    "NM1*QC*1*ROE*KIM",
    "N3*2 OAK ST",
    "N4*SPRINGFIELD*IL*62704",
    "DMG*D8*20180220*F",
    "CLM*PCN-4*45***11:B:1*Y*A*Y*Y",
    "HI*ABK:Z0000",
    "LX*1",
    "SV1*HC:99392*45*UN*1***1",
    "DTP*472*D8*20250106",
    "HL*6**20*1",
    "NM1*85*1*KIM*LEE****XX*1444444446",
    "N3*5 PINE RD",
    "N4*SPRINGFIELD*IL*62705",
    "REF*SY*123456789",
    "HL*7*6*22*0",
    "SBR*P*18*******MC",
    "NM1*IL*1*POE*ED****MI*MEM003",
    "N3*7 BIRCH ST",
    "N4*SPRINGFIELD*IL*62706",
    "DMG*D8*19500101*M",
    "NM1*PR*2*MEDICAID STATE*****PI*MCD01",
    "CLM*PCN-5*30***11:B:1*Y*A*Y*Y",
    "HI*ABK:M5450",
    "LX*1",
    "SV1*HC:97110*30*UN*2***1",
    "DTP*472*D8*20250107",
]

INSTITUTIONAL = [
    "BHT*0019*00*INST01*20250105*093015*CH",
    "NM1*41*2*HOSPITAL BILLING*****46*HB01",
    "PER*IC*BILLING*TE*5555550200",
    "NM1*40*2*SAMPLE HEALTH PLAN*****46*PLAN01",
    "HL*1**20*1",
    "NM1*85*2*GENERAL HOSPITAL*****XX*1333333338",
    "N3*10 HOSPITAL DR",
    "N4*SPRINGFIELD*IL*62701",
    "REF*EI*361234567",
    "HL*2*1*22*0",
    "SBR*P*18*GRP300******CI",
    "NM1*IL*1*DOE*JOHN****MI*MEM010",
    "N3*1 ELM ST",
    "N4*SPRINGFIELD*IL*62703",
    "DMG*D8*19600101*M",
    "NM1*PR*2*SAMPLE HEALTH PLAN*****PI*PLAN01",
    "CLM*INST-1*1200***11:A:1**A*Y*Y",
    "DTP*096*TM*1130",
    "DTP*434*RD8*20250101-20250103",
    "DTP*435*DT*202501010800",
    "CL1*1*7*01",
    "REF*EA*MRN555",
    "HI*ABK:S8290XA:::::::Y",
    "HI*ABJ:R509",
    "HI*ABN:V4352XA:::::::Y",
    "HI*ABF:E119:::::::N*ABF:I10:::::::Y",
    "HI*BBR:0QSG04Z:D8:20250101",
    "HI*BH:11:D8:20241231",
    "HI*BE:80:::2",
    "HI*BG:01*BG:39",
    "NM1*71*1*ATTEND*ANN****XX*1234567893",
    "PRV*AT*PXC*207R00000X",
    "LX*1",
    "SV2*0120**900*DA*3",
    "DTP*472*RD8*20250101-20250103",
    "LX*2",
    "SV2*0450*HC:99284*300*UN*1",
    "DTP*472*D8*20250101",
]


def sample(segments: list[str], guide: str = "837P") -> TransactionSet:
    version = VERSIONS[guide]
    text = interchange(group([transaction(segments, version=version)], version=version))
    doc = parse(text.encode(), rules=check)
    assert doc.errors == [], [str(f) for f in doc.errors]
    assert len(doc.transactions) == 1
    return doc.transactions[0]


def by_key(records: list[Record]) -> dict[str, Record]:
    keys = [r.key for r in records]
    assert len(keys) == len(set(keys)), "keys are unique in the set"
    return {r.key: r for r in records}


def test_hierarchy_round_trips() -> None:
    ts = sample(PROFESSIONAL)
    records = assert_round_trip(ts)
    keys = by_key(records)
    parties = {k: r.parent for k, r in keys.items() if r.entity == "party"}
    assert parties["party:billing:1"] is None
    assert parties["party:billing:2"] is None
    assert parties["party:subscriber:1"] == "party:billing:1"
    assert parties["party:subscriber:2"] == "party:billing:1"
    assert parties["party:subscriber:3"] == "party:billing:2"
    assert parties["party:patient:1"] == parties["party:patient:2"] == "party:subscriber:2"
    # subscriber is the patient: claims hang off the subscriber; dependents: off the patient
    claims = {k: r.parent for k, r in keys.items() if r.entity == "claim"}
    assert claims == {
        "claim:1": "party:subscriber:1",
        "claim:2": "party:subscriber:1",
        "claim:3": "party:patient:1",
        "claim:4": "party:patient:2",
        "claim:5": "party:subscriber:3",
    }
    # parents come before their children
    seen: set[str] = set()
    for record in records:
        assert record.parent is None or record.parent in seen
        seen.add(record.key)


def test_written_hierarchy_numbers_hl_segments() -> None:
    data, _, _ = rewrite(PLUGIN.read(sample(PROFESSIONAL)), "837P")
    hls = [seg for seg in data.decode().split("~") if seg.startswith("HL*")]
    assert hls == [
        "HL*1**20*1",
        "HL*2*1*22*0",
        "HL*3*1*22*1",
        "HL*4*3*23*0",
        "HL*5*3*23*0",
        "HL*6**20*1",
        "HL*7*6*22*0",
    ]


def test_writes_the_same_segments_back() -> None:
    ts = sample(PROFESSIONAL)
    data, _, _ = rewrite(PLUGIN.read(ts), "837P")
    written = [seg.render() for seg in parse(data).transactions[0].flat[1:-1]]
    expected = [seg.render() for seg in ts.flat[1:-1]]
    expected[expected.index("CLM*PCN-1*150.00***11:B:1*Y*A*Y*Y")] = (
        "CLM*PCN-1*150***11:B:1*Y*A*Y*Y"  # amounts are written without trailing zeros
    )
    assert written == expected


def test_claim_fields_and_index() -> None:
    keys = by_key(PLUGIN.read(sample(PROFESSIONAL)))
    claim = keys["claim:1"]
    assert claim.fields["patientControlNumber"] == "PCN-1"
    assert claim.fields["claimChargeAmount"] == "150"
    assert claim.fields["placeOfServiceCode"] == "11"
    assert claim.fields["claimFrequencyCode"] == "1"
    assert claim.fields["signatureIndicator"] == "Y"
    assert claim.fields["planParticipationCode"] == "A"
    assert claim.fields["benefitsAssignmentCertificationIndicator"] == "Y"
    assert claim.fields["releaseInformationCode"] == "Y"
    assert claim.fields["onsetDate"] == "2024-12-20"
    assert claim.fields["priorAuthorizationNumber"] == "AUTH77"
    assert claim.fields["referralNumber"] == "REF88"
    assert claim.fields["notes"] == [{"noteCode": "ADD", "text": "PATIENT SEEN FOR FOLLOW UP"}]
    assert claim.fields["attachments"] == [
        {"reportTypeCode": "OZ", "transmissionCode": "BM", "controlNumber": "ATT001"}
    ]
    assert claim.fields["extra"] == {"2300": [["CRC", "75", "Y", "IH"]]}  # carried raw
    assert claim.index == {
        "patient_control_number": "PCN-1",
        "amount": "150",
        "service_date": "2025-01-02",
        "member_id": "MEM001",
        "npi": "1234567893",
        "tin": "371234567",
    }
    replacement = keys["claim:2"]
    assert replacement.fields["claimFrequencyCode"] == "7"
    assert replacement.fields["payerClaimControlNumber"] == "PAYERCLM9"
    assert replacement.index["payer_claim_control_number"] == "PAYERCLM9"
    dependent = keys["claim:3"]
    assert dependent.index["member_id"] == "MEM002"  # the subscriber's, not the patient's
    individual = keys["claim:5"]
    assert individual.index["tin"] == "123456789"  # REF*SY of an individual billing provider
    assert individual.index["npi"] == "1444444446"


def test_diagnoses_and_lines() -> None:
    keys = by_key(PLUGIN.read(sample(PROFESSIONAL)))
    dx = [r for r in keys.values() if r.entity == "diagnosis" and r.parent == "claim:1"]
    assert [(d.key, d.fields) for d in dx] == [
        ("claim:1/diagnosis:1", {"qualifier": "ABK", "code": "J020", "position": 1, "pointer": 1}),
        ("claim:1/diagnosis:2", {"qualifier": "ABF", "code": "R509", "position": 2, "pointer": 2}),
    ]
    assert dx[0].index == {"code": "J020"}
    line = keys["claim:1/line:1"]
    assert line.parent == "claim:1"
    assert line.fields == {
        "lineNumber": 1,
        "procedureQualifier": "HC",
        "procedureCode": "99213",
        "procedureModifiers": ["25"],
        "chargeAmount": "100",
        "unitCode": "UN",
        "units": "1",
        "diagnosisPointers": [1, 2],
        "serviceDate": "2025-01-02",
        "lineItemControlNumber": "LINE-1",
    }
    assert line.index == {"code": "99213", "amount": "100", "service_date": "2025-01-02"}
    drug = keys["claim:1/line:2"]
    assert drug.fields["serviceDate"] == "2025-01-02"
    assert drug.fields["serviceDateEnd"] == "2025-01-03"
    assert drug.fields["drugIdentification"] == {
        "serviceIdQualifier": "N4",
        "nationalDrugCode": "00409123401",
        "nationalDrugUnitCount": "2",
        "measurementUnitCode": "UN",
    }
    rendering = keys["claim:1/line:2/party:rendering"]
    assert rendering.parent == "claim:1/line:2"
    assert rendering.index == {"npi": "1777777776"}
    form = keys["claim:2/line:1"]
    assert form.fields["extraLoops"]["2400"][0]["loop"] == "2440"  # LQ/FRM kept whole


def test_parties() -> None:
    keys = by_key(PLUGIN.read(sample(PROFESSIONAL)))
    submitter = keys["party:submitter"].fields
    assert submitter["idQualifier"] == "46"
    assert submitter["contacts"] == [
        {
            "name": "EDI DESK",
            "phoneNumber": "5555550100",
            "phoneExtension": "12",
            "email": "EDI@EXAMPLE.COM",
        }
    ]
    billing = keys["party:billing:1"]
    assert billing.fields["role"] == "billing"
    assert billing.fields["entityType"] == "organization"
    assert billing.fields["organizationName"] == "RIVER CLINIC"
    assert billing.fields["taxonomy"] == "207Q00000X"
    assert billing.fields["address"] == {
        "line1": "100 MAIN ST",
        "line2": "SUITE 2",
        "city": "SPRINGFIELD",
        "state": "IL",
        "postalCode": "62701",
    }
    assert billing.index == {"npi": "1234567893", "tin": "371234567"}
    assert keys["party:billing:1/pay_to"].fields["address"]["line1"] == "PO BOX 9"
    subscriber = keys["party:subscriber:1"]
    assert subscriber.fields["individualRelationshipCode"] == "18"
    assert subscriber.fields["payerResponsibilityCode"] == "P"
    assert subscriber.fields["groupNumber"] == "GRP100"
    assert subscriber.fields["claimFilingIndicatorCode"] == "CI"
    assert subscriber.fields["birthDate"] == "1980-01-15"
    assert subscriber.fields["gender"] == "F"
    assert subscriber.fields["middleName"] == "Q"
    assert subscriber.index == {"member_id": "MEM001"}
    assert keys["party:subscriber:1/payer"].fields["payerId"] == "PLAN01"
    patient = keys["party:patient:1"]
    assert patient.fields["individualRelationshipCode"] == "19"
    assert patient.fields["birthDate"] == "2015-06-01"
    roles = {k: r.fields["role"] for k, r in keys.items() if k.startswith("claim:1/party:")}
    assert roles == {
        "claim:1/party:referring": "referring",
        "claim:1/party:primary_care": "primary_care",
        "claim:1/party:rendering": "rendering",
    }
    assert keys["claim:1/party:rendering"].fields["taxonomy"] == "207Q00000X"


def test_coordination_of_benefits() -> None:
    keys = by_key(PLUGIN.read(sample(PROFESSIONAL)))
    cob = keys["claim:3/other_payer:1"]
    assert cob.parent == "claim:3"
    assert cob.fields["payerResponsibilityCode"] == "S"
    assert cob.fields["individualRelationshipCode"] == "01"
    assert cob.fields["payerPaidAmount"] == "40"
    assert cob.fields["patientSignatureSourceCode"] == "P"
    assert cob.fields["subscriber"]["memberId"] == "OTHER55"
    assert cob.fields["payer"]["payerId"] == "OP77"
    assert cob.fields["payer"]["claimCheckOrRemittanceDate"] == "2025-01-10"
    assert cob.index == {"amount": "40", "payer_claim_control_number": "OPCLAIM1"}
    adjudication = keys["claim:3/line:1/adjudication:1"]
    assert adjudication.parent == "claim:3/line:1"
    assert adjudication.fields["serviceLinePaidAmount"] == "40"
    assert adjudication.fields["procedureCode"] == "99212"
    assert adjudication.fields["adjudicationOrPaymentDate"] == "2025-01-10"
    assert adjudication.fields["adjustments"] == [
        {"groupCode": "CO", "reasonCode": "45", "amount": "15"},
        {"groupCode": "CO", "reasonCode": "253", "amount": "5"},
    ]
    assert adjudication.index == {"amount": "40", "code": "99212"}


def test_header_record() -> None:
    keys = by_key(PLUGIN.read(sample(PROFESSIONAL)))
    assert keys["transaction"].fields == {
        "hierarchicalStructureCode": "0019",
        "purposeCode": "00",
        "referenceIdentification": "BATCH42",
        "creationDate": "2025-01-05",
        "creationTime": "09:30",
        "transactionTypeCode": "CH",
    }


def test_institutional_codes() -> None:
    records = assert_round_trip(sample(INSTITUTIONAL, "837I"))
    keys = by_key(records)
    claim = keys["claim:1"]
    assert claim.parent == "party:subscriber:1"
    assert claim.fields["facilityTypeCode"] == "11"
    assert claim.fields["typeOfBill"] == "111"
    assert claim.fields["statementFromDate"] == "2025-01-01"
    assert claim.fields["statementToDate"] == "2025-01-03"
    assert claim.fields["admissionDate"] == "2025-01-01T08:00"
    assert claim.fields["dischargeHour"] == "11:30"
    assert claim.fields["admissionTypeCode"] == "1"
    assert claim.fields["admissionSourceCode"] == "7"
    assert claim.fields["patientStatusCode"] == "01"
    assert claim.fields["medicalRecordNumber"] == "MRN555"
    assert claim.fields["principalProcedure"] == {
        "qualifier": "BBR",
        "code": "0QSG04Z",
        "date": "2025-01-01",
    }
    assert claim.fields["occurrenceCodes"] == [{"code": "11", "date": "2024-12-31"}]
    assert claim.fields["valueCodes"] == [{"code": "80", "amount": "2"}]
    assert claim.fields["conditionCodes"] == ["01", "39"]
    assert "extra" not in claim.fields
    assert claim.index["service_date"] == "2025-01-01"
    dx = [r.fields for r in records if r.entity == "diagnosis"]
    assert [(d["qualifier"], d["code"], d.get("presentOnAdmissionIndicator")) for d in dx] == [
        ("ABK", "S8290XA", "Y"),
        ("ABJ", "R509", None),
        ("ABN", "V4352XA", "Y"),
        ("ABF", "E119", "N"),
        ("ABF", "I10", "Y"),
    ]
    assert all("pointer" not in d for d in dx)  # institutional lines carry no pointers
    room = keys["claim:1/line:1"]
    assert room.fields["revenueCode"] == "0120"
    assert room.fields["units"] == "3"
    assert room.fields["unitCode"] == "DA"
    assert room.index == {"code": "0120", "amount": "900", "service_date": "2025-01-01"}
    assert keys["claim:1/line:2"].index["code"] == "99284"
    attending = keys["claim:1/party:attending"]
    assert attending.fields["taxonomy"] == "207R00000X"
    assert keys["transaction"].fields["creationTime"] == "09:30:15"


def dental(name: str) -> list[TransactionSet]:
    for path in fixture_files():
        if path.name == name:
            return parse(path.read_bytes(), rules=check).transactions
    pytest.skip(f"fixture {name} is absent")


def test_dental_fields() -> None:
    keys = by_key(PLUGIN.read(dental("orthodontic-secondary-cob.edi")[0]))
    claim = keys["claim:1"]
    assert claim.parent == "party:patient:1"
    assert claim.fields["orthodonticTreatmentMonthsCount"] == "24"
    assert claim.fields["orthodonticTreatmentMonthsRemainingCount"] == "20"
    assert claim.fields["appliancePlacementDates"] == ["2025-01-15"]
    assert claim.fields["toothStatus"] == [
        {"toothNumber": "4", "statusCode": "M"},
        {"toothNumber": "13", "statusCode": "M"},
    ]
    assert claim.fields["predeterminationIdentification"] == "PRED5544"
    line = keys["claim:1/line:1"]
    assert line.fields["oralCavityDesignationCodes"] == ["00"]
    assert line.fields["treatmentStartDate"] == "2025-01-15"
    teeth = [
        r.fields.get("toothInformation")
        for r in PLUGIN.read(dental("two-patients-multiple-teeth.edi")[0])
        if r.entity == "service_line"
    ]
    assert {"toothNumber": "3", "toothSurfaces": ["M", "O", "D"]} in [
        t for items in teeth if items for t in items
    ]


# writing records built or changed by hand ----------------------------------------------


def test_changed_records_are_written() -> None:
    records = PLUGIN.read(sample(PROFESSIONAL))
    keys = by_key(records)
    keys["claim:4"].fields["claimChargeAmount"] = "55.00"
    keys["claim:4/line:1"].fields["chargeAmount"] = "55.00"
    keys["claim:4/line:1"].fields["procedureModifiers"] = ["GT"]
    data, again, errors = rewrite(records, "837P")
    assert errors == []
    assert b"CLM*PCN-4*55***11:B:1*Y*A*Y*Y~" in data
    assert b"SV1*HC:99392:GT*55*UN*1***1~" in data
    assert by_key(again)["claim:4/line:1"].fields["procedureModifiers"] == ["GT"]


def test_minimal_records_make_a_valid_claim() -> None:
    """Records an API client could send: no raw parts, no ordinals, no index."""
    records = [
        Record(
            "transaction",
            "transaction",
            fields={
                "hierarchicalStructureCode": "0019",
                "purposeCode": "00",
                "referenceIdentification": "API1",
                "creationDate": "2025-03-01",
                "creationTime": "12:00",
                "transactionTypeCode": "CH",
            },
        ),
        Record(
            "party",
            "party:submitter",
            fields={
                "role": "submitter",
                "entityType": "organization",
                "organizationName": "API CLIENT",
                "idQualifier": "46",
                "identifier": "API01",
                "contacts": [{"name": "DESK", "phoneNumber": "5555550100"}],
            },
        ),
        Record(
            "party",
            "party:receiver",
            fields={
                "role": "receiver",
                "entityType": "organization",
                "organizationName": "PLAN",
                "idQualifier": "46",
                "identifier": "PLAN01",
            },
        ),
        Record(
            "party",
            "party:billing:1",
            fields={
                "role": "billing",
                "entityType": "organization",
                "organizationName": "CLINIC",
                "npi": "1234567893",
                "tin": "371234567",
                "address": {
                    "line1": "1 MAIN ST",
                    "city": "SPRINGFIELD",
                    "state": "IL",
                    "postalCode": "62701",
                },
            },
        ),
        Record(
            "party",
            "party:subscriber:1",
            "party:billing:1",
            fields={
                "role": "subscriber",
                "payerResponsibilityCode": "P",
                "individualRelationshipCode": "18",
                "claimFilingIndicatorCode": "CI",
                "entityType": "person",
                "lastName": "DOE",
                "firstName": "JANE",
                "memberId": "M1",
                "birthDate": "1980-01-15",
                "gender": "F",
            },
        ),
        Record(
            "party",
            "party:subscriber:1/payer",
            "party:subscriber:1",
            fields={
                "role": "payer",
                "entityType": "organization",
                "organizationName": "PLAN",
                "payerId": "PLAN01",
            },
        ),
        Record(
            "claim",
            "claim:1",
            "party:subscriber:1",
            fields={
                "patientControlNumber": "API-1",
                "claimChargeAmount": "75.50",
                "placeOfServiceCode": "11",
                "claimFrequencyCode": "1",
                "signatureIndicator": "Y",
                "planParticipationCode": "A",
                "benefitsAssignmentCertificationIndicator": "Y",
                "releaseInformationCode": "Y",
            },
        ),
        Record(
            "diagnosis",
            "claim:1/diagnosis:1",
            "claim:1",
            fields={"qualifier": "ABK", "code": "E119"},
        ),
        Record(
            "service_line",
            "claim:1/line:1",
            "claim:1",
            fields={
                "lineNumber": 1,
                "procedureQualifier": "HC",
                "procedureCode": "99213",
                "chargeAmount": "75.50",
                "unitCode": "UN",
                "units": "1",
                "diagnosisPointers": [1],
                "serviceDate": "2025-02-27",
            },
        ),
    ]
    data, again, errors = rewrite(records, "837P")
    assert errors == []
    keys = by_key(again)
    assert keys["claim:1"].fields["claimChargeAmount"] == "75.5"
    assert keys["claim:1"].index["member_id"] == "M1"
    assert keys["claim:1/diagnosis:1"].fields["pointer"] == 1
    assert b"HI*ABK:E119~" in data


@pytest.mark.parametrize("guide", ["837P", "837I"])
def test_records_survive_stored_json(guide: str) -> None:
    """JSONB keeps no key order: what is written must not depend on it."""
    records = PLUGIN.read(sample(PROFESSIONAL if guide == "837P" else INSTITUTIONAL, guide))
    stored = [
        Record(
            r.entity,
            r.key,
            r.parent,
            r.ordinal,
            json.loads(json.dumps(r.fields, sort_keys=True)),
            dict(r.index),
        )
        for r in records
    ]
    first, _, _ = rewrite(records, guide)
    data, again, errors = rewrite(stored, guide)
    assert errors == []
    assert comparable(again) == comparable(records)
    assert data.split(b"~")[2:-3] == first.split(b"~")[2:-3]  # same segments


def test_records_with_no_place_are_refused() -> None:
    records = PLUGIN.read(sample(PROFESSIONAL))
    records.append(Record("claim", "claim:99", "party:nowhere:1", fields={}))
    with pytest.raises(ValueError, match="claim:99"):
        emit(PLUGIN, records, guide="837P")


def test_registers() -> None:
    registry = Registry([("claims", PLUGIN)])
    assert registry.guides == ["837D", "837I", "837P"]
