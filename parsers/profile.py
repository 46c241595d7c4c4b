"""Leniency profiles: which deviations of real-world files are repaired.

A repair is never silent: the reader records a ``Severity.WARNING`` finding
under the lenient profile and a ``Severity.ERROR`` under the strict one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    #: Repairs (BOM, newline terminators, blank lines, trailing spaces, lowercase
    #: codes, unpadded ISA fields) are warnings when True, errors when False.
    repairs_are_warnings: bool


LENIENT = Profile("lenient", repairs_are_warnings=True)
STRICT = Profile("strict", repairs_are_warnings=False)

PROFILES = {p.name: p for p in (LENIENT, STRICT)}
