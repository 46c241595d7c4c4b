"""The built-in payer responder for 278 prior authorization requests, and its precert rule set.

The rule set is a JSON list of :class:`~schemas.prior_auth.PrecertRule`, read
once from ``$X12GW_PRECERT_RULES`` or ``fixtures/precert-rules.json``;
:func:`load_precert_rules` raises :class:`PrecertRulesError` with the file and
every problem in it, so a bad file stops the gateway at start.

Each requested service is decided by the first rule that covers it:

* no rule, or a rule that needs no precertification: HCR*A1 with MSG
  ``NO PRECERTIFICATION REQUIRED`` (X12 has no such action code);
* ``certified``: HCR*A1 and a certification number, valid ``validDays`` from
  the service (or event) date; more units than ``certifiedUnits``: HCR*A6
  (modified) with HSD*FL giving the units certified;
* ``pended``: HCR*A4, the rule's notes as MSG;
* ``denied``: HCR*A3 with the rule's decision reason code (HCR03).

The patient event gets A1 when every service is certified, A3 or A4 when all
are denied or pended, A2 (partially certified) when some are certified, and A4
otherwise.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import secrets
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from gateway.jsonapi.prior_auth import originator
from schemas.prior_auth import NO_PRECERT_MESSAGE, PrecertRequirement, PrecertRule, PrecertRules
from transactions.records import Record, money

RULES_ENV = "X12GW_PRECERT_RULES"
DEFAULT_RULES = Path(__file__).resolve().parents[2] / "fixtures" / "precert-rules.json"

#: characters that may not appear in an X12 value (the default separators)
_SEPARATORS = str.maketrans({**dict.fromkeys("~*^|>\\", " "), ":": " -"})


class PrecertRulesError(RuntimeError):
    """The precert rule file cannot be read or is not a valid rule set."""


def load_precert_rules(path: Path) -> list[PrecertRule]:
    """The rules of ``path``; every problem is named, with the rule's position, in one error."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PrecertRulesError(f"precert rules {path}: cannot read ({exc.strerror})") from exc
    except ValueError as exc:
        raise PrecertRulesError(f"precert rules {path}: not JSON ({exc})") from exc
    try:
        return PrecertRules.validate_python(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'file'}: {e['msg']}" for e in exc.errors()
        )
        raise PrecertRulesError(
            f"precert rules {path}: {exc.error_count()} problem(s): {problems}"
        ) from exc


def rules_path() -> Path:
    """``$X12GW_PRECERT_RULES``, else ``fixtures/precert-rules.json`` in the working folder
    (an installed gateway, e.g. the Docker image, runs from its app folder), else the
    source tree's."""
    configured = os.environ.get(RULES_ENV)
    if configured:
        return Path(configured)
    here = Path.cwd() / "fixtures" / "precert-rules.json"
    return here if here.is_file() else DEFAULT_RULES


@functools.cache
def precert_rules() -> list[PrecertRule]:
    """The rule set, read once."""
    return load_precert_rules(rules_path())


def find_rule(
    rules: list[PrecertRule],
    procedure_code: str,
    service_type_code: str | None = None,
    place_of_service: str | None = None,
) -> PrecertRule | None:
    return next(
        (r for r in rules if r.covers(procedure_code, service_type_code, place_of_service)), None
    )


def requirement(
    rules: list[PrecertRule],
    procedure_code: str,
    service_type_code: str | None = None,
    place_of_service: str | None = None,
) -> PrecertRequirement:
    rule = find_rule(rules, procedure_code, service_type_code, place_of_service)
    base: dict[str, Any] = {
        "procedureCode": procedure_code,
        "serviceTypeCode": service_type_code,
        "placeOfService": place_of_service,
    }
    if rule is None:
        return PrecertRequirement(
            **base,
            requiresPrecertification=False,
            notes="No rule covers this procedure: no precertification required",
        )
    return PrecertRequirement(
        **base,
        requiresPrecertification=rule.requiresPrecertification,
        decisionWhenRequested=rule.decision if rule.requiresPrecertification else None,
        validDays=rule.validDays,
        rule=rule.procedureCodes,
        notes=rule.notes,
    )


def _text(text: str) -> str:
    return " ".join(text.translate(_SEPARATORS).split())[:264]


def _party(r: Record, keep: tuple[str, ...]) -> Record:
    fields = {k: v for k, v in r.fields.items() if k in keep}
    return Record(r.entity, r.key, r.parent, 0, fields, dict(r.index))


_NAME = (
    "role",
    "entityIdentifierCode",
    "entityType",
    "organizationName",
    "lastName",
    "firstName",
    "middleName",
    "idQualifier",
    "identifier",
)
_PERSON = (*_NAME, "birthDate", "gender", "insuredIndicator", "relationshipCode")
_UM = ("requestCategoryCode", "certificationTypeCode", "serviceTypeCode")


def _echo(fields: dict[str, Any], own: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The request's TRN*1 traces as TRN*2, then the UMO's own trace."""
    out = [
        {**t, "traceTypeCode": "2"}
        for t in fields.get("traceNumbers") or ()
        if t.get("traceTypeCode") == "1"
    ]
    return out + ([own] if own else [])


def _period(fields: dict[str, Any], start: dt.date, end: dt.date) -> None:
    fields["certificationEffectiveDate"] = start.isoformat()
    if end != start:
        fields["certificationEffectiveDateEnd"] = end.isoformat()


def answer_278(
    request: list[Record],
    rules: list[PrecertRule],
    *,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
    number: str | None = None,
) -> list[Record]:
    """The 278 response records answering the 278 ``request`` records by ``rules``."""
    now = now or dt.datetime.now()
    today = today or now.date()
    number = number or f"PA{today:%y%m%d}{secrets.token_hex(4).upper()}"
    answer: list[Record] = []
    header = next((r for r in request if r.entity == "transaction"), None)
    answer.append(
        Record(
            "transaction",
            "transaction",
            fields={
                "hierarchicalStructureCode": "0007",
                "purposeCode": "11",
                "referenceIdentification": (header.fields if header else {}).get(
                    "referenceIdentification"
                )
                or number,
                "creationDate": today.isoformat(),
                "creationTime": now.strftime("%H:%M"),
            },
        )
    )
    umo_id = "X12GW"
    for r in request:
        if r.entity != "party" or r.fields.get("role") not in (
            "umo",
            "requester",
            "subscriber",
            "dependent",
        ):
            continue
        role = r.fields["role"]
        if role == "umo":
            umo_id = str(r.fields.get("identifier") or umo_id)
        answer.append(_party(r, _PERSON if role in ("subscriber", "dependent") else _NAME))

    for review in (r for r in request if r.entity == "review"):
        rv = review.fields
        event = rv.get("eventDate") or rv.get("admissionDate")
        default_start = dt.date.fromisoformat(event) if event else today
        own_trace = {
            "traceTypeCode": "1",
            "referenceIdentification": number,
            "originatingCompanyIdentifier": originator(umo_id),
        }
        out_review: dict[str, Any] = {"traceNumbers": _echo(rv, own_trace)}
        out_review.update({k: rv[k] for k in (*_UM, "facilityTypeCode") if k in rv})
        if "facilityTypeCode" in rv:
            out_review["facilityCodeQualifier"] = rv.get("facilityCodeQualifier") or "B"
        services: list[Record] = []
        actions: list[str] = []
        reasons: list[str] = []
        windows: list[tuple[dt.date, dt.date]] = []
        for svc in (r for r in request if r.entity == "service" and r.parent == review.key):
            f = svc.fields
            code = str(f.get("procedureCode") or "")
            rule = find_rule(
                rules,
                code,
                f.get("serviceTypeCode") or rv.get("serviceTypeCode"),
                rv.get("facilityTypeCode") if rv.get("facilityCodeQualifier") == "B" else None,
            )
            out: dict[str, Any] = {"traceNumbers": _echo(f)}
            out.update({k: f[k] for k in _UM if k in f})
            start = (
                dt.date.fromisoformat(f["serviceDate"]) if f.get("serviceDate") else default_start
            )
            if rule is None or not rule.requiresPrecertification:
                action = "A1"
                out.update(actionCode="A1", certificationNumber=number)
                message = NO_PRECERT_MESSAGE
            else:
                message = _text(rule.notes) if rule.notes else ""
                requested = Decimal(str(f.get("serviceUnitCount") or "1"))
                if rule.decision == "certified":
                    end = start + dt.timedelta(days=rule.validDays - 1)
                    cut = rule.certifiedUnits is not None and requested > rule.certifiedUnits
                    action = "A6" if cut else "A1"
                    out.update(actionCode=action, certificationNumber=number)
                    windows.append((start, end))
                elif rule.decision == "pended":
                    action = "A4"
                    out.update(actionCode="A4", certificationNumber=number)
                else:
                    action = "A3"
                    out.update(
                        actionCode="A3",
                        certificationNumber=number,
                        decisionReasonCode=rule.decisionReasonCode,
                    )
                    reasons.append(str(rule.decisionReasonCode))
            actions.append(action)
            if f.get("serviceDate"):
                out["serviceDate"] = f["serviceDate"]
            if action in ("A1", "A6") and rule is not None and rule.requiresPrecertification:
                _period(out, start, start + dt.timedelta(days=rule.validDays - 1))
            out.update(
                {
                    k: f[k]
                    for k in (
                        "serviceLineType",
                        "productOrServiceIdQualifier",
                        "procedureCode",
                        "procedureModifiers",
                        "chargeAmount",
                        "measurementUnitCode",
                        "serviceUnitCount",
                    )
                    if k in f
                }
            )
            if action == "A6" and rule is not None and rule.certifiedUnits is not None:
                out["serviceDelivery"] = {
                    "quantityQualifier": "FL",
                    "quantity": money(rule.certifiedUnits),
                }
            if message:
                out["message"] = message
            services.append(Record("service", svc.key, review.key, 0, out, dict(svc.index)))

        if actions and all(a == "A1" for a in actions):
            overall = "A1"
        elif actions and all(a == "A3" for a in actions):
            overall = "A3"
        elif any(a in ("A1", "A6") for a in actions):
            overall = "A2"
        else:
            overall = "A4"
        out_review.update(actionCode=overall, certificationNumber=number)
        if overall == "A3" and reasons:
            out_review["decisionReasonCode"] = reasons[0]
        if overall in ("A1", "A2"):
            out_review["certificationIssueDate"] = today.isoformat()
            if windows:
                start = min(w[0] for w in windows)
                end = max(w[1] for w in windows)
                out_review["certificationExpirationDate"] = end.isoformat()
                _period(out_review, start, end)
        if rv.get("diagnoses"):
            out_review["diagnoses"] = rv["diagnoses"]
        index = {k: v for k, v in review.index.items() if k != "service_date"}
        index["code"] = overall
        answer.append(Record("review", review.key, review.parent, 0, out_review, index))
        answer.extend(services)
    return answer
