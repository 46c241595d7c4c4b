"""Reading a raw request body under a size limit, for the X12 and CAQH CORE endpoints.

A body over the limit is refused with a 413 problem as soon as that is known: from a
Content-Length that says so, or while streaming, before the rest is read into memory.
"""

from __future__ import annotations

import re

from fastapi import Request

from gateway.api.problems import Problem

__all__ = ["byte_count", "read_stream", "refuse_declared", "too_large"]

#: a length worth reading: ASCII digits ("²".isdigit() is true, int() refuses it)
_DIGITS = re.compile(r"[0-9]{1,18}")


def byte_count(text: str) -> int | None:
    """A Content-Length or PayloadLength: ASCII digits only (``str.isdigit`` also takes
    "²", which ``int`` refuses), and few enough of them for a bigint."""
    return int(text) if _DIGITS.fullmatch(text) else None


def too_large(limit: int) -> Problem:
    """The 413 problem for a body over ``limit`` bytes."""
    return Problem(413, "payload-too-large", "Payload too large", f"The limit is {limit} bytes")


def refuse_declared(request: Request, limit: int) -> None:
    """Refuse a body whose Content-Length is over ``limit`` before reading any of it."""
    declared = request.headers.get("content-length")
    if declared and (byte_count(declared) or 0) > limit:
        raise too_large(limit)


async def read_stream(request: Request, limit: int) -> bytes:
    """The body, streamed and refused once it passes ``limit`` bytes (a Content-Length
    may be absent or lie)."""
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)
