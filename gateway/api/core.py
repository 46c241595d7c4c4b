"""Real-time X12 and CAQH CORE connectivity (Phase II connectivity rule, CORERuleVersion 2.2.0).

``POST /v1/realtime``: one X12 request interchange in the body, its answer in the body (a 271
for a 270, or the request's TA1/999 when it has errors).

``POST /core/realtime`` and ``POST /core/batch``: the same over the CORE envelope, either as
HTTP MIME ``multipart/form-data`` (one form field per envelope field) or as SOAP 1.2
(``application/soap+xml``, a ``COREEnvelopeRealTimeRequest`` / ``COREEnvelopeBatchSubmission``
body). A real-time request an upstream trading partner answered with a TA1/999 gets that
TA1/999 as its answer.

Batch retrieval (``POST /core/batch``, ProcessingMode ``Batch``): a batch's acknowledgments
and the answers to its 270/276/278 requests wait in the submitter's partner outbox
(:mod:`gateway.outbox`). A ``COREEnvelopeBatchSubmissionAckRetrievalRequest``
(``X12_999_RetrievalRequest_005010X231A1``, ``X12_TA1_RetrievalRequest_00501X231A1``) or a
``COREEnvelopeBatchResultsRetrievalRequest`` (``X12_005010_Request_Batch_Results_271`` /
``_277`` / ``_278``), with no payload, is answered (``...RetrievalResponse``) with the oldest
uncollected item of that kind, which is marked collected. CORE 2.2.0 names no ErrorCode for
"nothing waiting": that is ``Success`` with an empty payload.

The answer uses the request's format. The caller is authenticated with the API key:
``Authorization: Bearer KEY``, or the key as the WS-Security UsernameToken password (SOAP) or
the ``Password`` field (multipart). Envelope errors are answered with a CORE envelope whose
``ErrorCode`` names the problem (HTTP 400; 401 when the key is missing or unknown).

Error codes: ``<Field>Required`` when a field is missing (``PayloadTypeRequired``,
``ProcessingModeRequired``, ``PayloadIDRequired``, ``TimeStampRequired``, ``SenderIDRequired``,
``ReceiverIDRequired``, ``CORERuleVersionRequired``, ``PayloadRequired``), ``<Field>Incorrect``
when it is malformed or does not fit the endpoint (``PayloadTypeIncorrect``,
``ProcessingModeIncorrect``, ``PayloadIDIncorrect``, ``TimeStampIncorrect``),
``VersionMismatch`` for a CORERuleVersion other than 2.2.0, ``PayloadLengthIncorrect`` and
``ChecksumIncorrect`` for a batch whose PayloadLength / CheckSum (SHA-1) do not match,
``EnvelopeError`` when the envelope cannot be read, ``Unauthorized`` for authentication.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from starlette.datastructures import UploadFile

from gateway.api.audit import AuditDep, auditor
from gateway.api.auth import Principal, authenticate
from gateway.api.body import byte_count, read_stream, refuse_declared
from gateway.api.deps import DbDep, PrincipalDep, SessionDep, SettingsDep
from gateway.api.interchanges import isa_senders
from gateway.api.problems import Problem
from gateway.batch import answer_requests
from gateway.ingest import ingest
from gateway.jobs import defer_answer, job_queue
from gateway.outbox import item_x12, now
from gateway.realtime import RESPONDERS, RealtimeError, ack_kind, respond
from gateway.store import models as m
from gateway.store.outbox import OutboxItem

router = APIRouter(tags=["real-time and CAQH CORE"])

X12 = "application/edi-x12"
X12_TYPES = ("application/edi-x12", "text/plain", "application/x12", "application/octet-stream")
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
CORE_NS = "http://www.caqh.org/SOAP/WSDL/CORERule2.2.0.xsd"
CORE_VERSION = "2.2.0"

#: CORE PayloadType -> (ST01, implementation guide) of the request.
REALTIME_TYPES: dict[str, tuple[str, str]] = {
    "X12_270_Request_005010X279A1": ("270", "005010X279A1"),
    "X12_276_Request_005010X212": ("276", "005010X212"),
    "X12_278_Request_005010X217": ("278", "005010X217"),
}
BATCH_TYPES: dict[str, tuple[str, str]] = {
    **REALTIME_TYPES,
    "X12_837_Request_005010X222A1": ("837", "005010X222A1"),
    "X12_837_Request_005010X223A2": ("837", "005010X223A2"),
    "X12_837_Request_005010X224A2": ("837", "005010X224A2"),
    "X12_999_Request_005010X231A1": ("999", "005010X231A1"),
}
#: What answers what: response guide name (or ack kind) -> CORE PayloadType.
RESPONSE_TYPES = {
    "271": "X12_271_Response_005010X279A1",
    "277": "X12_277_Response_005010X212",
    "278R": "X12_278_Response_005010X217",
    "999": "X12_999_Response_005010X231A1",
    "TA1": "X12_TA1_Response_00501X231A1",
}
#: Batch results retrieval (COREEnvelopeBatchResultsRetrievalRequest): PayloadType -> the
#: outbox kind it collects (the answers to batch requests).
RESULTS_RETRIEVAL_TYPES = {
    "X12_005010_Request_Batch_Results_271": "271",
    "X12_005010_Request_Batch_Results_277": "277",
    "X12_005010_Request_Batch_Results_278": "278",
}
#: Acknowledgment retrieval (COREEnvelopeBatchSubmissionAckRetrievalRequest): PayloadType ->
#: what it collects ("999": any acknowledgment, 999/TA1/277CA; "TA1": those holding a TA1).
ACK_RETRIEVAL_TYPES = {
    "X12_999_RetrievalRequest_005010X231A1": "999",
    "X12_TA1_RetrievalRequest_00501X231A1": "TA1",
}
SUBMISSION = "COREEnvelopeBatchSubmission"
RESULTS_RETRIEVAL = "COREEnvelopeBatchResultsRetrievalRequest"
ACK_RETRIEVAL = "COREEnvelopeBatchSubmissionAckRetrievalRequest"
#: SOAP request element -> its response element (batch)
BATCH_ELEMENTS = {
    SUBMISSION: "COREEnvelopeBatchSubmissionResponse",
    RESULTS_RETRIEVAL: "COREEnvelopeBatchResultsRetrievalResponse",
    ACK_RETRIEVAL: "COREEnvelopeBatchSubmissionAckRetrievalResponse",
}
#: outbox kind of a batch result -> the RESPONSE_TYPES key of its CORE PayloadType
_RESULT_RESPONSE = {"271": "271", "277": "277", "278": "278R"}
ERROR_PAYLOAD_TYPE = "CoreEnvelopeError"
REQUIRED = (
    "PayloadType",
    "ProcessingMode",
    "PayloadID",
    "TimeStamp",
    "SenderID",
    "ReceiverID",
    "CORERuleVersion",
)

Mode = Literal["RealTime", "Batch"]
Format = Literal["multipart", "soap"]


class CoreEnvelope(BaseModel):
    """The CORE envelope fields of a request (multipart/form-data fields or SOAP elements)."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "PayloadType": "X12_270_Request_005010X279A1",
                "ProcessingMode": "RealTime",
                "PayloadID": "f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
                "TimeStamp": "2026-01-02T10:20:34Z",
                "SenderID": "LAKESIDECLINIC",
                "ReceiverID": "SUMMITHEALTH",
                "CORERuleVersion": "2.2.0",
                "Payload": "ISA*00*          *00*          *ZZ*LAKESIDECLINIC *ZZ*SUMMITHEALTH"
                "   *250115*0815*^*00501*000003101*0*T*:~GS*HS*...~ST*270*0001*005010X279A1~...",
            }
        }
    )

    PayloadType: str = Field(description="e.g. X12_270_Request_005010X279A1")
    ProcessingMode: Mode
    PayloadID: str = Field(description="a UUID chosen by the sender")
    TimeStamp: str = Field(description="ISO 8601, e.g. 2026-01-02T10:20:34Z")
    SenderID: str
    ReceiverID: str
    CORERuleVersion: str = Field(description="2.2.0")
    Payload: str | None = Field(
        default=None, description="the X12 interchange (none in a batch retrieval request)"
    )
    PayloadLength: int | None = Field(default=None, description="batch: the payload's bytes")
    CheckSum: str | None = Field(default=None, description="batch: SHA-1 of the payload, hex")
    UserName: str | None = None
    Password: str | None = Field(default=None, description="the API key, when no Bearer header")


class CoreResponse(BaseModel):
    """The CORE envelope fields of an answer."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "PayloadType": "X12_271_Response_005010X279A1",
                "ProcessingMode": "RealTime",
                "PayloadID": "0b8a3f4e-5d2c-4f43-9a55-6d3f1f0d2a10",
                "TimeStamp": "2026-01-02T10:20:35Z",
                "SenderID": "SUMMITHEALTH",
                "ReceiverID": "LAKESIDECLINIC",
                "CORERuleVersion": "2.2.0",
                "Payload": "ISA*00*          *00*          *ZZ*SUMMITHEALTH   *ZZ*LAKESIDECLINIC"
                " *260102*1020*^*00501*000000001*0*T*:~GS*HB*...~ST*271*0001*005010X279A1~...",
                "ErrorCode": "Success",
                "ErrorMessage": "",
            }
        }
    )

    PayloadType: str
    ProcessingMode: Mode
    PayloadID: str
    TimeStamp: str
    SenderID: str
    ReceiverID: str
    CORERuleVersion: str
    Payload: str | None = None
    PayloadLength: int | None = None
    CheckSum: str | None = None
    ErrorCode: str
    ErrorMessage: str


class CoreError(Exception):
    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


@dataclass(slots=True)
class Envelope:
    format: Format
    #: the SOAP body's element (local name); empty for multipart
    element: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    payload: bytes | None = None
    password: str | None = None


# ---------------------------------------------------------------------------------------------
# POST /v1/realtime


EXAMPLE_270 = (
    "ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*SUMMITHEALTH   *260102*1020*^*00501*"
    "000000201*0*P*:~GS*HS*SUBMITTER*SUMMITHEALTH*20260102*1020*201*X*005010X279A1~"
    "ST*270*0001*005010X279A1~BHT*0022*13*INQ-1*20260102*1020~...~SE*13*0001~GE*1*201~"
    "IEA*1*000000201~"
)
EXAMPLE_271 = (
    "ISA*00*          *00*          *ZZ*SUMMITHEALTH   *ZZ*SUBMITTER      *260102*1020*^*00501*"
    "000000001*0*P*:~GS*HB*SUMMITHEALTH*SUBMITTER*20260102*1020*1*X*005010X279A1~"
    "ST*271*0001*005010X279A1~BHT*0022*11*...~...~SE*20*0001~GE*1*1~IEA*1*000000001~"
)
EXAMPLE_999 = (
    "ISA*00*          *00*          *ZZ*SUMMITHEALTH   *ZZ*LAKESIDECLINIC *260102*1020*^*00501*"
    "000000002*0*P*:~GS*FA*SUMMITHEALTH*LAKESIDECLINIC*20260102*1020*2*X*005010X231A1~"
    "ST*999*0001*005010X231A1~AK1*HS*3101*005010X279A1~AK2*270*0001*005010X279A1~"
    "IK3*NM1*9*2100C*8~IK5*R*5~AK9*R*1*1*0~SE*7*0001~GE*1*2~IEA*1*000000002~"
)


async def _read_body(request: Request, limit: int) -> bytes:
    refuse_declared(request, limit)
    return await read_stream(request, limit)


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _may_send(principal: Principal, data: bytes) -> bool:
    return all(principal.may_send_as(q, s) for q, s in isa_senders(data))


@router.post(
    "/v1/realtime",
    summary="Real-time X12: one request interchange in (270), its answer out (271, or TA1/999)",
    response_class=Response,
    openapi_extra={
        "requestBody": {
            "content": {
                X12: {"schema": {"type": "string"}, "example": EXAMPLE_270},
                "text/plain": {"schema": {"type": "string"}, "example": EXAMPLE_270},
            },
            "required": True,
        }
    },
    responses={
        200: {
            "description": "The response interchange (or the request's TA1/999 when it has "
            "errors, or the upstream trading partner's TA1/999 when it answered with one); "
            "the x12-response-type header names which",
            "content": {
                X12: {
                    "schema": {"type": "string"},
                    "examples": {
                        "response": {"summary": "The 271", "value": EXAMPLE_271},
                        "acknowledgment": {
                            "summary": "A 999 rejecting the request (x12-response-type: 999)",
                            "value": EXAMPLE_999,
                        },
                    },
                }
            },
        },
        400: {"description": "No interchange could be read, or the type is not answered"},
        403: {"description": "An ISA sender the key is not bound to"},
        413: {"description": "Larger than the configured limit"},
        415: {"description": "Not an X12 body"},
        502: {"description": "The upstream trading partner gave no usable answer"},
        504: {"description": "The upstream trading partner did not answer in time"},
    },
)
async def post_realtime(
    request: Request, db: DbDep, principal: PrincipalDep, settings: SettingsDep, audit: AuditDep
) -> Response:
    media = _media_type(request)
    if media and media not in X12_TYPES:
        raise Problem(
            415,
            "unsupported-media-type",
            "Unsupported media type",
            "Send the X12 as application/edi-x12 or text/plain",
        )
    data = await _read_body(request, settings.max_upload_bytes)
    if not data.strip():
        raise Problem(400, "bad-request", "Bad request", "The body is empty")
    if not _may_send(principal, data):
        raise Problem(
            403, "sender-not-allowed", "Not allowed", "The key is not bound to the ISA sender"
        )
    try:
        answer = await respond(
            db,
            data,
            snip_level=settings.snip_level,
            partner_id=principal.partner_id,
            settings=settings,
        )
    except RealtimeError as exc:
        raise Problem(400, exc.kind, "Cannot answer in real time", exc.detail) from exc
    await audit.read("interchange", [answer.interchange_id])  # the request, with its answer
    return Response(answer.x12, media_type=X12, headers={"x12-response-type": answer.kind})


# ---------------------------------------------------------------------------------------------
# CORE envelope: reading


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


async def _read_multipart(request: Request, limit: int) -> Envelope:
    try:
        form = await request.form(max_files=10, max_fields=50, max_part_size=limit)
    except Exception as exc:  # the multipart parser's errors: an unreadable envelope
        raise CoreError("EnvelopeError", "The multipart body cannot be read") from exc
    env = Envelope("multipart")
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            raw = await value.read()
        else:
            raw = value.encode("latin-1", errors="replace")
        if name == "Payload":
            env.payload = raw
        elif name == "Password":
            env.password = raw.decode("latin-1").strip() or None
        else:
            env.fields[name] = raw.decode("latin-1").strip()
    return env


def _read_soap(data: bytes, expected: tuple[str, ...]) -> Envelope:
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise CoreError("EnvelopeError", "Document type declarations are not accepted")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise CoreError("EnvelopeError", "The SOAP envelope is not well-formed XML") from exc
    if root.tag not in (f"{{{SOAP12}}}Envelope", f"{{{SOAP11}}}Envelope"):
        raise CoreError("EnvelopeError", "The document is not a SOAP envelope")
    ns = root.tag[1:].split("}", 1)[0]
    body = root.find(f"{{{ns}}}Body")
    if body is None or len(body) == 0:
        raise CoreError("EnvelopeError", "The SOAP envelope has no body")
    request = body[0]
    if _local(request.tag) not in expected:
        raise CoreError("EnvelopeError", f"The SOAP body must hold a {' or '.join(expected)}")
    env = Envelope("soap", _local(request.tag))
    for child in request:
        name = _local(child.tag)
        text = child.text or ""
        if name == "Payload":
            env.payload = text.encode("latin-1", errors="replace") if text.strip() else None
        else:
            env.fields[name] = text.strip()
    header = root.find(f"{{{ns}}}Header")
    if header is not None:
        for node in header.iter():
            if _local(node.tag) == "Password" and node.text and node.text.strip():
                env.password = node.text.strip()
                break
    return env


def _batch_payload(env: Envelope) -> bytes | None:
    """A SOAP batch payload is base64Binary; raw X12 is accepted too."""
    payload = env.payload
    if env.format != "soap" or payload is None or payload.lstrip().startswith(b"ISA"):
        return payload
    try:
        return base64.b64decode(b"".join(payload.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CoreError("EnvelopeError", "The batch payload is not base64 or X12") from exc


def _sniff(payload: bytes) -> tuple[str, str] | None:
    """(ST01, GS08) of the payload's first transaction set, read without parsing the rest."""
    start = payload.find(b"ISA")
    if start < 0 or len(payload) < start + 106:
        return None
    element = payload[start + 3 : start + 4]
    terminator = payload[start + 105 : start + 106]
    version = ""
    for segment in payload[start:].split(terminator):
        parts = segment.strip().split(element)
        if parts[0] == b"GS" and len(parts) > 8:
            version = parts[8].decode("latin-1").strip()
        elif parts[0] == b"ST" and len(parts) > 1:
            st03 = parts[3].decode("latin-1").strip() if len(parts) > 3 else ""
            return parts[1].decode("latin-1").strip(), st03 or version
    return None


def _validate_header(env: Envelope, mode: Mode, types: dict[str, Any]) -> None:
    """The envelope fields every request carries (all but the payload and its checks)."""
    f = env.fields
    for name in REQUIRED:
        if not f.get(name):
            raise CoreError(f"{name}Required", f"{name} is required")
    if f["CORERuleVersion"] != CORE_VERSION:
        raise CoreError("VersionMismatch", f"CORERuleVersion must be {CORE_VERSION}")
    if f["ProcessingMode"] != mode:
        raise CoreError("ProcessingModeIncorrect", f"ProcessingMode must be {mode} here")
    if f["PayloadType"] not in types:
        raise CoreError(
            "PayloadTypeIncorrect",
            f"PayloadType must be one of {', '.join(types)} for {mode} processing",
        )
    try:
        uuid.UUID(f["PayloadID"])
    except ValueError as exc:
        raise CoreError("PayloadIDIncorrect", "PayloadID must be a UUID") from exc
    try:
        dt.datetime.fromisoformat(f["TimeStamp"])
    except ValueError as exc:
        raise CoreError("TimeStampIncorrect", "TimeStamp must be an ISO 8601 date-time") from exc


def _validate(env: Envelope, mode: Mode, types: dict[str, tuple[str, str]]) -> bytes:
    _validate_header(env, mode, types)
    f = env.fields
    payload = _batch_payload(env) if mode == "Batch" else env.payload
    if not payload or not payload.strip():
        raise CoreError("PayloadRequired", "Payload is required")
    if mode == "Batch":
        length = f.get("PayloadLength")
        if length and byte_count(length) != len(payload):
            raise CoreError("PayloadLengthIncorrect", "PayloadLength is not the payload's size")
        checksum = f.get("CheckSum")
        if checksum and checksum.lower() != hashlib.sha1(payload).hexdigest():
            raise CoreError("ChecksumIncorrect", "CheckSum is not the payload's SHA-1")
    st01, guide = types[f["PayloadType"]]
    found = _sniff(payload)
    if found is None:
        raise CoreError("PayloadTypeIncorrect", "The payload is not an X12 interchange")
    if found[0] != st01 or found[1][:10] != guide[:10]:
        raise CoreError(
            "PayloadTypeIncorrect",
            f"The payload is a {found[0]} ({found[1]}), not what PayloadType says",
        )
    return payload


async def _authenticate(
    request: Request, session: SessionDep, settings: SettingsDep, env: Envelope | None
) -> Principal:
    target = request
    if not request.headers.get("authorization") and env is not None and env.password:
        headers = [(k, v) for k, v in request.scope["headers"] if k != b"authorization"]
        headers.append((b"authorization", f"Bearer {env.password}".encode("latin-1")))
        target = Request({**request.scope, "headers": headers})
    try:
        principal = await authenticate(target, session, settings.admin_key)
    except Problem as exc:
        raise CoreError("Unauthorized", exc.title, status=401) from exc
    request.state.partner = principal.partner or principal.role
    request.state.partner_id = principal.partner_id
    return principal


# ---------------------------------------------------------------------------------------------
# CORE envelope: writing


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _response_fields(
    env: Envelope | None,
    mode: Mode,
    payload_type: str,
    code: str,
    message: str,
    payload: bytes | None = None,
) -> list[tuple[str, str | bytes]]:
    f = env.fields if env is not None else {}
    out: list[tuple[str, str | bytes]] = [
        ("PayloadType", payload_type),
        ("ProcessingMode", mode),
        (
            "PayloadID",
            str(uuid.uuid4()) if code == "Success" else f.get("PayloadID") or str(uuid.uuid4()),
        ),
    ]
    if mode == "Batch" and payload is not None:
        out.append(("PayloadLength", str(len(payload))))
    out += [
        ("TimeStamp", _now()),
        ("SenderID", f.get("ReceiverID", "")),
        ("ReceiverID", f.get("SenderID", "")),
        ("CORERuleVersion", CORE_VERSION),
    ]
    if mode == "Batch" and payload is not None:
        out.append(("CheckSum", hashlib.sha1(payload).hexdigest()))
    if payload is not None:
        out.append(("Payload", payload))
    out += [("ErrorCode", code), ("ErrorMessage", message)]
    return out


def _multipart(fields: list[tuple[str, str | bytes]], status: int) -> Response:
    boundary = f"core-{uuid.uuid4().hex}"
    parts = []
    for name, value in fields:
        raw = value if isinstance(value, bytes) else value.encode("utf-8")
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n'
        if name == "Payload":
            head += f"Content-Type: {X12}\r\n"
        parts.append(head.encode("ascii") + b"\r\n" + raw + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode("ascii")
    return Response(
        body, status_code=status, media_type=f"multipart/form-data; boundary={boundary}"
    )


def _soap(element: str, fields: list[tuple[str, str | bytes]], mode: Mode, status: int) -> Response:
    envelope = ET.Element("soap:Envelope", {"xmlns:soap": SOAP12})
    body = ET.SubElement(envelope, "soap:Body")
    answer = ET.SubElement(body, f"cor:{element}", {"xmlns:cor": CORE_NS})
    for name, value in fields:
        node = ET.SubElement(answer, name)
        if isinstance(value, bytes):  # the payload: text in real time, base64Binary in batch
            node.text = (
                base64.b64encode(value).decode("ascii")
                if mode == "Batch"
                else value.decode("latin-1")
            )
        else:
            node.text = value
    xml = ET.tostring(envelope, encoding="utf-8", xml_declaration=True)
    return Response(xml, status_code=status, media_type="application/soap+xml; charset=utf-8")


def _answer(
    fmt: Format,
    mode: Mode,
    fields: list[tuple[str, str | bytes]],
    status: int = 200,
    request_element: str = SUBMISSION,
) -> Response:
    if fmt == "multipart":
        return _multipart(fields, status)
    element = (
        "COREEnvelopeRealTimeResponse"
        if mode == "RealTime"
        else BATCH_ELEMENTS.get(request_element, BATCH_ELEMENTS[SUBMISSION])
    )
    return _soap(element, fields, mode, status)


# ---------------------------------------------------------------------------------------------
# POST /core/realtime and /core/batch


def _soap_example(element: str, fields: dict[str, Any]) -> str:
    values = "".join(f"<{k}>{v}</{k}>" for k, v in fields.items() if v is not None)
    return (
        f'<soap:Envelope xmlns:soap="{SOAP12}" xmlns:cor="{CORE_NS}"><soap:Header>'
        '<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/'
        'oasis-200401-wss-wssecurity-secext-1.0.xsd"><wsse:UsernameToken>'
        "<wsse:Username>clinic</wsse:Username><wsse:Password>x12gw_...</wsse:Password>"
        "</wsse:UsernameToken></wsse:Security></soap:Header><soap:Body>"
        f"<cor:{element}>{values}</cor:{element}></soap:Body></soap:Envelope>"
    )


def _envelope_example(payload_type: str, mode: Mode, payload: str | None) -> dict[str, Any]:
    example = dict(CoreEnvelope.model_json_schema()["example"])
    example.update(PayloadType=payload_type, ProcessingMode=mode, Payload=payload)
    if payload is None:
        del example["Payload"]
    return example


def _core_openapi(example_type: str, mode: Mode, soap_element: str) -> dict[str, Any]:
    example = _envelope_example(
        example_type, mode, CoreEnvelope.model_json_schema()["example"]["Payload"]
    )
    payload = "SVNBKjAwKi4uLg==" if mode == "Batch" else "ISA*00*..."
    soap = _soap_example(soap_element, {**example, "Payload": payload})
    return {
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": CoreEnvelope.model_json_schema(),
                    "example": example,
                },
                "application/soap+xml": {"schema": {"type": "string"}, "example": soap},
            },
            "required": True,
        }
    }


def _batch_openapi() -> dict[str, Any]:
    """A submission, a results retrieval and an acknowledgment retrieval, in both formats."""
    cases = {
        "submission": (SUBMISSION, "X12_837_Request_005010X222A1", "SVNBKjAwKi4uLg=="),
        "resultsRetrieval": (RESULTS_RETRIEVAL, "X12_005010_Request_Batch_Results_271", None),
        "ackRetrieval": (ACK_RETRIEVAL, "X12_999_RetrievalRequest_005010X231A1", None),
    }
    multipart: dict[str, Any] = {}
    soap: dict[str, Any] = {}
    for name, (element, payload_type, payload) in cases.items():
        fields = _envelope_example(payload_type, "Batch", payload)
        summary = f"{element} ({payload_type})"
        if payload is not None:
            fields["Payload"] = CoreEnvelope.model_json_schema()["example"]["Payload"]
        multipart[name] = {"summary": summary, "value": fields}
        soap[name] = {
            "summary": summary,
            "value": _soap_example(element, {**fields, "Payload": payload}),
        }
    return {
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": CoreEnvelope.model_json_schema(),
                    "examples": multipart,
                },
                "application/soap+xml": {"schema": {"type": "string"}, "examples": soap},
            },
            "required": True,
        }
    }


def _core_answer_example(
    payload_type: str, mode: Mode, payload: str | None, message: str = ""
) -> dict[str, Any]:
    example = dict(CoreResponse.model_json_schema()["example"])
    example.update(PayloadType=payload_type, ProcessingMode=mode, ErrorMessage=message)
    example["Payload"] = payload
    if mode == "Batch" and payload is not None:
        example.update(
            PayloadLength=len(payload), CheckSum=hashlib.sha1(payload.encode()).hexdigest()
        )
    return example


def _core_responses(examples: dict[str, tuple[str, dict[str, Any]]]) -> dict[int | str, Any]:
    return {
        200: {
            "description": "The CORE response envelope (multipart fields or SOAP), "
            "ErrorCode Success",
            "content": {
                "multipart/form-data": {
                    "schema": CoreResponse.model_json_schema(),
                    "examples": {
                        name: {"summary": summary, "value": value}
                        for name, (summary, value) in examples.items()
                    },
                },
                "application/soap+xml": {"schema": {"type": "string"}},
            },
        },
        400: {"description": "A CORE envelope with the ErrorCode (e.g. PayloadIDRequired)"},
        401: {"description": "A CORE envelope with ErrorCode Unauthorized"},
        403: {
            "description": "A CORE envelope: the key is not bound to the payload's ISA sender "
            "(or, retrieving, the key is not a partner's)"
        },
        413: {"description": "Larger than the configured limit (problem document)"},
        415: {"description": "Neither multipart/form-data nor SOAP (problem document)"},
    }


_REALTIME_RESPONSES = _core_responses(
    {
        "response": ("The response", CoreResponse.model_json_schema()["example"]),
        "acknowledgment": (
            "The request rejected (by the gateway, or by the upstream trading partner asked): "
            "its 999",
            _core_answer_example("X12_999_Response_005010X231A1", "RealTime", EXAMPLE_999),
        ),
    }
)
_BATCH_RESPONSES = _core_responses(
    {
        "submission": (
            "A submission: the batch's 999 (also kept for acknowledgment retrieval)",
            _core_answer_example("X12_999_Response_005010X231A1", "Batch", EXAMPLE_999),
        ),
        "resultsRetrieval": (
            "A results retrieval: the oldest uncollected answer to a batch request",
            _core_answer_example("X12_271_Response_005010X279A1", "Batch", EXAMPLE_271),
        ),
        "nothingWaiting": (
            "A retrieval with nothing waiting: Success, an empty payload",
            _core_answer_example(
                "X12_271_Response_005010X279A1", "Batch", "", "No batch results are waiting"
            ),
        ),
    }
)


async def _core(
    request: Request,
    db: DbDep,
    session: SessionDep,
    settings: SettingsDep,
    mode: Mode,
) -> Response:
    media = _media_type(request)
    elements = ("COREEnvelopeRealTimeRequest",) if mode == "RealTime" else tuple(BATCH_ELEMENTS)
    if media in ("multipart/form-data", "application/x-www-form-urlencoded"):
        fmt: Format = "multipart"
    elif media in ("application/soap+xml", "text/xml", "application/xml"):
        fmt = "soap"
    else:
        raise Problem(
            415,
            "unsupported-media-type",
            "Unsupported media type",
            "Send the CORE envelope as multipart/form-data or SOAP 1.2 (application/soap+xml)",
        )
    env: Envelope | None = None
    try:
        limit = settings.max_upload_bytes
        refuse_declared(request, limit)
        if fmt == "multipart":
            env = await _read_multipart(request, limit)
        else:
            env = _read_soap(await _read_body(request, limit), elements)
        principal = await _authenticate(request, session, settings, env)
        if mode == "Batch" and _retrieval(env):
            return await _retrieve(request, db, principal, env)
        types = REALTIME_TYPES if mode == "RealTime" else BATCH_TYPES
        payload = _validate(env, mode, types)
        if not _may_send(principal, payload):
            raise CoreError("Unauthorized", "The key is not bound to the ISA sender", 403)
        if mode == "RealTime":
            st01 = types[env.fields["PayloadType"]][0]
            if st01 not in RESPONDERS:
                raise CoreError(
                    "PayloadTypeIncorrect",
                    f"A {st01} is not answered in real time here; submit it as a batch",
                )
            try:
                answer = await respond(
                    db,
                    payload,
                    snip_level=settings.snip_level,
                    partner_id=principal.partner_id,
                    settings=settings,
                )
            except RealtimeError as exc:
                raise CoreError("PayloadTypeIncorrect", exc.detail) from exc
            token = None if request.headers.get("authorization") else env.password
            audit = auditor(request, principal, db, token)
            await audit.read("interchange", [answer.interchange_id])  # the request, its answer
            kind = RESPONSE_TYPES.get(answer.kind, answer.kind)
            fields = _response_fields(env, mode, kind, "Success", "", answer.x12)
            return _answer(fmt, mode, fields)
        return await _submit(request, db, settings, principal, env, payload, media)
    except CoreError as exc:
        fields = _response_fields(env, mode, ERROR_PAYLOAD_TYPE, exc.code, exc.message)
        element = env.element if env is not None else SUBMISSION
        return _answer(fmt, mode, fields, exc.status, element)


async def _submit(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    principal: Principal,
    env: Envelope,
    payload: bytes,
    media: str,
) -> Response:
    """A batch submission: stored like a file upload, so its acknowledgments land in the
    submitter's outbox (for ack retrieval) as well as in this answer, and its 270/276/278
    requests are answered into the outbox (for batch results retrieval)."""
    result = await ingest(
        db,
        payload,
        source=m.Source.CORE,
        content_type=media,
        snip_level=settings.snip_level,
        partner_id=principal.partner_id,
    )
    if not result.interchanges:
        raise CoreError("PayloadTypeIncorrect", "No interchange could be read from the payload")
    poster = principal.partner_id

    async def later(interchange_id: int, set_id: int) -> None:
        await defer_answer(await job_queue(request), interchange_id, set_id, poster)

    await answer_requests(db, result, partner_id=poster, settings=settings, defer=later)
    fields = _response_fields(
        env, "Batch", RESPONSE_TYPES[ack_kind(result)], "Success", "", result.acks
    )
    return _answer(env.format, "Batch", fields, request_element=env.element or SUBMISSION)


def _retrieval(env: Envelope) -> bool:
    """Whether a batch envelope asks for results or acknowledgments (by its SOAP element,
    or, in multipart, by its PayloadType)."""
    if env.element:
        return env.element != SUBMISSION
    kind = env.fields.get("PayloadType", "")
    return kind in RESULTS_RETRIEVAL_TYPES or kind in ACK_RETRIEVAL_TYPES


async def _retrieve(request: Request, db: DbDep, principal: Principal, env: Envelope) -> Response:
    """Hand the caller the oldest uncollected outbox item the retrieval asks for, and mark
    it collected (as ``POST /v1/outbox/{id}/ack`` does). Nothing waiting: ``Success`` with
    an empty payload (CORE 2.2.0 names no ErrorCode for "no batch results")."""
    acks = env.element == ACK_RETRIEVAL or env.fields.get("PayloadType") in ACK_RETRIEVAL_TYPES
    types = ACK_RETRIEVAL_TYPES if acks else RESULTS_RETRIEVAL_TYPES
    _validate_header(env, "Batch", types)
    if env.element and env.element != (ACK_RETRIEVAL if acks else RESULTS_RETRIEVAL):
        raise CoreError(
            "PayloadTypeIncorrect",
            f"PayloadType {env.fields['PayloadType']} is not a {env.element}",
        )
    if principal.partner_id is None:
        raise CoreError("Unauthorized", "Batch results are kept for partner keys only", 403)
    wanted = types[env.fields["PayloadType"]]
    query = select(OutboxItem).where(
        OutboxItem.partner_id == principal.partner_id, OutboxItem.collected_at.is_(None)
    )
    if acks:
        query = query.where(OutboxItem.acknowledgment_id.is_not(None))
        if wanted == "TA1":
            query = query.where(OutboxItem.kinds.contains("TA1"))
    else:
        query = query.where(OutboxItem.kinds == wanted)
    # SKIP LOCKED: two polls at once never hand out the same item
    query = query.order_by(OutboxItem.id).limit(1).with_for_update(skip_locked=True)
    async with db.session() as s:
        item = (await s.execute(query)).scalar_one_or_none()
        if item is None:
            payload_type = RESPONSE_TYPES[wanted if acks else _RESULT_RESPONSE[wanted]]
            fields = _response_fields(
                env, "Batch", payload_type, "Success", "No batch results are waiting", b""
            )
            return _answer(env.format, "Batch", fields, request_element=env.element)
        x12 = await item_x12(s, item)
        kinds = item.kinds.split(",")
        if acks:
            payload_type = RESPONSE_TYPES["999" if "999" in kinds or "TA1" not in kinds else "TA1"]
        else:
            payload_type = RESPONSE_TYPES[_RESULT_RESPONSE[wanted]]
        item.collected_at = now()
        item.collected_by = (principal.partner or principal.role)[:120]
        item_id = item.id
        await s.commit()
    token = None if request.headers.get("authorization") else env.password
    await auditor(request, principal, db, token).read("outbox_item", [item_id])
    fields = _response_fields(env, "Batch", payload_type, "Success", "", x12)
    return _answer(env.format, "Batch", fields, request_element=env.element)


@router.post(
    "/core/realtime",
    summary="CAQH CORE real-time (multipart or SOAP 1.2): a 270 in, its 271 out",
    response_class=Response,
    openapi_extra=_core_openapi(
        "X12_270_Request_005010X279A1", "RealTime", "COREEnvelopeRealTimeRequest"
    ),
    responses=_REALTIME_RESPONSES,
)
async def core_realtime(
    request: Request, db: DbDep, session: SessionDep, settings: SettingsDep
) -> Response:
    return await _core(request, db, session, settings, "RealTime")


@router.post(
    "/core/batch",
    summary="CAQH CORE batch (multipart or SOAP 1.2): submit a batch, retrieve its acks and results",
    description="A `COREEnvelopeBatchSubmission` is stored and answered with its 999 (or TA1). "
    "Its acknowledgments, and the answers to its 270/276/278 requests, wait in the submitter's "
    "outbox: a `COREEnvelopeBatchSubmissionAckRetrievalRequest` (PayloadType "
    "`X12_999_RetrievalRequest_005010X231A1`: any acknowledgment; "
    "`X12_TA1_RetrievalRequest_00501X231A1`: one holding a TA1) or a "
    "`COREEnvelopeBatchResultsRetrievalRequest` (`X12_005010_Request_Batch_Results_271`, "
    "`_277`, `_278`) is answered with the oldest uncollected one, which is then collected "
    "(as `POST /v1/outbox/{id}/ack` does). Nothing waiting: ErrorCode `Success`, an empty "
    "payload.",
    response_class=Response,
    openapi_extra=_batch_openapi(),
    responses=_BATCH_RESPONSES,
)
async def core_batch(
    request: Request, db: DbDep, session: SessionDep, settings: SettingsDep
) -> Response:
    return await _core(request, db, session, settings, "Batch")
