"""Property tests: random valid documents round-trip under random separators;
random byte mutations never raise (any input decodes or yields our findings)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers import Delimiters, parse
from parsers.tokenizer import Tokenizer
from parsers.writer import write_document
from tests.x12 import claim, file_837

SEPARATORS = "*|!^~>:{}+\\`"
CODES = ["99213", "85025", "80053", "97110", "J1100"]

names = (
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ ", min_size=1, max_size=20)
    .map(str.strip)
    .filter(bool)
)


@st.composite
def documents(draw: st.DrawFn) -> bytes:
    claims = []
    for i in range(draw(st.integers(1, 4))):
        lines = [
            f"{draw(st.integers(1, 9999))}*{draw(st.sampled_from(CODES))}"
            for _ in range(draw(st.integers(1, 3)))
        ]
        claims.append(claim(f"PCN{i}", lines))
    data = file_837(claims).decode()
    return data.replace("DOE*JANE", f"{draw(names)}*{draw(names)}").encode()


@st.composite
def delimiters(draw: st.DrawFn) -> Delimiters:
    chars = draw(st.permutations(list(SEPARATORS)))
    line_break = draw(st.sampled_from(["", "\n", "\r\n"]))
    return Delimiters(chars[0], chars[1], chars[2], chars[3], line_break)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents(), delimiters())
def test_random_documents_round_trip_with_random_separators(
    data: bytes, delims: Delimiters
) -> None:
    doc = parse(data)
    assert doc.errors == []
    written = write_document(doc, delims)
    again = parse(written)
    assert again.errors == []
    assert again.interchanges[0].delimiters == delims
    old, new = doc.transactions[0], again.transactions[0]
    assert len(old.flat) == len(new.flat)
    assert all(a == b for a, b in zip(old.flat, new.flat, strict=True))
    assert new.values("2400/SV1/01-2") == old.values("2400/SV1/01-2")
    # and written back with its own separators, the bytes are the same
    assert write_document(again) == written


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_random_mutations_never_raise(data: st.DataObject) -> None:
    original = bytearray(file_837([claim("A1", ["100*99213"]), claim("A2", ["50*85025"])]))
    for _ in range(data.draw(st.integers(1, 8))):
        kind = data.draw(st.sampled_from(["flip", "delete", "insert", "truncate"]))
        pos = data.draw(st.integers(0, max(0, len(original) - 1)))
        if kind == "flip" and original:
            original[pos] = data.draw(st.integers(0, 255))
        elif kind == "delete" and original:
            del original[pos : pos + data.draw(st.integers(1, 40))]
        elif kind == "insert":
            original[pos:pos] = data.draw(st.binary(min_size=1, max_size=20))
        else:
            del original[pos:]
    doc = parse(bytes(original))
    for f in doc.all_findings():
        assert f.message and f.code
    if doc.interchanges:
        write_document(doc)  # whatever was read can be written


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400), st.integers(1, 64))
def test_any_bytes_any_chunking(data: bytes, size: int) -> None:
    t = Tokenizer()
    for i in range(0, len(data), size):
        t.feed(data[i : i + size])
    t.close()
    parse(data)


def test_a_non_ascii_byte_in_a_segment_id_is_kept_as_it_is() -> None:
    data = file_837([claim("A1", ["100*99213"])]).replace(b"~PER*", b"~\xb5ER*")
    doc = parse(data)
    assert "segment.unrecognized" in {f.code for f in doc.errors}
    assert write_document(doc) == data
