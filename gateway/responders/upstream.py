"""The upstream responder: a real-time request is forwarded to the trading partner it names.

``Settings.upstreams`` maps an ISA receiver ID (the payer's ID, the JSON APIs'
``tradingPartnerServiceId``) to the partner's URL. The request interchange's bytes are
POSTed there as they are (``mode="x12"``, ``application/edi-x12``) or inside a CAQH CORE
real-time ``multipart/form-data`` envelope (``mode="core"``), and the partner's answer
bytes come back. Storing both sides and checking the answer's type is the caller's part
(:mod:`gateway.responders.answer`); this module only talks HTTP.

Every failure is an :class:`UpstreamError`, itself a :class:`~gateway.api.problems.Problem`,
so an endpoint answers it as ``application/problem+json`` without handling it: a partner
slower than ``upstream_timeout_seconds`` gives 504 (``upstream-timeout``); a refused
connection, an error status or an oversized answer gives 502 (``upstream``). Logs name the
upstream and the failure, never the payload.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import time
import uuid

import httpx
import structlog

from gateway.api.problems import Problem
from gateway.settings import Settings, Upstream

log = structlog.get_logger("x12gw.upstream")

X12 = "application/edi-x12"
CORE_VERSION = "2.2.0"
#: Request guide name -> CORE PayloadType of the request.
CORE_REQUEST_TYPES = {
    "270": "X12_270_Request_005010X279A1",
    "276": "X12_276_Request_005010X212",
    "278": "X12_278_Request_005010X217",
}


class UpstreamError(Problem):
    """The trading partner did not give a usable answer (a 502 or 504 problem)."""

    def __init__(self, status: int, kind: str, detail: str, *, transient: bool = False) -> None:
        title = "The upstream took too long" if status == 504 else "The upstream gave no answer"
        super().__init__(status, kind, title, detail)
        #: worth asking again later (a timeout, no connection, a 5xx or 429), not a bad answer
        self.transient = transient


def upstream_for(settings: Settings | None, receiver_id: str) -> tuple[str, Upstream] | None:
    """The configured upstream for an ISA receiver ID (trailing padding ignored), if any."""
    if settings is None or not settings.upstreams:
        return None
    name = receiver_id.strip()
    found = settings.upstreams.get(name)
    return (name, found) if found is not None else None


def failed(
    name: str, reason: str, status: int, detail: str, *, transient: bool = False, **ids: object
) -> UpstreamError:
    """Log a failure (IDs and reasons only) and make its problem."""
    log.warning("upstream_failed", upstream=name, reason=reason, transient=transient, **ids)
    kind = "upstream-timeout" if status == 504 else "upstream"
    return UpstreamError(status, kind, detail, transient=transient)


async def forward(
    name: str,
    upstream: Upstream,
    x12: bytes,
    guide: str,
    *,
    timeout: float,
    limit: int,
    sender_id: str = "",
) -> bytes:
    """POST the request interchange ``x12`` (a ``guide`` request) to ``upstream``; its answer.

    ``timeout`` bounds the whole exchange; ``limit`` the answer's size in bytes.
    """
    headers = {"Accept": X12 if upstream.mode == "x12" else "multipart/form-data"}
    if upstream.token is not None:
        headers["Authorization"] = f"Bearer {upstream.token.get_secret_value()}"
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            async with httpx.AsyncClient(timeout=timeout) as client:
                if upstream.mode == "core":
                    fields = _core_fields(x12, guide, sender_id, name)
                    request = client.build_request(
                        "POST", upstream.url, headers=headers, files=fields
                    )
                else:
                    headers["Content-Type"] = X12
                    request = client.build_request(
                        "POST", upstream.url, headers=headers, content=x12
                    )
                response = await client.send(request, stream=True)
                try:
                    if not 200 <= response.status_code < 300:
                        raise failed(
                            name,
                            "status",
                            502,
                            f"The upstream {name} answered HTTP {response.status_code}",
                            transient=response.status_code >= 500 or response.status_code == 429,
                            http_status=response.status_code,
                        )
                    body = await _read(response, limit, name)
                    content_type = response.headers.get("content-type", "")
                finally:
                    await response.aclose()
    except (TimeoutError, httpx.TimeoutException) as exc:
        raise failed(
            name,
            "timeout",
            504,
            f"The upstream {name} did not answer in {timeout:g} s",
            transient=True,
        ) from exc
    except httpx.HTTPError as exc:
        raise failed(
            name,
            type(exc).__name__,
            502,
            f"The upstream {name} could not be reached",
            transient=True,
        ) from exc
    if upstream.mode == "core":
        body = _core_payload(body, content_type, name)
    log.info(
        "upstream_answered",
        upstream=name,
        bytes=len(body),
        ms=round((time.perf_counter() - started) * 1000, 1),
    )
    return body


async def _read(response: httpx.Response, limit: int, name: str) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            raise failed(name, "too-large", 502, f"The upstream {name}'s answer is too large")
        chunks.append(chunk)
    return b"".join(chunks)


def _core_fields(
    x12: bytes, guide: str, sender_id: str, receiver_id: str
) -> list[tuple[str, tuple[None, bytes | str]]]:
    """The CORE real-time envelope (Phase II connectivity, 2.2.0) as multipart form fields."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    values: list[tuple[str, bytes | str]] = [
        ("PayloadType", CORE_REQUEST_TYPES.get(guide, guide)),
        ("ProcessingMode", "RealTime"),
        ("PayloadID", str(uuid.uuid4())),
        ("TimeStamp", now),
        ("SenderID", sender_id.strip() or "X12GW"),
        ("ReceiverID", receiver_id),
        ("CORERuleVersion", CORE_VERSION),
        ("Payload", x12),
    ]
    return [(field, (None, value)) for field, value in values]


def _core_payload(body: bytes, content_type: str, name: str) -> bytes:
    """The Payload of a CORE multipart answer; an ErrorCode other than Success fails."""
    if not content_type.lower().startswith("multipart/"):
        raise failed(name, "not-core", 502, f"The upstream {name} did not answer with CORE")
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", "replace")
    message = email.message_from_bytes(head + body, policy=email.policy.HTTP)
    fields: dict[str, bytes] = {}
    if message.is_multipart():
        for part in message.iter_parts():
            field = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if isinstance(field, str) and isinstance(payload, bytes):
                fields[field] = payload
    code = fields.get("ErrorCode", b"").decode("latin-1").strip()
    if code != "Success":
        raise failed(
            name,
            "core-error",
            502,
            f"The upstream {name} answered CORE ErrorCode {code or '(none)'}",
            error_code=code[:64],
        )
    return fields.get("Payload", b"")
