"""What a patient would pay, from the benefits of a 271: a pure estimate on ``benefit`` records.

:func:`estimate` takes the records a 271 reads to, a service type code and a
charge, and applies, in order:

1. the remaining deductible (EB*C: time period 29 "remaining"; else the
   calendar/service/contract year amount 23/22/25 minus the year-to-date 24,
   or the whole amount when nothing says what was spent);
2. the copay (EB*B), at most what is left of the charge;
3. the coinsurance (EB*A, EB08 the patient's share: ``0.2`` is 20 %) on what is left;
4. the out-of-pocket maximum remaining (EB*G, the same time periods), a cap on
   the patient's total.

Benefits are chosen for the service type (EB03), falling back to ``30``
(health benefit plan coverage) or an EB without service types; a benefit for
another procedure (EB13) is skipped. In-network benefits (EB12 ``Y``) are
preferred, then ``W`` (network does not matter), then those that do not say;
individual coverage (``IND``, then ``EMP``) is preferred to family. A
dependent without a benefit of its own uses its subscriber's. Inactive or
non-covered service (EB01 6/7/8, I) makes the patient pay all. Every number
used is in ``steps``. All amounts are :class:`~decimal.Decimal`, rounded to cents.

:func:`in_network` says whether a 271's benefits are in network for a provider.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from transactions.records import Record

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

#: EB06 time periods that give a whole-period amount (a maximum, not what is left)
_PERIOD_TOTALS = ("23", "22", "25", "21", "32")
_REMAINING = "29"
_SPENT = "24"
_COVERAGE_ORDER = ("IND", "EMP", None, "ESP", "ECH", "SPC", "SPO", "CHD", "DEP", "FAM")
_INACTIVE = frozenset({"6", "7", "8"})


@dataclass(slots=True)
class Estimate:
    """The patient's and the plan's share of a charge, and how they were reached."""

    serviceTypeCode: str
    charge: Decimal
    patientPays: Decimal
    planPays: Decimal
    deductibleRemaining: Decimal | None = None
    deductibleApplied: Decimal = ZERO
    copay: Decimal = ZERO
    coinsurancePercent: Decimal | None = None
    coinsurance: Decimal = ZERO
    outOfPocketRemaining: Decimal | None = None
    inNetwork: bool = True
    steps: list[str] = field(default_factory=list)


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def _by_key(records: Iterable[Record]) -> dict[str, Record]:
    return {r.key: r for r in records}


def _benefits_of(records: list[Record], person: Record) -> list[Record]:
    return [r for r in records if r.entity == "benefit" and r.parent == person.key]


def _patient(records: list[Record], person: str | None) -> Record:
    people = [
        r
        for r in records
        if r.entity == "party" and r.fields.get("role") in ("subscriber", "dependent")
    ]
    if person is not None:
        for r in people:
            if r.key == person:
                return r
        raise ValueError(f"no subscriber or dependent {person!r} in the records")
    for r in people:
        if r.fields.get("role") == "subscriber":
            return r
    raise ValueError("the records have no subscriber")


class _Chooser:
    """Picks, for one EB01 code, the benefit that fits the service, network and coverage level best."""

    def __init__(
        self,
        benefits: list[Record],
        fallback: list[Record],
        service: str,
        procedure: str | None,
        network: str,
    ) -> None:
        self.benefits = benefits
        self.fallback = fallback
        self.service = service
        self.procedure = procedure
        self.network = network

    def _rank(self, r: Record) -> tuple[int, int, int, int] | None:
        f = r.fields
        services = f.get("serviceTypeCodes") or []
        if self.service in services:
            service_rank = 0
        elif not services or "30" in services:
            service_rank = 1
        else:
            return None
        proc = f.get("procedureCode")
        if proc and proc != self.procedure:
            return None
        proc_rank = 0 if proc else 1
        indicator = f.get("inPlanNetworkIndicator")
        if indicator == self.network:
            network_rank = 0
        elif indicator == "W":
            network_rank = 1
        elif indicator in (None, "U"):
            network_rank = 2
        else:
            return None
        level = f.get("coverageLevelCode")
        level_rank = (
            _COVERAGE_ORDER.index(level) if level in _COVERAGE_ORDER else len(_COVERAGE_ORDER)
        )
        return (service_rank, proc_rank, network_rank, level_rank)

    def pick(self, code: str, time_periods: tuple[str, ...] | None = None) -> list[Record]:
        """The best-ranked benefits with EB01 ``code`` (all that share that rank)."""
        for pool in (self.benefits, self.fallback):
            ranked: list[tuple[tuple[int, int, int, int], Record]] = []
            for r in pool:
                if r.fields.get("eligibilityOrBenefitInformationCode") != code:
                    continue
                if time_periods is not None and r.fields.get("timeQualifierCode") not in (
                    time_periods
                ):
                    continue
                rank = self._rank(r)
                if rank is not None:
                    ranked.append((rank, r))
            if ranked:
                best = min(rank for rank, _ in ranked)
                return [r for rank, r in ranked if rank == best]
        return []

    def amount(
        self, code: str, periods: tuple[str, ...], level: str | None = None
    ) -> Decimal | None:
        for r in self.pick(code, periods):
            if level is not None and r.fields.get("coverageLevelCode") != level:
                continue
            value = _decimal(r.fields.get("benefitAmount"))
            if value is not None:
                return value
        return None

    def remaining(self, code: str, label: str, steps: list[str]) -> Decimal | None:
        """What is left of a deductible (C) or out-of-pocket maximum (G) this period.

        The coverage level is chosen first (individual before family), then the period.
        """
        best = self.pick(code)
        level = best[0].fields.get("coverageLevelCode") if best else None
        if level is not None:
            label = f"{label} ({level})"
        left = self.amount(code, (_REMAINING,), level)
        if left is not None:
            steps.append(f"{label} remaining (EB06 29): {_cents(left)}")
            return left
        for period in _PERIOD_TOTALS:
            total = self.amount(code, (period,), level)
            if total is None:
                continue
            spent = self.amount(code, (_SPENT,), level)
            if spent is None:
                steps.append(
                    f"{label} {_cents(total)} (EB06 {period}), nothing says what was spent:"
                    f" remaining {_cents(total)}"
                )
                return total
            left = max(total - spent, ZERO)
            steps.append(
                f"{label} {_cents(total)} (EB06 {period}) - spent {_cents(spent)} (EB06 24)"
                f" = remaining {_cents(left)}"
            )
            return left
        return None


def estimate(
    records: list[Record],
    service_type: str,
    charge: Decimal | str | int,
    *,
    person: str | None = None,
    procedure_code: str | None = None,
    in_network: bool = True,
) -> Estimate:
    """The patient's cost of ``charge`` for ``service_type`` under the 271's benefits.

    ``person`` is the key of a subscriber or dependent ``party`` record (the
    first subscriber when left out); ``procedure_code`` lets an EB13 procedure
    benefit apply; ``in_network`` chooses EB12 ``Y`` (else ``N``) benefits.
    """
    amount = _cents(Decimal(str(charge)))
    if amount < 0:
        raise ValueError("charge must not be negative")
    patient = _patient(records, person)
    own = _benefits_of(records, patient)
    parent = _by_key(records).get(patient.parent or "")
    inherited = (
        _benefits_of(records, parent)
        if parent is not None and patient.fields.get("role") == "dependent"
        else []
    )
    benefits, fallback = (own, inherited) if own else (inherited, [])
    chooser = _Chooser(benefits, fallback, service_type, procedure_code, "Y" if in_network else "N")
    steps = [f"charge {amount} for service type {service_type}"]
    result = Estimate(service_type, amount, amount, ZERO, inNetwork=in_network, steps=steps)
    steps.append(
        "in-network benefits (EB12 Y)" if in_network else "out-of-network benefits (EB12 N)"
    )

    for code in ("I", *sorted(_INACTIVE)):
        hit = [
            r
            for r in chooser.pick(code)
            if service_type in (r.fields.get("serviceTypeCodes") or []) or code in _INACTIVE
        ]
        if hit:
            steps.append(
                f"EB01 {code} ({'not covered' if code == 'I' else 'inactive'}):"
                f" patient pays {amount}, plan pays 0.00"
            )
            return result

    remaining = chooser.remaining("C", "deductible", steps)
    if remaining is None:
        steps.append("no deductible (EB01 C) applies")
        remaining = ZERO
    result.deductibleRemaining = _cents(remaining)
    deductible = min(amount, _cents(remaining))
    left = amount - deductible
    result.deductibleApplied = deductible
    steps.append(f"deductible applied: min({amount}, {_cents(remaining)}) = {deductible}")
    steps.append(f"after deductible: {amount} - {deductible} = {left}")

    copay_amount = chooser.amount("B", ("27", "7", "13", "36", "26", "23", "22", "25"))
    if copay_amount is None:
        copay_amount = next(
            (
                v
                for r in chooser.pick("B")
                if (v := _decimal(r.fields.get("benefitAmount"))) is not None
            ),
            None,
        )
    copay = ZERO
    if copay_amount is not None:
        copay = min(_cents(copay_amount), left)
        steps.append(
            f"copay (EB01 B) {_cents(copay_amount)}: min({_cents(copay_amount)}, {left}) = {copay}"
        )
        left -= copay
    else:
        steps.append("no copay (EB01 B) applies")
    result.copay = copay

    percent = next(
        (
            v
            for r in chooser.pick("A")
            if (v := _decimal(r.fields.get("benefitPercent"))) is not None
        ),
        None,
    )
    coinsurance = ZERO
    if percent is not None:
        if percent > 1:
            steps.append(f"coinsurance {percent} read as a percent: {percent / 100}")
            percent = percent / 100
        coinsurance = _cents(left * percent)
        result.coinsurancePercent = percent
        steps.append(f"coinsurance (EB01 A): {left} x {percent} = {coinsurance}")
    else:
        steps.append("no coinsurance (EB01 A) applies")
    result.coinsurance = coinsurance

    patient_pays = result.deductibleApplied + copay + coinsurance
    steps.append(
        f"patient share: {result.deductibleApplied} + {copay} + {coinsurance} = {patient_pays}"
    )
    oop = chooser.remaining("G", "out-of-pocket maximum", steps)
    if oop is not None:
        result.outOfPocketRemaining = _cents(oop)
        if patient_pays > _cents(oop):
            steps.append(
                f"capped at the out-of-pocket remaining: min({patient_pays}, {_cents(oop)})"
                f" = {_cents(oop)}"
            )
            patient_pays = _cents(oop)
    else:
        steps.append("no out-of-pocket maximum (EB01 G) applies")
    result.patientPays = patient_pays
    result.planPays = amount - patient_pays
    steps.append(f"plan pays: {amount} - {patient_pays} = {result.planPays}")
    return result


# network -------------------------------------------------------------------------------


class NetworkStatus(NamedTuple):
    """``inNetwork`` True/False, or None when the 271 does not tell; ``reason`` says why."""

    inNetwork: bool | None
    reason: str


#: AAA03 at the provider's level that mean the payer did not answer for this provider
_PROVIDER_REJECTIONS = frozenset({"41", "43", "44", "45", "46", "47", "48", "50", "51", "97"})


def in_network(npi: str, records: list[Record], *, person: str | None = None) -> NetworkStatus:
    """Whether the benefits of a 271 are in network for the provider with ``npi``.

    A 2120 provider entity (1P) with that NPI under a benefit decides by that
    benefit's EB12; otherwise the 271 must answer that provider (2100B NPI) and
    its benefits' EB12 decide: only ``Y`` (or ``W``, network does not matter)
    is in network, only ``N`` out of network; both, or none, cannot tell.
    ``AAA*N**35`` (out of network) means out of network.
    """
    people = {
        r.key: r
        for r in records
        if r.entity == "party" and r.fields.get("role") in ("subscriber", "dependent")
    }
    if person is not None:
        if person not in people:
            raise ValueError(f"no subscriber or dependent {person!r} in the records")
        people = {person: people[person]}
    benefits = {r.key: r for r in records if r.entity == "benefit" and r.parent in people}
    for r in records:
        if (
            r.entity == "party"
            and r.parent in benefits
            and r.fields.get("entityIdentifierCode") == "1P"
            and r.fields.get("npi") == npi
        ):
            value = benefits[r.parent].fields.get("inPlanNetworkIndicator")
            if value in ("Y", "W"):
                return NetworkStatus(True, f"a benefit names provider {npi} with EB12 {value}")
            if value == "N":
                return NetworkStatus(False, f"a benefit names provider {npi} with EB12 N")

    for r in records:
        for a in (*r.fields.get("levelRejections", []), *r.fields.get("rejections", [])):
            if a.get("rejectReasonCode") == "35":
                return NetworkStatus(False, "the payer answered AAA 35 (out of network)")
    receivers = [
        r for r in records if r.entity == "party" and r.fields.get("role") == "information_receiver"
    ]
    for r in receivers:
        for a in (*r.fields.get("levelRejections", []), *r.fields.get("rejections", [])):
            code = a.get("rejectReasonCode")
            if code in _PROVIDER_REJECTIONS:
                return NetworkStatus(None, f"the payer rejected the provider (AAA {code})")
    npis = {r.fields.get("npi") for r in receivers}
    if npi not in npis:
        answered = ", ".join(sorted(n for n in npis if n)) or "no NPI"
        return NetworkStatus(None, f"the 271 answers for {answered}, not for {npi}")
    indicators = [
        b.fields.get("inPlanNetworkIndicator")
        for b in benefits.values()
        if b.fields.get("inPlanNetworkIndicator")
    ]
    yes = sum(1 for i in indicators if i == "Y")
    no = sum(1 for i in indicators if i == "N")
    na = sum(1 for i in indicators if i == "W")
    if yes and no:
        return NetworkStatus(
            None,
            f"the 271 lists in-network ({yes}) and out-of-network ({no}) benefits;"
            " it does not say which apply to this provider",
        )
    if yes:
        return NetworkStatus(True, f"{yes} benefit(s) with EB12 Y, none with N")
    if no:
        return NetworkStatus(False, f"{no} benefit(s) with EB12 N, none with Y")
    if na:
        return NetworkStatus(True, f"{na} benefit(s) with EB12 W: the network does not matter")
    return NetworkStatus(None, "no benefit has an in-plan-network indicator (EB12)")


__all__ = ["Estimate", "NetworkStatus", "estimate", "in_network"]
