"""Every file of ../shared/x12-corpus/MANIFEST.tsv (skipped when the corpus is absent).

- ``valid=yes`` files give no errors. Seven public samples break a TR3 rule the
  manifest does not note; each is listed in KNOWN_SAMPLE_DEFECTS with the rule,
  and for the 835s pyx12 reports the same (see test_pyx12_compare.py).
- ``valid=no`` files give the finding(s) their notes name.
- ``repairable`` files pass leniently with a warning and fail under strict.
- Every file that holds an interchange writes back to the same bytes.
"""

from __future__ import annotations

import pytest

from parsers import LENIENT, STRICT, parse
from parsers.writer import write_document
from tests.conftest import TODAY, CorpusFile, corpus_params
from transactions.rules import checker

RULES = checker(3, TODAY)

#: Public samples marked valid that break the TR3 all the same, and what we report.
KNOWN_SAMPLE_DEFECTS: dict[str, tuple[set[str], str]] = {
    "835/lfh__cob-contractural-adjustment.835": (
        {"element.required_missing", "segment.required_missing"},
        "BPR16 (check/EFT date) is required in 5010; 1000A PER*BL (payer technical contact) is required",
    ),
    "835/lfh__managed-care.835": (
        {"element.invalid_date", "segment.required_missing"},
        "BPR16 is 20002316, not a date; 1000A PER*BL missing",
    ),
    "835/lfh__medicare-part-a.835": ({"segment.required_missing"}, "1000A PER*BL missing"),
    "835/lfh__secondary-payment.835": (
        {"element.required_missing", "segment.required_missing"},
        "BPR16 missing; 1000A PER*BL missing",
    ),
    "835/lfh__tertiary-payment.835": (
        {
            "element.required_missing",
            "element.too_short",
            "remit.line_unbalanced",
            "segment.required_missing",
        },
        "BPR16 and PER*BL missing; SVC*HC has no procedure code and SVC06 is malformed, so the line cannot balance",
    ),
    "837P/lfh__demo.cob.example3.A.837": (
        {"loop.required_missing"},
        "2320 other subscriber without the required 2330B other payer name loop",
    ),
    "837P/lfh__demo.cob.example4.837": (
        {"element.invalid_code", "segment.over_max"},
        "2320 AMT*F2 is a 4010 code; 5010 allows D, A8 and EAF once each",
    ),
}

#: What the manifest notes of each invalid file say, as our finding codes.
EXPECTED: dict[str, set[str]] = {
    "271/lfh__subscriber-health-benefit-check-error.271": {"se.control"},
    "271/x12edit__271_active_response.x12": {"st.functional_id"},
    "271/x12edit__271_ls_le_wrapper.x12": {"st.functional_id", "segment.unexpected"},
    "271/x12edit__271_multiple_eb_segments.x12": {"st.functional_id"},
    "277/stupidedi__1.era": {"iea.control"},
    "278/stupidedi__admission-request-for-review.edi": {"se.count"},
    "835/stupidedi__1.edi": {"file.garbage"},
    "835/stupidedi__2.edi": {"file.garbage"},
    "835/stupidedi__3a.edi": {"file.garbage", "se.count"},
    "837P/imsweb__x12_ambiguous_loop.txt": {"se.count"},
    "837P/imsweb__x12_bad_segment_identifier.txt": {
        "segment.unrecognized",
        "segment.required_missing",
        "loop.required_missing",
    },
    "837P/imsweb__x12_bad_valid_code.txt": {"element.invalid_code"},
    "837P/imsweb__x12_complex.txt": {"se.count", "ge.count"},
    "837P/imsweb__x12_loop_errors1_exceeds_max_1_parent.txt": {"loop.over_max"},
    "837P/imsweb__x12_loop_errors3_missing_loops.txt": {"loop.required_missing"},
    "837P/imsweb__x12_many_claims.txt": {"se.count"},
    "837P/imsweb__x12_missing_elements.txt": {"element.required_missing"},
    "837P/imsweb__x12_missing_first_gs.txt": {"st.outside_group"},
    "837P/imsweb__x12_missing_first_isa.txt": {"file.outside_interchange", "file.no_isa"},
    "837P/imsweb__x12_missing_last_st.txt": {"se.missing"},
    "837P/imsweb__x12_missing_required_loop_in_one_repeat.txt": {"loop.required_missing"},
    "837P/imsweb__x12_multiple_gs.txt": {"iea.count"},
    "837P/imsweb__x12_multiple_st.txt": {"ge.count"},
    "837P/imsweb__x12_multiple_transactions.txt": {"se.count"},
    "837P/imsweb__x12_no_errors.txt": {"se.count"},
    "837P/imsweb__x12_no_isa_line.txt": {"file.no_isa"},
    "837P/imsweb__x12_segment_errors.txt": {"segment.required_missing", "segment.over_max"},
    "837P/imsweb__x12_valid.txt": {"se.count"},
    "837P/stupidedi__1.edi": {"file.garbage"},
    "999/staedi__invalid999.edi": {
        "segment.unexpected",
        "element.too_long",
        "element.too_many_elements",
        "element.invalid_code",
        "segment.over_max",
        "se.count",
    },
    "TA1/staedi__x12_interchange_ack.txt": {"iea.count"},
}


@pytest.mark.parametrize("item", corpus_params("yes"))
def test_valid_files_have_no_errors(item: CorpusFile) -> None:
    doc = parse(item.path.read_bytes(), LENIENT, RULES)
    codes = {f.code for f in doc.errors}
    expected, _why = KNOWN_SAMPLE_DEFECTS.get(item.rel, (set(), ""))
    assert codes == expected, [str(f) for f in doc.errors]
    assert doc.transactions and all(ts.guide is not None for ts in doc.transactions)


@pytest.mark.parametrize("item", corpus_params("no"))
def test_invalid_files_give_the_findings_their_notes_name(item: CorpusFile) -> None:
    doc = parse(item.path.read_bytes(), LENIENT, RULES)
    codes = {f.code for f in doc.errors}
    assert EXPECTED[item.rel] <= codes, [str(f) for f in doc.errors]
    for f in doc.errors:  # every error says where it is
        assert f.offset is not None or f.position is not None or f.segment_id in ("IEA", "SE", "GE")


@pytest.mark.parametrize("item", corpus_params("repairable"))
def test_repairable_files_pass_leniently_and_fail_strictly(item: CorpusFile) -> None:
    data = item.path.read_bytes()
    lenient = parse(data, LENIENT, RULES)
    assert lenient.errors == []
    assert {f.code for f in lenient.warnings} == {"repair.bom"}
    strict = parse(data, STRICT, RULES)
    assert {f.code for f in strict.errors} == {"repair.bom"}


@pytest.mark.parametrize("item", corpus_params())
def test_round_trip(item: CorpusFile) -> None:
    data = item.path.read_bytes()
    doc = parse(data)
    if not doc.interchanges:
        pytest.skip("no interchange to write")
    out = write_document(doc)
    again = parse(out)
    assert [[s.elements for s in ts.flat] for ts in again.transactions] == [
        [s.elements for s in ts.flat] for ts in doc.transactions
    ]
    if any(f.code == "repair.lowercase_tag" for f in doc.all_findings()):
        return  # repaired on purpose: the upper-cased IDs are what we write

    def strip(b: bytes) -> bytes:
        return b.replace(b"\r", b"").replace(b"\n", b"")

    start = data.index(b"ISA")
    end = data.rindex(b"IEA")
    end = data.index(doc.interchanges[-1].delimiters.segment.encode("latin-1"), end) + 1
    assert strip(out) == strip(data[start:end])
