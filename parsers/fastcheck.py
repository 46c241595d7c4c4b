"""Per-segment validators generated from the compiled maps.

For each :class:`~parsers.maps.spec.SegmentSpec` this module writes a small
Python function that answers one question as fast as the interpreter allows:
is this segment certainly clean? The function is straight-line code with the
element positions, lengths and code sets of that one segment baked in, so a
clean segment costs a few comparisons. When it answers no, the generic
:func:`parsers.elements.check_segment` runs and says exactly what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from parsers.elements import valid_date, valid_time
from parsers.maps.spec import ElementSpec, SegmentSpec

FastCheck = Callable[[list[str], str, str], bool]

_REAL = re.compile(r"-?(?:\d+\.?\d*|\.\d+)\Z").match
_NUMERIC = re.compile(r"-?\d+\Z").match


def _value_checks(e: ElementSpec, var: str, ns: dict[str, Any], lines: list[str], pad: str) -> None:
    """Lines that ``return False`` unless the simple value in ``var`` is clean."""
    key = f"c{len(ns)}"
    dtype = e.data_type
    if dtype in ("ID", "AN"):
        lines.append(
            f"{pad}if not {e.min_len} <= len({var}) <= {e.max_len} or not {var}.isprintable(): return False"
        )
        if e.codes is not None:
            ns[key] = e.codes
            lines.append(f"{pad}if {var} not in {key}: return False")
        if e.regex is not None:
            ns[key + "r"] = e.regex.fullmatch
            lines.append(f"{pad}if not {key}r({var}): return False")
    elif dtype == "R" or (dtype[:1] == "N" and dtype[1:].isdigit()):
        matcher = "_REAL" if dtype == "R" else "_NUMERIC"
        lines.append(f"{pad}if not {matcher}({var}): return False")
        lines.append(
            f"{pad}_d = len({var}) - ({var}[0] == '-') - ('.' in {var})\n"
            f"{pad}if not {e.min_len} <= _d <= {e.max_len}: return False"
        )
        if e.codes is not None:
            ns[key] = e.codes
            lines.append(f"{pad}if {var} not in {key}: return False")
    elif dtype == "DT":
        lines.append(
            f"{pad}if not {e.min_len} <= len({var}) <= {e.max_len} or not _date({var}): return False"
        )
    elif dtype == "TM":
        lines.append(
            f"{pad}if not {e.min_len} <= len({var}) <= {e.max_len} or not _time({var}): return False"
        )
    else:
        lines.append(f"{pad}if not {var}.isprintable(): return False")


def compile_check(spec: SegmentSpec) -> FastCheck:
    ns: dict[str, Any] = {
        "_REAL": _REAL,
        "_NUMERIC": _NUMERIC,
        "_date": valid_date,
        "_time": valid_time,
    }
    n_specs = len(spec.elements)
    lines = ["def ok(els, comp, rep):", "    n = len(els)"]
    lines.append(f"    if n > {n_specs + 1}:")
    lines.append(f"        for _x in els[{n_specs + 1}:]:")
    lines.append("            if _x: return False")
    for e in spec.elements:
        i = e.pos
        lines.append(f"    v = els[{i}] if n > {i} else ''")
        if e.usage == "R":
            lines.append("    if not v: return False")
        lines.append("    if v:")
        if e.usage == "N":
            lines.append("        return False")
            continue
        lines.append("        if rep and rep in v: return False")
        if e.components is None:
            if e.data_type != "AN":
                lines.append("        if comp in v: return False")
            _value_checks(e, "v", ns, lines, "        ")
            continue
        comps = e.components
        lines.append("        p = v.split(comp)")
        lines.append(f"        if len(p) > {len(comps)}: return False")
        lines.append("        m = len(p)")
        for j, c in enumerate(comps):
            lines.append(f"        w = p[{j}] if m > {j} else ''")
            if c.usage == "R":
                lines.append("        if not w: return False")
            if c.usage == "N":
                lines.append("        if w: return False")
                continue
            lines.append("        if w:")
            _value_checks(c, "w", ns, lines, "            ")
    for rule in spec.syntax:
        present = [f"(n > {p} and els[{p}] != '')" for p in rule.positions]
        if rule.kind == "P":
            lines.append(f"    _s = [{', '.join(present)}]")
            lines.append("    if any(_s) and not all(_s): return False")
        elif rule.kind == "R":
            lines.append(f"    if not ({' or '.join(present)}): return False")
        elif rule.kind == "E":
            lines.append(f"    if sum([{', '.join(present)}]) > 1: return False")
        elif rule.kind == "C":
            lines.append(f"    if {present[0]} and not ({' and '.join(present[1:])}): return False")
        elif rule.kind == "L":
            lines.append(f"    if {present[0]} and not ({' or '.join(present[1:])}): return False")
    lines.append("    return True")
    code = "\n".join(lines)
    exec(compile(code, f"<fastcheck {spec.loop_id}/{spec.id}>", "exec"), ns)
    fn: FastCheck = ns["ok"]
    return fn
