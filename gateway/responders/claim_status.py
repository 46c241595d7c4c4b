"""The built-in payer responder for 276 claim status inquiries.

For each claim the 276 asks about (a ``claim_status_request`` record), the store
is searched for the claims it names: stored 837 ``claim`` records of the
subscriber's member ID with the patient control number and/or the payer claim
control number (a payer claim control number also finds the claims whose
835 or 277 carried it). Each claim found gets its latest status:

1. the newest stored 835 ``claim_payment`` for it: CLP02 mapped to a finalized
   category (F1 paid, F2 denied, F3 revised, F4 no payment forthcoming) with the
   paid amount, the payment method, the check or EFT number (TRN02) and date;
2. else the newest stored 277 / 277CA ``claim_status`` for it received from a
   payer (the gateway's own earlier answers are skipped);
3. else the 277CA the gateway sent back when the 837 came in (A2:20 accepted
   for processing, or its rejection codes), from the ``acknowledgment`` table;
4. else A1:19 (received).

A claim the store does not know is answered A4:35 (claim not found). The
answer is a list of 277 records (005010X212) for
:class:`~transactions.claim_status.ClaimStatusPlugin`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from gateway.store import models as m
from gateway.store.db import Database
from parsers import parse
from transactions.claim_status import ClaimStatusPlugin
from transactions.records import Record

#: BHT03 prefix of the 277s this responder writes (so it never answers from its own answers)
REFERENCE_PREFIX = "X12GW"
#: at most this many claims answered per inquiry
MAX_CLAIMS = 20

Fields = dict[str, Any]

#: CLP02 (claim status code) -> STC01 category and status code of a finalized claim
_FINALIZED: dict[str, tuple[str, str]] = {
    "1": ("F1", "65"),  # processed as primary
    "2": ("F1", "65"),  # processed as secondary
    "3": ("F1", "65"),  # processed as tertiary
    "4": ("F2", "1"),  # denied: see the remittance advice
    "19": ("F1", "65"),  # processed as primary, forwarded to additional payer(s)
    "20": ("F1", "65"),  # processed as secondary, forwarded
    "21": ("F1", "65"),  # processed as tertiary, forwarded
    "22": ("F3", "1"),  # reversal of previous payment
    "23": ("F2", "1"),  # not our claim, forwarded to additional payer(s)
    "25": ("F4", "1"),  # predetermination pricing only, no payment
}
_PAID = frozenset({"F1"})
#: what a status read from a stored 277/277CA keeps (the rest is 277CA-only or derived)
_STATUS_KEEP = (
    "categoryCode",
    "statusCode",
    "entityIdentifierCode",
    "codeListQualifierCode",
    "statusEffectiveDate",
    "totalClaimChargeAmount",
    "claimPaymentAmount",
    "adjudicationDate",
    "paymentMethodCode",
    "checkIssueDate",
    "checkNumber",
)


@dataclass(slots=True)
class _Claim:
    """What is known of one claim asked about."""

    patient_control_number: str | None
    payer_claim_control_number: str | None = None
    charge: str | None = None
    service_date: dt.date | None = None
    claim_row: m.RecordRow | None = None
    statuses: list[Fields] = field(default_factory=list)


def _copy(r: Record) -> Record:
    return Record(r.entity, r.key, r.parent, r.ordinal, dict(r.fields), dict(r.index))


def _ancestor(by_key: dict[str, Record], record: Record, role: str) -> Record | None:
    node = by_key.get(record.parent or "")
    while node is not None:
        if node.entity == "party" and node.fields.get("role") == role:
            return node
        node = by_key.get(node.parent or "")
    return None


def _member_id(party: Record | None) -> str | None:
    if party is None:
        return None
    value = (
        party.index.get("member_id")
        or party.fields.get("memberId")
        or party.fields.get("identifier")
    )
    return str(value) if value else None


def _money(value: Any) -> str:
    return str(value) if value not in (None, "") else "0"


def _iso(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value) if value else None


# finding the claims -------------------------------------------------------------------


def _stored() -> Any:
    return m.TransactionSet.status == m.Status.STORED


async def _claims(
    s: AsyncSession,
    member: str,
    pcn: str | None,
    pccn: str | None,
    period: tuple[dt.date | None, dt.date | None],
) -> list[_Claim]:
    """The stored 837 claims of ``member`` with the patient or payer claim control number
    (with neither: those with a service date in ``period``)."""
    named = []
    if pcn:
        named.append(m.RecordRow.patient_control_number == pcn)
    if pccn:
        other = aliased(m.RecordRow)
        named.append(m.RecordRow.payer_claim_control_number == pccn)
        named.append(
            exists().where(
                other.entity.in_(("claim_payment", "claim_status")),
                other.payer_claim_control_number == pccn,
                other.patient_control_number == m.RecordRow.patient_control_number,
            )
        )
    if not named and period[0]:  # neither number: the member's claims of the service period
        named.append(m.RecordRow.service_date.between(period[0], period[1] or period[0]))
    if not named:
        return []
    rows = (
        (
            await s.execute(
                select(m.RecordRow)
                .join(m.TransactionSet, m.TransactionSet.id == m.RecordRow.transaction_set_id)
                .where(
                    m.RecordRow.entity == "claim",
                    m.RecordRow.member_id == member,
                    or_(*named),
                    _stored(),
                )
                .order_by(m.RecordRow.id.desc())
                .limit(MAX_CLAIMS * 2)
            )
        )
        .scalars()
        .all()
    )
    out: list[_Claim] = []
    seen: set[tuple[str | None, str | None]] = set()
    for row in rows:  # newest first: a resubmitted claim is answered once
        ident = (row.patient_control_number, row.payer_claim_control_number)
        if ident in seen:
            continue
        seen.add(ident)
        out.append(
            _Claim(
                patient_control_number=row.patient_control_number,
                payer_claim_control_number=row.payer_claim_control_number,
                charge=str(row.fields.get("claimChargeAmount") or row.amount or "") or None,
                service_date=row.service_date,
                claim_row=row,
            )
        )
    return out[:MAX_CLAIMS]


def _same_claim(claim: _Claim, row: type[m.RecordRow] | Any) -> Any:
    """The rows that are about ``claim``: same patient or payer claim control number."""
    tests = []
    if claim.patient_control_number:
        tests.append(row.patient_control_number == claim.patient_control_number)
    if claim.payer_claim_control_number:
        tests.append(row.payer_claim_control_number == claim.payer_claim_control_number)
    return or_(*tests) if tests else None


async def _from_remittance(s: AsyncSession, claim: _Claim, member: str | None) -> bool:
    """The newest stored 835 claim payment for ``claim``: a finalized status."""
    same = _same_claim(claim, m.RecordRow)
    if same is None:
        return False
    query = (
        select(m.RecordRow)
        .join(m.TransactionSet, m.TransactionSet.id == m.RecordRow.transaction_set_id)
        .where(m.RecordRow.entity == "claim_payment", same, _stored())
        .order_by(m.RecordRow.id.desc())
        .limit(1)
    )
    if claim.claim_row is None:  # no 837 to vouch for the member: the 835 must name it
        query = query.where(m.RecordRow.member_id == member)
    row = (await s.execute(query)).scalars().first()
    if row is None:
        return False
    payment = (
        (
            await s.execute(
                select(m.RecordRow).where(
                    m.RecordRow.transaction_set_id == row.transaction_set_id,
                    m.RecordRow.entity == "payment",
                )
            )
        )
        .scalars()
        .first()
    )
    pay: Fields = payment.fields if payment is not None else {}
    f = row.fields
    category, code = _FINALIZED.get(str(f.get("claimStatusCode", "")), ("F0", "1"))
    paid = _money(f.get("claimPaymentAmount"))
    if category in _PAID and paid in ("0", "0.00"):
        category, code = "F4", "1"  # adjudicated, nothing paid (deductible, ...)
    paid_on = pay.get("checkIssueOrEftEffectiveDate") or pay.get("productionDate")
    status: Fields = {
        "categoryCode": category,
        "statusCode": code,
        "statusEffectiveDate": paid_on or dt.date.today().isoformat(),
        "totalClaimChargeAmount": _money(f.get("totalClaimChargeAmount") or claim.charge),
        "claimPaymentAmount": paid,
    }
    adjudicated = pay.get("productionDate") or paid_on
    if adjudicated:
        status["adjudicationDate"] = adjudicated
    if paid not in ("0", "0.00"):
        for name, value in (
            ("paymentMethodCode", pay.get("paymentMethodCode")),
            ("checkIssueDate", paid_on),
            ("checkNumber", pay.get("checkOrEftTraceNumber")),
        ):
            if value:
                status[name] = value
    claim.statuses = [status]
    claim.payer_claim_control_number = (
        claim.payer_claim_control_number or f.get("payerClaimControlNumber") or None
    )
    claim.patient_control_number = claim.patient_control_number or f.get("patientControlNumber")
    claim.charge = claim.charge or f.get("totalClaimChargeAmount")
    claim.service_date = claim.service_date or row.service_date
    return True


def _clean(statuses: list[Fields], claim: _Claim) -> list[Fields]:
    """Statuses of a stored 277/277CA as 277 claim-level STCs (amounts on the first)."""
    out = []
    for n, status in enumerate(statuses):
        kept = {k: status[k] for k in _STATUS_KEEP if status.get(k)}
        if not kept.get("categoryCode"):
            continue
        kept.setdefault("statusEffectiveDate", dt.date.today().isoformat())
        if n == 0:
            kept["totalClaimChargeAmount"] = _money(
                kept.get("totalClaimChargeAmount") or claim.charge
            )
            kept.setdefault("claimPaymentAmount", "0")
        out.append(kept)
    return out


async def _from_status(s: AsyncSession, claim: _Claim, member: str | None) -> bool:
    """The newest stored 277 or 277CA claim status from a payer for ``claim``."""
    same = _same_claim(claim, m.RecordRow)
    if same is None:
        return False
    header = aliased(m.RecordRow)
    ours = exists().where(
        header.transaction_set_id == m.RecordRow.transaction_set_id,
        header.entity == "transaction",
        header.fields["referenceIdentification"].astext.startswith(REFERENCE_PREFIX),
    )
    query = (
        select(m.RecordRow)
        .join(m.TransactionSet, m.TransactionSet.id == m.RecordRow.transaction_set_id)
        .where(
            m.RecordRow.entity == "claim_status",
            m.RecordRow.fields["loop"].astext.in_(("2200D", "2200E")),
            m.TransactionSet.kind.in_(("277", "277CA")),
            same,
            ~ours,
            _stored(),
        )
        .order_by(m.RecordRow.id.desc())
        .limit(1)
    )
    if claim.claim_row is None:  # no 837 to vouch for the member: the 277 must name it
        party, dependent = aliased(m.RecordRow), aliased(m.RecordRow)
        query = query.where(
            or_(
                exists().where(party.id == m.RecordRow.parent_id, party.member_id == member),
                exists().where(
                    dependent.id == m.RecordRow.parent_id,
                    party.id == dependent.parent_id,
                    party.member_id == member,
                ),
            )
        )
    row = (await s.execute(query)).scalars().first()
    if row is None:
        return False
    f = row.fields
    claim.patient_control_number = claim.patient_control_number or f.get("patientControlNumber")
    claim.payer_claim_control_number = claim.payer_claim_control_number or f.get(
        "payerClaimControlNumber"
    )
    claim.service_date = claim.service_date or row.service_date
    statuses = _clean(list(f.get("statuses") or []), claim)
    if not statuses:
        return False
    claim.statuses = statuses
    return True


async def _from_acknowledgment(s: AsyncSession, claim: _Claim) -> bool:
    """The 277CA the gateway sent back for the claim's 837 (its statuses, or A2:20)."""
    row = claim.claim_row
    if row is None:
        return False
    ack = (
        (
            await s.execute(
                select(m.Acknowledgment)
                .where(m.Acknowledgment.interchange_id == row.interchange_id)
                .order_by(m.Acknowledgment.id.desc())
                .limit(1)
            )
        )
        .scalars()
        .first()
    )
    if ack is None or "277CA" not in ack.kinds.split(","):
        return False
    when = _iso(ack.created_at) or dt.date.today().isoformat()
    found: Fields | None = None
    try:
        doc = parse(ack.x12)
        plugin = ClaimStatusPlugin()
        for ts in doc.transactions:
            if ts.guide is None or ts.guide.name != "277CA":
                continue
            for r in plugin.read(ts):
                if (
                    r.entity == "claim_status"
                    and r.fields.get("loop") == "2200D"
                    and r.fields.get("patientControlNumber") == claim.patient_control_number
                ):
                    found = r.fields
    except Exception:  # an unreadable ack falls back to its summary
        found = None
    if found is not None:
        claim.payer_claim_control_number = claim.payer_claim_control_number or found.get(
            "payerClaimControlNumber"
        )
        statuses = _clean(list(found.get("statuses") or []), claim)
        for status in statuses:  # the 277CA's entity (PR) is not one the 277 allows
            status.pop("entityIdentifierCode", None)
            status.pop("codeListQualifierCode", None)
        if statuses:
            claim.statuses = statuses
            return True
    accepted = int((ack.summary.get("claims") or {}).get("accepted", 0))
    category, code = ("A2", "20") if accepted else ("A3", "21")
    claim.statuses = _clean(
        [{"categoryCode": category, "statusCode": code, "statusEffectiveDate": when}], claim
    )
    return True


async def _status_of(s: AsyncSession, claim: _Claim, member: str | None) -> None:
    if await _from_remittance(s, claim, member):
        return
    if await _from_status(s, claim, member):
        return
    if await _from_acknowledgment(s, claim):
        return
    claim.statuses = _clean([{"categoryCode": "A1", "statusCode": "19"}], claim)


async def _unmatched(s: AsyncSession, member: str, pcn: str | None, pccn: str | None) -> _Claim:
    """A claim with no stored 837: known only from an 835 or a payer's 277, or not found."""
    claim = _Claim(patient_control_number=pcn, payer_claim_control_number=pccn)
    if await _from_remittance(s, claim, member) or await _from_status(s, claim, member):
        return claim
    claim.statuses = []
    return claim


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _period(request: Fields) -> tuple[dt.date | None, dt.date | None]:
    start = _date(request.get("serviceDate") or request.get("serviceStartDate"))
    return start, _date(request.get("serviceEndDate"))


# the answer -------------------------------------------------------------------------


def _not_found(request: Fields) -> list[Fields]:
    return [
        {
            "categoryCode": "A4",
            "statusCode": "35",
            "statusEffectiveDate": dt.date.today().isoformat(),
            "totalClaimChargeAmount": _money(request.get("claimChargeAmount")),
            "claimPaymentAmount": "0",
        }
    ]


def _status_fields(request: Fields, claim: _Claim | None) -> Fields:
    """The 2200D/E fields answering ``request`` for one ``claim`` (None: not found)."""
    fields: Fields = {"traceNumber": request.get("traceNumber")}
    if claim is None or not claim.statuses:
        fields["statuses"] = _not_found(request)
        for name in ("payerClaimControlNumber", "patientControlNumber", "billTypeCode"):
            if request.get(name):
                fields[name] = request[name]
    else:
        fields["statuses"] = claim.statuses
        if claim.payer_claim_control_number:
            fields["payerClaimControlNumber"] = claim.payer_claim_control_number
        if claim.patient_control_number:
            fields["patientControlNumber"] = claim.patient_control_number
        if request.get("billTypeCode"):
            fields["billTypeCode"] = request["billTypeCode"]
    if claim is not None and claim.service_date is not None:
        fields["serviceDate"] = claim.service_date.isoformat()
    else:
        for name in ("serviceDate", "serviceStartDate", "serviceEndDate"):
            if request.get(name):
                fields[name] = request[name]
    return {k: v for k, v in fields.items() if v not in (None, "", [])}


async def answer_276(db: Database, inquiry: list[Record]) -> list[Record]:
    """The 277 records answering the 276 ``inquiry`` records."""
    by_key = {r.key: r for r in inquiry}
    answers: list[tuple[Record, list[Fields]]] = []
    async with db.session() as s:
        for request in inquiry:
            if request.entity != "claim_status_request":
                continue
            member = _member_id(_ancestor(by_key, request, "subscriber"))
            f = request.fields
            pcn = f.get("patientControlNumber")
            pccn = f.get("payerClaimControlNumber")
            results: list[Fields] = []
            if member:
                claims = await _claims(s, member, pcn, pccn, _period(f))
                for claim in claims:
                    await _status_of(s, claim, member)
                if not claims:
                    claims = [await _unmatched(s, member, pcn, pccn)]
                results = [_status_fields(f, c) for c in claims]
            if not results:
                results = [_status_fields(f, None)]
            answers.append((request, results))
    now = dt.datetime.now(dt.UTC)
    out: list[Record] = []
    for r in inquiry:
        if r.entity in ("claim_status_request", "service_line_status"):
            continue
        copy = _copy(r)
        if copy.entity == "transaction":
            copy.fields = {
                "hierarchicalStructureCode": "0010",
                "purposeCode": "08",
                "referenceIdentification": REFERENCE_PREFIX + secrets.token_hex(6),
                "creationDate": now.date().isoformat(),
                "creationTime": now.strftime("%H:%M"),
                "transactionTypeCode": "DG",
            }
        elif copy.entity == "party":
            for name in ("birthDate", "gender"):  # no DMG in a 277
                copy.fields.pop(name, None)
        out.append(copy)
    n = 0
    for request, results in answers:
        parent = by_key.get(request.parent or "")
        letter = "E" if parent is not None and parent.fields.get("role") == "dependent" else "D"
        for fields in results:
            n += 1
            out.append(
                Record(
                    "claim_status",
                    f"status:{n}",
                    request.parent,
                    fields={"loop": f"2200{letter}", **fields},
                )
            )
    return out
