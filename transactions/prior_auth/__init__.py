"""Prior authorization: the 278 request (guide "278", BHT02 13) and response ("278R", BHT02 11).

005010X217 Health Care Services Review. Records, parents before children::

    transaction                          BHT (+ a response's 2000A AAA)
      party:umo:1                        2000A/2010A
        party:requester:1                2000B/2010B
          party:subscriber:1             2000C/2010C
            party:dependent:1            2000D/2010D (when the patient is a dependent)
              review:1                   2000E patient event (parent: the patient)
                review:1/party:attending:1            2010EA/EB/EC
                review:1/service:1                    2000F service
                  review:1/service:1/party:service_provider:1   2010F/FA/FB

Main fields. ``transaction``: purposeCode (13 request, 11 response),
referenceIdentification, creationDate, creationTime, rejections (2000A AAA).
``party``: role, entityIdentifierCode, entityType, lastName/organizationName,
firstName ..., idQualifier, identifier, npi/memberId/tin (derived), address,
contacts, additionalIdentifiers, providerCode/taxonomy, birthDate, gender, INS
codes, rejections (AAA). ``review`` and ``service``: traceNumbers, UM codes
(requestCategoryCode, certificationTypeCode, serviceTypeCode, facilityTypeCode
...), HCR (actionCode, decision, certificationNumber, decisionReasonCode),
previousReviewAuthorizationNumber, administrativeReferenceNumber, dates (ISO; a
range adds ``<name>End``), serviceDelivery (HSD), attachments (PWK), message.
A review adds diagnoses, certificationConditions (CRC), CL1 codes,
ambulanceTransport, spinalManipulation, homeOxygenTherapy, homeHealthCare; a
service adds serviceLineType (SV1/SV2/SV3), procedureCode, procedureModifiers,
chargeAmount, serviceUnitCount, revenueCode, teeth, informationRequests (HI LOI).
Derived fields (npi, memberId, tin, groupNumber, phone/fax/email, decision) are
read for convenience; writing uses the fields they come from when present.

Everything the guide allows is modelled; segments out of the guide are kept raw
in ``extra`` (``levelExtra`` for an HL level) so nothing read is lost.
"""

from __future__ import annotations

from typing import ClassVar

from parsers.envelope import TransactionSet
from parsers.writer import TransactionBuilder
from transactions.prior_auth.context import ReadContext, WriteContext
from transactions.prior_auth.loop_2000a import read_2000a, write_2000a
from transactions.prior_auth.segments import Fields, iso_date, iso_time, x12_date, x12_time
from transactions.records import Record

HEADER_KEY = "transaction"
#: BHT02 of a response
RESPONSE = "11"


def _header(ts: TransactionSet) -> Record:
    bht = ts.root.first("BHT") if ts.root is not None else None
    fields: Fields = {}
    if bht is not None:
        for pos, name in (
            (1, "hierarchicalStructureCode"),
            (2, "purposeCode"),
            (3, "referenceIdentification"),
            (4, "creationDate"),
            (5, "creationTime"),
            (6, "transactionTypeCode"),
        ):
            text = bht.get(pos)
            if text:
                fields[name] = iso_date(text) if pos == 4 else iso_time(text) if pos == 5 else text
    record = Record("transaction", HEADER_KEY, None, bht.ordinal if bht is not None else 0, fields)
    if fields.get("referenceIdentification"):
        record.index["trace_number"] = fields["referenceIdentification"]
    return record


class PriorAuthPlugin:
    """278 <-> ``transaction``, ``party``, ``review`` and ``service`` records."""

    guides: ClassVar[tuple[str, ...]] = ("278", "278R")

    def read(self, ts: TransactionSet) -> list[Record]:
        header = _header(ts)
        ctx = ReadContext(header, [header])
        if ts.root is not None:
            for umo in ts.root.loops("2000A"):
                read_2000a(umo, ctx)
        return ctx.records

    def write(self, records: list[Record], ts: TransactionBuilder) -> None:
        header = next((r for r in records if r.entity == "transaction"), None)
        fields = header.fields if header is not None else {}
        ctx = WriteContext.of(records, fields.get("purposeCode") == RESPONSE)
        ts.add(
            "BHT",
            fields.get("hierarchicalStructureCode") or "0007",
            fields.get("purposeCode") or "13",
            fields.get("referenceIdentification"),
            x12_date(fields["creationDate"]) if fields.get("creationDate") else None,
            x12_time(fields["creationTime"]) if fields.get("creationTime") else None,
            fields.get("transactionTypeCode"),
        )
        write_2000a(ts, ctx, header.key if header is not None else HEADER_KEY)


__all__ = ["PriorAuthPlugin"]
