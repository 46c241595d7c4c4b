"""Deterministic 005010X222A1 837P and 005010X221A1 835 batches for the benchmark.

The same (n_claims, seed) always gives byte-identical output. Files are written
one transaction set at a time (at most CLAIMS_PER_ST claims each, a few MB), so
a 1 GB file never sits in memory:

    ISA / GS (one each)
      ST ... SE   per CLAIMS_PER_ST claims
    GE / IEA

837P ST: BHT, 1000A/1000B, then 2000A billing providers (NPI, TIN) each with a
block of 2000B subscribers; about one in five claims is for a dependent
(2000C/2010CA). Each 2300 CLM carries HI (ICD-10-CM) and 1-4 2400 lines whose
SV102 add up to CLM02.

835 ST: BPR (BPR02 = sum of CLP04 - sum of PLB amounts), TRN, DTM*405, 1000A
payer with PER*BL, 1000B payee, LX groups (some with TS3), CLP claims whose
CLP03 - CLP04 equals the claim-level plus service-level CAS amounts, SVC lines
with DTM*472 and CAS, and now and then a PLB.

Segments end with "~" and a newline.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from typing import BinaryIO

from bench import _pools as P

DEFAULT_SEED = 5010
CLAIMS_PER_ST = 5000
GENERATOR_VERSION = "1"  # bump when the output for a given seed changes

_BASE_DATE = P.BASE_DATE
_SENDER = "X12GWBENCHSUB"
_RECEIVER = "X12GWBENCHRCV"


def _amt(cents: int) -> str:
    """X12 R-type amount: no trailing zeros after the point, no point for whole dollars."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    if frac == 0:
        return f"{sign}{whole}"
    if frac % 10 == 0:
        return f"{sign}{whole}.{frac // 10}"
    return f"{sign}{whole}.{frac:02d}"


def _d8(d: date) -> str:
    return d.strftime("%Y%m%d")


def _envelope(
    fp: BinaryIO,
    n_claims: int,
    seed: int,
    *,
    functional_id: str,
    version: str,
    transaction: Callable[[random.Random, str, int, int, date], list[str]],
) -> int:
    """Write ISA/GS, one ST per CLAIMS_PER_ST claims, GE/IEA; return bytes written."""
    if n_claims < 1:
        raise ValueError("n_claims must be at least 1")
    rng = random.Random(seed)
    when = _BASE_DATE + timedelta(days=rng.randrange(60))
    hhmm = f"{rng.randrange(6, 20):02d}{rng.randrange(60):02d}"
    isa13 = f"{rng.randrange(1, 1_000_000_000):09d}"
    gs06 = str(rng.randrange(1, 100_000))
    isa = (
        f"ISA*00*{'':10}*00*{'':10}*ZZ*{_SENDER:<15}*ZZ*{_RECEIVER:<15}*"
        f"{when:%y%m%d}*{hhmm}*^*00501*{isa13}*0*T*:~\n"
    )
    gs = f"GS*{functional_id}*{_SENDER}*{_RECEIVER}*{_d8(when)}*{hhmm}*{gs06}*X*{version}~\n"
    written = fp.write((isa + gs).encode("ascii"))
    n_st = 0
    claim_no = 0
    while claim_no < n_claims:
        n_st += 1
        count = min(CLAIMS_PER_ST, n_claims - claim_no)
        st_rng = random.Random(seed * 1_000_003 + n_st)
        control = f"{n_st:04d}"
        segs = transaction(st_rng, control, count, claim_no, when)
        segs.append(f"SE*{len(segs) + 1}*{control}~\n")
        written += fp.write("".join(segs).encode("ascii"))
        claim_no += count
    written += fp.write(f"GE*{n_st}*{gs06}~\nIEA*1*{isa13}~\n".encode("ascii"))
    return written


# --------------------------------------------------------------------------- 837P


def _st_837p(rng: random.Random, control: str, n: int, claim_base: int, when: date) -> list[str]:
    providers = [P.make_provider(rng) for _ in range(max(1, min(8, n // 200)))]
    segs = [
        f"ST*837*{control}*005010X222A1~\n",
        f"BHT*0019*00*B{claim_base // CLAIMS_PER_ST:06d}*{_d8(when)}*1200*CH~\n",
        f"NM1*41*2*LANTERN HILL BILLING SERVICES*****46*{_SENDER}~\n",
        f"PER*IC*{rng.choice(P.FIRST_NAMES)} {rng.choice(P.LAST_NAMES)}*TE*{P.make_phone(rng)}~\n",
        f"NM1*40*2*NORTHWIND CLEARING HOUSE*****46*{_RECEIVER}~\n",
    ]
    add = segs.append
    hl = 0
    done = 0
    while done < n:
        block = min(n - done, rng.randint(200, 2000))
        prov = rng.choice(providers)
        a = prov.address
        hl += 1
        parent = hl
        add(f"HL*{hl}**20*1~\n")
        add(f"PRV*BI*PXC*{prov.taxonomy}~\n")
        add(f"NM1*85*2*{prov.name}*****XX*{prov.npi}~\n")
        add(f"N3*{a.street}~\n")
        add(f"N4*{a.city}*{a.state}*{a.zip5}{a.zip4}~\n")
        add(f"REF*EI*{prov.tin}~\n")
        in_block = 0
        while in_block < block:
            k = 2 if block - in_block >= 2 and rng.random() < 0.1 else 1
            dependent = rng.random() < 0.2
            payer, payer_id, filing, _ = rng.choice(P.PAYERS)
            sub = P.Person(rng, 19, 85)
            sa = P.make_address(rng)
            hl += 1
            add(f"HL*{hl}*{parent}*22*{1 if dependent else 0}~\n")
            add(f"SBR*P*{'' if dependent else '18'}*G{rng.randrange(10**6):06d}******{filing}~\n")
            add(
                f"NM1*IL*1*{sub.last}*{sub.first}*{sub.mi}***MI*"
                f"{payer_id[:2]}{rng.randrange(10**9):09d}~\n"
            )
            street = sa.street
            if rng.random() < 0.25:
                street += f"*APT {rng.randrange(1, 40)}{rng.choice('ABCD')}"
            add(f"N3*{street}~\n")
            add(f"N4*{sa.city}*{sa.state}*{sa.zip5}~\n")
            add(f"DMG*D8*{_d8(sub.dob)}*{sub.sex}~\n")
            add(f"NM1*PR*2*{payer}*****PI*{payer_id}~\n")
            if dependent:
                pat = P.Person(rng, 0, 18)
                hl += 1
                add(f"HL*{hl}*{hl - 1}*23*0~\n")
                add("PAT*19~\n")
                add(f"NM1*QC*1*{sub.last}*{pat.first}~\n")
                add(f"N3*{street}~\n")
                add(f"N4*{sa.city}*{sa.state}*{sa.zip5}~\n")
                add(f"DMG*D8*{_d8(pat.dob)}*{pat.sex}~\n")
            for _ in range(k):
                _claim_837p(rng, segs, claim_base + done + in_block, when)
                in_block += 1
        done += block
    return segs


def _claim_837p(rng: random.Random, segs: list[str], claim_no: int, when: date) -> None:
    add = segs.append
    dx = rng.sample(P.DIAGNOSES, rng.choices((1, 2, 3, 4), weights=(35, 35, 20, 10))[0])
    lines = P.service_lines(rng, len(dx))
    pcn = f"{rng.choice('ABCDEFGHJK')}{claim_no:08d}{rng.randrange(10)}"
    dos = _d8(when - timedelta(days=rng.randrange(1, 90)))
    total = sum(line.charge for line in lines)
    add(f"CLM*{pcn}*{_amt(total)}***{rng.choice(P.PLACES_OF_SERVICE)}:B:1*Y*A*Y*Y~\n")
    if rng.random() < 0.1:
        add(f"DTP*431*D8*{_d8(when - timedelta(days=rng.randrange(90, 400)))}~\n")
    if rng.random() < 0.05:
        add(f"REF*G1*PA{rng.randrange(10**8):08d}~\n")
    if rng.random() < 0.3:
        add(f"REF*D9*{rng.randrange(10**11):011d}~\n")
    add("HI*ABK:" + "*ABF:".join(dx) + "~\n")
    if rng.random() < 0.5:
        add(
            f"NM1*82*1*{rng.choice(P.LAST_NAMES)}*{rng.choice(P.FIRST_NAMES)}****XX*"
            f"{P.make_npi(rng)}~\n"
        )
        add(f"PRV*PE*PXC*{rng.choice(P.TAXONOMIES)}~\n")
    for i, line in enumerate(lines, 1):
        add(f"LX*{i}~\n")
        add(f"SV1*{line.composite()}*{_amt(line.charge)}*UN*{line.units}***{line.ptrs}~\n")
        add(f"DTP*472*D8*{dos}~\n")
        add(f"REF*6R*{pcn}L{i}~\n")


# --------------------------------------------------------------------------- 835


def _st_835(
    rng: random.Random,
    control: str,
    n: int,
    claim_base: int,
    when: date,
    *,
    payer_contact: bool = True,
) -> list[str]:
    payer, payer_id, _, clp06 = rng.choice(P.PAYERS)
    payer_tin = P.make_tin(rng)
    payer_addr = P.make_address(rng)
    prov = P.make_provider(rng)
    body: list[str] = []
    paid_total = 0
    done = 0
    lx = 0
    while done < n:
        group = min(n - done, rng.randint(500, 2500))
        lx += 1
        claims: list[str] = []
        charges = 0
        for i in range(group):
            charge, paid = _claim_835(rng, claims, claim_base + done + i, when, clp06)
            charges += charge
            paid_total += paid
        body.append(f"LX*{lx}~\n")
        if rng.random() < 0.5:
            body.append(f"TS3*{prov.npi}*11*{when.year}1231*{group}*{_amt(charges)}~\n")
        body.extend(claims)
        done += group
    if rng.random() < 0.3:
        reason, sign = rng.choice(P.PLB_REASONS)
        amount = sign * min(rng.randrange(500, 50_000), paid_total // 4)
        if amount:
            ref = f"{reason}:R{rng.randrange(10**9):09d}"
            body.append(f"PLB*{prov.npi}*{when.year}1231*{ref}*{_amt(amount)}~\n")
            paid_total -= amount
    pay_date = _d8(when + timedelta(days=2))
    trace = f"{rng.randrange(10**10):010d}"
    if paid_total > 0 and rng.random() < 0.85:
        bpr = (
            f"BPR*I*{_amt(paid_total)}*C*ACH*CCP*01*{P.aba_routing(rng)}*DA*"
            f"{rng.randrange(10**10):010d}*1{payer_tin}**01*{P.aba_routing(rng)}*DA*"
            f"{rng.randrange(10**10):010d}*{pay_date}~\n"
        )
    elif paid_total > 0:
        bpr = f"BPR*I*{_amt(paid_total)}*C*CHK************{pay_date}~\n"
    else:
        bpr = f"BPR*H*{_amt(paid_total)}*C*NON************{pay_date}~\n"
    pa, ea = payer_addr, prov.address
    phone = P.make_phone(rng)
    head = [
        f"ST*835*{control}~\n",
        bpr,
        f"TRN*1*{trace}*1{payer_tin}~\n",
        f"DTM*405*{_d8(when)}~\n",
        f"N1*PR*{payer}~\n",
        f"N3*{pa.street}~\n",
        f"N4*{pa.city}*{pa.state}*{pa.zip5}~\n",
        f"REF*2U*{payer_id}~\n",
        f"N1*PE*{prov.name}*XX*{prov.npi}~\n",
        f"N3*{ea.street}~\n",
        f"N4*{ea.city}*{ea.state}*{ea.zip5}{ea.zip4}~\n",
        f"REF*TJ*{prov.tin}~\n",
    ]
    if payer_contact:
        head.insert(8, f"PER*BL*PROVIDER SERVICES*TE*{phone}~\n")
    head.extend(body)
    return head


def _claim_835(
    rng: random.Random, segs: list[str], claim_no: int, when: date, clp06: str
) -> tuple[int, int]:
    """Append one 2100 loop; return (CLP03 charge, CLP04 paid) in cents."""
    lines = P.service_lines(rng, 4)
    denied = rng.random() < 0.05
    dos = _d8(when - timedelta(days=rng.randrange(10, 90)))
    svc: list[str] = []
    charge = paid = pr_total = 0
    for i, line in enumerate(lines, 1):
        c = line.charge
        if denied:
            p, cas = 0, [f"CAS*CO*{rng.choice(P.DENIAL)}*{_amt(c)}~\n"]
            allowed = None
        else:
            allowed = c * rng.randint(55, 90) // 100
            r = rng.random()
            if r < 0.45:
                pr_code, pr = "2", allowed // 5
            elif r < 0.65:
                pr_code, pr = "3", min(allowed, rng.choice((1000, 2000, 2500, 4000)))
            elif r < 0.8:
                pr_code, pr = "1", allowed * rng.randint(10, 100) // 100
            else:
                pr_code, pr = "", 0
            p = allowed - pr
            cas = []
            if c - allowed:
                cas.append(f"CAS*CO*45*{_amt(c - allowed)}~\n")
            if pr:
                cas.append(f"CAS*PR*{pr_code}*{_amt(pr)}~\n")
                pr_total += pr
        charge += c
        paid += p
        units = f"**{line.units}" if line.units > 1 else ""
        svc.append(f"SVC*{line.composite()}*{_amt(c)}*{_amt(p)}{units}~\n")
        svc.append(f"DTM*472*{dos}~\n")
        svc.extend(cas)
        svc.append(f"REF*6R*L{claim_no:08d}{i}~\n")
        if allowed is not None:
            svc.append(f"AMT*B6*{_amt(allowed)}~\n")
    claim_cas = ""
    if paid > 0 and rng.random() < 0.15:
        seq = max(1, paid * 2 // 100)
        claim_cas = f"CAS*CO*253*{_amt(seq)}~\n"
        paid -= seq
    add = segs.append
    pcn = f"{rng.choice('ABCDEFGHJK')}{claim_no:08d}{rng.randrange(10)}"
    add(
        f"CLP*{pcn}*{4 if denied else 1}*{_amt(charge)}*{_amt(paid)}*{_amt(pr_total)}*{clp06}*"
        f"{rng.randrange(10**13, 10**14)}*11*1~\n"
    )
    if claim_cas:
        add(claim_cas)
    pat = P.Person(rng, 0, 85)
    member = f"{rng.randrange(10**9):09d}"
    if rng.random() < 0.2:  # dependent: patient has no ID of their own, subscriber named
        add(f"NM1*QC*1*{pat.last}*{pat.first}~\n")
        add(f"NM1*IL*1*{pat.last}*{rng.choice(P.FIRST_NAMES)}****MI*{member}~\n")
    else:
        add(f"NM1*QC*1*{pat.last}*{pat.first}*{pat.mi}***MI*{member}~\n")
    add(f"DTM*050*{_d8(when - timedelta(days=rng.randrange(1, 9)))}~\n")
    segs.extend(svc)
    return charge, paid


# --------------------------------------------------------------------------- public API


def write_837p(fp: BinaryIO, n_claims: int, seed: int = DEFAULT_SEED) -> int:
    """Stream an 837P batch of n_claims to a binary file object; return bytes written."""
    return _envelope(
        fp, n_claims, seed, functional_id="HC", version="005010X222A1", transaction=_st_837p
    )


def write_835(
    fp: BinaryIO, n_claims: int, seed: int = DEFAULT_SEED, *, payer_contact: bool = True
) -> int:
    """Stream an 835 batch of n_claims to a binary file object; return bytes written.

    payer_contact=False leaves out the 1000A PER*BL that the TR3 requires, and
    nothing else: linuxforhealth-x12 0.57.0 rejects an 835 that has it, so the
    benchmark gives that tool this twin of the file.
    """
    st = _st_835 if payer_contact else partial(_st_835, payer_contact=False)
    return _envelope(fp, n_claims, seed, functional_id="HP", version="005010X221A1", transaction=st)


def generate_837p(n_claims: int, seed: int = DEFAULT_SEED) -> bytes:
    buf = io.BytesIO()
    write_837p(buf, n_claims, seed)
    return buf.getvalue()


def generate_835(n_claims: int, seed: int = DEFAULT_SEED, *, payer_contact: bool = True) -> bytes:
    buf = io.BytesIO()
    write_835(buf, n_claims, seed, payer_contact=payer_contact)
    return buf.getvalue()


WRITERS: dict[str, Callable[[BinaryIO, int, int], int]] = {"837p": write_837p, "835": write_835}


def main(argv: list[str] | None = None) -> int:
    """python -m bench.generate {837p,835} N_CLAIMS OUT [--seed S]: stream a batch to OUT."""
    import argparse

    ap = argparse.ArgumentParser(prog="python -m bench.generate", description=main.__doc__)
    ap.add_argument("type", choices=sorted(WRITERS))
    ap.add_argument("claims", type=lambda s: int(s.replace("_", "")))
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = ap.parse_args(argv)
    with open(args.out, "wb") as fp:
        size = WRITERS[args.type](fp, args.claims, args.seed)
    print(f"{args.out}: {args.claims} claims, {size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
