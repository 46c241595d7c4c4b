"""Pure X12 engine: bytes in, segments, trees and findings out.

The pipeline, each stage a module of its own::

    tokenizer  -> envelope  -> matcher (compiled TR3 maps) -> findings
     (bytes)      (ISA/GS/ST    (loops, usage, repeats,       (codes for
                   state)        element checks)               TA1/999)
    writer: the exact inverse of the tokenizer, for trees and builders.

Nothing here opens files or sockets, reads settings or logs: callers feed
bytes and receive values. See ``docs/x12-core.md``.
"""

from parsers.delimiters import Delimiters
from parsers.findings import Finding, Severity
from parsers.profile import LENIENT, STRICT, Profile
from parsers.reader import Document, parse, read
from parsers.segment import Segment

__all__ = [
    "LENIENT",
    "STRICT",
    "Delimiters",
    "Document",
    "Finding",
    "Profile",
    "Segment",
    "Severity",
    "parse",
    "read",
]
