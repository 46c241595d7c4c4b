"""Small hand-written X12 documents for tests (fictional people only)."""

from __future__ import annotations

ISA = "ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *260101*1200*^*00501*000000101*{ack}*T*:~"


def interchange(body: str, *, control: str = "000000101", groups: int = 1, ack: str = "0") -> str:
    return ISA.format(ack=ack).replace("000000101", control) + body + f"IEA*{groups}*{control}~"


def group(
    sets: list[str], *, fid: str = "HC", control: str = "1", version: str = "005010X222A1"
) -> str:
    return (
        f"GS*{fid}*SUBMITTER*RECEIVER*20260101*1200*{control}*X*{version}~"
        + "".join(sets)
        + f"GE*{len(sets)}*{control}~"
    )


def transaction(
    segments: list[str], st01: str = "837", control: str = "0001", version: str = "005010X222A1"
) -> str:
    body = [f"ST*{st01}*{control}*{version}", *segments]
    body.append(f"SE*{len(body) + 1}*{control}")
    return "".join(s + "~" for s in body)


def claim(pcn: str, lines: list[str], total: str | None = None, dx: str = "ABK:E119") -> list[str]:
    """One 2300 loop with service lines (837P)."""
    charges = [line.split("*")[0] for line in lines]
    total = total if total is not None else str(sum(float(c) for c in charges)).removesuffix(".0")
    out = [f"CLM*{pcn}*{total}***11:B:1*Y*A*Y*Y", f"HI*{dx}"]
    for i, line in enumerate(lines, 1):
        charge, code = line.split("*")
        out += [f"LX*{i}", f"SV1*HC:{code}*{charge}*UN*1***1", "DTP*472*D8*20251015"]
    return out


def professional(claims: list[list[str]]) -> list[str]:
    """An 837P body: submitter, receiver, one billing provider, one subscriber with the claims."""
    out = [
        "BHT*0019*00*BATCH1*20260101*1200*CH",
        "NM1*41*2*SUBMITTER CLINIC*****46*S123",
        "PER*IC*BILLING OFFICE*TE*5555550100",
        "NM1*40*2*ACME HEALTH PLAN*****46*P456",
        "HL*1**20*1",
        "NM1*85*2*NORTH CLINIC*****XX*1234567893",
        "N3*1 MAIN ST",
        "N4*SPRINGFIELD*IL*627010001",
        "REF*EI*123456789",
        "HL*2*1*22*0",
        "SBR*P*18*******CI",
        "NM1*IL*1*DOE*JANE****MI*MEM001",
        "N3*2 ELM ST",
        "N4*SPRINGFIELD*IL*62701",
        "DMG*D8*19800101*F",
        "NM1*PR*2*ACME HEALTH PLAN*****PI*P456",
    ]
    for c in claims:
        out += c
    return out


def file_837(claims: list[list[str]], *, ack: str = "0") -> bytes:
    return interchange(group([transaction(professional(claims))]), ack=ack).encode()
