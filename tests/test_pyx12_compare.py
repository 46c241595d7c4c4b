"""Our verdicts beside pyx12's on the corpus files of the types pyx12 has 5010 maps for
(837P, 837I, 835, 999), with every difference stated and explained."""

from __future__ import annotations

import logging

import pytest

from parsers import parse
from tests.conftest import TODAY, CorpusFile, corpus_files
from transactions.rules import checker

pyx12_document = pytest.importorskip("pyx12.x12n_document")
pyx12_params = pytest.importorskip("pyx12.params")

NO_MAP_A2 = "pyx12 has no map for the errata version (X222A2/X223A3); we read it with the adopted guide's map"
#: file -> (pyx12's verdict, ours, why they differ)
DIFFERENCES: dict[str, tuple[str, str, str]] = {
    "835/stupidedi__2.edi": (
        "crash",
        "invalid",
        "pyx12 raises UnicodeDecodeError on a Windows-1252 byte in the prose before ISA; we report the prose",
    ),
    "837P/imsweb__x12_missing_first_gs.txt": (
        "crash",
        "invalid",
        "pyx12 raises IndexError when GS is missing; we report st.outside_group",
    ),
    "999/stupidedi__response-to-functional-group-containing-3-837s.edi": (
        "crash",
        "valid",
        "pyx12 cannot decode the byte-order mark; we repair it with a warning",
    ),
    "837I/stupidedi__automobile-accident.edi": (
        "invalid",
        "valid",
        "billing provider ZIP has 5 digits where the TR3 asks 9: pyx12 errs, we warn (a pattern rule, lenient profile)",
    ),
    "837I/stupidedi__two-claims-for-the-same-provider.edi": (
        "invalid",
        "valid",
        "same 5-digit ZIP as above",
    ),
    "837P/stupidedi__wheelchair.edi": (
        "invalid",
        "valid",
        "2400 has two PWK segments that share PWK01=CT; pyx12 takes the first (line supplemental, where AD is no code); we pick the one the segment validates against (the DME certificate PWK, where AD is valid)",
    ),
    "999/staedi__simple999.edi": (
        "invalid",
        "valid",
        "CTX01 repeats (ISA11 repetition separator); pyx12 does not split repetitions, we do",
    ),
    **{
        f.rel: (
            "crash",
            "valid"
            if f.rel not in ("837P/lfh__demo.cob.example3.A.837", "837P/lfh__demo.cob.example4.837")
            else "invalid",
            NO_MAP_A2,
        )
        for f in corpus_files()
        if f.version in ("005010X222A2", "005010X223A3")
    },
}


def pyx12_verdict(item: CorpusFile) -> str:
    logging.getLogger("pyx12").setLevel(logging.CRITICAL)
    try:
        ok = pyx12_document.x12n_document(
            pyx12_params.params(), str(item.path), fd_997=None, fd_html=None, fd_xmldoc=None
        )
    except Exception:  # pyx12 failing is one of the things we compare
        return "crash"
    return "valid" if ok else "invalid"


CASES = [f for f in corpus_files() if f.type in ("837P", "837I", "835", "999")]


@pytest.mark.parametrize(
    "item",
    [pytest.param(f, id=f.rel) for f in CASES]
    or [pytest.param(None, marks=pytest.mark.skip("corpus absent"))],
)
def test_verdicts_agree_or_the_difference_is_explained(item: CorpusFile) -> None:
    theirs = pyx12_verdict(item)
    ours = (
        "valid" if not parse(item.path.read_bytes(), rules=checker(3, TODAY)).errors else "invalid"
    )
    if item.rel in DIFFERENCES:
        expected_theirs, expected_ours, why = DIFFERENCES[item.rel]
        assert (theirs, ours) == (expected_theirs, expected_ours), why
    else:
        assert theirs == ours
