"""Real-time X12 (POST /v1/realtime) and CAQH CORE connectivity (multipart and SOAP 1.2)."""

from __future__ import annotations

import base64
import email
import email.policy
import hashlib
import uuid
import xml.etree.ElementTree as ET

import httpx
import pytest

from gateway.api.core import CORE_NS, SOAP12, router
from parsers import parse
from tests.api_support import ADMIN
from tests.conftest import FIXTURES
from tests.x12 import claim, file_837

REQUEST_270 = (FIXTURES / "270" / "two-subscribers-with-dependent.270").read_bytes()
STORED_271 = (FIXTURES / "271" / "hdhp-benefits-in-out-network-tpa.271").read_bytes()
MEMBER = b"SHP123456789"


@pytest.fixture
async def client(api_client: httpx.AsyncClient) -> httpx.AsyncClient:
    app = api_client._transport.app  # type: ignore[attr-defined]
    if not any(getattr(r, "path", None) == "/core/realtime" for r in app.routes):
        app.include_router(router)
    return api_client


def bearer(key: str, content_type: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {key}"}
    if content_type:
        headers["Content-Type"] = content_type
    return headers


def inquiry(control: int = 3101, sender: bytes = b"SUBMITTER      ") -> bytes:
    """The fixture 270, sent by the test partner's ISA sender, with its own control number."""
    number = f"{control:09d}".encode()
    data = REQUEST_270.replace(b"LAKESIDECLINIC ", sender, 1)
    return data.replace(b"000003101", number)


async def store_271(client: httpx.AsyncClient) -> None:
    stored = await client.post(
        "/v1/interchanges", content=STORED_271, headers=bearer(ADMIN, "application/edi-x12")
    )
    assert stored.status_code == 200, stored.text


def envelope(payload_type: str, mode: str, **changes: str | None) -> dict[str, str]:
    fields = {
        "PayloadType": payload_type,
        "ProcessingMode": mode,
        "PayloadID": str(uuid.uuid4()),
        "TimeStamp": "2026-01-02T10:20:34Z",
        "SenderID": "SUBMITTER",
        "ReceiverID": "SUMMITHEALTH",
        "CORERuleVersion": "2.2.0",
    }
    for name, value in changes.items():
        if value is None:
            fields.pop(name)
        else:
            fields[name] = value
    return fields


def multipart_fields(response: httpx.Response) -> dict[str, bytes]:
    head = f"Content-Type: {response.headers['content-type']}\r\n\r\n".encode()
    message = email.message_from_bytes(head + response.content, policy=email.policy.HTTP)
    out = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        assert isinstance(name, str) and isinstance(payload, bytes)
        out[name] = payload
    return out


def soap_request(
    element: str, fields: dict[str, str], payload: str | None, password: str | None = None
) -> bytes:
    header = ""
    if password is not None:
        header = (
            '<soap:Header><wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/'
            'oasis-200401-wss-wssecurity-secext-1.0.xsd"><wsse:UsernameToken>'
            f"<wsse:Username>clinic</wsse:Username><wsse:Password>{password}</wsse:Password>"
            "</wsse:UsernameToken></wsse:Security></soap:Header>"
        )
    body = "".join(f"<{k}>{v}</{k}>" for k, v in fields.items())
    if payload is not None:
        body += f"<Payload><![CDATA[{payload}]]></Payload>"
    return (
        f'<soap:Envelope xmlns:soap="{SOAP12}" xmlns:cor="{CORE_NS}">{header}<soap:Body>'
        f"<cor:{element}>{body}</cor:{element}></soap:Body></soap:Envelope>"
    ).encode()


def soap_fields(response: httpx.Response, element: str) -> dict[str, str]:
    assert response.headers["content-type"].startswith("application/soap+xml")
    root = ET.fromstring(response.content)
    found = root.find(f"{{{SOAP12}}}Body/{{{CORE_NS}}}{element}")
    assert found is not None, response.text
    return {child.tag: child.text or "" for child in found}


def assert_271_for_member(x12: bytes) -> None:
    doc = parse(x12)
    assert doc.errors == [], doc.errors
    assert b"ST*271*" in x12 and MEMBER in x12 and b"EB*" in x12
    # the answer goes back the other way: sender = the request's receiver
    assert x12.startswith(b"ISA*00*          *00*          *ZZ*SUMMITHEALTH   *ZZ*SUBMITTER")


async def test_realtime_x12_in_x12_out(client: httpx.AsyncClient) -> None:
    await store_271(client)
    key = client.headers["x-test-partner-key"]
    answer = await client.post(
        "/v1/realtime", content=inquiry(), headers=bearer(key, "application/edi-x12")
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/edi-x12")
    assert answer.headers["x12-response-type"] == "271"
    assert_271_for_member(answer.content)
    # the same request again (a duplicate interchange) is answered again, from the original
    again = await client.post("/v1/realtime", content=inquiry(), headers=bearer(key, "text/plain"))
    assert again.status_code == 200 and again.headers["x12-response-type"] == "271"
    assert_271_for_member(again.content)
    assert again.content[90:99] != answer.content[90:99]  # a new ISA13
    # both the request and the 271s are stored
    listed = await client.get("/v1/interchanges?type=271", headers=bearer(ADMIN))
    assert len(listed.json()["items"]) == 3  # the stored one and the two answers
    mine = await client.get("/v1/interchanges?type=271", headers=bearer(key))
    assert len(mine.json()["items"]) == 2  # the partner reads the answers it was sent


def as_submitter(path: str, sender: bytes) -> bytes:
    data = (FIXTURES / path).read_bytes()
    assert data.count(sender) >= 1
    return data.replace(sender.ljust(15), b"SUBMITTER".ljust(15), 1)


async def test_realtime_276_gets_a_277_and_278_gets_a_278_response(
    client: httpx.AsyncClient,
) -> None:
    key = client.headers["x-test-partner-key"]
    request_276 = as_submitter("276/two-patients-service-lines.276", b"MAPLEBILLING")
    status = await client.post(
        "/v1/realtime", content=request_276, headers=bearer(key, "text/plain")
    )
    assert status.status_code == 200, status.text
    assert status.headers["x12-response-type"] == "277"
    doc = parse(status.content)
    assert doc.errors == [], doc.errors
    assert b"ST*277*" in status.content and b"STC*" in status.content
    assert status.content.startswith(
        b"ISA*00*          *00*          *ZZ*NORTHWINDHP    *ZZ*SUBMITTER"
    )

    request_278 = as_submitter("278/request-outpatient-knee-two-cpt.278", b"LAKESIDEORTHO")
    auth = await client.post("/v1/realtime", content=request_278, headers=bearer(key, "text/plain"))
    assert auth.status_code == 200, auth.text
    assert auth.headers["x12-response-type"] == "278R"
    doc = parse(auth.content)
    assert doc.errors == [], doc.errors
    assert b"ST*278*" in auth.content and b"HCR*" in auth.content
    assert b"BHT*0007*11*" in auth.content  # a response, not an echo of the request


async def test_realtime_errors(client: httpx.AsyncClient) -> None:
    key = client.headers["x-test-partner-key"]
    broken = inquiry(3102).replace(b"SE*35*0001", b"SE*99*0001")
    acked = await client.post("/v1/realtime", content=broken, headers=bearer(key, "text/plain"))
    assert acked.status_code == 200, acked.text
    assert acked.headers["x12-response-type"] == "999"
    assert b"ST*999*" in acked.content and b"IK5*R" in acked.content
    assert parse(acked.content).errors == []
    other = client.headers["x-test-other-key"]
    forbidden = await client.post("/v1/realtime", content=inquiry(3103), headers=bearer(other))
    assert forbidden.status_code == 403
    garbage = await client.post("/v1/realtime", content=b"hello", headers=bearer(key))
    assert garbage.status_code == 400
    assert garbage.headers["content-type"] == "application/problem+json"
    claim_file = file_837([claim("A1", ["100*99213"])])
    not_realtime = await client.post("/v1/realtime", content=claim_file, headers=bearer(key))
    assert not_realtime.status_code == 400 and "batch" in not_realtime.json()["detail"]
    wrong_type = await client.post("/v1/realtime", json={"x": 1}, headers=bearer(key))
    assert wrong_type.status_code == 415
    anonymous = await client.post("/v1/realtime", content=inquiry(3104))
    assert anonymous.status_code == 401
    # real time answers one transaction set in one interchange; more is a batch
    two = await client.post(
        "/v1/realtime", content=inquiry(3105) + inquiry(3106), headers=bearer(key, "text/plain")
    )
    assert two.status_code == 400 and two.json()["type"].endswith("/one-transaction-set")
    listed = await client.get("/v1/interchanges?controlNumber=000003106", headers=bearer(ADMIN))
    assert len(listed.json()["items"]) == 1  # stored all the same


async def test_core_multipart_realtime(client: httpx.AsyncClient) -> None:
    await store_271(client)
    key = client.headers["x-test-partner-key"]
    fields = envelope("X12_270_Request_005010X279A1", "RealTime")
    answer = await client.post(
        "/core/realtime",
        data=fields,
        files={"Payload": ("request.270", inquiry(3201), "application/edi-x12")},
        headers=bearer(key),
    )
    assert answer.status_code == 200, answer.text
    got = multipart_fields(answer)
    assert got["ErrorCode"] == b"Success" and got["ErrorMessage"] == b""
    assert got["PayloadType"] == b"X12_271_Response_005010X279A1"
    assert got["ProcessingMode"] == b"RealTime" and got["CORERuleVersion"] == b"2.2.0"
    assert got["SenderID"] == b"SUMMITHEALTH" and got["ReceiverID"] == b"SUBMITTER"
    assert uuid.UUID(got["PayloadID"].decode()) != uuid.UUID(fields["PayloadID"])
    assert got["TimeStamp"]
    assert_271_for_member(got["Payload"])
    # the key may come as the Password field instead of a Bearer header
    plain = await client.post(
        "/core/realtime",
        data={**fields, "PayloadID": str(uuid.uuid4()), "Password": key},
        files={"Payload": ("request.270", inquiry(3202), "application/edi-x12")},
    )
    assert plain.status_code == 200, plain.text
    assert multipart_fields(plain)["ErrorCode"] == b"Success"


async def test_core_soap_realtime_with_username_token(client: httpx.AsyncClient) -> None:
    await store_271(client)
    key = client.headers["x-test-partner-key"]
    fields = envelope("X12_270_Request_005010X279A1", "RealTime")
    body = soap_request(
        "COREEnvelopeRealTimeRequest", fields, inquiry(3301).decode("latin-1"), password=key
    )
    answer = await client.post(
        "/core/realtime", content=body, headers={"Content-Type": "application/soap+xml"}
    )
    assert answer.status_code == 200, answer.text
    got = soap_fields(answer, "COREEnvelopeRealTimeResponse")
    assert got["ErrorCode"] == "Success" and got["ErrorMessage"] == ""
    assert got["PayloadType"] == "X12_271_Response_005010X279A1"
    assert got["SenderID"] == "SUMMITHEALTH" and got["ReceiverID"] == "SUBMITTER"
    assert_271_for_member(got["Payload"].encode("latin-1"))
    # a Bearer header works too, and a wrong password is 401
    bearer_answer = await client.post(
        "/core/realtime",
        content=soap_request(
            "COREEnvelopeRealTimeRequest",
            {**fields, "PayloadID": str(uuid.uuid4())},
            inquiry(3302).decode("latin-1"),
        ),
        headers=bearer(key, "application/soap+xml"),
    )
    assert soap_fields(bearer_answer, "COREEnvelopeRealTimeResponse")["ErrorCode"] == "Success"
    wrong = await client.post(
        "/core/realtime",
        content=soap_request(
            "COREEnvelopeRealTimeRequest", fields, inquiry(3303).decode("latin-1"), "nope"
        ),
        headers={"Content-Type": "application/soap+xml"},
    )
    assert wrong.status_code == 401
    assert soap_fields(wrong, "COREEnvelopeRealTimeResponse")["ErrorCode"] == "Unauthorized"


ENVELOPE_ERRORS: list[tuple[dict[str, str | None], str]] = [
    ({"PayloadType": None}, "PayloadTypeRequired"),
    ({"ProcessingMode": None}, "ProcessingModeRequired"),
    ({"PayloadID": None}, "PayloadIDRequired"),
    ({"TimeStamp": None}, "TimeStampRequired"),
    ({"SenderID": None}, "SenderIDRequired"),
    ({"ReceiverID": None}, "ReceiverIDRequired"),
    ({"CORERuleVersion": None}, "CORERuleVersionRequired"),
    ({"CORERuleVersion": "2.1.0"}, "VersionMismatch"),
    ({"PayloadType": "X12_837_Request_005010X222A1"}, "PayloadTypeIncorrect"),
    ({"PayloadType": "X12_276_Request_005010X212"}, "PayloadTypeIncorrect"),  # a 270 inside
    ({"ProcessingMode": "Batch"}, "ProcessingModeIncorrect"),
    ({"PayloadID": "not-a-uuid"}, "PayloadIDIncorrect"),
    ({"TimeStamp": "yesterday"}, "TimeStampIncorrect"),
]


async def test_core_envelope_errors(client: httpx.AsyncClient) -> None:
    key = ADMIN  # fast to check; the partner key is exercised elsewhere
    for changes, code in ENVELOPE_ERRORS:
        fields = envelope("X12_270_Request_005010X279A1", "RealTime", **changes)
        answer = await client.post(
            "/core/realtime",
            data=fields,
            files={"Payload": ("request.270", inquiry(3401), "application/edi-x12")},
            headers=bearer(key),
        )
        assert answer.status_code == 400, (code, answer.text)
        got = multipart_fields(answer)
        assert got["ErrorCode"] == code.encode() and got["ErrorMessage"], code
        assert got["PayloadType"] == b"CoreEnvelopeError"
        if "PayloadID" in fields:  # an error echoes the request's PayloadID
            assert got["PayloadID"] == fields["PayloadID"].encode()


async def test_core_other_errors(client: httpx.AsyncClient) -> None:
    key = client.headers["x-test-partner-key"]
    fields = envelope("X12_270_Request_005010X279A1", "RealTime")
    # no payload
    missing = await client.post("/core/realtime", data=fields, headers=bearer(key))
    assert missing.status_code == 400
    assert multipart_fields(missing)["ErrorCode"] == b"PayloadRequired"
    # no key at all: 401 in the CORE envelope
    anonymous = await client.post(
        "/core/realtime", data=fields, files={"Payload": ("r", inquiry(3501), "text/plain")}
    )
    assert anonymous.status_code == 401
    assert multipart_fields(anonymous)["ErrorCode"] == b"Unauthorized"
    # SOAP: a missing SenderID, unreadable XML, the wrong body element
    soap = bearer(key, "application/soap+xml")
    no_sender = soap_request(
        "COREEnvelopeRealTimeRequest",
        envelope("X12_270_Request_005010X279A1", "RealTime", SenderID=None),
        inquiry(3502).decode("latin-1"),
    )
    answer = await client.post("/core/realtime", content=no_sender, headers=soap)
    assert answer.status_code == 400
    assert soap_fields(answer, "COREEnvelopeRealTimeResponse")["ErrorCode"] == "SenderIDRequired"
    broken = await client.post("/core/realtime", content=b"<soap:Envelope", headers=soap)
    assert broken.status_code == 400
    assert soap_fields(broken, "COREEnvelopeRealTimeResponse")["ErrorCode"] == "EnvelopeError"
    wrong_element = soap_request("COREEnvelopeBatchSubmission", fields, "ISA")
    answer = await client.post("/core/realtime", content=wrong_element, headers=soap)
    assert soap_fields(answer, "COREEnvelopeRealTimeResponse")["ErrorCode"] == "EnvelopeError"
    # the payload is not what PayloadType says
    claim_file = file_837([claim("A1", ["100*99213"])])
    mismatch = await client.post(
        "/core/realtime", data=fields, files={"Payload": ("r", claim_file)}, headers=bearer(key)
    )
    assert multipart_fields(mismatch)["ErrorCode"] == b"PayloadTypeIncorrect"
    # neither multipart nor SOAP: a problem document
    json_body = await client.post("/core/realtime", json=fields, headers=bearer(key))
    assert json_body.status_code == 415
    assert json_body.headers["content-type"] == "application/problem+json"


async def test_core_batch_837_gets_its_999(client: httpx.AsyncClient) -> None:
    key = client.headers["x-test-partner-key"]
    x12 = file_837([claim("A1", ["100*99213"]), claim("A2", ["50*85025"])])
    fields = envelope(
        "X12_837_Request_005010X222A1",
        "Batch",
        PayloadLength=str(len(x12)),
        CheckSum=hashlib.sha1(x12).hexdigest(),
    )
    answer = await client.post(
        "/core/batch",
        data=fields,
        files={"Payload": ("claims.837", x12, "application/edi-x12")},
        headers=bearer(key),
    )
    assert answer.status_code == 200, answer.text
    got = multipart_fields(answer)
    assert got["ErrorCode"] == b"Success"
    assert got["PayloadType"] == b"X12_999_Response_005010X231A1"
    assert got["ProcessingMode"] == b"Batch"
    ack = got["Payload"]
    assert b"ST*999*" in ack and b"AK9*A*1*1*1" in ack and parse(ack).errors == []
    assert got["PayloadLength"] == str(len(ack)).encode()
    assert got["CheckSum"] == hashlib.sha1(ack).hexdigest().encode()
    # the same over SOAP, the payload as base64Binary; a wrong checksum is refused
    soap_x12 = file_837([claim("B1", ["75*99213"])]).replace(b"000000101", b"000000102")
    fields = envelope("X12_837_Request_005010X222A1", "Batch")
    soap = await client.post(
        "/core/batch",
        content=soap_request(
            "COREEnvelopeBatchSubmission", fields, base64.b64encode(soap_x12).decode()
        ),
        headers=bearer(key, "application/soap+xml"),
    )
    assert soap.status_code == 200, soap.text
    got_soap = soap_fields(soap, "COREEnvelopeBatchSubmissionResponse")
    assert got_soap["ErrorCode"] == "Success"
    assert b"ST*999*" in base64.b64decode(got_soap["Payload"])
    bad_sum = await client.post(
        "/core/batch",
        data={**fields, "CheckSum": "0" * 40},
        files={"Payload": ("claims.837", x12)},
        headers=bearer(key),
    )
    assert bad_sum.status_code == 400
    assert multipart_fields(bad_sum)["ErrorCode"] == b"ChecksumIncorrect"
    realtime_mode = await client.post(
        "/core/batch",
        data={**fields, "ProcessingMode": "RealTime"},
        files={"Payload": ("claims.837", x12)},
        headers=bearer(key),
    )
    assert multipart_fields(realtime_mode)["ErrorCode"] == b"ProcessingModeIncorrect"
