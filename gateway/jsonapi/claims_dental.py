"""Dental claim JSON <-> 837D records: :class:`DentalClaimSubmission` to records and X12, stored
records to :class:`DentalClaimView`.

Pure functions. The parties are written and read by :mod:`gateway.jsonapi.claims`;
this module does the 2300 claim (CLM with CLM19 predetermination, DTP*472,
DN2 tooth status, REF, HI), the rendering provider and the SV3/TOO lines.
"""

from __future__ import annotations

import datetime as dt

from gateway.jsonapi.claims import (
    CLAIM_KEY,
    ClaimParts,
    Fields,
    claim_parts,
    claim_record,
    date_of,
    diagnoses_json,
    diagnosis_records,
    emit_claim,
    header_fields,
    header_json,
    party_records,
    put,
    rendering_json,
    rendering_record,
    value,
)
from gateway.jsonapi.claims_cob import addenda_fields, addenda_json, other_payer_records
from schemas.claims import DiagnosisPointers
from schemas.claims_dental import (
    DentalClaimInformation,
    DentalClaimSubmission,
    DentalClaimView,
    DentalService,
    DentalServiceLine,
    ToothInformation,
    ToothStatus,
)
from transactions.records import Record

__all__ = ["GUIDE", "dental_records", "dental_views", "dental_x12"]

GUIDE = "837D"


def dental_records(
    claim: DentalClaimSubmission, *, sender_id: str = "X12GW", when: dt.datetime | None = None
) -> list[Record]:
    """The claims plugin's 837D records of one submitted dental claim or predetermination."""
    info = claim.claimInformation
    out, parent = party_records(claim, info.claimFilingCode, sender_id=sender_id, when=when)
    fields = header_fields(info)
    put(fields, "predeterminationOfBenefitsCode", info.predeterminationOfBenefitsCode)
    put(fields, "serviceDate", info.serviceDate.isoformat() if info.serviceDate else None)
    put(
        fields,
        "toothStatus",
        [{"toothNumber": t.toothNumber, "statusCode": t.toothStatusCode} for t in info.toothStatus],
    )
    put(fields, "priorAuthorizationNumber", info.priorAuthorizationNumber)
    put(fields, "referralNumber", info.referralNumber)
    put(fields, "predeterminationIdentification", info.predeterminationIdentification)
    put(fields, "payerClaimControlNumber", info.payerClaimControlNumber)
    for name, months in (
        ("orthodonticTreatmentMonthsCount", info.orthodonticTreatmentMonthsCount),
        ("orthodonticTreatmentMonthsRemainingCount", info.orthodonticTreatmentMonthsRemainingCount),
    ):
        put(fields, name, str(months) if months is not None else None)
    put(fields, "orthodonticTreatmentIndicator", info.orthodonticTreatmentIndicator)
    put(fields, "appliancePlacementDates", [d.isoformat() for d in info.appliancePlacementDates])
    addenda_fields(fields, info.claimSupplementalInformation, info.claimNote)
    key = CLAIM_KEY
    out.append(claim_record(fields, parent))
    out.extend(diagnosis_records(info.healthCareCodeInformation, key))
    if info.renderingProvider is not None:
        out.append(rendering_record(info.renderingProvider, key))
    out.extend(other_payer_records(info.otherSubscriberInformation, key))
    out.extend(_line(n, line, key) for n, line in enumerate(info.serviceLines, 1))
    return out


def _line(n: int, line: DentalServiceLine, key: str) -> Record:
    sv = line.dentalService
    fields: Fields = {"lineNumber": n, "procedureQualifier": sv.procedureIdentifier}
    fields["procedureCode"] = sv.procedureCode
    put(fields, "procedureModifiers", list(sv.procedureModifiers))
    put(fields, "description", sv.description)
    fields["chargeAmount"] = sv.lineItemChargeAmount
    put(fields, "placeOfServiceCode", sv.placeOfServiceCode)
    put(fields, "oralCavityDesignationCodes", list(sv.oralCavityDesignation))
    put(fields, "prosthesisCrownOrInlayCode", sv.prosthesisCrownOrInlayCode)
    fields["units"] = sv.procedureCount
    pointers = sv.compositeDiagnosisCodePointers
    if pointers is not None:
        fields["diagnosisPointers"] = [int(p) for p in pointers.diagnosisCodePointers]
    teeth = []
    for tooth in line.toothInformation:
        item: Fields = {"toothNumber": tooth.toothCode}
        put(item, "toothSurfaces", list(tooth.toothSurface))
        teeth.append(item)
    put(fields, "toothInformation", teeth)
    put(fields, "serviceDate", line.serviceDate.isoformat() if line.serviceDate else None)
    put(fields, "lineItemControlNumber", line.providerControlNumber)
    return Record("service_line", f"{key}/line:{n}", key, fields=fields)


def dental_x12(
    claim: DentalClaimSubmission,
    *,
    sender: tuple[str, str] = ("ZZ", "X12GW"),
    receiver: tuple[str, str] | None = None,
    interchange_control: int = 1,
    usage: str = "P",
    when: dt.datetime | None = None,
) -> bytes:
    """The claim as an 837D interchange (ST02 = ``controlNumber``)."""
    return emit_claim(
        claim,
        dental_records(claim, sender_id=sender[1], when=when),
        guide=GUIDE,
        sender=sender,
        receiver=receiver,
        interchange_control=interchange_control,
        usage=usage,
        when=when,
    )


# records -> JSON -------------------------------------------------------------------


def dental_views(records: list[Record]) -> list[DentalClaimView]:
    """Every claim of one 837D transaction set's records, as :class:`DentalClaimView`."""
    return [_view(parts) for parts in claim_parts(records)]


def _view(parts: ClaimParts) -> DentalClaimView:
    c = parts.claim.fields
    return DentalClaimView(
        **parts.parties,
        claimInformation=DentalClaimInformation(
            **header_json(parts),
            predeterminationOfBenefitsCode=c.get("predeterminationOfBenefitsCode"),
            serviceDate=date_of(c.get("serviceDate")),
            priorAuthorizationNumber=c.get("priorAuthorizationNumber"),
            referralNumber=c.get("referralNumber"),
            predeterminationIdentification=c.get("predeterminationIdentification"),
            payerClaimControlNumber=c.get("payerClaimControlNumber"),
            healthCareCodeInformation=diagnoses_json(parts),
            toothStatus=[
                ToothStatus(
                    toothNumber=value(t, "toothNumber"), toothStatusCode=value(t, "statusCode")
                )
                for t in c.get("toothStatus") or []
            ],
            orthodonticTreatmentMonthsCount=c.get("orthodonticTreatmentMonthsCount"),
            orthodonticTreatmentMonthsRemainingCount=c.get(
                "orthodonticTreatmentMonthsRemainingCount"
            ),
            orthodonticTreatmentIndicator=c.get("orthodonticTreatmentIndicator"),
            appliancePlacementDates=c.get("appliancePlacementDates") or [],
            renderingProvider=rendering_json(parts),
            **addenda_json(parts.claim.fields, parts.other_payers),
            serviceLines=[_line_json(r.fields) for r in parts.lines],
        ),
    )


def _line_json(f: Fields) -> DentalServiceLine:
    pointers = f.get("diagnosisPointers")
    return DentalServiceLine(
        serviceDate=date_of(f.get("serviceDate")),
        providerControlNumber=f.get("lineItemControlNumber"),
        dentalService=DentalService(
            procedureIdentifier=f.get("procedureQualifier", "AD"),
            procedureCode=f.get("procedureCode", ""),
            procedureModifiers=f.get("procedureModifiers") or [],
            description=f.get("description"),
            lineItemChargeAmount=f.get("chargeAmount", "0"),
            placeOfServiceCode=f.get("placeOfServiceCode"),
            oralCavityDesignation=f.get("oralCavityDesignationCodes") or [],
            prosthesisCrownOrInlayCode=f.get("prosthesisCrownOrInlayCode"),
            procedureCount=f.get("units", "1"),
            compositeDiagnosisCodePointers=(
                DiagnosisPointers(diagnosisCodePointers=[str(p) for p in pointers])
                if pointers
                else None
            ),
        ),
        toothInformation=[
            ToothInformation(
                toothCode=value(t, "toothNumber"), toothSurface=t.get("toothSurfaces") or []
            )
            for t in f.get("toothInformation") or []
        ],
    )
