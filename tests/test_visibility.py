"""A partner reads what it sent, what is addressed to it and what it posted; nothing else.
Checked on the endpoints that return patient-level data by ID: remittances and estimates."""

from __future__ import annotations

import httpx

from tests.api_support import ADMIN
from tests.conftest import FIXTURES

REMIT = (FIXTURES / "835" / "generated-12-claims.835").read_bytes()
PAYEE_NPI = "2645214042"


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def addressed_to(receiver: bytes, control: bytes) -> bytes:
    return (
        REMIT.replace(b"X12GWBENCHRCV  ", receiver.ljust(15), 1)
        .replace(b"*X12GWBENCHRCV*", b"*" + receiver + b"*", 1)
        .replace(b"135646773", control)
    )


async def test_remittances_and_estimates_are_the_partners_own(
    api_client: httpx.AsyncClient,
) -> None:
    client = api_client
    mine, other = client.headers["x-test-partner-key"], client.headers["x-test-other-key"]
    admin = {**bearer(ADMIN), "Content-Type": "application/edi-x12"}
    posted = await client.post(
        "/v1/interchanges", content=addressed_to(b"SUBMITTER", b"000000777"), headers=admin
    )
    assert posted.status_code == 200, posted.text
    [set_id] = posted.json()["interchanges"][0]["transactionSets"]
    interchange_id = posted.json()["interchanges"][0]["id"]

    # the payee partner the 835 is addressed to reads it, by list and by id
    listed = await client.get(f"/v1/remittances?npi={PAYEE_NPI}", headers=bearer(mine))
    assert [r["id"] for r in listed.json()["items"]] == [set_id]
    assert (await client.get(f"/v1/remittances/{set_id}", headers=bearer(mine))).status_code == 200
    as_x12 = await client.get(f"/v1/remittances/{set_id}?format=x12", headers=bearer(mine))
    assert as_x12.status_code == 200
    ids = [
        i["id"]
        for i in (await client.get("/v1/interchanges", headers=bearer(mine))).json()["items"]
    ]
    assert interchange_id in ids
    # another partner sees none of it
    listed = await client.get(f"/v1/remittances?npi={PAYEE_NPI}", headers=bearer(other))
    assert listed.json()["items"] == []
    for url in (f"/v1/remittances/{set_id}", f"/v1/remittances/{set_id}?format=x12"):
        refused = await client.get(url, headers=bearer(other))
        assert refused.status_code == 404, url
    ids = [
        i["id"]
        for i in (await client.get("/v1/interchanges", headers=bearer(other))).json()["items"]
    ]
    assert interchange_id not in ids
    assert (
        await client.get(f"/v1/interchanges/{interchange_id}", headers=bearer(other))
    ).status_code == 404

    # an eligibility answer: the asking partner may estimate from it, another may not
    stored_271 = (FIXTURES / "271" / "hdhp-benefits-in-out-network-tpa.271").read_bytes()
    answer = await client.post("/v1/interchanges", content=stored_271, headers=admin)
    assert answer.status_code == 200, answer.text
    [response_id] = answer.json()["interchanges"][0]["transactionSets"]
    url = f"/v1/eligibility/{response_id}/estimate?chargeAmount=200"
    assert (await client.get(url, headers=bearer(ADMIN))).status_code == 200
    assert (await client.get(url, headers=bearer(other))).status_code == 404
    assert (await client.get(url, headers=bearer(mine))).status_code == 404  # not its 271 either
