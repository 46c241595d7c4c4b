"""Eligibility JSON: request -> 270 -> request, 271 -> response -> 271 -> response, network and cost estimate."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from gateway.jsonapi.eligibility import (
    in_network,
    request_from_records,
    request_to_records,
    response_from_records,
    response_to_records,
    responses_from_records,
)
from parsers import parse
from schemas.eligibility import EligibilityRequest, EligibilityResponse
from tests.conftest import FIXTURES
from transactions.eligibility import EligibilityPlugin
from transactions.eligibility.estimate import estimate
from transactions.emit import emit
from transactions.records import Record
from transactions.rules import check

PLUGIN = EligibilityPlugin()
WHEN = dt.datetime(2025, 1, 15, 8, 15)
HDHP = "271/hdhp-benefits-in-out-network-tpa.271"


def through_x12(records: list[Record], guide: str) -> list[Record]:
    """records -> X12 that parses with no errors -> records."""
    data = emit(PLUGIN, records, guide=guide, when=WHEN)
    doc = parse(data, rules=check)
    assert doc.errors == [], [str(f) for f in doc.errors]
    (ts,) = doc.transactions
    return PLUGIN.read(ts)


def fixture_records(name: str) -> list[Record]:
    (ts,) = parse((FIXTURES / name).read_bytes(), rules=check).transactions
    return PLUGIN.read(ts)


def dump(model: Any) -> Any:
    return model.model_dump(mode="json", exclude_none=True)


# request -------------------------------------------------------------------------------

REQUESTS: list[dict[str, Any]] = [
    {
        "controlNumber": "INQ-0001",
        "tradingPartnerServiceId": "SHP01",
        "tradingPartnerName": "SUMMIT HEALTH PLAN",
        "provider": {"organizationName": "LAKESIDE FAMILY CLINIC", "npi": "1738294614"},
        "subscriber": {
            "memberId": "SHP123456789",
            "firstName": "ADA",
            "lastName": "QUILLFEATHER",
            "middleName": "M",
            "dateOfBirth": "1984-03-12",
            "gender": "F",
            "groupNumber": "GRP-44120",
        },
        "encounter": {
            "serviceTypeCodes": ["30", "98"],
            "dateOfService": "2025-01-15",
            "procedureCode": "99213",
        },
    },
    {
        "controlNumber": "INQ-0002",
        "tradingPartnerServiceId": "SHP01",
        "provider": {"firstName": "TESS", "lastName": "MARLOWE", "npi": "1629518378"},
        "subscriber": {"memberId": "SHP987654321", "lastName": "BRISCOE"},
        "dependents": [
            {"firstName": "LENA", "lastName": "BRISCOE", "dateOfBirth": "2012-04-18"},
            {
                "firstName": "OWEN",
                "lastName": "BRISCOE",
                "dateOfBirth": "2015-07-02",
                "gender": "M",
            },
        ],
        "encounter": {
            "serviceTypeCodes": ["35"],
            "beginningDateOfService": "2025-01-01",
            "endDateOfService": "2025-01-31",
        },
    },
]


@pytest.mark.parametrize("body", REQUESTS, ids=["subscriber", "dependents"])
def test_request_round_trips_through_a_270(body: dict[str, Any]) -> None:
    request = EligibilityRequest.model_validate(body)
    records = request_to_records(request, when=WHEN)
    again = request_from_records(through_x12(records, "270"))
    assert dump(again) == dump(request)


def test_request_270_shape() -> None:
    request = EligibilityRequest.model_validate(REQUESTS[0])
    text = emit(PLUGIN, request_to_records(request, when=WHEN), guide="270").decode()
    assert "BHT*0022*13*INQ-0001*20250115*0815~" in text
    assert "TRN*1*INQ-0001*9173829461~" in text
    assert "NM1*PR*2*SUMMIT HEALTH PLAN*****PI*SHP01~" in text
    assert "DTP*291*D8*20250115~EQ*30^98~EQ**HC:99213~" in text


def test_request_defaults_to_service_type_30() -> None:
    request = EligibilityRequest.model_validate(
        {**REQUESTS[0], "encounter": {"dateOfService": "2025-01-15"}}
    )
    assert request.encounter.serviceTypeCodes == ["30"]
    assert request_from_records(request_to_records(request, when=WHEN)).tradingPartnerName == (
        "SUMMIT HEALTH PLAN"
    )


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"provider": {"organizationName": "X", "npi": "12345"}}, "String should match pattern"),
        ({"provider": {"npi": "1234567893"}}, "organizationName or lastName is required"),
        ({"provider": {"organizationName": "X", "npi": "1234567890"}}, "not an NPI"),
        (
            {"subscriber": {"memberId": "A", "lastName": "B", "dateOfBirth": "2025-02-30"}},
            "date",
        ),
        ({"subscriber": {"memberId": "A", "lastName": "B", "gender": "F"}}, "needs dateOfBirth"),
        (
            {"encounter": {"dateOfService": "2025-01-01", "beginningDateOfService": "2025-01-01"}},
            "give dateOfService or",
        ),
        (
            {
                "encounter": {
                    "beginningDateOfService": "2025-02-01",
                    "endDateOfService": "2025-01-01",
                }
            },
            "before",
        ),
        ({"encounter": {"serviceTypeCodes": ["30x"]}}, "String should match pattern"),
        ({"unknown": 1}, "Extra inputs are not permitted"),
    ],
)
def test_request_validation_is_clear(patch: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as info:
        EligibilityRequest.model_validate({**REQUESTS[0], **patch})
    assert message in str(info.value)


def test_request_from_a_fixture_270() -> None:
    request = request_from_records(fixture_records("270/two-subscribers-with-dependent.270"))
    assert request.controlNumber == "INQ-0001"
    assert request.subscriber.memberId == "SHP123456789"
    assert request.encounter.serviceTypeCodes == ["30", "98", "UC"]
    assert request.encounter.procedureCode == "99213"
    assert request.encounter.dateOfService == dt.date(2025, 1, 15)


# response --------------------------------------------------------------------------


def test_response_from_the_hdhp_271() -> None:
    response = response_from_records(fixture_records(HDHP))
    assert response.controlNumber == "INQ-0001"
    assert response.tradingPartnerServiceId == "SHP01"
    assert response.payer.name == "SUMMIT HEALTH PLAN"
    assert response.subscriber is not None and response.subscriber.memberId == "SHP123456789"
    assert [(s.statusCode, s.status) for s in response.planStatus] == [("1", "Active Coverage")]
    plan = response.planInformation
    assert plan is not None
    assert (plan.groupNumber, plan.groupDescription, plan.planNumber) == (
        "GRP-44120",
        "NORTHWIND TOOLS INC",
        "PLN-HDHP-2025",
    )
    assert (plan.planType, plan.hsa, plan.hra, plan.fsa) == ("HN", True, None, None)
    assert plan.tpa is not None
    assert (plan.tpa.name, plan.tpa.phone) == ("MERIDIAN BENEFIT ADMINISTRATORS", "8005550199")
    assert dump(response.planDateInformation) == {
        "planBegin": "2025-01-01",
        "planEnd": "2025-12-31",
    }
    benefits = response.benefitsInformation
    assert len(benefits) == 16
    remaining = benefits[2]
    assert (remaining.name, remaining.timeQualifier, remaining.benefitAmount) == (
        "Deductible",
        "Remaining",
        Decimal("1125.25"),
    )
    assert dump(remaining)["benefitAmount"] == "1125.25"
    assert benefits[8].serviceTypes == ["Professional (Physician) Visit - Office", "Urgent Care"]
    limit = benefits[13]
    assert limit.benefitsDateInformation is not None
    assert limit.benefitsDateInformation.benefit == "2025-01-01/2025-12-31"
    assert [m.description for m in limit.additionalInformation] == [
        "VISIT LIMIT IS COMBINED WITH OCCUPATIONAL THERAPY"
    ]
    assert benefits[15].benefitsRelatedEntity[0].providerTaxonomy == "207Q00000X"
    (dependent,) = response.dependents
    assert dependent.relationToSubscriberCode == "19"
    assert dependent.benefitsInformation[2].benefitsRelatedEntity[0].entityName == (
        "CASCADE MUTUAL INSURANCE"
    )
    assert response.errors == []


@pytest.mark.parametrize(
    "name",
    [
        HDHP,
        "271/subscriber-not-found-rejections.271",
        "271/information-source-unable-to-respond.271",
    ],
)
def test_response_round_trips_through_a_271(name: str) -> None:
    for response in responses_from_records(fixture_records(name)):
        body = dump(response)
        model = EligibilityResponse.model_validate(body)  # the JSON is valid input
        again = response_from_records(through_x12(response_to_records(model, when=WHEN), "271"))
        assert dump(again) == body


def test_rejections_become_errors() -> None:
    first, second = responses_from_records(
        fixture_records("271/subscriber-not-found-rejections.271")
    )
    assert [dump(e) for e in first.errors] == [
        {
            "field": "subscriber",
            "location": "2100C",
            "code": "75",
            "description": "Subscriber/Insured Not Found",
            "followupAction": "C",
            "followupActionDescription": "Please Correct and Resubmit",
            "validRequest": False,
        }
    ]
    assert [(e.field, e.location, e.code, e.description) for e in second.errors] == [
        ("dependents[0]", "2100D", "67", "Patient Not Found")
    ]
    (unable,) = responses_from_records(
        fixture_records("271/information-source-unable-to-respond.271")
    )
    assert unable.subscriber is None
    assert [(e.field, e.location, e.code, e.followupAction) for e in unable.errors] == [
        ("payer", "2100A", "42", "R")
    ]


def test_response_x12_is_optional() -> None:
    response = response_from_records(fixture_records(HDHP))
    assert response.x12 is None
    with_text = response.model_copy(update={"x12": "ISA*..."})
    assert dump(with_text)["x12"] == "ISA*..."


# hand-built 271 records --------------------------------------------------------------


def built(*benefits: dict[str, Any], receiver_npi: str = "1234567893") -> list[Record]:
    records = [
        Record("transaction", "transaction", fields={"purposeCode": "11"}),
        Record("party", "party:information_source:1", fields={"role": "information_source"}),
        Record(
            "party",
            "party:information_receiver:1",
            "party:information_source:1",
            fields={"role": "information_receiver", "npi": receiver_npi},
        ),
        Record(
            "party",
            "party:subscriber:1",
            "party:information_receiver:1",
            fields={"role": "subscriber", "memberId": "M1"},
        ),
    ]
    for n, fields in enumerate(benefits, start=1):
        records.append(
            Record(
                "benefit", f"party:subscriber:1/benefit:{n}", "party:subscriber:1", fields=fields
            )
        )
    return records


def eb(code: str, **fields: Any) -> dict[str, Any]:
    return {"eligibilityOrBenefitInformationCode": code, **fields}


# network -----------------------------------------------------------------------------


def test_in_network_from_eb12() -> None:
    npi = "1234567893"
    assert in_network(npi, built(eb("1"), eb("A", inPlanNetworkIndicator="Y"))).inNetwork is True
    assert in_network(npi, built(eb("A", inPlanNetworkIndicator="N"))).inNetwork is False
    assert in_network(npi, built(eb("A", inPlanNetworkIndicator="W"))).inNetwork is True
    unknown = in_network(npi, built(eb("1")))
    assert unknown.inNetwork is None and "EB12" in unknown.reason
    other = in_network("1111111111", built(eb("A", inPlanNetworkIndicator="Y")))
    assert other.inNetwork is None and "not for 1111111111" in other.reason


def test_in_network_by_a_named_provider_and_by_aaa() -> None:
    records = built(eb("B", inPlanNetworkIndicator="N"), eb("B", inPlanNetworkIndicator="Y"))
    records.append(
        Record(
            "party",
            "party:subscriber:1/benefit:2/party:related:1",
            "party:subscriber:1/benefit:2",
            fields={"role": "provider", "entityIdentifierCode": "1P", "npi": "1999999992"},
        )
    )
    status = in_network("1999999992", records)
    assert status.inNetwork is True and "names provider" in status.reason
    rejected = built()
    rejected[2].fields["rejections"] = [{"validRequestIndicator": "N", "rejectReasonCode": "35"}]
    assert in_network("1234567893", rejected).inNetwork is False


def test_in_network_on_the_fixture_cannot_tell() -> None:
    status = in_network("1738294614", fixture_records(HDHP))
    assert status.inNetwork is None
    assert "in-network (10) and out-of-network (4)" in status.reason


# estimate ----------------------------------------------------------------------------


def test_estimate_on_the_hdhp_fixture() -> None:
    records = fixture_records(HDHP)
    result = estimate(records, "30", "2000")
    assert (result.patientPays, result.planPays) == (Decimal("1300.20"), Decimal("699.80"))
    assert result.deductibleRemaining == Decimal("1125.25")
    assert result.coinsurancePercent == Decimal("0.2")
    assert "coinsurance (EB01 A): 874.75 x 0.2 = 174.95" in result.steps
    office = estimate(records, "98", "2000")
    assert office.copay == Decimal("35.00")
    assert office.patientPays == Decimal("1328.20")
    out = estimate(records, "30", "5000", in_network=False)
    assert out.deductibleRemaining == Decimal("3300.00")
    assert out.patientPays == Decimal("3300.00") + Decimal("0.4") * Decimal("1700.00")
    # the procedure-specific out-of-network copay only applies to its procedure
    assert estimate(records, "98", "5000", in_network=False).copay == Decimal("0.00")
    assert estimate(
        records, "98", "5000", in_network=False, procedure_code="99213"
    ).copay == Decimal("70.00")
    # a dependent uses its subscriber's deductible when it has none of its own
    child = estimate(records, "BZ", "100", person="party:dependent:1")
    assert child.deductibleRemaining == Decimal("1125.25")


def test_estimate_deductible_spent_and_out_of_pocket_cap() -> None:
    records = built(
        eb(
            "C",
            coverageLevelCode="IND",
            timeQualifierCode="23",
            benefitAmount="1000",
            inPlanNetworkIndicator="Y",
        ),
        eb(
            "C",
            coverageLevelCode="IND",
            timeQualifierCode="24",
            benefitAmount="400",
            inPlanNetworkIndicator="Y",
        ),
        eb(
            "C",
            coverageLevelCode="FAM",
            timeQualifierCode="29",
            benefitAmount="50",
            inPlanNetworkIndicator="Y",
        ),
        eb("B", serviceTypeCodes=["98"], benefitAmount="25", inPlanNetworkIndicator="Y"),
        eb("A", benefitPercent="0.3", inPlanNetworkIndicator="Y"),
        eb(
            "G",
            coverageLevelCode="IND",
            timeQualifierCode="29",
            benefitAmount="700",
            inPlanNetworkIndicator="Y",
        ),
    )
    result = estimate(records, "98", "1000")
    # the individual deductible (1000 - 400 spent) wins over the family's remaining 50
    assert result.deductibleRemaining == Decimal("600.00")
    assert (
        "deductible (IND) 1000.00 (EB06 23) - spent 400.00 (EB06 24) = remaining 600.00"
        in result.steps
    )
    # 600 + 25 + 0.3 x 375 = 737.50, capped at 700
    assert result.coinsurance == Decimal("112.50")
    assert result.patientPays == Decimal("700.00")
    assert result.planPays == Decimal("300.00")
    assert any("capped" in s for s in result.steps)


def test_estimate_non_covered_and_no_benefits() -> None:
    records = built(eb("I", serviceTypeCodes=["AL"]), eb("A", benefitPercent="20"))
    vision = estimate(records, "AL", "150")
    assert (vision.patientPays, vision.planPays) == (Decimal("150.00"), Decimal("0.00"))
    other = estimate(records, "30", "100")
    assert other.coinsurancePercent == Decimal("0.2")  # 20 read as a percent
    assert other.patientPays == Decimal("20.00")
    assert any("no deductible" in s for s in other.steps)
    with pytest.raises(ValueError, match="no subscriber"):
        estimate(built()[:3], "30", "1")
