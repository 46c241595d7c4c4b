"""The 835 remittance plugin: corpus and generated round trips, fields users query."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers import parse
from parsers.envelope import TransactionSet
from tests.conftest import CorpusFile, corpus_files, fixture_files
from transactions.emit import emit
from transactions.records import Record, money
from transactions.registry import Registry
from transactions.remittance_plugin import RemittancePlugin
from transactions.rules import check

PLUGIN = RemittancePlugin()
KNOWN_BAD = "LinuxForHealth samples lack PER*BL in 1000A and BPR16 (known errors of the original)"


def only(data: bytes) -> TransactionSet:
    doc = parse(data, rules=check)
    assert len(doc.transactions) == 1
    return doc.transactions[0]


def comparable(records: list[Record]) -> list[Any]:
    return [r.comparable() for r in records]


def rewrite(records: list[Record]) -> tuple[bytes, list[Record], list[str]]:
    """Emit, parse with the rules, read again: (bytes, records, error codes)."""
    data = emit(PLUGIN, records, guide="835")
    doc = parse(data, rules=check)
    assert len(doc.transactions) == 1
    return data, PLUGIN.read(doc.transactions[0]), [f.code for f in doc.errors]


def remits() -> list[CorpusFile]:
    return [f for f in corpus_files() if f.type == "835"]


def remit_params(valid_only: bool) -> list[object]:
    files = [f for f in remits() if not valid_only or f.valid in ("yes", "repairable")]
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason="../shared/x12-corpus is absent"))]
    return [
        pytest.param(
            f,
            id=f.rel,
            marks=[pytest.mark.skip(reason=KNOWN_BAD)]
            if valid_only and f.path.name.startswith("lfh__")
            else [],
        )
        for f in files
    ]


# corpus and fixtures --------------------------------------------------------------------


@pytest.mark.parametrize("item", remit_params(valid_only=True))
def test_corpus_round_trip(item: CorpusFile | None) -> None:
    assert item is not None
    doc = parse(item.path.read_bytes(), rules=check)
    assert doc.errors == []
    for ts in doc.transactions:
        records = PLUGIN.read(ts)
        _, again, errors = rewrite(records)
        assert errors == []
        assert comparable(again) == comparable(records)


@pytest.mark.parametrize("item", remit_params(valid_only=False))
def test_corpus_rewrite_keeps_records_and_adds_no_errors(item: CorpusFile | None) -> None:
    """Every 835 of the corpus, invalid ones too: same records, no error the original lacks."""
    assert item is not None
    doc = parse(item.path.read_bytes(), rules=check)
    before = {f.code for f in doc.errors}
    for ts in doc.transactions:
        records = PLUGIN.read(ts)
        _, again, errors = rewrite(records)
        assert set(errors) <= before
        assert comparable(again) == comparable(records)


def fixture_835s() -> list[object]:
    found = [p for p in fixture_files() if b"ST*835*" in p.read_bytes()[:400]]
    if not found:
        return [pytest.param(None, marks=pytest.mark.skip(reason="no 835 fixtures yet"))]
    return [pytest.param(p, id=p.name) for p in found]


@pytest.mark.parametrize("path", fixture_835s())
def test_fixture_round_trip(path: Any) -> None:
    doc = parse(path.read_bytes(), rules=check)
    assert doc.errors == []
    for ts in doc.transactions:
        records = PLUGIN.read(ts)
        _, again, errors = rewrite(records)
        assert errors == []
        assert comparable(again) == comparable(records)


def corpus_835(name: str) -> TransactionSet:
    for f in remits():
        if f.path.name == name:
            return only(f.path.read_bytes())
    pytest.skip("../shared/x12-corpus is absent")


def test_corpus_fields_medicare_part_a() -> None:
    records = {
        r.key: r for r in PLUGIN.read(corpus_835("stupidedi__dollars-and-data-sent-together.edi"))
    }
    pay = records["payment"]
    assert pay.fields["totalActualProviderPaymentAmount"] == "150000"
    assert pay.fields["checkIssueOrEftEffectiveDate"] == "2002-09-13"
    assert pay.fields["productionDate"] == "2002-09-16"
    assert pay.fields["paymentFormatCode"] == "CTX"
    assert pay.fields["receiverAccountNumber"] == "98765"
    assert pay.index == {
        "trace_number": "12345",
        "amount": "150000",
        "npi": "6543210903",
    }
    header = records["header:1"]
    assert header.fields["providerSummary"]["fiscalPeriodDate"] == "2002-12-31"
    assert header.fields["providerSupplementalSummary"]["totalDrgAmount"] == "2178.45"
    claim = records["claim:1"]
    assert claim.parent == "header:1"
    assert claim.fields["inpatientAdjudication"] == {
        "coveredDaysOrVisitsCount": "0",
        "claimDrgAmount": "138018.4",
    }
    assert claim.fields["supplementalQuantities"] == {"coveredActual": "8"}
    assert claim.index["service_date"] == "2002-08-16"
    assert records["claim:2"].fields["outpatientAdjudication"] == {
        "claimPaymentRemarkCodes": ["MA02"]
    }
    plb = records["provider_adjustment:1"]
    assert plb.fields == {
        "providerIdentifier": "6543210903",
        "fiscalPeriodDate": "2002-12-31",
        "adjustments": [{"reasonCode": "CV", "referenceIdentifier": "CP", "amount": "-1.27"}],
    }


def test_corpus_fields_dental_era() -> None:
    records = PLUGIN.read(corpus_835("stupidedi__era-sample.edi"))
    services = [r for r in records if r.entity == "service_payment"]
    assert [s.index["code"] for s in services] == ["D0120", "D0220", "D0230", "D0274", "D1110"]
    assert services[0].fields["procedureQualifier"] == "AD"
    assert services[0].fields["allowedAmount"] == "25"
    assert services[0].index == {"code": "D0120", "amount": "25", "service_date": "2014-03-24"}
    claim = next(r for r in records if r.entity == "claim_payment")
    assert claim.index["npi"] == "1811901945"
    assert claim.index["member_id"] == "SJD11111"
    assert claim.index["service_date"] == "2014-03-24"  # earliest line date, no DTM*232


# a generated 835 using every modelled segment -----------------------------------------


def rec(entity: str, key: str, parent: str | None, fields: dict[str, Any], **index: Any) -> Record:
    return Record(entity, key, parent, 0, fields, index)


def adjustment(
    parent: str, n: int, group: str, reason: str, amt: str, qty: str | None = None
) -> Record:
    fields = {"groupCode": group, "reasonCode": reason, "amount": amt}
    if qty is not None:
        fields["quantity"] = qty
    return rec(
        "claim_adjustment", f"{parent}/adjustment:{n}", parent, fields, code=reason, amount=amt
    )


def rich_records() -> list[Record]:
    payee_npi, provider_npi = "1234567893", "1811901945"
    return [
        rec(
            "payment",
            "payment",
            None,
            {
                "transactionHandlingCode": "I",
                "totalActualProviderPaymentAmount": "296",
                "creditDebitFlag": "C",
                "paymentMethodCode": "ACH",
                "paymentFormatCode": "CCP",
                "senderDfiIdQualifier": "01",
                "senderDfiIdentifier": "999999992",
                "senderAccountNumberQualifier": "DA",
                "senderAccountNumber": "123456",
                "originatingCompanyIdentifier": "1512345678",
                "originatingCompanySupplementalCode": "000000001",
                "receiverDfiIdQualifier": "01",
                "receiverDfiIdentifier": "999988880",
                "receiverAccountNumberQualifier": "DA",
                "receiverAccountNumber": "98765",
                "checkIssueOrEftEffectiveDate": "2026-03-02",
                "traceType": "1",
                "checkOrEftTraceNumber": "EFT0001",
                "payerIdentifier": "1512345678",
                "traceOriginatingCompanySupplementalCode": "SUPP1",
                "currencyCode": "USD",
                "receiverIdentifier": "RECEIVER1",
                "versionIdentification": "4010",
                "productionDate": "2026-02-27",
            },
            trace_number="EFT0001",
            amount="296",
            npi=payee_npi,
            tin="123456789",
        ),
        rec(
            "party",
            "party:payer:1",
            "payment",
            {
                "role": "payer",
                "entityType": "organization",
                "organizationName": "ACME HEALTH PLAN",
                "idQualifier": "XV",
                "identifier": "PLANID01",
                "address": {
                    "line1": "1 PLAN WAY",
                    "line2": "SUITE 9",
                    "city": "SPRINGFIELD",
                    "state": "IL",
                    "postalCode": "627010001",
                },
                "references": [
                    {"qualifier": "2U", "value": "ACME"},
                    {"qualifier": "NF", "value": "12345"},
                ],
                "contacts": [
                    {
                        "functionCode": "CX",
                        "name": "PROVIDER SERVICES",
                        "communications": [
                            {"qualifier": "TE", "number": "8005550100"},
                            {"qualifier": "EX", "number": "42"},
                        ],
                    },
                    {
                        "functionCode": "BL",
                        "name": "EDI HELP",
                        "communications": [{"qualifier": "EM", "number": "edi@example.com"}],
                    },
                    {
                        "functionCode": "IC",
                        "communications": [{"qualifier": "UR", "number": "www.example.com"}],
                    },
                ],
            },
        ),
        rec(
            "party",
            "party:payee:1",
            "payment",
            {
                "role": "payee",
                "entityType": "organization",
                "organizationName": "GOOD CLINIC",
                "idQualifier": "XX",
                "identifier": payee_npi,
                "npi": payee_npi,
                "tin": "123456789",
                "address": {
                    "line1": "5 MAIN ST",
                    "city": "TORONTO",
                    "postalCode": "M5V2T6",
                    "country": "CA",
                    "countrySubdivision": "ON",
                },
                "references": [
                    {"qualifier": "TJ", "value": "123456789"},
                    {"qualifier": "PQ", "value": "P77"},
                ],
                "remittanceDeliveryMethod": {
                    "code": "EM",
                    "name": "BILLING",
                    "communicationNumber": "billing@example.com",
                },
            },
            npi=payee_npi,
            tin="123456789",
        ),
        rec(
            "header_number",
            "header:1",
            "payment",
            {
                "assignedNumber": "1",
                "providerSummary": {
                    "providerIdentifier": payee_npi,
                    "facilityTypeCode": "11",
                    "fiscalPeriodDate": "2026-12-31",
                    "totalClaimCount": "1",
                    "totalClaimChargeAmount": "500",
                    "totalMspPayerAmount": "1.5",
                    "totalPipClaimCount": "0",
                },
                "providerSupplementalSummary": {
                    "totalDrgAmount": "2178.45",
                    "averageDrgWeight": "1.2345",
                },
            },
        ),
        rec(
            "claim_payment",
            "claim:1",
            "header:1",
            {
                "patientControlNumber": "PCN-1",
                "claimStatusCode": "1",
                "totalClaimChargeAmount": "500",
                "claimPaymentAmount": "300",
                "patientResponsibilityAmount": "90",
                "claimFilingIndicatorCode": "MA",
                "payerClaimControlNumber": "PAYERICN1",
                "facilityCode": "11",
                "frequencyCode": "1",
                "drgCode": "470",
                "drgWeight": "1.8",
                "dischargeFraction": "0.5",
                "patient": {
                    "entityType": "person",
                    "lastName": "DOE",
                    "firstName": "JANE",
                    "middleName": "Q",
                    "suffix": "JR",
                    "idQualifier": "MI",
                    "identifier": "PAT001",
                },
                "insured": {
                    "entityType": "person",
                    "lastName": "DOE",
                    "firstName": "JOHN",
                    "idQualifier": "MI",
                    "identifier": "SUB001",
                },
                "correctedPatient": {
                    "entityType": "person",
                    "lastName": "DOE",
                    "firstName": "JANET",
                    "idQualifier": "C",
                    "identifier": "NEWID9",
                },
                "serviceProvider": {
                    "entityType": "person",
                    "lastName": "WELBY",
                    "firstName": "MARCUS",
                    "idQualifier": "XX",
                    "identifier": provider_npi,
                    "npi": provider_npi,
                },
                "crossoverCarrier": {
                    "entityType": "organization",
                    "organizationName": "MEDIGAP CO",
                    "idQualifier": "PI",
                    "identifier": "MG1",
                },
                "correctedPriorityPayer": {
                    "entityType": "organization",
                    "organizationName": "OTHER PLAN",
                    "idQualifier": "PI",
                    "identifier": "OP1",
                },
                "otherSubscriber": {
                    "entityType": "person",
                    "lastName": "ROE",
                    "firstName": "RICHARD",
                    "idQualifier": "MI",
                    "identifier": "OS1",
                },
                "inpatientAdjudication": {
                    "coveredDaysOrVisitsCount": "3",
                    "claimDrgAmount": "250.75",
                    "claimPaymentRemarkCodes": ["MA01", "N20"],
                    "ppsCapitalExceptionAmount": "4",
                },
                "outpatientAdjudication": {
                    "reimbursementRate": "0.8",
                    "hcpcsPayableAmount": "120",
                    "claimPaymentRemarkCodes": ["MA130"],
                    "esrdPaymentAmount": "10",
                },
                "references": [
                    {"qualifier": "1L", "value": "GRP100"},
                    {"qualifier": "EA", "value": "MRN55"},
                    {"qualifier": "0B", "value": "LIC9"},
                ],
                "statementFromDate": "2026-01-05",
                "statementToDate": "2026-01-07",
                "coverageExpirationDate": "2026-12-31",
                "claimReceivedDate": "2026-01-20",
                "contacts": [
                    {
                        "functionCode": "CX",
                        "name": "CLAIMS",
                        "communications": [{"qualifier": "TE", "number": "8005550199"}],
                    }
                ],
                "supplementalAmounts": {
                    "coverageAmount": "400",
                    "interestAmount": "3.5",
                    "patientAmountPaid": "10",
                },
                "supplementalQuantities": {"coveredActual": "2", "visits": "1"},
                "memberId": "SUB001",
            },
            patient_control_number="PCN-1",
            payer_claim_control_number="PAYERICN1",
            amount="300",
            member_id="SUB001",
            npi=provider_npi,
            service_date="2026-01-05",
        ),
        adjustment("claim:1", 1, "CO", "45", "20"),
        rec(
            "service_payment",
            "claim:1/service:1",
            "claim:1",
            {
                "procedureQualifier": "HC",
                "procedureCode": "99213",
                "procedureModifiers": ["25", "59", "GT", "XS"],
                "lineItemChargeAmount": "300",
                "lineItemProviderPaymentAmount": "200",
                "revenueCode": "0510",
                "unitsOfServicePaid": "1",
                "originalProcedure": {
                    "qualifier": "HC",
                    "code": "99214",
                    "modifiers": ["25"],
                    "description": "OFFICE VISIT",
                },
                "originalUnitsOfService": "2",
                "serviceStartDate": "2026-01-05",
                "serviceEndDate": "2026-01-06",
                "lineItemControlNumber": "LINE-1",
                "references": [
                    {"qualifier": "G1", "value": "PRIOR1"},
                    {"qualifier": "HPI", "value": provider_npi},
                    {"qualifier": "0K", "value": "POLICY7"},
                ],
                "allowedAmount": "240",
                "supplementalAmounts": {
                    "deductionAmount": "5",
                    "federalMandateCategory1Amount": "1",
                },
                "supplementalQuantities": {"federalMandateCategory1Units": "1"},
                "remarkCodes": ["M15", "N381"],
                "ncpdpRejectReasonCodes": ["70"],
            },
            code="99213",
            amount="200",
            service_date="2026-01-05",
        ),
        adjustment("claim:1/service:1", 1, "CO", "45", "60"),
        adjustment("claim:1/service:1", 2, "PR", "1", "40", "1"),
        rec(
            "service_payment",
            "claim:1/service:2",
            "claim:1",
            {
                "procedureQualifier": "HC",
                "procedureCode": "85025",
                "lineItemChargeAmount": "180",
                "lineItemProviderPaymentAmount": "100",
                "unitsOfServicePaid": "1",
                "serviceDate": "2026-01-07",
            },
            code="85025",
            amount="100",
            service_date="2026-01-07",
        ),
        adjustment("claim:1/service:2", 1, "PR", "2", "50"),
        adjustment("claim:1/service:2", 2, "OA", "23", "30"),
        rec("header_number", "header:2", "payment", {"assignedNumber": "2"}),
        rec(
            "claim_payment",
            "claim:2",
            "header:2",
            {
                "patientControlNumber": "PCN-2",
                "claimStatusCode": "4",
                "totalClaimChargeAmount": "700",
                "claimPaymentAmount": "0",
                "claimFilingIndicatorCode": "12",
                "payerClaimControlNumber": "PAYERICN2",
                "patient": {
                    "entityType": "person",
                    "lastName": "POE",
                    "firstName": "ED",
                    "idQualifier": "MI",
                    "identifier": "PAT002",
                },
                "memberId": "PAT002",
            },
            patient_control_number="PCN-2",
            payer_claim_control_number="PAYERICN2",
            amount="0",
            member_id="PAT002",
        ),
        # seven reasons of one group: more than a CAS holds, written as two
        *(
            adjustment("claim:2", i, "CO", r, "100")
            for i, r in enumerate(["4", "16", "18", "29", "96", "97", "B7"], 1)
        ),
        rec(
            "provider_adjustment",
            "provider_adjustment:1",
            "payment",
            {
                "providerIdentifier": payee_npi,
                "fiscalPeriodDate": "2026-12-31",
                "adjustments": [
                    {"reasonCode": "L6", "referenceIdentifier": "PAYERICN1", "amount": "-5.25"},
                    {"reasonCode": "WO", "referenceIdentifier": "OVERPAY1", "amount": "10"},
                    {"reasonCode": "FB", "amount": "-2.5"},
                ],
            },
            amount="2.25",
        ),
        rec(
            "provider_adjustment",
            "provider_adjustment:2",
            "payment",
            {
                "providerIdentifier": payee_npi,
                "fiscalPeriodDate": "2026-12-31",
                "adjustments": [
                    {"reasonCode": "CS", "referenceIdentifier": "ADJ", "amount": "1.75"}
                ],
            },
            amount="1.75",
        ),
    ]


def test_generated_835_round_trips_exactly() -> None:
    records = rich_records()
    data, again, errors = rewrite(records)
    assert errors == []
    assert comparable(again) == comparable(records)
    assert emit(PLUGIN, again, guide="835") == data
    text = data.decode()
    assert "CAS*CO*4*100**16*100**18*100**29*100**96*100**97*100~CAS*CO*B7*100~" in text
    assert "SVC*HC:99213:25:59:GT:XS*300*200*0510*1*HC:99214:25::::OFFICE VISIT*2~" in text
    assert "REF*G1*PRIOR1~REF*6R*LINE-1~REF*HPI*1811901945~" in text
    assert "PLB*1234567893*20261231*L6:PAYERICN1*-5.25*WO:OVERPAY1*10*FB*-2.5~" in text
    assert "MIA*3***250.75*MA01***************N20****4~" in text
    assert (
        "BPR*I*296*C*ACH*CCP*01*999999992*DA*123456*1512345678*000000001*01*999988880*DA*98765*20260302~"
        in text
    )


def test_generated_835_ordinals_point_at_segments() -> None:
    data = emit(PLUGIN, rich_records(), guide="835")
    ts = only(data)
    by_ordinal = {seg.ordinal: seg for seg in ts.flat}
    first = {
        "payment": "BPR",
        "party": "N1",
        "header_number": "LX",
        "claim_payment": "CLP",
        "claim_adjustment": "CAS",
        "service_payment": "SVC",
        "provider_adjustment": "PLB",
    }
    for r in PLUGIN.read(ts):
        assert by_ordinal[r.ordinal].tag == first[r.entity], r.key


def test_registry_accepts_the_plugin() -> None:
    registry = Registry([("remittance", PLUGIN)])
    assert registry.for_guide("835") is PLUGIN


def test_unmodelled_segments_are_carried_raw() -> None:
    records = rich_records()
    claim = next(r for r in records if r.key == "claim:2")
    # a second patient name is not modelled (the TR3 allows one): carried as elements
    claim.fields["extra"] = [["NM1", "QC", "1", "EXTRA", "NAME", "", "", "", "MI", "X1"]]
    _, again, _ = rewrite(records)
    got = next(r for r in again if r.key == "claim:2")
    assert got.fields["extra"] == claim.fields["extra"]
    assert got.fields["patient"]["lastName"] == "POE"


def test_too_many_plb_adjustments_is_refused() -> None:
    records = rich_records()
    plb = records[-1]
    plb.fields["adjustments"] = [{"reasonCode": "CS", "amount": "1"}] * 7
    with pytest.raises(ValueError, match="at most 6"):
        emit(PLUGIN, records, guide="835")


# generated 835s: random balanced claims ------------------------------------------------

CENTS = st.integers(min_value=0, max_value=500_000).map(lambda c: Decimal(c).scaleb(-2))
CODE = st.text(alphabet="ABCDEFGHJKLMNPRSTUVWXYZ0123456789", min_size=3, max_size=12)


@st.composite
def remittance(draw: st.DrawFn) -> list[Record]:
    records = rich_records()[:3]  # payment, payer, payee
    payment = records[0]
    total = Decimal(0)
    claims = draw(st.integers(min_value=1, max_value=3))
    for n in range(1, claims + 1):
        header = f"header:{n}"
        records.append(rec("header_number", header, "payment", {"assignedNumber": str(n)}))
        key = f"claim:{n}"
        pcn = draw(CODE)
        lines = draw(st.lists(st.tuples(CENTS, CENTS, CODE), max_size=3))
        kids: list[Record] = []
        charge = paid = Decimal(0)
        for i, (a, b, code) in enumerate(lines, 1):
            line_charge, line_paid = max(a, b), min(a, b)
            charge, paid = charge + line_charge, paid + line_paid
            skey = f"{key}/service:{i}"
            line = {
                "procedureQualifier": "HC",
                "procedureCode": code,
                "lineItemChargeAmount": money_text(line_charge),
                "lineItemProviderPaymentAmount": money_text(line_paid),
                "serviceDate": "2026-02-01",
            }
            kids.append(
                rec(
                    "service_payment",
                    skey,
                    key,
                    line,
                    code=code,
                    amount=money_text(line_paid),
                    service_date="2026-02-01",
                )
            )
            if line_charge != line_paid:
                kids.append(adjustment(skey, 1, "CO", "45", money_text(line_charge - line_paid)))
        if not lines:
            a, b = draw(CENTS), draw(CENTS)
            charge, paid = max(a, b), min(a, b)
            if charge != paid:
                kids.append(adjustment(key, 1, "PR", "1", money_text(charge - paid)))
        total += paid
        fields: dict[str, Any] = {
            "patientControlNumber": pcn,
            "claimStatusCode": "1",
            "totalClaimChargeAmount": money_text(charge),
            "claimPaymentAmount": money_text(paid),
            "claimFilingIndicatorCode": "12",
            "payerClaimControlNumber": f"ICN{n}",
            "patient": {
                "entityType": "person",
                "lastName": "DOE",
                "idQualifier": "MI",
                "identifier": f"M{n}",
            },
            "memberId": f"M{n}",
        }
        index = {
            "patient_control_number": pcn,
            "payer_claim_control_number": f"ICN{n}",
            "amount": money_text(paid),
            "member_id": f"M{n}",
        }
        if lines:
            index["service_date"] = "2026-02-01"
        records.append(rec("claim_payment", key, header, fields, **index))
        records += kids
    payment.fields["totalActualProviderPaymentAmount"] = money_text(total)
    payment.index["amount"] = money_text(total)
    return records


def money_text(d: Decimal) -> str:
    text = money(d)
    assert text is not None
    return text


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(remittance())
def test_generated_remittances_round_trip(records: list[Record]) -> None:
    _, again, errors = rewrite(records)
    assert errors == []
    assert comparable(again) == comparable(records)
