"""Dental claim (837D, 005010X224A2) API models: the request body and a stored claim's view.

The parties are those of the professional claim (:mod:`schemas.claims`);
``claimInformation`` carries the dental parts: missing teeth (``toothStatus``,
DN2), a predetermination flag (``predeterminationOfBenefitsCode`` "PB",
CLM19), up to four diagnoses, and lines with a CDT procedure
(``serviceLines[].dentalService``, SV3 with the AD qualifier), the oral cavity
areas, prosthesis code and the teeth and surfaces treated
(``serviceLines[].toothInformation``, TOO); for orthodontics the months of
treatment (DN1) and appliance placement dates (DTP*452).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, model_validator

from schemas.claims import (
    Charge,
    ClaimHeader,
    ClaimNote,
    ClaimParties,
    ClaimSupplementalInformation,
    DiagnosisCode,
    DiagnosisPointers,
    Model,
    OtherSubscriberInformation,
    Quantity,
    RenderingProvider,
    check_attachments,
    check_charge_total,
    check_health_care_codes,
    check_other_payers,
    check_pointers,
    check_principal_first,
    claim_example,
    example,
)

__all__ = [
    "DentalClaimInformation",
    "DentalClaimSubmission",
    "DentalClaimView",
    "DentalService",
    "DentalServiceLine",
    "ToothInformation",
    "ToothStatus",
    "tooth_requirement",
]

#: Universal/National tooth numbers: permanent 1-32, primary A-T, supernumerary 51-82 and AS-TS
ToothCode = Annotated[
    str,
    Field(
        pattern=r"^([1-9]|[12]\d|3[0-2]|[A-T]|5[1-9]|[67]\d|8[0-2]|[A-T]S)$",
        description="Universal National Tooth Designation System (JP)",
    ),
]
#: tooth surfaces: buccal, distal, facial, incisal, lingual, mesial, occlusal
Surface = Literal["B", "D", "F", "I", "L", "M", "O"]
#: SV304 oral cavity designation: whole mouth, arches, quadrants, sides
OralCavity = Literal["00", "01", "02", "09", "10", "20", "30", "40", "L", "R"]
Reference = Annotated[str, Field(min_length=1, max_length=50)]


class ToothInformation(Model):
    """TOO: one tooth (JP numbering) and the surfaces treated."""

    toothCode: ToothCode
    toothSurface: Annotated[list[Surface], Field(max_length=5)] = Field(default_factory=list)

    model_config = ConfigDict(
        json_schema_extra={"example": {"toothCode": "3", "toothSurface": ["M", "O"]}}
    )


class ToothStatus(Model):
    """DN2: a tooth missing (M) or to be extracted (E), for prosthesis claims."""

    toothNumber: ToothCode
    toothStatusCode: Literal["E", "M"]

    model_config = ConfigDict(
        json_schema_extra={"example": {"toothNumber": "30", "toothStatusCode": "M"}}
    )


class DentalService(Model):
    """SV3: the CDT procedure, its charge, place of service, oral cavity areas, prosthesis
    code (I initial, R replacement), count and diagnosis pointers."""

    procedureIdentifier: Literal["AD"] = "AD"
    procedureCode: Annotated[str, Field(pattern=r"^D\d{4}$", description="a CDT code")]
    procedureModifiers: Annotated[
        list[Annotated[str, Field(pattern=r"^[A-Z0-9]{2}$")]], Field(max_length=4)
    ] = Field(default_factory=list)
    description: Annotated[str | None, Field(min_length=1, max_length=80)] = None
    lineItemChargeAmount: Charge
    placeOfServiceCode: Annotated[str | None, Field(pattern=r"^\d{2}$")] = None
    oralCavityDesignation: Annotated[list[OralCavity], Field(max_length=5)] = Field(
        default_factory=list
    )
    prosthesisCrownOrInlayCode: Literal["I", "R"] | None = None
    procedureCount: Quantity = "1"
    compositeDiagnosisCodePointers: DiagnosisPointers | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "procedureIdentifier": "AD",
                "procedureCode": "D2392",
                "lineItemChargeAmount": "195",
                "procedureCount": "1",
                "compositeDiagnosisCodePointers": {"diagnosisCodePointers": ["1"]},
            }
        }
    )


class DentalServiceLine(Model):
    """2400: one line (LX, SV3, TOO, DTP*472, REF*6R)."""

    serviceDate: dt.date | None = None
    providerControlNumber: Reference | None = None
    dentalService: DentalService
    toothInformation: Annotated[list[ToothInformation], Field(max_length=32)] = Field(
        default_factory=list
    )

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "serviceDate": "2024-02-01",
                "providerControlNumber": "LN-D-0001",
                "dentalService": example(DentalService),
                "toothInformation": [example(ToothInformation)],
            }
        }
    )


#: CDT ranges and what a line billing them must name: a tooth, a tooth with its surfaces,
#: or an area of the oral cavity (or a tooth); from the ADA's reporting rules
_TOOTH_RULES: tuple[tuple[int, int, Literal["surface", "tooth", "area"]], ...] = (
    (2140, 2394, "surface"),  # amalgam and resin-based composite restorations
    (2410, 2664, "surface"),  # gold foil, inlays, onlays
    (2710, 2799, "tooth"),  # crowns
    (2910, 2980, "tooth"),  # recementation, cores, posts, repairs
    (3110, 3470, "tooth"),  # pulp capping, pulpotomy, root canals, apicoectomy
    (6010, 6199, "tooth"),  # implants and their abutments
    (6205, 6794, "tooth"),  # fixed partial denture pontics and retainers
    (7111, 7251, "tooth"),  # extractions
    (4210, 4286, "area"),  # periodontal surgery by quadrant or sextant
    (4341, 4346, "area"),  # scaling and root planing
    (5211, 5226, "area"),  # partial dentures (an arch)
)


def tooth_requirement(code: str) -> Literal["surface", "tooth", "area"] | None:
    """What a line with this CDT code must report besides the code (None: nothing)."""
    if not (len(code) == 5 and code[0] == "D" and code[1:].isdigit()):
        return None
    number = int(code[1:])
    return next((need for low, high, need in _TOOTH_RULES if low <= number <= high), None)


def _tooth_problem(line: DentalServiceLine) -> str | None:
    need = tooth_requirement(line.dentalService.procedureCode)
    if need == "area" and not (line.dentalService.oralCavityDesignation or line.toothInformation):
        return "dentalService.oralCavityDesignation (or toothInformation) is required"
    if need in ("tooth", "surface") and not line.toothInformation:
        return "toothInformation (toothCode) is required"
    if need == "surface" and not all(t.toothSurface for t in line.toothInformation):
        return "toothInformation[].toothSurface is required"
    return None


class DentalClaimInformation(ClaimHeader):
    """2300: the claim (CLM, DTP, DN2, REF, HI), its rendering provider and its lines.

    ``predeterminationOfBenefitsCode`` "PB" (CLM19) makes the transaction a
    predetermination (a treatment plan for the payer to price): no service dates then.
    """

    predeterminationOfBenefitsCode: Literal["PB"] | None = None
    serviceDate: Annotated[
        dt.date | None, Field(description="DTP*472 when every line has the same date")
    ] = None
    priorAuthorizationNumber: Reference | None = None
    referralNumber: Reference | None = None
    predeterminationIdentification: Annotated[
        str | None,
        Field(min_length=1, max_length=50, description="REF*G3: the payer's predetermination"),
    ] = None
    payerClaimControlNumber: Annotated[
        str | None,
        Field(min_length=1, max_length=50, description="REF*F8: the claim a 7 or 8 replaces"),
    ] = None
    healthCareCodeInformation: Annotated[list[DiagnosisCode], Field(max_length=4)] = Field(
        default_factory=list
    )
    toothStatus: Annotated[list[ToothStatus], Field(max_length=35)] = Field(default_factory=list)
    orthodonticTreatmentMonthsCount: Annotated[
        int | None, Field(ge=0, le=999, description="DN101: total months of orthodontic treatment")
    ] = None
    orthodonticTreatmentMonthsRemainingCount: Annotated[
        int | None, Field(ge=0, le=999, description="DN102: months of treatment remaining")
    ] = None
    orthodonticTreatmentIndicator: Annotated[
        Literal["Y"] | None, Field(description="DN103: the treatment is for orthodontics")
    ] = None
    appliancePlacementDates: Annotated[
        list[dt.date], Field(max_length=5, description="DTP*452: orthodontic appliance placed")
    ] = Field(default_factory=list)
    renderingProvider: RenderingProvider | None = None
    claimSupplementalInformation: ClaimSupplementalInformation | None = None
    claimNote: ClaimNote | None = None
    otherSubscriberInformation: Annotated[
        list[OtherSubscriberInformation], Field(max_length=10)
    ] = Field(default_factory=list)
    serviceLines: Annotated[list[DentalServiceLine], Field(min_length=1, max_length=50)]

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "claimFilingCode": "CI",
                "patientControlNumber": "PCN-D-0001",
                "claimChargeAmount": "195",
                "placeOfServiceCode": "11",
                "claimFrequencyCode": "1",
                "signatureIndicator": "Y",
                "planParticipationCode": "A",
                "benefitsAssignmentCertificationIndicator": "Y",
                "releaseInformationCode": "Y",
                "healthCareCodeInformation": [
                    {"diagnosisTypeCode": "ABK", "diagnosisCode": "K0262"}
                ],
                "serviceLines": [example(DentalServiceLine)],
            }
        }
    )


class _DentalBody(ClaimParties):
    claimInformation: DentalClaimInformation


_EXAMPLE = claim_example(
    "000000003",
    example(DentalClaimInformation),
    organizationName="Maple Street Dental",
    taxonomyCode="1223G0001X",
)


class DentalClaimSubmission(_DentalBody):
    """A dental claim or predetermination (837D, 005010X224A2) to submit.

    Checked beyond the field formats (NPIs with their check digit among them): the claim
    charge equals the sum of the line charges, ICD-10-CM codes have the ICD-10-CM form,
    the first diagnosis is the principal one, diagnosis pointers point at a listed
    diagnosis, lines whose CDT code needs a tooth, surfaces or an area name them, a
    claim dates every line (its own date or the claim's) while a predetermination
    dates none, and a payer ID is given.
    """

    model_config = ConfigDict(json_schema_extra={"example": _EXAMPLE})

    @model_validator(mode="after")
    def _consistent(self) -> DentalClaimSubmission:
        info = self.claimInformation
        check_charge_total(
            info.claimChargeAmount,
            (x.dentalService.lineItemChargeAmount for x in info.serviceLines),
        )
        codes = info.healthCareCodeInformation
        check_principal_first(codes)
        predetermination = info.predeterminationOfBenefitsCode == "PB"
        if predetermination and info.serviceDate is not None:
            raise ValueError("claimInformation.serviceDate is not used on a predetermination")
        for n, line in enumerate(info.serviceLines):
            path = f"claimInformation.serviceLines[{n}]"
            if problem := _tooth_problem(line):
                raise ValueError(f"{path}.{problem} for {line.dentalService.procedureCode}")
            if predetermination and line.serviceDate is not None:
                raise ValueError(f"{path}.serviceDate is not used on a predetermination")
            if not predetermination and line.serviceDate is None and info.serviceDate is None:
                raise ValueError(
                    f"{path}.serviceDate is required (or claimInformation.serviceDate)"
                )
            check_pointers(path, line.dentalService.compositeDiagnosisCodePointers, len(codes))
        check_health_care_codes(codes)
        total = info.orthodonticTreatmentMonthsCount
        left = info.orthodonticTreatmentMonthsRemainingCount
        if total is not None and left is not None and left > total:
            raise ValueError(
                "claimInformation.orthodonticTreatmentMonthsRemainingCount is more than "
                "orthodonticTreatmentMonthsCount"
            )
        check_attachments(info.claimSupplementalInformation, dental=True)
        check_other_payers(
            self.subscriber.paymentResponsibilityLevelCode,
            info.otherSubscriberInformation,
            guide="837D",
        )
        if self.payer.payerId is None:
            self.payer.payerId = self.tradingPartnerServiceId
        return self


class DentalClaimView(_DentalBody):
    """A stored 837D claim as JSON: the shape of :class:`DentalClaimSubmission`, not
    re-validated for consistency; ``controlNumber`` is its BHT03."""

    controlNumber: Annotated[str, Field(description="BHT03 of the stored transaction set")]

    model_config = ConfigDict(json_schema_extra={"example": _EXAMPLE})
