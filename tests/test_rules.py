"""Business rules: 837 balancing and SNIP 5 starters, 835 balancing."""

from __future__ import annotations

from parsers import parse
from parsers.findings import Scope, Severity
from tests.conftest import TODAY
from tests.x12 import claim, file_837, group, interchange, transaction
from transactions.rules import checker
from transactions.rules.common import icd10cm_form, npi_valid


def findings(data: bytes, level: int = 3) -> dict[str, object]:
    doc = parse(data, rules=checker(level, TODAY))
    return {f.code: f for f in doc.all_findings()}


def test_npi_check_digit() -> None:
    assert npi_valid("1234567893")
    assert not npi_valid("1234567890")
    assert not npi_valid("123456789")
    assert not npi_valid("12345678AB")


def test_icd10cm_form() -> None:
    assert icd10cm_form("E119") and icd10cm_form("S72001A") and icd10cm_form("Z0000")
    assert not icd10cm_form("E11.9") and not icd10cm_form("250") and not icd10cm_form("U07")


def test_claim_charge_must_equal_its_lines() -> None:
    data = file_837(
        [claim("OK", ["100*99213"]), claim("BAD", ["100*99213", "20*85025"], total="100")]
    )
    f = findings(data)["claim.unbalanced"]
    assert f.scope is Scope.CLAIM and f.snip == 3 and f.stc == "A7:400"  # type: ignore[attr-defined]
    assert f.severity is Severity.ERROR  # type: ignore[attr-defined]


def test_snip5_is_a_warning_by_default_and_an_error_at_level_5() -> None:
    data = file_837([claim("A1", ["100*99213"], dx="ABK:E11.9")]).replace(
        b"XX*1234567893", b"XX*1234567890"
    )
    low = findings(data)
    assert low["claim.icd10_form"].severity is Severity.WARNING  # type: ignore[attr-defined]
    assert low["provider.npi"].severity is Severity.WARNING  # type: ignore[attr-defined]
    high = findings(data, level=5)
    assert high["claim.icd10_form"].severity is Severity.ERROR  # type: ignore[attr-defined]
    assert high["provider.npi"].severity is Severity.ERROR  # type: ignore[attr-defined]


def test_dates_that_make_no_sense() -> None:
    future = file_837([claim("A1", ["100*99213"])]).replace(
        b"DTP*472*D8*20251015", b"DTP*472*D8*20301015"
    )
    assert "claim.future_service" in findings(future)
    backwards = file_837([claim("A1", ["100*99213"])]).replace(
        b"DTP*472*D8*20251015", b"DTP*472*RD8*20251015-20251001"
    )
    assert "claim.date_range" in findings(backwards)
    before_birth = file_837([claim("A1", ["100*99213"])]).replace(
        b"DMG*D8*19800101", b"DMG*D8*20251101"
    )
    assert "claim.before_birth" in findings(before_birth)


REMIT = [
    "BPR*I*{total}*C*CHK************20260105",
    "TRN*1*CHK0001*1512345678",
    "DTM*405*20260105",
    "N1*PR*ACME HEALTH PLAN",
    "N3*1 PAYER WAY",
    "N4*SPRINGFIELD*IL*62701",
    "PER*BL*EDI HELP*TE*5555550199",
    "N1*PE*NORTH CLINIC*XX*1234567893",
    "N3*1 MAIN ST",
    "N4*SPRINGFIELD*IL*62701",
    "REF*TJ*123456789",
    "LX*1",
    "CLP*A1*1*100*80**12*PAYER0001",
    "NM1*QC*1*DOE*JANE****MI*MEM001",
    "SVC*HC:99213*100*80",
    "DTM*472*20251015",
    "CAS*CO*45*{cas}",
]


def remit(total: str, cas: str, plb: str | None = None) -> bytes:
    segs = [s.format(total=total, cas=cas) for s in REMIT]
    if plb:
        segs.append(f"PLB*1234567893*20261231*WO:X1*{plb}")
    return interchange(
        group([transaction(segs, "835", version="005010X221A1")], fid="HP", version="005010X221A1")
    ).encode()


def test_835_balances() -> None:
    doc = parse(remit("80", "20"), rules=checker(3, TODAY))
    assert doc.errors == [], [str(f) for f in doc.errors]
    assert parse(remit("75", "20", plb="5"), rules=checker(3, TODAY)).errors == []


def test_835_payment_and_claim_imbalances() -> None:
    assert "remit.payment_unbalanced" in findings(remit("90", "20"))
    found = findings(remit("80", "15"))
    assert "remit.claim_unbalanced" in found
    assert "remit.line_unbalanced" in found
