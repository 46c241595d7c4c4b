"""Tokenizer: separators from ISA, any chunking, repairs recorded, garbage never raises."""

from __future__ import annotations

import pytest

from parsers import LENIENT, STRICT, parse
from parsers.findings import Finding, Severity
from parsers.segment import Segment
from parsers.tokenizer import Tokenizer
from tests.conftest import fixture_files
from tests.x12 import claim, file_837


def tokens(data: bytes, size: int, profile=LENIENT) -> list[Segment | Finding]:
    t = Tokenizer(profile)
    out: list[Segment | Finding] = []
    for i in range(0, len(data), size):
        out += t.feed(data[i : i + size])
    return out + t.close()


def shape(toks: list[Segment | Finding]) -> list[tuple[object, ...]]:
    return [
        (t.elements, t.offset, t.ordinal) if isinstance(t, Segment) else (t.code, t.offset)
        for t in toks
    ]


SAMPLE = file_837([claim("A1", ["100*99213"]), claim("A2", ["20*85025", "30*80053"])])


@pytest.mark.parametrize("size", [1, 2, 3, 7, 105, 106, 107, 4096, 1 << 20])
def test_any_chunking_gives_the_same_segments(size: int) -> None:
    assert shape(tokens(SAMPLE, size)) == shape(tokens(SAMPLE, len(SAMPLE)))


def test_trailing_data_after_the_last_interchange_is_reported() -> None:
    toks = tokens(SAMPLE + b"garbage after", 5)
    codes = [t.code for t in toks if isinstance(t, Finding)]
    assert codes == ["file.garbage"]


def test_separators_come_from_the_isa_header() -> None:
    data = SAMPLE.decode().replace("*", "|").replace("~", "!\n").replace(":", ">").encode()
    segs = [t for t in tokens(data, 9) if isinstance(t, Segment)]
    d = segs[0].delims
    assert (d.element, d.component, d.repetition, d.segment, d.line_break) == (
        "|",
        ">",
        "^",
        "!",
        "\n",
    )
    assert segs[1].elements[:2] == ["GS", "HC"]
    assert not [t for t in tokens(data, 9) if isinstance(t, Finding)]


def test_offsets_and_ordinals_point_at_the_segment() -> None:
    segs = [t for t in tokens(SAMPLE, 3) if isinstance(t, Segment)]
    for seg in segs:
        assert SAMPLE[seg.offset : seg.offset + seg.length].decode() == seg.render()
    assert [s.ordinal for s in segs] == list(range(1, len(segs) + 1))


def test_several_interchanges_with_different_separators() -> None:
    other = SAMPLE.decode().replace("*", "|").replace("~", "\n").encode()
    doc = parse(SAMPLE + b"\r\n" + other)
    assert len(doc.interchanges) == 2
    assert [i.delimiters.element for i in doc.interchanges] == ["*", "|"]
    assert len(doc.transactions) == 2
    # the second one uses newline terminators: a repair, hence a warning
    assert {f.code for f in doc.warnings} == {"repair.newline_terminator"}


REPAIRS = {
    "repair.bom": lambda d: b"\xef\xbb\xbf" + d,
    "repair.newline_terminator": lambda d: d.replace(b"~", b"\n"),
    "repair.blank_line": lambda d: d.replace(b"~", b"\n").replace(b"\nGS", b"\n\nGS"),
    "repair.trailing_space": lambda d: d.replace(b"HL*1**20*1~", b"HL*1**20*1  ~"),
    "repair.lowercase_tag": lambda d: d.replace(b"~hl*", b"~HL*").replace(b"~LX*1", b"~lx*1"),
    "repair.lowercase_code": lambda d: d.replace(b"SBR*P*18", b"SBR*p*18"),
    "repair.isa_not_fixed_width": lambda d: d.replace(b"SUBMITTER      *", b"SUBMITTER*"),
}


@pytest.mark.parametrize("code", sorted(REPAIRS))
def test_repairs_are_warnings_when_lenient_and_errors_when_strict(code: str) -> None:
    data = REPAIRS[code](SAMPLE)
    lenient = parse(data, LENIENT)
    assert lenient.errors == [], [str(f) for f in lenient.errors]
    assert code in {f.code for f in lenient.warnings}
    strict = parse(data, STRICT)
    assert code in {f.code for f in strict.errors}
    assert len(lenient.transactions) == 1


def test_ta1_between_isa_and_gs_is_read_as_such() -> None:
    data = SAMPLE.replace(b"GS*", b"TA1*000000077*260101*1200*A*000~GS*", 1)
    doc = parse(data)
    assert doc.errors == []
    assert [s.elements[0] for s in doc.interchanges[0].ta1s] == ["TA1"]


@pytest.mark.parametrize(
    "data, code",
    [
        (b"", "file.empty"),
        (b"\x00\x01\x02binary\xff" * 50, "file.binary"),
        (b"hello world, this is not X12", "file.garbage"),
        (SAMPLE[:50], "isa.truncated"),
        (SAMPLE[: len(SAMPLE) // 2], "iea.missing"),
        (SAMPLE.replace(b"*", b"A", 1), "file.no_isa"),
        (SAMPLE[SAMPLE.index(b"GS*") :], "file.outside_interchange"),
    ],
    ids=[
        "empty",
        "binary",
        "prose",
        "truncated-isa",
        "truncated",
        "bad-element-separator",
        "no-isa",
    ],
)
def test_garbage_gives_findings_never_an_exception(data: bytes, code: str) -> None:
    doc = parse(data)
    assert code in {f.code for f in doc.all_findings()}
    assert doc.errors


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture_chunking_invariance(path) -> None:
    data = path.read_bytes()
    assert shape(tokens(data, 5)) == shape(tokens(data, len(data)))


def test_component_separator_used_is_sniffed_and_reported() -> None:
    data = SAMPLE.replace(b"11:B:1", b"11>B>1").replace(b"HC:", b"HC>").replace(b"ABK:", b"ABK>")
    doc = parse(data)
    assert doc.errors == []
    assert "repair.component_separator" in {f.code for f in doc.warnings}
    assert doc.transactions[0].root is not None
    assert doc.transactions[0].values("2400/SV1/01-2") == ["99213", "85025", "80053"]
    assert Severity.ERROR in {f.severity for f in parse(data, STRICT).all_findings()}
