"""Institutional (837I) and dental (837D) claims as JSON: models, records, X12 and the HTTP API.

Round trips JSON -> records -> X12 (no errors, SNIP rules included) -> records -> the
same JSON; the checks beyond field formats, each answered with a 422 naming the field;
POST /v1/claims/institutional and /v1/claims/dental answered with an accepting 999 and
277CA, and GET /v1/claims/{id} showing the same values.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import httpx
import pytest
from pydantic import BaseModel, ValidationError

from gateway.api.claims import _views
from gateway.jsonapi.claims_dental import dental_records, dental_views, dental_x12
from gateway.jsonapi.claims_institutional import (
    institutional_records,
    institutional_views,
    institutional_x12,
)
from parsers import parse
from schemas.claims import example
from schemas.claims_dental import DentalClaimSubmission, tooth_requirement
from schemas.claims_institutional import InstitutionalClaimSubmission
from tests.api_support import ADMIN
from tests.conftest import CORPUS, FIXTURES
from transactions.claims import ClaimsPlugin
from transactions.records import Record
from transactions.rules import check
from transactions.rules.common import npi_valid

WHEN = dt.datetime(2024, 3, 15, 9, 30)
ADDRESS = {"address1": "9 Elm St", "city": "Springfield", "state": "IL", "postalCode": "62701"}
DEPENDENT = {
    "firstName": "Pip",
    "lastName": "Doe",
    "gender": "M",
    "dateOfBirth": "2015-09-23",
    "relationshipToSubscriberCode": "19",
    "address": ADDRESS,
}


def dump(model: BaseModel) -> Any:
    return model.model_dump(mode="json", exclude_none=True)


def read(data: bytes) -> list[Record]:
    doc = parse(data, rules=check)
    assert [(f.code, f.message) for f in doc.errors] == []
    assert len(doc.transactions) == 1
    records: list[Record] = ClaimsPlugin().read(doc.transactions[0])
    return records


# institutional -------------------------------------------------------------------------


def full_institutional() -> dict[str, Any]:
    """An inpatient stay: a dependent, admission date and hour, discharge hour, admitting and
    other diagnoses with POA, attending and operating physicians, three revenue-coded lines."""
    data = example(InstitutionalClaimSubmission)
    data["controlNumber"] = "70001"
    data["billing"]["contactInformation"] = {
        "name": "Patient Accounts",
        "phoneNumber": "5555550123",
    }
    data["dependent"] = DEPENDENT
    data["claimInformation"] = {
        "claimFilingCode": "BL",
        "patientControlNumber": "INPT-2024-77",
        "claimChargeAmount": "5430.25",
        "placeOfServiceCode": "11",
        "claimFrequencyCode": "1",
        "planParticipationCode": "A",
        "benefitsAssignmentCertificationIndicator": "Y",
        "releaseInformationCode": "Y",
        "priorAuthorizationNumber": "PA-55120",
        "medicalRecordNumber": "MRN-0042",
        "claimCodeInformation": {
            "admissionTypeCode": "1",
            "admissionSourceCode": "7",
            "patientStatusCode": "01",
        },
        "claimDateInformation": {
            "statementBeginDate": "2024-02-01",
            "statementEndDate": "2024-02-03",
            "admissionDate": "2024-02-01",
            "admissionHour": "0830",
            "dischargeHour": "1415",
        },
        "principalDiagnosis": {
            "qualifierCode": "ABK",
            "principalDiagnosisCode": "K358",
            "presentOnAdmissionIndicator": "Y",
        },
        "admittingDiagnosis": {"qualifierCode": "ABJ", "admittingDiagnosisCode": "R1031"},
        "otherDiagnosisInformationList": [
            {
                "qualifierCode": "ABF",
                "otherDiagnosisCode": "E119",
                "presentOnAdmissionIndicator": "Y",
            },
            {
                "qualifierCode": "ABF",
                "otherDiagnosisCode": "I10",
                "presentOnAdmissionIndicator": "N",
            },
            {"qualifierCode": "ABF", "otherDiagnosisCode": "Z8719"},
        ],
        "attendingProvider": {
            "npi": "1999999992",
            "lastName": "Thistlewood",
            "firstName": "Quincy",
            "middleName": "R",
            "taxonomyCode": "207RH0000X",
        },
        "operatingProvider": {
            "npi": "1234567893",
            "lastName": "Marsh",
            "firstName": "Ada",
            "suffix": "MD",
        },
        "serviceLines": [
            {
                "serviceDate": "2024-02-01",
                "serviceDateEnd": "2024-02-03",
                "providerControlNumber": "RB-1",
                "institutionalService": {
                    "serviceLineRevenueCode": "0120",
                    "lineItemChargeAmount": "2400",
                    "measurementUnit": "DA",
                    "serviceUnitCount": "2",
                },
            },
            {
                "serviceDate": "2024-02-01",
                "providerControlNumber": "OR-1",
                "institutionalService": {
                    "serviceLineRevenueCode": "0360",
                    "procedureIdentifier": "HC",
                    "procedureCode": "44970",
                    "procedureModifiers": ["RT", "59"],
                    "description": "LAPAROSCOPIC APPENDECTOMY",
                    "lineItemChargeAmount": "2800.25",
                    "measurementUnit": "UN",
                    "serviceUnitCount": "1",
                    "nonCoveredChargeAmount": "100",
                },
            },
            {
                "serviceDate": "2024-02-02",
                "institutionalService": {
                    "serviceLineRevenueCode": "0250",
                    "lineItemChargeAmount": "230",
                    "serviceUnitCount": "12.5",
                },
            },
        ],
    }
    return data


INSTITUTIONAL = [example(InstitutionalClaimSubmission), full_institutional()]


@pytest.mark.parametrize("data", INSTITUTIONAL, ids=["example", "full"])
def test_institutional_round_trip(data: dict[str, Any]) -> None:
    claim = InstitutionalClaimSubmission.model_validate(data)
    records = institutional_records(claim, when=WHEN)
    x12 = institutional_x12(claim, when=WHEN)
    assert b"*005010X223A2~" in x12
    again = read(x12)
    _same_records(records, again)
    views = institutional_views(again)
    assert len(views) == 1
    assert dump(views[0]) == dump(claim)
    assert dump(InstitutionalClaimSubmission.model_validate(dump(views[0]))) == dump(claim)


def _same_records(written: list[Record], read_back: list[Record]) -> None:
    """Every field written comes back under the same key (the reader may derive more)."""
    by_key = {r.key: r for r in read_back}
    for r in written:
        assert r.key in by_key, r.key
        got = by_key[r.key]
        assert (got.entity, got.parent) == (r.entity, r.parent), r.key
        assert {k: got.fields.get(k) for k in r.fields} == r.fields, r.key


def test_institutional_segments() -> None:
    claim = InstitutionalClaimSubmission.model_validate(full_institutional())
    text = institutional_x12(claim, when=WHEN).decode()
    for segment in (
        "CLM*INPT-2024-77*5430.25***11:A:1**A*Y*Y~",
        "DTP*096*TM*1415~",
        "DTP*434*RD8*20240201-20240203~",
        "DTP*435*DT*202402010830~",
        "CL1*1*7*01~",
        "REF*G1*PA-55120~",
        "REF*EA*MRN-0042~",
        "HI*ABK:K358:::::::Y~",
        "HI*ABJ:R1031~",
        "HI*ABF:E119:::::::Y*ABF:I10:::::::N*ABF:Z8719~",
        "NM1*71*1*Thistlewood*Quincy*R***XX*1999999992~",
        "PRV*AT*PXC*207RH0000X~",
        "NM1*72*1*Marsh*Ada***MD*XX*1234567893~",
        "SV2*0120**2400*DA*2~",
        "DTP*472*RD8*20240201-20240203~",
        "SV2*0360*HC:44970:RT:59:::LAPAROSCOPIC APPENDECTOMY*2800.25*UN*1**100~",
        "SV2*0250**230*UN*12.5~",
        "PAT*19~",
    ):
        assert segment in text, segment
    assert "CLM*INPT-2024-77*5430.25***11:A:1*Y" not in text  # no CLM06 in the 837I


def test_institutional_facility_code_alias() -> None:
    data = example(InstitutionalClaimSubmission)
    data["claimInformation"]["facilityCode"] = data["claimInformation"].pop("placeOfServiceCode")
    claim = InstitutionalClaimSubmission.model_validate(data)
    assert claim.claimInformation.placeOfServiceCode == "13"
    assert claim.claimInformation.serviceLines[0].institutionalService.procedureIdentifier == "HC"


def errors_of(model: type[BaseModel], data: dict[str, Any]) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    return [{"loc": list(e["loc"]), "msg": e["msg"]} for e in info.value.errors()]


def _set(data: dict[str, Any], path: str, new: Any) -> dict[str, Any]:
    node: Any = data
    *parents, last = path.split(".")
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if new is _DROP:
        del node[last]
    else:
        node[last] = new
    return data


_DROP = object()


@pytest.mark.parametrize(
    ("path", "new", "loc", "message"),
    [
        (
            "claimInformation.serviceLines.1.institutionalService.serviceLineRevenueCode",
            "360",
            "serviceLineRevenueCode",
            "should match pattern",
        ),
        ("claimInformation.claimChargeAmount", "5430", None, "claimInformation.claimChargeAmount"),
        (
            "claimInformation.claimCodeInformation.patientStatusCode",
            "1",
            "patientStatusCode",
            "should match pattern",
        ),
        (
            "claimInformation.claimDateInformation.dischargeHour",
            "2460",
            "dischargeHour",
            "should match pattern",
        ),
        ("claimInformation.attendingProvider.npi", "1999999993", "npi", "not an NPI"),
        ("claimInformation.operatingProvider.npi", "1234567890", "npi", "not an NPI"),
        (
            "claimInformation.principalDiagnosis.principalDiagnosisCode",
            "5409",
            None,
            "principalDiagnosis.principalDiagnosisCode: not an ICD-10-CM code",
        ),
        (
            "claimInformation.claimFrequencyCode",
            "2",
            None,
            "dischargeHour is not used when claimFrequencyCode is 2",
        ),
        (
            "claimInformation.serviceLines.2.serviceDate",
            "2024-02-04",
            None,
            "serviceLines[2].serviceDate is outside the statement period",
        ),
        ("billing.organizationName", _DROP, None, "billing.organizationName is required"),
        ("claimInformation.principalDiagnosis", _DROP, "principalDiagnosis", "Field required"),
    ],
)
def test_institutional_errors(path: str, new: Any, loc: str | None, message: str) -> None:
    data = full_institutional()
    if path == "billing.organizationName":
        data["billing"]["lastName"] = "Sole"
    errors = errors_of(InstitutionalClaimSubmission, _set(data, path, new))
    assert any(message in e["msg"] for e in errors), errors
    if loc is not None:
        assert any(e["loc"][-1] == loc for e in errors), errors


# dental --------------------------------------------------------------------------------


def tooth(code: str, *surfaces: str) -> dict[str, Any]:
    return {"toothCode": code, "toothSurface": list(surfaces)}


def full_dental() -> dict[str, Any]:
    """A dependent, a rendering dentist, missing teeth, five lines: a surface restoration, a
    replacement crown, quadrant scaling, a partial denture and an exam."""
    data = example(DentalClaimSubmission)
    data["controlNumber"] = "80001"
    data["dependent"] = DEPENDENT
    data["claimInformation"] = {
        "claimFilingCode": "CI",
        "patientControlNumber": "DENT-2024-9",
        "claimChargeAmount": "2705.5",
        "placeOfServiceCode": "11",
        "claimFrequencyCode": "1",
        "signatureIndicator": "Y",
        "planParticipationCode": "A",
        "benefitsAssignmentCertificationIndicator": "Y",
        "releaseInformationCode": "I",
        "priorAuthorizationNumber": "DPA-1",
        "predeterminationIdentification": "PD-7788",
        "healthCareCodeInformation": [
            {"diagnosisTypeCode": "ABK", "diagnosisCode": "K0262"},
            {"diagnosisTypeCode": "ABF", "diagnosisCode": "K0401"},
        ],
        "toothStatus": [
            {"toothNumber": "1", "toothStatusCode": "M"},
            {"toothNumber": "32", "toothStatusCode": "E"},
        ],
        "renderingProvider": {
            "npi": "1999999992",
            "lastName": "Molar",
            "firstName": "Mina",
            "taxonomyCode": "1223G0001X",
        },
        "serviceLines": [
            {
                "serviceDate": "2024-02-05",
                "providerControlNumber": "DL-1",
                "dentalService": {
                    "procedureCode": "D2393",
                    "lineItemChargeAmount": "245.5",
                    "procedureCount": "1",
                    "compositeDiagnosisCodePointers": {"diagnosisCodePointers": ["1", "2"]},
                },
                "toothInformation": [tooth("3", "M", "O", "D")],
            },
            {
                "serviceDate": "2024-02-05",
                "providerControlNumber": "DL-2",
                "dentalService": {
                    "procedureCode": "D2740",
                    "lineItemChargeAmount": "1250",
                    "prosthesisCrownOrInlayCode": "R",
                    "compositeDiagnosisCodePointers": {"diagnosisCodePointers": ["1"]},
                },
                "toothInformation": [tooth("14")],
            },
            {
                "serviceDate": "2024-02-06",
                "dentalService": {
                    "procedureCode": "D4341",
                    "lineItemChargeAmount": "220",
                    "oralCavityDesignation": ["10"],
                    "placeOfServiceCode": "11",
                },
            },
            {
                "serviceDate": "2024-02-06",
                "dentalService": {
                    "procedureCode": "D5211",
                    "procedureModifiers": ["GY"],
                    "description": "MAXILLARY PARTIAL",
                    "lineItemChargeAmount": "900",
                    "oralCavityDesignation": ["01"],
                    "prosthesisCrownOrInlayCode": "I",
                },
                "toothInformation": [tooth("4"), tooth("5"), tooth("12")],
            },
            {
                "serviceDate": "2024-02-05",
                "dentalService": {"procedureCode": "D0150", "lineItemChargeAmount": "90"},
            },
        ],
    }
    return data


def predetermination() -> dict[str, Any]:
    """A treatment plan (CLM19 PB): no dates; two extractions of two teeth and an implant."""
    data = example(DentalClaimSubmission)
    data["controlNumber"] = "80002"
    data["claimInformation"].update(
        patientControlNumber="PLAN-2024-1",
        claimChargeAmount="3650",
        predeterminationOfBenefitsCode="PB",
        serviceLines=[
            {
                "dentalService": {
                    "procedureCode": "D7240",
                    "lineItemChargeAmount": "1100",
                    "procedureCount": "2",
                },
                "toothInformation": [tooth("17"), tooth("32")],
            },
            {
                "dentalService": {
                    "procedureCode": "D6010",
                    "lineItemChargeAmount": "2550",
                    "oralCavityDesignation": ["20"],
                },
                "toothInformation": [tooth("14")],
            },
        ],
    )
    return data


DENTAL = [example(DentalClaimSubmission), full_dental(), predetermination()]


@pytest.mark.parametrize("data", DENTAL, ids=["example", "full", "predetermination"])
def test_dental_round_trip(data: dict[str, Any]) -> None:
    claim = DentalClaimSubmission.model_validate(data)
    x12 = dental_x12(claim, when=WHEN)
    assert b"*005010X224A2~" in x12
    again = read(x12)
    _same_records(dental_records(claim, when=WHEN), again)
    views = dental_views(again)
    assert len(views) == 1
    assert dump(views[0]) == dump(claim)
    assert dump(DentalClaimSubmission.model_validate(dump(views[0]))) == dump(claim)


def test_dental_segments() -> None:
    text = dental_x12(DentalClaimSubmission.model_validate(full_dental()), when=WHEN).decode()
    for segment in (
        "CLM*DENT-2024-9*2705.5***11:B:1*Y*A*Y*I~",
        "DN2*1*M****JP~",
        "DN2*32*E****JP~",
        "REF*G3*PD-7788~",
        "HI*ABK:K0262*ABF:K0401~",
        "NM1*82*1*Molar*Mina****XX*1999999992~",
        "SV3*AD:D2393*245.5****1*****1:2~",
        "TOO*JP*3*M:O:D~",
        "SV3*AD:D2740*1250***R*1*****1~",
        "SV3*AD:D4341*220*11*10**1~",
        "SV3*AD:D5211:GY::::MAXILLARY PARTIAL*900**01*I*1~",
        "TOO*JP*12~",
        "DTP*472*D8*20240206~",
    ):
        assert segment in text, segment
    plan = dental_x12(DentalClaimSubmission.model_validate(predetermination()), when=WHEN).decode()
    assert "*PB~" in plan and "DTP*472" not in plan


def test_tooth_requirements() -> None:
    assert tooth_requirement("D2392") == "surface"
    assert tooth_requirement("D2740") == "tooth"
    assert tooth_requirement("D7140") == "tooth"
    assert tooth_requirement("D4341") == "area"
    assert tooth_requirement("D0150") is None
    assert tooth_requirement("D1110") is None


@pytest.mark.parametrize(
    ("path", "new", "loc", "message"),
    [
        (
            "claimInformation.serviceLines.0.toothInformation",
            [],
            None,
            "serviceLines[0].toothInformation (toothCode) is required for D2393",
        ),
        (
            "claimInformation.serviceLines.0.toothInformation",
            [tooth("3")],
            None,
            "serviceLines[0].toothInformation[].toothSurface is required for D2393",
        ),
        (
            "claimInformation.serviceLines.1.toothInformation",
            _DROP,
            None,
            "serviceLines[1].toothInformation (toothCode) is required for D2740",
        ),
        (
            "claimInformation.serviceLines.2.dentalService.oralCavityDesignation",
            [],
            None,
            "serviceLines[2].dentalService.oralCavityDesignation (or toothInformation)",
        ),
        ("claimInformation.claimChargeAmount", "2705", None, "claimInformation.claimChargeAmount"),
        (
            "claimInformation.serviceLines.0.toothInformation.0.toothCode",
            "33",
            "toothCode",
            "pattern",
        ),
        (
            "claimInformation.serviceLines.0.toothInformation.0.toothSurface",
            ["X"],
            0,
            "Input should be",
        ),
        (
            "claimInformation.serviceLines.4.dentalService.procedureCode",
            "99213",
            "procedureCode",
            "pattern",
        ),
        (
            "claimInformation.serviceLines.4.serviceDate",
            _DROP,
            None,
            "serviceLines[4].serviceDate is required",
        ),
        (
            "claimInformation.predeterminationOfBenefitsCode",
            "PB",
            None,
            "serviceDate is not used on a predetermination",
        ),
        ("claimInformation.renderingProvider.npi", "1999999990", "npi", "not an NPI"),
        (
            "claimInformation.healthCareCodeInformation.1.diagnosisCode",
            "5210",
            None,
            "healthCareCodeInformation[1].diagnosisCode: not an ICD-10-CM code",
        ),
        (
            "claimInformation.serviceLines.1.dentalService.compositeDiagnosisCodePointers",
            {"diagnosisCodePointers": ["3"]},
            None,
            "diagnosis pointer 3: only 2",
        ),
    ],
)
def test_dental_errors(path: str, new: Any, loc: str | int | None, message: str) -> None:
    errors = errors_of(DentalClaimSubmission, _set(full_dental(), path, new))
    assert any(message in e["msg"] for e in errors), errors
    if loc is not None:
        assert any(e["loc"][-1] == loc for e in errors), errors


def test_dental_claim_level_service_date_covers_the_lines() -> None:
    data = full_dental()
    data["claimInformation"]["serviceDate"] = "2024-02-05"
    for line in data["claimInformation"]["serviceLines"]:
        line.pop("serviceDate")
    claim = DentalClaimSubmission.model_validate(data)
    text = dental_x12(claim, when=WHEN).decode()
    assert text.count("DTP*472*D8*20240205~") == 1
    assert dump(dental_views(read(text.encode()))[0]) == dump(claim)


def test_dental_views_of_the_fixtures() -> None:
    """Every stored 837D fixture claim shows as JSON, is a valid submission, and writes again."""
    count = 0
    for path in sorted((FIXTURES / "837D").iterdir()):
        for ts in parse(path.read_bytes()).transactions:
            for view in dental_views(ClaimsPlugin().read(ts)):
                data = {**dump(view), "controlNumber": "1234"}
                reports = (data["claimInformation"].get("claimSupplementalInformation") or {}).get(
                    "reportInformations", []
                )
                if any("attachmentControlNumber" not in r for r in reports):
                    # shown as stored, but a submission must tie a faxed report (PWK06)
                    errors = errors_of(DentalClaimSubmission, data)
                    assert any("attachmentControlNumber is required" in e["msg"] for e in errors)
                    for r in reports:
                        r.setdefault("attachmentControlNumber", "ATT-1")
                claim = DentalClaimSubmission.model_validate(data)
                assert [dump(v) for v in dental_views(read(dental_x12(claim, when=WHEN)))] == [
                    dump(claim)
                ]
                count += 1
    assert count >= 4


def test_institutional_views_of_the_corpus() -> None:
    """837I files from elsewhere show as JSON (once their TR3-example NPIs, which fail the
    check digit, are replaced); one whose CL1 the JSON model cannot hold gives no view rather
    than an error, and so does one with a bad NPI."""
    folder = CORPUS / "837I"
    if not folder.is_dir():
        pytest.skip("no corpus")
    shown = 0
    for path in sorted(folder.iterdir()):
        for ts in parse(path.read_bytes()).transactions:
            records = ClaimsPlugin().read(ts)
            if any(not npi_valid(r.fields.get("npi") or "1999999984") for r in records):
                assert _views("837I", records) == []
            for r in records:
                if r.fields.get("npi"):
                    r.fields["npi"] = "1999999984"
            views = _views("837I", records)
            claims = sum(1 for r in records if r.entity == "claim")
            assert len(views) in (0, claims), path.name
            shown += len(views)
            if path.name == "stupidedi__automobile-accident.edi":
                assert views == []  # CL103 "1" is not a two-digit patient status code
    assert shown >= 5


# the UB-04 code lists, attachments, notes and other payers --------------------------------


def secondary_payer() -> dict[str, Any]:
    """The primary payer of a secondary claim: its payment (AMT*D) and adjustments (CAS)."""
    return {
        "paymentResponsibilityLevelCode": "P",
        "individualRelationshipCode": "01",
        "insuranceGroupOrPolicyNumber": "GRP-1",
        "claimFilingIndicatorCode": "MB",
        "claimLevelAdjustments": [
            {
                "adjustmentGroupCode": "CO",
                "adjustmentDetails": [
                    {"adjustmentReasonCode": "45", "adjustmentAmount": "1200.25"},
                    {"adjustmentReasonCode": "94", "adjustmentAmount": "-15"},
                ],
            },
            {
                "adjustmentGroupCode": "PR",
                "adjustmentDetails": [
                    {
                        "adjustmentReasonCode": "1",
                        "adjustmentAmount": "1600",
                        "adjustmentQuantity": "1",
                    }
                ],
            },
        ],
        "payerPaidAmount": "2645",
        "remainingPatientLiability": "1600",
        "otherSubscriberName": {
            "otherInsuredLastName": "Doe",
            "otherInsuredFirstName": "Jane",
            "otherInsuredIdentifierTypeCode": "MI",
            "otherInsuredIdentifier": "1EG4TE5MK73",
        },
        "otherPayerName": {
            "otherPayerOrganizationName": "Medicare Part A",
            "otherPayerIdentifierTypeCode": "PI",
            "otherPayerIdentifier": "12345",
            "otherPayerAdjudicationOrPaymentDate": "2024-03-01",
            "otherPayerClaimControlNumber": "MCR-77-0001",
        },
    }


#: paths (for ``_set``) of the first other payer and of the attachments
OTHER = "claimInformation.otherSubscriberInformation.0"
REPORTS = "claimInformation.claimSupplementalInformation.reportInformations"
ATTACHMENTS = {
    "reportInformations": [
        {
            "attachmentReportTypeCode": "OZ",
            "attachmentTransmissionCode": "EL",
            "attachmentControlNumber": "PWK-0042",
        },
        {"attachmentReportTypeCode": "09", "attachmentTransmissionCode": "AA"},
    ]
}


def coded_institutional() -> dict[str, Any]:
    """full_institutional() with every HI code list (reason for visit, external cause,
    procedures, occurrence spans, occurrences, values, conditions, treatments), attachments,
    a billing note, and sent to the secondary payer after Medicare paid."""
    data = full_institutional()
    data["controlNumber"] = "70002"
    data["subscriber"]["paymentResponsibilityLevelCode"] = "S"
    data["claimInformation"].update(
        patientReasonForVisits=[
            {"qualifierCode": "APR", "patientReasonForVisitCode": "R1031"},
            {"qualifierCode": "APR", "patientReasonForVisitCode": "R112"},
        ],
        externalCauseOfInjuries=[
            {
                "qualifierCode": "ABN",
                "externalCauseOfInjury": "W010XXA",
                "presentOnAdmissionIndicator": "Y",
            },
            {"qualifierCode": "ABN", "externalCauseOfInjury": "Y92009"},
        ],
        principalProcedureInformation={
            "qualifierCode": "BBR",
            "principalProcedureCode": "0DTJ4ZZ",
            "principalProcedureDate": "2024-02-01",
        },
        otherProcedureInformationList=[
            {
                "qualifierCode": "BBQ",
                "otherProcedureCode": "0W9G3ZZ",
                "otherProcedureDate": "2024-02-02",
            },
            {
                "qualifierCode": "BBQ",
                "otherProcedureCode": "BW40ZZZ",
                "otherProcedureDate": "2024-02-01",
            },
        ],
        occurrenceSpanInformations=[
            {
                "occurrenceSpanCode": "74",
                "occurrenceSpanCodeStartDate": "2024-01-20",
                "occurrenceSpanCodeEndDate": "2024-01-22",
            }
        ],
        occurrenceInformationList=[
            {"occurrenceCode": "11", "occurrenceCodeDate": "2024-01-30"},
            {"occurrenceCode": "A1", "occurrenceCodeDate": "2024-02-01"},
        ],
        valueInformationList=[
            {"valueCode": "80", "valueCodeAmount": "2"},
            {"valueCode": "A1", "valueCodeAmount": "250.50"},
            {"valueCode": "01", "valueCodeAmount": "1400"},
        ],
        conditionCodesList=[{"conditionCode": "17"}, {"conditionCode": "C1"}],
        treatmentCodeInformationList=[{"treatmentCode": "A1"}],
        claimSupplementalInformation=copy.deepcopy(ATTACHMENTS),
        claimNote={"additionalInformation": "SECONDARY TO MEDICARE A"},
        otherSubscriberInformation=[secondary_payer()],
    )
    return data


def test_coded_institutional_round_trip() -> None:
    """Every new value comes back: JSON -> records -> X12 (no errors) -> records -> JSON."""
    test_institutional_round_trip(coded_institutional())
    claim = InstitutionalClaimSubmission.model_validate(coded_institutional())
    shown = dump(institutional_views(read(institutional_x12(claim, when=WHEN)))[0])
    info = shown["claimInformation"]
    assert info["valueInformationList"][1] == {"valueCode": "A1", "valueCodeAmount": "250.5"}
    assert info["otherSubscriberInformation"][0]["payerPaidAmount"] == "2645"
    assert len(info["otherProcedureInformationList"]) == 2


def test_coded_institutional_segments() -> None:
    claim = InstitutionalClaimSubmission.model_validate(coded_institutional())
    text = institutional_x12(claim, when=WHEN).decode()
    for segment in (
        "SBR*S**G12345******BL~",
        "PWK*OZ*EL***AC*PWK-0042~",
        "PWK*09*AA~",
        "NTE*ADD*SECONDARY TO MEDICARE A~",
        "HI*APR:R1031*APR:R112~",
        "HI*ABN:W010XXA:::::::Y*ABN:Y92009~",
        "HI*BBR:0DTJ4ZZ:D8:20240201~",
        "HI*BBQ:0W9G3ZZ:D8:20240202*BBQ:BW40ZZZ:D8:20240201~",
        "HI*BI:74:RD8:20240120-20240122~",
        "HI*BH:11:D8:20240130*BH:A1:D8:20240201~",
        "HI*BE:80:::2*BE:A1:::250.5*BE:01:::1400~",
        "HI*BG:17*BG:C1~",
        "HI*TC:A1~",
        "SBR*P*01*GRP-1******MB~",
        "CAS*CO*45*1200.25**94*-15~",
        "CAS*PR*1*1600*1~",
        "AMT*D*2645~",
        "AMT*EAF*1600~",
        "NM1*IL*1*Doe*Jane****MI*1EG4TE5MK73~",
        "NM1*PR*2*Medicare Part A*****PI*12345~",
        "DTP*573*D8*20240301~",
        "REF*F8*MCR-77-0001~",
    ):
        assert segment in text, segment
    # the HI segments in the TR3's order
    order = ["HI*ABK", "HI*ABJ", "HI*APR", "HI*ABN", "HI*ABF", "HI*BBR", "HI*BBQ", "HI*BI"]
    order += ["HI*BH", "HI*BE", "HI*BG", "HI*TC"]
    assert [text.index(s) for s in order] == sorted(text.index(s) for s in order)


@pytest.mark.parametrize(
    ("path", "new", "loc", "message"),
    [
        (
            "claimInformation.principalProcedureInformation.principalProcedureCode",
            "0DTJ4Z",
            None,
            "principalProcedureInformation.principalProcedureCode: not an ICD-10-PCS code",
        ),
        (
            "claimInformation.otherProcedureInformationList.1.otherProcedureCode",
            "0W9I3ZZ",
            None,
            "otherProcedureInformationList[1].otherProcedureCode: not an ICD-10-PCS code",
        ),
        (
            "claimInformation.principalProcedureInformation.qualifierCode",
            "BR",
            None,
            "principalProcedureCode: not an ICD-9-CM procedure code",
        ),
        (
            "claimInformation.principalProcedureInformation.principalProcedureDate",
            "20240201",
            "principalProcedureDate",
            "",
        ),
        (
            "claimInformation.principalProcedureInformation",
            _DROP,
            None,
            "otherProcedureInformationList needs principalProcedureInformation",
        ),
        (
            "claimInformation.patientReasonForVisits.0.patientReasonForVisitCode",
            "7890",
            None,
            "patientReasonForVisits[0].patientReasonForVisitCode: not an ICD-10-CM code",
        ),
        (
            "claimInformation.externalCauseOfInjuries.1.externalCauseOfInjury",
            "8809",
            None,
            "externalCauseOfInjuries[1].externalCauseOfInjury: not an ICD-10-CM code",
        ),
        (
            "claimInformation.valueInformationList.1.valueCodeAmount",
            "250.505",
            "valueCodeAmount",
            "should match pattern",
        ),
        (
            "claimInformation.valueInformationList.0.valueCode",
            "800",
            "valueCode",
            "should match pattern",
        ),
        (
            "claimInformation.occurrenceInformationList.0.occurrenceCodeDate",
            "2024-02-30",
            "occurrenceCodeDate",
            "",
        ),
        (
            "claimInformation.occurrenceSpanInformations.0.occurrenceSpanCodeEndDate",
            "2024-01-19",
            None,
            "occurrenceSpanCodeEndDate is before occurrenceSpanCodeStartDate",
        ),
        (
            "claimInformation.conditionCodesList.0.conditionCode",
            "7",
            "conditionCode",
            "should match pattern",
        ),
        (
            "claimInformation.patientReasonForVisits",
            [{"patientReasonForVisitCode": "R10"}] * 4,
            "patientReasonForVisits",
            "at most 3",
        ),
        (
            "claimInformation.otherSubscriberInformation.0.paymentResponsibilityLevelCode",
            "S",
            None,
            "otherSubscriberInformation[0].paymentResponsibilityLevelCode S is already used",
        ),
        (
            f"{OTHER}.otherPayerName.otherPayerIdentifierTypeCode",
            "XX",
            "otherPayerIdentifierTypeCode",
            "",
        ),
        (
            f"{REPORTS}.0.attachmentControlNumber",
            _DROP,
            None,
            "reportInformations[0].attachmentControlNumber is required unless",
        ),
        (
            f"{OTHER}.patientSignatureGeneratedForPatient",
            True,
            None,
            "otherSubscriberInformation[0].patientSignatureGeneratedForPatient is not used",
        ),
        (
            f"{OTHER}.insuranceTypeCode",
            "12",
            None,
            "otherSubscriberInformation[0].insuranceTypeCode is not used in the 837I",
        ),
    ],
)
def test_coded_institutional_errors(path: str, new: Any, loc: str | None, message: str) -> None:
    errors = errors_of(InstitutionalClaimSubmission, _set(coded_institutional(), path, new))
    assert any(message in e["msg"] for e in errors), errors
    if loc is not None:
        assert any(e["loc"][-1] == loc for e in errors), errors


def orthodontic_dental() -> dict[str, Any]:
    """An orthodontic claim (DN1, appliance placement), with attachments, a note and the
    primary dental plan's payment (a secondary claim)."""
    data = example(DentalClaimSubmission)
    data["controlNumber"] = "80003"
    data["subscriber"]["paymentResponsibilityLevelCode"] = "S"
    other = secondary_payer()
    other.update(claimFilingIndicatorCode="CI", payerPaidAmount="1000")
    other["claimLevelAdjustments"] = [
        {
            "adjustmentGroupCode": "PR",
            "adjustmentDetails": [{"adjustmentReasonCode": "1", "adjustmentAmount": "500"}],
        }
    ]
    other.pop("remainingPatientLiability")
    data["claimInformation"].update(
        patientControlNumber="ORTHO-2024-3",
        claimChargeAmount="4800",
        orthodonticTreatmentMonthsCount=24,
        orthodonticTreatmentMonthsRemainingCount=18,
        orthodonticTreatmentIndicator="Y",
        appliancePlacementDates=["2023-08-15"],
        claimSupplementalInformation=copy.deepcopy(ATTACHMENTS),
        claimNote={"additionalInformation": "BANDING DONE 08/2023"},
        otherSubscriberInformation=[other],
        serviceLines=[
            {
                "serviceDate": "2024-02-01",
                "dentalService": {"procedureCode": "D8080", "lineItemChargeAmount": "4800"},
            }
        ],
    )
    return data


def test_orthodontic_dental_round_trip() -> None:
    test_dental_round_trip(orthodontic_dental())
    claim = DentalClaimSubmission.model_validate(orthodontic_dental())
    text = dental_x12(claim, when=WHEN).decode()
    for segment in (
        "DN1*24*18*Y~",
        "DTP*452*D8*20230815~",
        "PWK*OZ*EL***AC*PWK-0042~",
        "NTE*ADD*BANDING DONE 08/2023~",
        "SBR*P*01*GRP-1******CI~",
        "CAS*PR*1*500~",
        "AMT*D*1000~",
    ):
        assert segment in text, segment
    info = dump(dental_views(read(text.encode()))[0])["claimInformation"]
    assert info["orthodonticTreatmentMonthsCount"] == 24
    assert info["appliancePlacementDates"] == ["2023-08-15"]


@pytest.mark.parametrize(
    ("path", "new", "loc", "message"),
    [
        (
            "claimInformation.orthodonticTreatmentMonthsRemainingCount",
            30,
            None,
            "orthodonticTreatmentMonthsRemainingCount is more than",
        ),
        ("claimInformation.orthodonticTreatmentMonthsCount", -1, None, "greater than or equal"),
        ("claimInformation.orthodonticTreatmentIndicator", "N", None, "Input should be 'Y'"),
        ("claimInformation.appliancePlacementDates", ["2023-13-01"], 0, ""),
        (
            f"{REPORTS}.1.attachmentTransmissionCode",
            "ZZ",
            None,
            "reportInformations[1].attachmentTransmissionCode must be one of",
        ),
        ("claimInformation.claimNote.additionalInformation", "", "additionalInformation", ""),
        (
            f"{OTHER}.claimLevelAdjustments.0.adjustmentDetails.0.adjustmentAmount",
            "1,000",
            "adjustmentAmount",
            "should match pattern",
        ),
    ],
)
def test_orthodontic_dental_errors(
    path: str, new: Any, loc: str | int | None, message: str
) -> None:
    errors = errors_of(DentalClaimSubmission, _set(orthodontic_dental(), path, new))
    assert any(message in e["msg"] for e in errors), errors
    if loc is not None:
        assert any(e["loc"][-1] == loc for e in errors), errors


#: the claim record fields the JSON models now carry, and where each shows in the view
_SHOWN_837I = {
    "occurrenceCodes": "occurrenceInformationList",
    "occurrenceSpanCodes": "occurrenceSpanInformations",
    "valueCodes": "valueInformationList",
    "conditionCodes": "conditionCodesList",
    "treatmentCodes": "treatmentCodeInformationList",
    "otherProcedures": "otherProcedureInformationList",
    "attachments": "claimSupplementalInformation",
}


def test_corpus_code_lists_and_other_payers_show() -> None:
    """837I and 837D corpus claims show the values the JSON models used to drop (occurrence
    codes, other payers, attachments, orthodontic months): each claim carrying one shows it."""
    if not CORPUS.is_dir():
        pytest.skip("no corpus")
    carried = 0
    for kind in ("837I", "837D"):
        for path in sorted((CORPUS / kind).iterdir()):
            for ts in parse(path.read_bytes()).transactions:
                records = ClaimsPlugin().read(ts)
                for r in records:
                    if r.fields.get("npi"):
                        r.fields["npi"] = "1999999984"
                views = _views(kind, records)
                claims = [r for r in records if r.entity == "claim"]
                if not views:
                    continue
                for claim, view in zip(claims, views, strict=True):
                    info = dump(view)["claimInformation"]
                    new = [k for k in _SHOWN_837I if claim.fields.get(k)]
                    others = [
                        r for r in records if r.entity == "other_payer" and r.parent == claim.key
                    ]
                    ortho = claim.fields.get("orthodonticTreatmentMonthsCount")
                    for field in new:
                        assert info.get(_SHOWN_837I[field]), (path.name, field)
                    assert len(info.get("otherSubscriberInformation", [])) == len(others)
                    if ortho:
                        assert info["orthodonticTreatmentMonthsCount"] == int(ortho)
                    carried += bool(new or others or ortho)
    assert carried >= 5


# professional keeps its checks, now with the ICD-10-CM form ------------------------------


def test_professional_checks_icd10_form() -> None:
    from schemas.claims import ClaimSubmission

    data = example(ClaimSubmission)
    data["claimInformation"]["healthCareCodeInformation"][0]["diagnosisCode"] = "4659"
    assert any("not an ICD-10-CM code" in e["msg"] for e in errors_of(ClaimSubmission, data))


# HTTP --------------------------------------------------------------------------------


def _key(client: httpx.AsyncClient) -> dict[str, str]:
    return {"Authorization": f"Bearer {client.headers['x-test-partner-key']}"}


@pytest.mark.parametrize(
    ("route", "data", "model", "kind"),
    [
        ("/v1/claims/institutional", full_institutional(), InstitutionalClaimSubmission, "837I"),
        ("/v1/claims/dental", full_dental(), DentalClaimSubmission, "837D"),
        ("/v1/claims/dental", predetermination(), DentalClaimSubmission, "837D"),
        ("/v1/claims/institutional", coded_institutional(), InstitutionalClaimSubmission, "837I"),
        ("/v1/claims/dental", orthodontic_dental(), DentalClaimSubmission, "837D"),
    ],
    ids=["institutional", "dental", "predetermination", "coded-secondary", "orthodontic"],
)
async def test_post_then_get(
    api_client: httpx.AsyncClient,
    route: str,
    data: dict[str, Any],
    model: type[BaseModel],
    kind: str,
) -> None:
    response = await api_client.post(route, json=data, headers=_key(api_client))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] and body["status"] == "parsed"
    sent = parse(body["x12"].encode(), rules=check)
    assert sent.errors == [] and sent.transactions[0].guide is not None
    assert sent.transactions[0].guide.name == kind
    acks = body["acknowledgments"]
    group = acks["functionalGroups"][0]
    assert group["accepted"] == group["received"] == 1
    assert group["transactionSets"][0]["status"] == "A"
    assert acks["claims"] == {"accepted": 1, "rejected": 0}
    ack_doc = parse(acks["x12"].encode())
    assert ack_doc.errors == []
    assert {t.guide.name for t in ack_doc.transactions if t.guide} == {"999", "277CA"}
    assert "AK9*A*1*1*1~" in acks["x12"]

    detail = await api_client.get(
        f"/v1/claims/{body['id']}", headers={"Authorization": f"Bearer {ADMIN}"}
    )
    assert detail.status_code == 200, detail.text
    shown = detail.json()
    assert shown["claimType"] == {"837I": "institutional", "837D": "dental"}[kind]
    assert shown["claim"] == dump(model.model_validate(data))
    assert shown["timeline"][0]["step"] == kind


async def test_bad_requests_name_the_field(api_client: httpx.AsyncClient) -> None:
    key = _key(api_client)
    bad_revenue = _set(
        full_institutional(),
        "claimInformation.serviceLines.0.institutionalService.serviceLineRevenueCode",
        "12A",
    )
    response = await api_client.post("/v1/claims/institutional", json=bad_revenue, headers=key)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    locations = [e["location"] for e in response.json()["errors"]]
    assert [
        "body",
        "claimInformation",
        "serviceLines",
        0,
        "institutionalService",
        "serviceLineRevenueCode",
    ] in locations

    no_tooth = _set(full_dental(), "claimInformation.serviceLines.1.toothInformation", [])
    response = await api_client.post("/v1/claims/dental", json=no_tooth, headers=key)
    assert response.status_code == 422
    messages = " ".join(e["message"] for e in response.json()["errors"])
    assert "serviceLines[1].toothInformation" in messages

    for route, data in (
        ("/v1/claims/institutional", full_institutional()),
        ("/v1/claims/dental", full_dental()),
    ):
        data["claimInformation"]["claimChargeAmount"] = "1"
        response = await api_client.post(route, json=data, headers=key)
        assert response.status_code == 422
        messages = " ".join(e["message"] for e in response.json()["errors"])
        assert "claimInformation.claimChargeAmount" in messages

    # a dental body sent to the institutional endpoint is refused, not guessed at
    response = await api_client.post("/v1/claims/institutional", json=full_dental(), headers=key)
    assert response.status_code == 422


async def test_professional_get_says_its_type(api_client: httpx.AsyncClient) -> None:
    from schemas.claims import ClaimSubmission

    data = example(ClaimSubmission)
    response = await api_client.post("/v1/claims", json=data, headers=_key(api_client))
    assert response.status_code == 200, response.text
    shown = (
        await api_client.get(
            f"/v1/claims/{response.json()['id']}", headers={"Authorization": f"Bearer {ADMIN}"}
        )
    ).json()
    assert shown["claimType"] == "professional"
    assert shown["claim"] == dump(ClaimSubmission.model_validate(data))


async def test_openapi_examples(api_client: httpx.AsyncClient) -> None:
    spec = (await api_client.get("/openapi.json")).json()
    schemas = spec["components"]["schemas"]
    for route, name, model in (
        ("/v1/claims/institutional", "InstitutionalClaimSubmission", InstitutionalClaimSubmission),
        ("/v1/claims/dental", "DentalClaimSubmission", DentalClaimSubmission),
    ):
        assert "post" in spec["paths"][route]
        shown = schemas[name]["example"]
        model.model_validate(shown)  # the documented example is a valid request
        media = spec["paths"][route]["post"]["responses"]["200"]["content"]["application/json"]
        assert media["example"]["acknowledgments"]["claims"] == {"accepted": 1, "rejected": 0}
