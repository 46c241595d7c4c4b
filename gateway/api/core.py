"""Real-time X12 and CAQH CORE connectivity (Phase II connectivity rule, CORERuleVersion 2.2.0).

``POST /v1/realtime``: one X12 request interchange in the body, its answer in the body (a 271
for a 270, or the request's TA1/999 when it has errors).

``POST /core/realtime`` and ``POST /core/batch``: the same over the CORE envelope, either as
HTTP MIME ``multipart/form-data`` (one form field per envelope field) or as SOAP 1.2
(``application/soap+xml``, a ``COREEnvelopeRealTimeRequest`` / ``COREEnvelopeBatchSubmission``
body). The answer uses the request's format. The caller is authenticated with the API key:
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
from starlette.datastructures import UploadFile

from gateway.api.audit import AuditDep, auditor
from gateway.api.auth import Principal, authenticate
from gateway.api.body import byte_count, read_stream, refuse_declared
from gateway.api.deps import DbDep, PrincipalDep, SessionDep, SettingsDep
from gateway.api.interchanges import isa_senders
from gateway.api.problems import Problem
from gateway.ingest import ingest
from gateway.realtime import RESPONDERS, RealtimeError, ack_kind, respond
from gateway.store import models as m

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
    Payload: str = Field(description="the X12 interchange")
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
            "errors); the x12-response-type header names which",
            "content": {X12: {"schema": {"type": "string"}, "example": EXAMPLE_271}},
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


def _read_soap(data: bytes, expected: str) -> Envelope:
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
    if _local(request.tag) != expected:
        raise CoreError("EnvelopeError", f"The SOAP body must hold a {expected}")
    env = Envelope("soap")
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


def _validate(env: Envelope, mode: Mode, types: dict[str, tuple[str, str]]) -> bytes:
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
) -> Response:
    if fmt == "multipart":
        return _multipart(fields, status)
    element = (
        "COREEnvelopeRealTimeResponse"
        if mode == "RealTime"
        else "COREEnvelopeBatchSubmissionResponse"
    )
    return _soap(element, fields, mode, status)


# ---------------------------------------------------------------------------------------------
# POST /core/realtime and /core/batch


def _core_openapi(example_type: str, mode: Mode, soap_element: str) -> dict[str, Any]:
    example = dict(CoreEnvelope.model_json_schema()["example"])
    example.update(PayloadType=example_type, ProcessingMode=mode)
    soap = (
        f'<soap:Envelope xmlns:soap="{SOAP12}" xmlns:cor="{CORE_NS}"><soap:Header>'
        '<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/'
        'oasis-200401-wss-wssecurity-secext-1.0.xsd"><wsse:UsernameToken>'
        "<wsse:Username>clinic</wsse:Username><wsse:Password>x12gw_...</wsse:Password>"
        "</wsse:UsernameToken></wsse:Security></soap:Header><soap:Body>"
        f"<cor:{soap_element}><PayloadType>{example_type}</PayloadType>"
        f"<ProcessingMode>{mode}</ProcessingMode>"
        "<PayloadID>f81d4fae-7dec-11d0-a765-00a0c91e6bf6</PayloadID>"
        "<TimeStamp>2026-01-02T10:20:34Z</TimeStamp><SenderID>LAKESIDECLINIC</SenderID>"
        "<ReceiverID>SUMMITHEALTH</ReceiverID><CORERuleVersion>2.2.0</CORERuleVersion>"
        f"<Payload>{'SVNBKjAwKi4uLg==' if mode == 'Batch' else 'ISA*00*...'}</Payload>"
        f"</cor:{soap_element}></soap:Body></soap:Envelope>"
    )
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


_CORE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The CORE response envelope (multipart fields or SOAP), ErrorCode Success",
        "content": {
            "multipart/form-data": {
                "schema": CoreResponse.model_json_schema(),
                "example": CoreResponse.model_json_schema()["example"],
            },
            "application/soap+xml": {"schema": {"type": "string"}},
        },
    },
    400: {"description": "A CORE envelope with the ErrorCode (e.g. PayloadIDRequired)"},
    401: {"description": "A CORE envelope with ErrorCode Unauthorized"},
    403: {"description": "A CORE envelope: the key is not bound to the payload's ISA sender"},
    413: {"description": "Larger than the configured limit (problem document)"},
    415: {"description": "Neither multipart/form-data nor SOAP (problem document)"},
}


async def _core(
    request: Request,
    db: DbDep,
    session: SessionDep,
    settings: SettingsDep,
    mode: Mode,
) -> Response:
    media = _media_type(request)
    element = "COREEnvelopeRealTimeRequest" if mode == "RealTime" else "COREEnvelopeBatchSubmission"
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
            env = _read_soap(await _read_body(request, limit), element)
        principal = await _authenticate(request, session, settings, env)
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
        result = await ingest(
            db,
            payload,
            source=m.Source.API,
            content_type=media,
            snip_level=settings.snip_level,
            partner_id=principal.partner_id,
        )
        if not result.interchanges:
            raise CoreError("PayloadTypeIncorrect", "No interchange could be read from the payload")
        fields = _response_fields(
            env, mode, RESPONSE_TYPES[ack_kind(result)], "Success", "", result.acks
        )
        return _answer(fmt, mode, fields)
    except CoreError as exc:
        fields = _response_fields(env, mode, ERROR_PAYLOAD_TYPE, exc.code, exc.message)
        return _answer(fmt, mode, fields, exc.status)


@router.post(
    "/core/realtime",
    summary="CAQH CORE real-time (multipart or SOAP 1.2): a 270 in, its 271 out",
    response_class=Response,
    openapi_extra=_core_openapi(
        "X12_270_Request_005010X279A1", "RealTime", "COREEnvelopeRealTimeRequest"
    ),
    responses=_CORE_RESPONSES,
)
async def core_realtime(
    request: Request, db: DbDep, session: SessionDep, settings: SettingsDep
) -> Response:
    return await _core(request, db, session, settings, "RealTime")


@router.post(
    "/core/batch",
    summary="CAQH CORE batch submission (multipart or SOAP 1.2): stored, answered with its acks",
    response_class=Response,
    openapi_extra=_core_openapi(
        "X12_837_Request_005010X222A1", "Batch", "COREEnvelopeBatchSubmission"
    ),
    responses=_CORE_RESPONSES,
)
async def core_batch(
    request: Request, db: DbDep, session: SessionDep, settings: SettingsDep
) -> Response:
    return await _core(request, db, session, settings, "Batch")
