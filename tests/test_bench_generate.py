"""The benchmark generator: deterministic, balanced, and valid to pyx12."""

from __future__ import annotations

import io
import sys
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # bench/ is not an installed package
    sys.path.insert(0, str(ROOT))

import pyx12.params  # noqa: E402
import pyx12.x12n_document  # noqa: E402

from bench import _pools, generate  # noqa: E402

N = 20

Segment = list[str]


def _segments(data: bytes) -> list[Segment]:
    text = data.decode("ascii")
    assert text[105] == "~" and text[3] == "*"
    return [s.strip().split("*") for s in text.split("~") if s.strip()]


def _amount(text: str) -> Decimal:
    return Decimal(text) if text else Decimal(0)


def _check_envelope(segs: list[Segment], st01: str) -> int:
    """Counts and control numbers of ISA/GS/ST; returns the number of ST."""
    isa, gs, ge, iea = segs[0], segs[1], segs[-2], segs[-1]
    assert (isa[0], gs[0], ge[0], iea[0]) == ("ISA", "GS", "GE", "IEA")
    assert iea[1:] == ["1", isa[13]]
    n_st = 0
    start = 0
    for i, seg in enumerate(segs):
        if seg[0] == "ST":
            assert seg[1] == st01
            start = i
            n_st += 1
        elif seg[0] == "SE":
            assert seg[2] == segs[start][2]
            assert int(seg[1]) == i - start + 1
    assert ge[1:] == [str(n_st), gs[6]]
    return n_st


def _pyx12_valid(data: bytes, tmp_path: Path, name: str, with_999: bool) -> bool:
    path = tmp_path / name
    path.write_bytes(data)
    fd_999 = io.StringIO() if with_999 else None
    return bool(pyx12.x12n_document.x12n_document(pyx12.params.params(), str(path), fd_999, None))


def test_npi_check_digit() -> None:
    assert _pools.npi_is_valid("1234567893")  # the CMS worked example
    assert not _pools.npi_is_valid("1234567890")


@pytest.mark.parametrize(
    ("make", "write"),
    [
        (generate.generate_837p, generate.write_837p),
        (generate.generate_835, generate.write_835),
    ],
)
def test_deterministic_and_streamed(make, write) -> None:
    data = make(N, seed=7)
    assert data == make(N, seed=7)
    assert data != make(N, seed=8)
    buf = io.BytesIO()
    assert write(buf, N, 7) == len(data)
    assert buf.getvalue() == data


def test_diagnosis_pool_is_billable_icd10cm() -> None:
    import simple_icd_10_cm as icd  # slow import (~2 s): only when this test runs

    for code in _pools.DIAGNOSES:
        assert icd.is_valid_item(code) and icd.is_leaf(code), code


def test_837p_balanced_and_valid(tmp_path: Path) -> None:
    data = generate.generate_837p(N)
    segs = _segments(data)
    assert _check_envelope(segs, "837") == 1
    claims = [i for i, s in enumerate(segs) if s[0] == "CLM"]
    assert len(claims) == N
    assert len({segs[i][1] for i in claims}) == N
    for i, start in enumerate(claims):
        end = claims[i + 1] if i + 1 < len(claims) else len(segs)
        body = segs[start:end]
        body = body[: next((j for j, s in enumerate(body) if s[0] == "HL"), len(body))]
        lines = [s for s in body if s[0] == "SV1"]
        assert 1 <= len(lines) <= 4
        assert _amount(segs[start][2]) == sum(_amount(s[2]) for s in lines)
        assert sum(1 for s in body if s[0] == "DTP" and s[1] == "472") == len(lines)
        hi = next(s for s in body if s[0] == "HI")
        assert all(c.split(":")[1] in _pools.DIAGNOSES for c in hi[1:])
    for seg in segs:
        if seg[0] == "NM1" and seg[-2:-1] == ["XX"]:
            assert _pools.npi_is_valid(seg[-1])
    assert any(s[0] == "HL" and s[3] == "23" for s in segs)  # some 2000C patients
    assert _pyx12_valid(data, tmp_path, "837p.x12", with_999=True)


def _check_835_balance(segs: list[Segment]) -> None:
    """Per claim: CLP03 - CLP04 = its CAS amounts; per ST: BPR02 = sum CLP04 - sum PLB."""
    bpr: Segment = []
    clp: Segment = []
    paid = plb = cas = Decimal(0)
    for seg in [*segs, ["END"]]:
        if seg[0] in {"CLP", "PLB", "SE", "END"} and clp:
            assert _amount(clp[3]) - _amount(clp[4]) == cas
            clp = []
        if seg[0] == "BPR":
            bpr, paid, plb = seg, Decimal(0), Decimal(0)
        elif seg[0] == "CLP":
            clp, cas = seg, Decimal(0)
            paid += _amount(seg[4])
        elif seg[0] == "CAS":
            cas += sum(_amount(seg[k]) for k in range(3, len(seg), 3))
        elif seg[0] == "PLB":
            plb += sum(_amount(seg[k]) for k in range(4, len(seg), 2))
        elif seg[0] == "SE":
            assert _amount(bpr[2]) == paid - plb


def test_835_balanced_and_valid(tmp_path: Path) -> None:
    data = generate.generate_835(N)
    segs = _segments(data)
    assert _check_envelope(segs, "835") == 1
    assert sum(1 for s in segs if s[0] == "CLP") == N
    assert next(s for s in segs if s[0] == "PER")[:2] == ["PER", "BL"]
    _check_835_balance(segs)
    svc = [i for i, s in enumerate(segs) if s[0] == "SVC"]
    assert all(segs[i + 1][:2] == ["DTM", "472"] for i in svc)
    assert _pyx12_valid(data, tmp_path, "835.x12", with_999=False)


def test_835_twin_differs_only_by_per_bl() -> None:
    full = generate.generate_835(N).decode().splitlines()
    twin = generate.generate_835(N, payer_contact=False).decode().splitlines()
    assert [s for s in full if not s.startswith(("PER*BL", "SE*"))] == [
        s for s in twin if not s.startswith("SE*")
    ]


def test_several_st_per_group(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(generate, "CLAIMS_PER_ST", 8)
    d837 = generate.generate_837p(N)
    d835 = generate.generate_835(N)
    assert _check_envelope(_segments(d837), "837") == 3
    assert _check_envelope(_segments(d835), "835") == 3
    _check_835_balance(_segments(d835))
    assert _pyx12_valid(d837, tmp_path, "multi.837p", with_999=True)
    assert _pyx12_valid(d835, tmp_path, "multi.835", with_999=False)
