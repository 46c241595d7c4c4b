"""JSON API models of claims (837P), claim status (276/277) and remittance (835).

Round trips: JSON -> records -> X12 that parses with no errors -> records -> the
same JSON; responses from the fixtures and the corpus with descriptions filled in.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from gateway.jsonapi.claim_status import request_records, request_view, request_x12, status_response
from gateway.jsonapi.claims import claim_records, claim_views, claim_x12
from gateway.jsonapi.codes import CARC, RARC
from gateway.jsonapi.remittance import remittance
from parsers import parse
from schemas.claim_status import ClaimStatusRequest, ClaimStatusResponse
from schemas.claims import ClaimSubmission, ClaimView, example
from schemas.remittance import Remittance
from tests.conftest import CORPUS, FIXTURES
from transactions.claim_status import ClaimStatusPlugin
from transactions.claims import ClaimsPlugin
from transactions.emit import emit
from transactions.records import Record
from transactions.remittance_plugin import RemittancePlugin
from transactions.rules import check

WHEN = dt.datetime(2024, 3, 15, 9, 30)
ADDRESS = {"address1": "9 Elm St", "city": "Springfield", "state": "IL", "postalCode": "62701"}


def dump(model: Any) -> Any:
    return model.model_dump(mode="json", exclude_none=True)


def read(data: bytes, plugin: Any) -> list[Record]:
    doc = parse(data, rules=check)
    assert [f.code for f in doc.errors] == []
    assert len(doc.transactions) == 1
    records: list[Record] = plugin.read(doc.transactions[0])
    return records


# claims --------------------------------------------------------------------------------


def claim_json(**changes: Any) -> dict[str, Any]:
    data = example(ClaimSubmission)
    data.update(changes)
    return data


def full_claim() -> dict[str, Any]:
    """A dependent patient, a rendering provider, modifiers, three lines, four diagnoses."""
    data = claim_json(controlNumber="123456789")
    data["billing"]["taxonomyCode"] = "207Q00000X"
    data["billing"]["contactInformation"] = {"name": "Front Desk", "phoneNumber": "5555550111"}
    data["subscriber"].pop("groupNumber")
    data["subscriber"]["policyNumber"] = "POL-77"  # accepted as groupNumber (SBR03)
    data["subscriber"]["middleName"] = "Q"
    data["dependent"] = {
        "firstName": "Pip",
        "lastName": "Doe",
        "gender": "M",
        "dateOfBirth": "2015-09-23",
        "relationshipToSubscriberCode": "19",
        "address": ADDRESS,
    }
    info = data["claimInformation"]
    info.update(
        claimFilingCode="BL",
        patientControlNumber="PCN-9",
        claimChargeAmount="310.50",
        priorAuthorizationNumber="AUTH1",
        renderingProvider={
            "npi": "1999999992",
            "lastName": "Thistlewood",
            "firstName": "Quincy",
            "taxonomyCode": "207R00000X",
        },
        healthCareCodeInformation=[
            {"diagnosisTypeCode": "ABK", "diagnosisCode": "J069"},
            {"diagnosisTypeCode": "ABF", "diagnosisCode": "F419"},
            {"diagnosisTypeCode": "ABF", "diagnosisCode": "B349"},
            {"diagnosisTypeCode": "ABF", "diagnosisCode": "I2510"},
        ],
        serviceLines=[
            line("99214", "185.00", ["25"], ["1", "2", "3", "4"], "2024-02-01"),
            line("93000", "100.5", [], ["2"], "2024-02-01", units="2"),
            line("97110", "25", ["GP", "59"], ["3"], "2024-02-02", end="2024-02-03"),
        ],
    )
    return data


def line(
    code: str,
    charge: str,
    modifiers: list[str],
    pointers: list[str],
    day: str,
    units: str = "1",
    end: str | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "serviceDate": day,
        "providerControlNumber": f"LN-{code}",
        "professionalService": {
            "procedureIdentifier": "HC",
            "procedureCode": code,
            "procedureModifiers": modifiers,
            "lineItemChargeAmount": charge,
            "measurementUnit": "UN",
            "serviceUnitCount": units,
            "compositeDiagnosisCodePointers": {"diagnosisCodePointers": pointers},
        },
    }
    if end:
        out["serviceDateEnd"] = end
    return out


@pytest.mark.parametrize("data", [claim_json(), full_claim()], ids=["example", "full"])
def test_claim_round_trip(data: dict[str, Any]) -> None:
    claim = ClaimSubmission.model_validate(data)
    x12 = claim_x12(claim, when=WHEN)
    assert b"ST*837*" + claim.controlNumber.zfill(4).encode() in x12
    views = claim_views(read(x12, ClaimsPlugin()))
    assert len(views) == 1
    assert dump(views[0]) == dump(claim)
    # and the view is a valid submission again
    assert dump(ClaimSubmission.model_validate(dump(views[0]))) == dump(claim)


def test_claim_canonical_values() -> None:
    claim = ClaimSubmission.model_validate(full_claim())
    assert claim.claimInformation.claimChargeAmount == "310.5"
    assert claim.subscriber.groupNumber == "POL-77"
    x12 = claim_x12(claim, when=WHEN).decode()
    assert "SBR*P**POL-77******BL~" in x12
    assert "PAT*19~" in x12
    assert "SV1*HC:97110:GP:59*25*UN*1***3~" in x12
    assert "DTP*472*RD8*20240202-20240203~" in x12
    assert "NM1*82*1*Thistlewood*Quincy****XX*1999999992~" in x12


def test_payer_id_defaults_to_trading_partner() -> None:
    data = claim_json()
    data["payer"] = {"organizationName": "Northwind Health"}
    claim = ClaimSubmission.model_validate(data)
    assert claim.payer.payerId == data["tradingPartnerServiceId"]
    records = claim_records(claim, when=WHEN)
    payer = next(r for r in records if r.key == "party:subscriber:1/payer")
    assert payer.fields["payerId"] == "77001"


def errors_of(model: Any, data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    return str(info.value)


def test_claim_charge_must_equal_the_lines() -> None:
    data = full_claim()
    data["claimInformation"]["claimChargeAmount"] = "310"
    assert "not the sum of the service lines" in errors_of(ClaimSubmission, data)
    assert "310.5" in errors_of(ClaimSubmission, data)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("billing", "npi"), "12345", "should match pattern"),
        (("subscriber", "dateOfBirth"), "1980-02-30", "dateOfBirth"),
        (("subscriber", "gender"), "X", "'M', 'F' or 'U'"),
        (("claimInformation", "placeOfServiceCode"), "1", "placeOfServiceCode"),
        (("claimInformation", "claimFrequencyCode"), "9", "claimFrequencyCode"),
        (("billing", "employerId"), None, "employerId (EIN) or ssn is required"),
        (("submitter", "unknownField"), "x", "Extra inputs are not permitted"),
    ],
)
def test_claim_field_errors(path: tuple[str, str], value: Any, message: str) -> None:
    data = claim_json()
    data[path[0]][path[1]] = value
    assert message in errors_of(ClaimSubmission, data)


def test_claim_diagnosis_rules() -> None:
    data = full_claim()
    data["claimInformation"]["serviceLines"][1]["professionalService"][
        "compositeDiagnosisCodePointers"
    ] = {"diagnosisCodePointers": ["5"]}
    assert "diagnosis pointer 5: only 4" in errors_of(ClaimSubmission, data)
    data = full_claim()
    data["claimInformation"]["healthCareCodeInformation"][0]["diagnosisTypeCode"] = "ABF"
    assert "must be ABK" in errors_of(ClaimSubmission, data)


def test_claim_views_of_the_837p_fixture() -> None:
    data = (FIXTURES / "837P" / "generated-12-claims.837").read_bytes()
    records = read(data, ClaimsPlugin())
    views = claim_views(records)
    assert len(views) == sum(1 for r in records if r.entity == "claim")
    dependents = [v for v in views if v.dependent is not None]
    assert dependents and all(v.dependent.relationshipToSubscriberCode for v in dependents)  # type: ignore[union-attr]
    for view in views:
        assert isinstance(view, ClaimView)
        # every stored claim is a consistent submission, and writes a clean 837P again
        claim = ClaimSubmission.model_validate({**dump(view), "controlNumber": "1234"})
        again = claim_views(read(claim_x12(claim, when=WHEN), ClaimsPlugin()))
        assert [dump(v) for v in again] == [dump(claim)]


# secondary claims, attachments and notes (837P) ------------------------------------------


def other_payer(level: str = "P", **changes: Any) -> dict[str, Any]:
    """The primary payer of a secondary claim: what it paid (AMT*D) and its adjustments (CAS)."""
    out: dict[str, Any] = {
        "paymentResponsibilityLevelCode": level,
        "individualRelationshipCode": "18",
        "insuranceGroupOrPolicyNumber": "ACM-G-100",
        "otherInsuredGroupName": "ACME WIDGETS",
        "insuranceTypeCode": "12",
        "claimFilingIndicatorCode": "CI",
        "claimLevelAdjustments": [
            {
                "adjustmentGroupCode": "CO",
                "adjustmentDetails": [
                    {"adjustmentReasonCode": "45", "adjustmentAmount": "60.50"},
                    {"adjustmentReasonCode": "253", "adjustmentAmount": "2"},
                ],
            },
            {
                "adjustmentGroupCode": "PR",
                "adjustmentDetails": [
                    {
                        "adjustmentReasonCode": "2",
                        "adjustmentAmount": "30",
                        "adjustmentQuantity": "1",
                    }
                ],
            },
        ],
        "payerPaidAmount": "218",
        "remainingPatientLiability": "30",
        "nonCoveredChargeAmount": "10",
        "benefitsAssignmentCertificationIndicator": "Y",
        "patientSignatureGeneratedForPatient": True,
        "releaseOfInformationCode": "Y",
        "otherSubscriberName": {
            "otherInsuredQualifier": "1",
            "otherInsuredLastName": "Doe",
            "otherInsuredFirstName": "Jane",
            "otherInsuredMiddleName": "Q",
            "otherInsuredIdentifierTypeCode": "MI",
            "otherInsuredIdentifier": "ACM99887766",
            "otherInsuredAddress": ADDRESS,
        },
        "otherPayerName": {
            "otherPayerOrganizationName": "Acme Mutual",
            "otherPayerIdentifierTypeCode": "PI",
            "otherPayerIdentifier": "88002",
            "otherPayerAddress": {**ADDRESS, "address1": "PO Box 1"},
            "otherPayerAdjudicationOrPaymentDate": "2024-02-20",
            "otherPayerClaimControlNumber": "ACM-CLM-5521",
            "otherPayerPriorAuthorizationNumber": "ACM-PA-1",
        },
    }
    out.update(changes)
    return out


def secondary_claim() -> dict[str, Any]:
    """full_claim() sent to the secondary payer, with the primary's payment and adjustments,
    a faxed and an already-sent attachment, and a billing note."""
    data = full_claim()
    data["controlNumber"] = "223456789"
    data["subscriber"]["paymentResponsibilityLevelCode"] = "S"
    data["claimInformation"].update(
        claimSupplementalInformation={
            "reportInformations": [
                {
                    "attachmentReportTypeCode": "OZ",
                    "attachmentTransmissionCode": "FX",
                    "attachmentControlNumber": "ATT-0001",
                },
                {"attachmentReportTypeCode": "09", "attachmentTransmissionCode": "AA"},
            ]
        },
        claimNote={"additionalInformation": "PRIMARY EOB ATTACHED"},
        otherSubscriberInformation=[
            other_payer(),
            other_payer(
                "T",
                individualRelationshipCode="01",
                claimLevelAdjustments=[],
                payerPaidAmount="0",
                patientSignatureGeneratedForPatient=False,
                otherSubscriberName={
                    "otherInsuredQualifier": "1",
                    "otherInsuredLastName": "Roe",
                    "otherInsuredIdentifierTypeCode": "MI",
                    "otherInsuredIdentifier": "TRI-1",
                },
                otherPayerName={
                    "otherPayerOrganizationName": "Tertiary Plan",
                    "otherPayerIdentifierTypeCode": "XV",
                    "otherPayerIdentifier": "H1234",
                },
            ),
        ],
    )
    return data


def test_secondary_claim_round_trip() -> None:
    claim = ClaimSubmission.model_validate(secondary_claim())
    x12 = claim_x12(claim, when=WHEN)
    records = read(x12, ClaimsPlugin())
    views = claim_views(records)
    assert len(views) == 1
    assert dump(views[0]) == dump(claim)
    info = dump(views[0])["claimInformation"]
    assert info["otherSubscriberInformation"][0]["payerPaidAmount"] == "218"
    assert info["otherSubscriberInformation"][0]["claimLevelAdjustments"][0]["adjustmentDetails"][
        0
    ] == {"adjustmentReasonCode": "45", "adjustmentAmount": "60.5"}
    assert dump(ClaimSubmission.model_validate(dump(views[0]))) == dump(claim)
    # the records the JSON writes are the records read back
    written = {r.key: r for r in claim_records(claim, when=WHEN)}
    for r in records:
        if r.key in written:
            mine = written[r.key].fields
            assert {k: r.fields.get(k) for k in mine} == mine, r.key
    assert sum(1 for r in records if r.entity == "other_payer") == 2


def test_secondary_claim_segments() -> None:
    text = claim_x12(ClaimSubmission.model_validate(secondary_claim()), when=WHEN).decode()
    for segment in (
        "SBR*S**POL-77******BL~",
        "PWK*OZ*FX***AC*ATT-0001~",
        "PWK*09*AA~",
        "NTE*ADD*PRIMARY EOB ATTACHED~",
        "SBR*P*18*ACM-G-100*ACME WIDGETS*12****CI~",
        "CAS*CO*45*60.5**253*2~",
        "CAS*PR*2*30*1~",
        "AMT*D*218~",
        "AMT*A8*10~",
        "AMT*EAF*30~",
        "OI***Y*P**Y~",
        "NM1*IL*1*Doe*Jane*Q***MI*ACM99887766~",
        "NM1*PR*2*Acme Mutual*****PI*88002~",
        "DTP*573*D8*20240220~",
        "REF*G1*ACM-PA-1~",
        "REF*F8*ACM-CLM-5521~",
        "SBR*T*01*ACM-G-100*ACME WIDGETS*12****CI~",
        "OI***Y***Y~",
        "NM1*PR*2*Tertiary Plan*****XV*H1234~",
    ):
        assert segment in text, segment
    # 2320 loops come after the claim's providers and before the first line
    assert text.index("NM1*82*") < text.index("SBR*P*18") < text.index("LX*1~")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda i: i["otherSubscriberInformation"][0].update(paymentResponsibilityLevelCode="S"),
            "otherSubscriberInformation[0].paymentResponsibilityLevelCode S is already used",
        ),
        (
            lambda i: i["otherSubscriberInformation"][1].update(paymentResponsibilityLevelCode="P"),
            "otherSubscriberInformation[1].paymentResponsibilityLevelCode P is already used",
        ),
        (
            lambda i: i["otherSubscriberInformation"][0].update(payerPaidAmount="12.345"),
            "payerPaidAmount",
        ),
        (
            lambda i: i["otherSubscriberInformation"][0]["claimLevelAdjustments"].append(
                {
                    "adjustmentGroupCode": "CO",
                    "adjustmentDetails": [{"adjustmentReasonCode": "97", "adjustmentAmount": "1"}],
                }
            ),
            "each adjustmentGroupCode is listed once",
        ),
        (
            lambda i: i["otherSubscriberInformation"][0]["claimLevelAdjustments"][0].update(
                adjustmentGroupCode="XX"
            ),
            "adjustmentGroupCode",
        ),
        (
            lambda i: i["otherSubscriberInformation"][0].pop("otherPayerName"),
            "otherPayerName",
        ),
        (
            lambda i: i["otherSubscriberInformation"][0]["otherPayerName"].update(
                otherPayerAdjudicationOrPaymentDate="02/20/2024"
            ),
            "otherPayerAdjudicationOrPaymentDate",
        ),
        (
            lambda i: i["claimSupplementalInformation"]["reportInformations"][0].pop(
                "attachmentControlNumber"
            ),
            "reportInformations[0].attachmentControlNumber is required unless",
        ),
        (
            lambda i: i["claimSupplementalInformation"]["reportInformations"][1].update(
                attachmentTransmissionCode="AD"
            ),
            "reportInformations[1].attachmentTransmissionCode must be one of",
        ),
        (lambda i: i["claimNote"].update(additionalInformation="x" * 81), "additionalInformation"),
        (
            lambda i: i["claimSupplementalInformation"]["reportInformations"][0].update(
                attachmentReportTypeCode="P6"
            ),
            "reportInformations[0].attachmentReportTypeCode is not a report type code",
        ),
        (
            lambda i: i["otherSubscriberInformation"][0].update(insuranceTypeCode="C1"),
            "insuranceTypeCode",
        ),
    ],
)
def test_secondary_claim_errors(change: Any, message: str) -> None:
    data = secondary_claim()
    change(data["claimInformation"])
    assert message in errors_of(ClaimSubmission, data)


def test_attachment_codes_are_the_guides() -> None:
    """The PWK01/PWK02 code lists the submissions check are those of the 837 maps."""
    from parsers.guides import BY_NAME, load_map
    from parsers.maps.spec import LoopSpec, SegmentSpec
    from schemas.claims import REPORT_TYPE_CODES, TRANSMISSION_CODES

    for guide, extra in (("837P", set()), ("837I", set()), ("837D", {"P6"})):
        tmap = load_map(BY_NAME[guide])
        assert tmap is not None
        loop = tmap.root.find_loop("2300")
        assert isinstance(loop, LoopSpec)
        pwk = next(c for c in loop.children if isinstance(c, SegmentSpec) and c.id == "PWK")
        assert pwk.elements[0].codes == REPORT_TYPE_CODES | extra, guide
        assert pwk.elements[1].codes == set(TRANSMISSION_CODES), guide


def test_corpus_cob_claims_show_their_other_payers() -> None:
    """837P coordination-of-benefits files from elsewhere show their other payers, with the
    amount the other payer paid; a 2320 without its required 2330B is left out of the view."""
    folder = CORPUS / "837P"
    if not folder.is_dir():
        pytest.skip("no corpus")
    shown = paid = 0
    for path in sorted(folder.glob("*COB*")) + sorted(folder.glob("lfh__demo.cob*")):
        for ts in parse(path.read_bytes()).transactions:
            records = ClaimsPlugin().read(ts)
            for r in records:  # TR3-example NPIs fail the check digit
                if r.fields.get("npi"):
                    r.fields["npi"] = "1999999984"
            payers = [
                r
                for r in records
                if r.entity == "other_payer" and isinstance(r.fields.get("payer"), dict)
            ]
            for view in claim_views(records):
                others = view.claimInformation.otherSubscriberInformation
                assert len(others) == len(payers), path.name
                for other, record in zip(others, payers, strict=True):
                    assert other.otherPayerName.otherPayerIdentifier == (
                        record.fields["payer"].get("payerId")
                        or record.fields["payer"].get("identifier")
                    )
                    if record.fields.get("payerPaidAmount"):
                        assert other.payerPaidAmount is not None
                        paid += 1
                shown += len(others)
    assert shown >= 5 and paid >= 2


# claim status -----------------------------------------------------------------------------


def status_json(**changes: Any) -> dict[str, Any]:
    data = example(ClaimStatusRequest)
    data.update(changes)
    return data


def full_status() -> dict[str, Any]:
    data = status_json(controlNumber="4455")
    data["providers"][1] = {
        "providerType": "ServiceProvider",
        "lastName": "Thistlewood",
        "firstName": "Quincy",
        "taxId": "123456789",
    }
    data["subscriber"] = {"memberId": "NWH00067890", "lastName": "Doe", "firstName": "Tobias"}
    data["dependent"] = {
        "firstName": "Pip",
        "lastName": "Doe",
        "dateOfBirth": "2015-09-23",
        "gender": "M",
    }
    data["encounter"] = {
        "trackingNumber": "TRK-1",
        "beginningDateOfService": "2024-02-05",
        "patientControlNumber": "PCN0002",
        "payerClaimControlNumber": "2024076000456",
        "submittedAmount": "260.00",
        "billTypeIdentifier": "111",
    }
    data["serviceLines"] = [
        {
            "procedureIdentifier": "HC",
            "procedureCode": "99393",
            "procedureModifiers": ["25"],
            "chargeAmount": "160",
            "unitCount": "1",
            "lineItemControlNumber": "LN0002-1",
            "beginningDateOfService": "2024-02-05",
        },
        {
            "procedureIdentifier": "NU",
            "procedureCode": "0450",
            "chargeAmount": "100",
            "beginningDateOfService": "2024-02-05",
        },
    ]
    return data


@pytest.mark.parametrize("data", [status_json(), full_status()], ids=["example", "full"])
def test_status_request_round_trip(data: dict[str, Any]) -> None:
    req = ClaimStatusRequest.model_validate(data)
    view = request_view(read(request_x12(req, when=WHEN), ClaimStatusPlugin()))
    assert dump(view) == dump(req)


def test_status_request_defaults_and_segments() -> None:
    req = ClaimStatusRequest.model_validate(full_status())
    assert req.provider().providerType == "BillingProvider"  # ServiceProvider is a synonym
    text = request_x12(req, when=WHEN).decode()
    assert "NM1*1P*1*Thistlewood*Quincy****FI*123456789~" in text
    assert "TRN*1*TRK-1~" in text
    assert "DTP*472*D8*20240205~" in text
    assert "AMT*T3*260~" in text
    req = ClaimStatusRequest.model_validate(status_json(tradingPartnerName=None))
    assert req.tradingPartnerName == "77001"
    assert req.encounter.trackingNumber == req.controlNumber
    records = request_records(req, when=WHEN)
    assert [r.entity for r in records][-1] == "claim_status_request"


def test_status_request_errors() -> None:
    data = status_json()
    data["providers"][0].update(providerType="BillingProvider", npi="1999999984")
    assert "exactly one InformationReceiver" in errors_of(ClaimStatusRequest, data)
    data = status_json()
    data["providers"][1].pop("npi")
    assert "needs npi or taxId" in errors_of(ClaimStatusRequest, data)
    data = status_json()
    data["encounter"]["endDateOfService"] = "2024-01-01"
    assert "before beginningDateOfService" in errors_of(ClaimStatusRequest, data)


def test_status_response_from_277() -> None:
    data = (FIXTURES / "277" / "claim-and-line-status.277").read_bytes()
    doc = parse(data, rules=check)
    response = status_response(ClaimStatusPlugin().read(doc.transactions[0]))
    assert isinstance(response, ClaimStatusResponse)
    assert response.tradingPartnerServiceId == "77001"
    first = response.claims[0]
    assert first.patientControlNumber == "PCN0001"
    assert first.payerClaimControlNumber == "2024071000123"
    assert first.providerNpi == "1928374655"
    paid = first.claimStatus[0]
    assert (paid.statusCategoryCode, paid.statusCode) == ("F1", "65")
    assert paid.statusCategoryCodeValue is not None and "paid" in paid.statusCategoryCodeValue
    assert (paid.submittedAmount, paid.amountPaid, paid.checkNumber) == ("310", "185", "00448812")
    assert paid.paidDate == dt.date(2024, 3, 15)
    assert [line.claimStatus[0].statusCategoryCode for line in first.serviceLines] == ["F1", "F2"]
    pending = response.claims[1]
    assert pending.dependent is not None and pending.dependent.firstName == "PIP"
    extra = pending.claimStatus[0].additionalStatuses[0]
    assert (extra.statusCode, extra.entityCode) == ("21", "QC")
    for path in sorted((FIXTURES / "277").iterdir()):
        for ts in parse(path.read_bytes()).transactions:
            for claim in status_response(ClaimStatusPlugin().read(ts)).claims:
                for status in claim.claimStatus:
                    assert status.statusCategoryCodeValue, (path.name, status.statusCategoryCode)


# remittance ----------------------------------------------------------------------------------


def remittance_files() -> list[Path]:
    files = sorted((FIXTURES / "835").iterdir())
    corpus = CORPUS / "835"
    return files + (sorted(corpus.iterdir()) if corpus.is_dir() else [])


@pytest.mark.parametrize("path", remittance_files(), ids=lambda p: p.name)
def test_remittance_json(path: Path) -> None:
    doc = parse(path.read_bytes())
    assert doc.transactions
    for ts in doc.transactions:
        records = RemittancePlugin().read(ts)
        result = remittance(records)
        assert isinstance(result, Remittance)
        assert result.payment.amount is not None and result.payment.traceNumber
        assert len(result.claims) == sum(1 for r in records if r.entity == "claim_payment")
        assert len(result.providerAdjustments) == sum(
            1 for r in records if r.entity == "provider_adjustment"
        )
        for claim in result.claims:
            assert claim.claimStatusDescription
            adjustments = claim.adjustments + [a for s in claim.serviceLines for a in s.adjustments]
            for a in adjustments:
                assert a.groupDescription and a.reasonDescription, (a.groupCode, a.reasonCode)
        for plb in result.providerAdjustments:
            assert all(item.reasonDescription for item in plb.adjustments)
        # JSON-ready
        Remittance.model_validate_json(result.model_dump_json())


def test_remittance_fixture_values() -> None:
    doc = parse((FIXTURES / "835" / "generated-12-claims.835").read_bytes())
    records = RemittancePlugin().read(doc.transactions[0])
    result = remittance(records)
    bpr = next(r.fields for r in records if r.entity == "payment")
    assert result.payment.method == bpr["paymentMethodCode"] == "ACH"
    assert result.payment.amount == bpr["totalActualProviderPaymentAmount"]
    assert result.payment.traceNumber == bpr["checkOrEftTraceNumber"]
    assert result.payment.effectiveDate == dt.date.fromisoformat(
        bpr["checkIssueOrEftEffectiveDate"]
    )
    assert result.payment.payee is not None and result.payment.payee.npi
    assert result.payment.payer is not None and result.payment.payer.payerIdentifier
    clp = next(r for r in records if r.entity == "claim_payment")
    first = result.claims[0]
    assert (first.patientControlNumber, first.chargeAmount, first.paidAmount) == (
        clp.fields["patientControlNumber"],
        clp.fields["totalClaimChargeAmount"],
        clp.fields["claimPaymentAmount"],
    )
    assert first.patientResponsibility == clp.fields.get("patientResponsibilityAmount")
    assert first.claimStatusDescription == "Processed as Primary"
    svc = next(r for r in records if r.entity == "service_payment")
    line = first.serviceLines[0]
    assert (line.procedureCode, line.modifiers, line.chargeAmount, line.paidAmount) == (
        svc.fields["procedureCode"],
        svc.fields.get("procedureModifiers", []),
        svc.fields["lineItemChargeAmount"],
        svc.fields["lineItemProviderPaymentAmount"],
    )
    cas = [r.fields for r in records if r.entity == "claim_adjustment" and r.parent == svc.key]
    assert [(a.groupCode, a.reasonCode, a.amount) for a in line.adjustments] == [
        (c["groupCode"], c["reasonCode"], c["amount"]) for c in cas
    ]
    described = {
        a.reasonCode: a.reasonDescription
        for c in result.claims
        for s in c.serviceLines
        for a in s.adjustments
    }
    assert described.get("45", CARC["45"]) == CARC["45"]
    assert described.get("1", "Deductible Amount") == "Deductible Amount"


def test_remittance_remark_codes_through_x12() -> None:
    """Remark codes (LQ*HE) and MOA codes written into an 835 come back described."""
    doc = parse((FIXTURES / "835" / "generated-12-claims.835").read_bytes())
    records = RemittancePlugin().read(doc.transactions[0])
    service = next(r for r in records if r.entity == "service_payment")
    service.fields["remarkCodes"] = ["N130", "M15", "ZZZ9"]
    claim = next(r for r in records if r.entity == "claim_payment")
    claim.fields["outpatientAdjudication"] = {"claimPaymentRemarkCodes": ["MA01", "N4"]}
    again = read(emit(RemittancePlugin(), records, guide="835"), RemittancePlugin())
    result = remittance(again)
    remarks = result.claims[0].serviceLines[0].remarkCodes
    assert [(r.code, r.description) for r in remarks] == [
        ("N130", RARC["N130"]),
        ("M15", RARC["M15"]),
        ("ZZZ9", None),
    ]
    assert [r.code for r in result.claims[0].remarkCodes] == ["MA01", "N4"]
    assert all(r.description for r in result.claims[0].remarkCodes)


def test_code_tables_cover_the_common_codes() -> None:
    carc = "1 2 3 4 5 16 18 22 23 24 26 27 29 31 45 50 96 97 109 119 197 204 242 253"
    rarc = "M15 M20 M76 N4 N30 N56 N115 N130 N362 MA01 MA04 MA130"
    assert all(CARC.get(c) for c in carc.split(" "))
    assert all(RARC.get(c) for c in rarc.split(" "))
