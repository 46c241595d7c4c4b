"""Element-level checks (SNIP 1-2): usage, data types, lengths, codes, syntax notes.

``check_segment`` returns problems as small tuples; the matcher turns them
into :class:`~parsers.findings.Finding` objects with their position. The hot
path allocates nothing for a clean segment.
"""

from __future__ import annotations

import re
from functools import lru_cache

from parsers import findings as F
from parsers.maps.spec import ElementSpec, SegmentSpec, SyntaxRule

#: (element position, component position or 0, repetition or 0, IK403 code, message, spec, value)
Problem = tuple[int, int, int, str, str, ElementSpec | None, str]

_REAL = re.compile(r"-?(?:\d+\.?\d*|\.\d+)\Z")
_NUMERIC = re.compile(r"-?\d+\Z")


@lru_cache(maxsize=4096)
def valid_date(text: str) -> bool:
    if not text.isdigit() or len(text) not in (6, 8):
        return False
    if len(text) == 6:
        year, month, day = 2000 + int(text[:2]), int(text[2:4]), int(text[4:])
    else:
        year, month, day = int(text[:4]), int(text[4:6]), int(text[6:])
    if not (1 <= month <= 12 and 1 <= day <= 31 and year >= 1800):
        return False
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return day <= (29 if leap else 28)
    return day <= (30 if month in (4, 6, 9, 11) else 31)


@lru_cache(maxsize=4096)
def valid_time(text: str) -> bool:
    if not text.isdigit() or len(text) not in (4, 6, 7, 8):
        return False
    hh, mm = int(text[:2]), int(text[2:4])
    ss = int(text[4:6]) if len(text) >= 6 else 0
    return hh <= 23 and mm <= 59 and ss <= 59


def check_value(value: str, e: ElementSpec, lenient_case: bool) -> tuple[str, str] | None:
    """Check one simple value; return (IK403 code, message) or None."""
    dtype = e.data_type
    if dtype in {"ID", "AN"}:
        n = len(value)
        if n < e.min_len:
            return F.IK4_TOO_SHORT, f"{e.ref} is shorter than {e.min_len}"
        if n > e.max_len:
            return F.IK4_TOO_LONG, f"{e.ref} is longer than {e.max_len}"
        if not value.isprintable():
            return F.IK4_INVALID_CHARACTER, f"{e.ref} holds a control character"
        codes = e.codes
        if codes is not None and value not in codes:
            if lenient_case and value.upper() in codes:
                return "case", f"{e.ref} code value is in lower case"
            return F.IK4_INVALID_CODE, f"{e.ref} holds a code value the guide does not allow"
        if e.regex is not None and not e.regex.fullmatch(value):
            return F.IK4_PATTERN_FAILURE, f"{e.ref} does not have the form the guide requires"
        return None
    if dtype == "R" or dtype[0] == "N":
        if not (_REAL if dtype == "R" else _NUMERIC).match(value):
            return (
                F.IK4_INVALID_CHARACTER,
                f"{e.ref} is not a valid {'decimal' if dtype == 'R' else 'whole'} number",
            )
        digits = len(value) - (value[0] == "-") - ("." in value)
        if digits > e.max_len:
            return F.IK4_TOO_LONG, f"{e.ref} has more than {e.max_len} digits"
        if digits < e.min_len:
            return F.IK4_TOO_SHORT, f"{e.ref} has fewer than {e.min_len} digits"
        if e.codes is not None and value not in e.codes:
            return F.IK4_INVALID_CODE, f"{e.ref} holds a value the guide does not allow"
        return None
    if dtype == "DT":
        if len(value) < e.min_len or len(value) > e.max_len or not valid_date(value):
            return F.IK4_INVALID_DATE, f"{e.ref} is not a valid date"
        return None
    if dtype == "TM":
        if len(value) < e.min_len or len(value) > e.max_len or not valid_time(value):
            return F.IK4_INVALID_TIME, f"{e.ref} is not a valid time"
        return None
    return None


def check_segment(
    elements: list[str],
    spec: SegmentSpec,
    comp_sep: str,
    rep_sep: str,
    lenient_case: bool,
) -> list[Problem]:
    problems: list[Problem] = []
    specs = spec.elements
    n_specs = len(specs)
    count = len(elements) - 1
    if count > n_specs:
        for extra in range(n_specs + 1, count + 1):
            if elements[extra]:
                problems.append(
                    (
                        extra,
                        0,
                        0,
                        F.IK4_TOO_MANY_ELEMENTS,
                        f"{spec.id} has too many elements",
                        None,
                        "",
                    )
                )
                break
    for i in range(n_specs):
        e = specs[i]
        value = elements[i + 1] if i < count else ""
        if not value:
            if e.usage == "R":
                problems.append(
                    (
                        i + 1,
                        0,
                        0,
                        F.IK4_REQUIRED_MISSING,
                        f"Required element {e.ref} is missing",
                        e,
                        "",
                    )
                )
            continue
        if e.usage == "N":
            problems.append(
                (i + 1, 0, 0, F.IK4_NOT_USED_PRESENT, f"{e.ref} is not used in this guide", e, "")
            )
            continue
        reps = [value]
        if rep_sep and rep_sep in value:
            reps = value.split(rep_sep)
            if len(reps) > e.max_repeat:
                problems.append(
                    (i + 1, 0, 0, F.IK4_TOO_MANY_REPETITIONS, f"{e.ref} repeats too often", e, "")
                )
                reps = reps[: e.max_repeat]
        for r, rep in enumerate(reps, 1):
            rep_no = r if len(reps) > 1 else 0
            comps = e.components
            if comps is None:
                if comp_sep in rep and e.data_type != "AN":
                    problems.append(
                        (
                            i + 1,
                            0,
                            rep_no,
                            F.IK4_TOO_MANY_COMPONENTS,
                            f"{e.ref} is not a composite",
                            e,
                            rep,
                        )
                    )
                    continue
                bad = check_value(rep, e, lenient_case)
                if bad is not None:
                    problems.append((i + 1, 0, rep_no, bad[0], bad[1], e, rep))
                continue
            parts = rep.split(comp_sep)
            if len(parts) > len(comps):
                problems.append(
                    (
                        i + 1,
                        len(comps) + 1,
                        rep_no,
                        F.IK4_TOO_MANY_COMPONENTS,
                        f"{e.ref} has too many components",
                        e,
                        "",
                    )
                )
            for j, c in enumerate(comps):
                part = parts[j] if j < len(parts) else ""
                if not part:
                    if c.usage == "R":
                        problems.append(
                            (
                                i + 1,
                                j + 1,
                                rep_no,
                                F.IK4_REQUIRED_MISSING,
                                f"Required component {c.ref} is missing",
                                c,
                                "",
                            )
                        )
                    continue
                if c.usage == "N":
                    problems.append(
                        (
                            i + 1,
                            j + 1,
                            rep_no,
                            F.IK4_NOT_USED_PRESENT,
                            f"{c.ref} is not used in this guide",
                            c,
                            "",
                        )
                    )
                    continue
                bad = check_value(part, c, lenient_case)
                if bad is not None:
                    problems.append((i + 1, j + 1, rep_no, bad[0], bad[1], c, part))
    for rule in spec.syntax:
        broken = check_syntax(rule, elements)
        if broken is not None:
            problems.append(
                (broken[0], 0, 0, broken[1], f"{spec.id} breaks syntax rule {rule}", None, "")
            )
    return problems


def check_syntax(rule: SyntaxRule, elements: list[str]) -> tuple[int, str] | None:
    n = len(elements)
    present = [p < n and bool(elements[p]) for p in rule.positions]
    kind = rule.kind
    if kind == "P":  # all or none
        if any(present) and not all(present):
            missing = rule.positions[present.index(False)]
            return missing, F.IK4_CONDITIONAL_MISSING
    elif kind == "R":  # at least one
        if not any(present):
            return rule.positions[0], F.IK4_CONDITIONAL_MISSING
    elif kind == "E":  # not more than one
        if sum(present) > 1:
            return rule.positions[
                present.index(True, present.index(True) + 1)
            ], F.IK4_EXCLUSION_VIOLATED
    elif kind == "C":  # if first, then all others
        if present[0] and not all(present[1:]):
            missing = rule.positions[1 + present[1:].index(False)]
            return missing, F.IK4_CONDITIONAL_MISSING
    elif kind == "L" and present[0] and not any(present[1:]):  # if first, then one other
        return rule.positions[1], F.IK4_CONDITIONAL_MISSING
    return None
