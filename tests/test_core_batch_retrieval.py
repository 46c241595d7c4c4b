"""CAQH CORE batch retrieval (CORE 2.2.0): a batch's acknowledgments and the answers to its
270/276/278 requests wait in the submitter's outbox and are collected over ``POST
/core/batch`` with a results or acknowledgment retrieval envelope (multipart and SOAP 1.2)."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import httpx

from parsers import parse
from tests.api_support import ADMIN
from tests.test_api_core import (
    bearer,
    envelope,
    inquiry,
    multipart_fields,
    soap_fields,
    soap_request,
    store_271,
)
from tests.x12 import claim, file_837

ACK_999 = "X12_999_RetrievalRequest_005010X231A1"
ACK_TA1 = "X12_TA1_RetrievalRequest_00501X231A1"
RESULTS_271 = "X12_005010_Request_Batch_Results_271"


def an_837(control: int, pcn: str, ack: str = "0") -> bytes:
    x12 = file_837([claim(pcn, ["100*99213"])], ack=ack)
    return x12.replace(b"000000101", f"{control:09d}".encode())


async def submit(client: httpx.AsyncClient, key: str, x12: bytes, payload_type: str) -> bytes:
    """A multipart batch submission; the 999 its answer carries."""
    answer = await client.post(
        "/core/batch",
        data=envelope(payload_type, "Batch"),
        files={"Payload": ("batch.x12", x12, "application/edi-x12")},
        headers=bearer(key),
    )
    assert answer.status_code == 200, answer.text
    fields = multipart_fields(answer)
    assert fields["ErrorCode"] == b"Success"
    return fields["Payload"]


async def retrieve(client: httpx.AsyncClient, key: str, payload_type: str) -> dict[str, bytes]:
    answer = await client.post(
        "/core/batch", data=envelope(payload_type, "Batch"), headers=bearer(key)
    )
    assert answer.status_code == 200, answer.text
    return multipart_fields(answer)


async def new_items(client: httpx.AsyncClient, key: str) -> list[dict[str, Any]]:
    listed = await client.get("/v1/outbox", headers=bearer(key))
    assert listed.status_code == 200, listed.text
    items: list[dict[str, Any]] = listed.json()["items"]
    return [i for i in items if i["collectedAt"] is None]


async def test_core_batch_acks_go_to_the_outbox_and_are_retrieved_once(
    api_client: httpx.AsyncClient,
) -> None:
    key = api_client.headers["x-test-partner-key"]
    other = api_client.headers["x-test-other-key"]
    first = await submit(api_client, key, an_837(501, "R1"), "X12_837_Request_005010X222A1")
    second = await submit(api_client, key, an_837(502, "R2"), "X12_837_Request_005010X222A1")
    # the batch's acknowledgments wait in the submitter's outbox, and only there
    waiting = await new_items(api_client, key)
    assert [i["kinds"] for i in waiting] == [["999", "277CA"], ["999", "277CA"]]
    assert await new_items(api_client, other) == []
    assert (await retrieve(api_client, other, ACK_999))["Payload"] == b""
    # oldest first, each handed out once
    got = await retrieve(api_client, key, ACK_999)
    assert got["ErrorCode"] == b"Success" and got["ProcessingMode"] == b"Batch"
    assert got["PayloadType"] == b"X12_999_Response_005010X231A1"
    assert got["Payload"].strip() == first.strip()
    assert got["PayloadLength"] == str(len(got["Payload"])).encode()
    assert got["CheckSum"] == hashlib.sha1(got["Payload"]).hexdigest().encode()
    assert got["SenderID"] == b"SUMMITHEALTH" and got["ReceiverID"] == b"SUBMITTER"
    doc = parse(got["Payload"])
    assert doc.errors == [] and [t.st01 for t in doc.transactions] == ["999", "277"]
    # collected, as POST /v1/outbox/{id}/ack would: it leaves the new list
    (left,) = await new_items(api_client, key)
    assert left["id"] == waiting[1]["id"]
    collected = await api_client.get(f"/v1/outbox/{waiting[0]['id']}", headers=bearer(key))
    assert collected.status_code == 200
    assert (await retrieve(api_client, key, ACK_999))["Payload"].strip() == second.strip()
    # nothing left: Success with an empty payload
    empty = await retrieve(api_client, key, ACK_999)
    assert empty["ErrorCode"] == b"Success" and empty["Payload"] == b""
    assert empty["PayloadLength"] == b"0"
    assert empty["PayloadType"] == b"X12_999_Response_005010X231A1"
    assert await new_items(api_client, key) == []


async def test_ta1_retrieval_collects_acknowledgments_holding_a_ta1(
    api_client: httpx.AsyncClient,
) -> None:
    key = api_client.headers["x-test-partner-key"]
    await submit(api_client, key, an_837(601, "T1"), "X12_837_Request_005010X222A1")
    await submit(api_client, key, an_837(602, "T2", ack="1"), "X12_837_Request_005010X222A1")
    got = await retrieve(api_client, key, ACK_TA1)
    assert got["PayloadType"] == b"X12_999_Response_005010X231A1"  # a TA1 with its 999
    assert b"TA1*000000602*" in got["Payload"]
    assert (await retrieve(api_client, key, ACK_TA1))["Payload"] == b""
    # the one without a TA1 is still there for a 999 retrieval
    rest = await retrieve(api_client, key, ACK_999)
    assert b"TA1*" not in rest["Payload"] and b"ST*999*" in rest["Payload"]


async def test_core_batch_270_answers_are_retrieved_over_soap(
    api_client: httpx.AsyncClient,
) -> None:
    key = api_client.headers["x-test-partner-key"]
    await store_271(api_client)
    request = inquiry(3301)
    submitted = await api_client.post(
        "/core/batch",
        content=soap_request(
            "COREEnvelopeBatchSubmission",
            envelope("X12_270_Request_005010X279A1", "Batch"),
            base64.b64encode(request).decode(),
        ),
        headers=bearer(key, "application/soap+xml"),
    )
    assert submitted.status_code == 200, submitted.text
    assert soap_fields(submitted, "COREEnvelopeBatchSubmissionResponse")["ErrorCode"] == "Success"
    # the 271 waits in the outbox (next to the 270's 999)
    assert sorted(i["kinds"][0] for i in await new_items(api_client, key)) == ["271", "999"]
    element = "COREEnvelopeBatchResultsRetrievalRequest"
    answer = await api_client.post(
        "/core/batch",
        content=soap_request(element, envelope(RESULTS_271, "Batch"), None, password=key),
        headers={"Content-Type": "application/soap+xml"},
    )
    assert answer.status_code == 200, answer.text
    got = soap_fields(answer, "COREEnvelopeBatchResultsRetrievalResponse")
    assert got["ErrorCode"] == "Success" and got["ProcessingMode"] == "Batch"
    assert got["PayloadType"] == "X12_271_Response_005010X279A1"
    x12 = base64.b64decode(got["Payload"])  # base64Binary, as in the batch answer
    assert got["PayloadLength"] == str(len(x12))
    assert got["CheckSum"] == hashlib.sha1(x12).hexdigest()
    doc = parse(x12)
    assert doc.errors == [] and [t.st01 for t in doc.transactions] == ["271"]
    assert b"SHP123456789" in x12
    # once only; the 999 is still waiting for an acknowledgment retrieval over SOAP
    again = await api_client.post(
        "/core/batch",
        content=soap_request(element, envelope(RESULTS_271, "Batch"), None),
        headers=bearer(key, "application/soap+xml"),
    )
    assert soap_fields(again, "COREEnvelopeBatchResultsRetrievalResponse")["Payload"] == ""
    acks = await api_client.post(
        "/core/batch",
        content=soap_request(
            "COREEnvelopeBatchSubmissionAckRetrievalRequest", envelope(ACK_999, "Batch"), None
        ),
        headers=bearer(key, "application/soap+xml"),
    )
    got_ack = soap_fields(acks, "COREEnvelopeBatchSubmissionAckRetrievalResponse")
    assert got_ack["PayloadType"] == "X12_999_Response_005010X231A1"
    assert b"ST*999*" in base64.b64decode(got_ack["Payload"])
    assert await new_items(api_client, key) == []


async def test_retrieval_envelope_errors(api_client: httpx.AsyncClient) -> None:
    key = api_client.headers["x-test-partner-key"]
    element = "COREEnvelopeBatchResultsRetrievalRequest"
    # an acknowledgment PayloadType in a results retrieval
    mismatch = await api_client.post(
        "/core/batch",
        content=soap_request(element, envelope(ACK_999, "Batch"), None),
        headers=bearer(key, "application/soap+xml"),
    )
    assert mismatch.status_code == 400
    got = soap_fields(mismatch, "COREEnvelopeBatchResultsRetrievalResponse")
    assert got["ErrorCode"] == "PayloadTypeIncorrect"
    # a retrieval PayloadType in a submission envelope
    submission = await api_client.post(
        "/core/batch",
        content=soap_request("COREEnvelopeBatchSubmission", envelope(RESULTS_271, "Batch"), None),
        headers=bearer(key, "application/soap+xml"),
    )
    got = soap_fields(submission, "COREEnvelopeBatchSubmissionResponse")
    assert got["ErrorCode"] == "PayloadTypeIncorrect"
    for changes, code in (
        ({"PayloadID": None}, b"PayloadIDRequired"),
        ({"PayloadID": "not-a-uuid"}, b"PayloadIDIncorrect"),
        ({"ProcessingMode": "RealTime"}, b"ProcessingModeIncorrect"),
        ({"CORERuleVersion": "2.1.0"}, b"VersionMismatch"),
    ):
        bad = await api_client.post(
            "/core/batch", data=envelope(RESULTS_271, "Batch", **changes), headers=bearer(key)
        )
        assert bad.status_code == 400, (changes, bad.text)
        assert multipart_fields(bad)["ErrorCode"] == code
    unknown = await api_client.post(
        "/core/batch", data=envelope(RESULTS_271, "Batch"), headers=bearer("x12gw_nope")
    )
    assert unknown.status_code == 401
    assert multipart_fields(unknown)["ErrorCode"] == b"Unauthorized"
    # the admin has no outbox to collect from
    admin = await api_client.post(
        "/core/batch", data=envelope(RESULTS_271, "Batch"), headers=bearer(ADMIN)
    )
    assert admin.status_code == 403
    assert multipart_fields(admin)["ErrorCode"] == b"Unauthorized"
