"""Record a real answer of every endpoint as its OpenAPI example.

    python -m bench.openapi_examples          # writes gateway/api/examples.json

Starts a scratch embedded PostgreSQL, drives the app in process through a day's work
(partners, members, X12 batches, eligibility, claims, status, decisions, remittances,
prior auth, real time, jobs, replay, outbox, audit), and keeps each endpoint's first
successful answer (lists cut to two items, long strings kept: they are X12 the caller
would see). Fixture data only; no real person's data. Re-run it when an endpoint's
answer changes shape; ``tests/test_openapi.py`` fails when an endpoint has no example.
"""

from __future__ import annotations

import asyncio
import json
import re
import tempfile
from pathlib import Path
from typing import Any

import httpx

from gateway.api.auth import create_partner_key
from gateway.api.openapi import EXAMPLES
from gateway.app import create_app, migration_head
from gateway.settings import Settings
from gateway.store.connect import upgrade
from gateway.store.db import Database, embedded_url
from schemas.admin import ClaimDecision, MemberLoad
from schemas.admin import example as admin_example
from schemas.claim_status import ClaimStatusRequest
from schemas.claims import ClaimSubmission, example

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "x12"
ADMIN = "admin-key-for-examples"
AUTH = {"Authorization": f"Bearer {ADMIN}"}
X12 = "application/edi-x12"


def _trim(value: Any) -> Any:
    if isinstance(value, list):
        return [_trim(v) for v in value[:2]]
    if isinstance(value, dict):
        return {k: _trim(v) for k, v in value.items()}
    return value


class Recorder:
    def __init__(self, client: httpx.AsyncClient, routes: dict[str, str]) -> None:
        self.client = client
        self.routes = routes  # "METHOD /path/{x}" -> regex of the concrete URL
        self.examples: dict[str, Any] = {}

    def _template(self, method: str, url: str) -> str | None:
        path = url.split("?", 1)[0]
        for key, pattern in self.routes.items():
            if key.startswith(method + " ") and re.fullmatch(pattern, path):
                return key
        return None

    async def call(
        self,
        method: str,
        url: str,
        *,
        json_body: Any = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        headers = {**AUTH, **(headers or {})}
        if content is not None:
            headers.setdefault("Content-Type", X12)
        response = await self.client.request(
            method, url, json=json_body, content=content, headers=headers
        )
        key = self._template(method, url)
        if key is None or response.status_code >= 400:
            print(f"  not recorded: {method} {url} -> {response.status_code}")
            return response
        entry = self.examples.setdefault(key, {"responses": {}})
        if json_body is not None:
            entry.setdefault("request", {}).setdefault("application/json", json_body)
        elif content is not None:
            entry.setdefault("request", {}).setdefault(
                headers["Content-Type"], content.decode("latin-1")
            )
        ctype = response.headers.get("content-type", "").split(";")[0]
        body: Any
        if ctype.endswith("json"):
            body = _trim(response.json())
        else:
            body = response.text
            if len(body) > 4000:
                body = body[:4000]
        entry["responses"].setdefault(str(response.status_code), {}).setdefault(ctype, body)
        return response


def _routes(app: Any) -> dict[str, str]:
    """ "METHOD /path/{x}" -> a regex of its concrete URLs, for every documented operation."""
    out = {}
    for path, operations in app.openapi()["paths"].items():
        pattern = re.sub(r"\{[^}]+\}", "[^/]+", path)
        for method in operations:
            out[f"{method.upper()} {path}"] = pattern
    return out


async def record(url: str) -> dict[str, Any]:
    db = Database(url)
    settings = Settings(admin_key=ADMIN, database_url=url, async_threshold_bytes=20_000)
    app = create_app(settings, db)
    app.state.migration_head = migration_head(url)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://x12gw.example") as c:
        r = Recorder(c, _routes(app))
        async with db.session() as s:
            await create_partner_key(s, "lakeside", [("ZZ", "LAKESIDECLINIC")])
            await s.commit()
        await r.call("GET", "/healthz")
        await r.call("GET", "/readyz")
        await r.call(
            "POST",
            "/v1/admin/partners",
            json_body={"name": "maple-billing", "senders": [{"qualifier": "ZZ", "id": "MAPLE"}]},
        )
        await r.call("GET", "/v1/admin/partners")
        await r.call("POST", "/v1/admin/members", json_body=admin_example(MemberLoad))

        batch = (FIXTURES / "837P" / "generated-12-claims.837").read_bytes()
        posted = (await r.call("POST", "/v1/interchanges", content=batch)).json()
        ic = posted["interchanges"][0]["id"]
        ts = posted["interchanges"][0]["transactionSets"][0]
        for suffix in ("", "/raw", "/acks", "/transactions", "/attempts"):
            await r.call("GET", f"/v1/interchanges/{ic}{suffix}")
        await r.call("GET", "/v1/interchanges?type=837&limit=2")
        await r.call("GET", f"/v1/transactions/{ts}")
        remit = (FIXTURES / "835" / "generated-12-claims.835").read_bytes()
        await r.call("POST", "/v1/interchanges", content=remit)

        big = b"".join(
            batch.replace(b"*000000001*", f"*{n:09d}*".encode()) for n in range(900, 906)
        )
        queued = await r.call("POST", "/v1/interchanges", content=big)
        if queued.status_code == 202:
            await r.call("GET", f"/v1/jobs/{queued.json()['jobId']}")

        load = admin_example(MemberLoad)
        member = load["members"][0]
        eligibility = await r.call(
            "POST",
            "/v1/eligibility",
            json_body={
                "controlNumber": "123456789",
                "tradingPartnerServiceId": load["payerId"],
                "provider": {"organizationName": "MAPLE STREET CLINIC", "npi": "1999999984"},
                "subscriber": {
                    k: member[k] for k in ("memberId", "firstName", "lastName", "dateOfBirth")
                },
                "encounter": {"serviceTypeCodes": ["30"], "dateOfService": "2024-02-01"},
            },
        )
        await r.call(
            "GET",
            f"/v1/eligibility/{eligibility.json()['id']}/estimate?procedureCode=99213&chargeAmount=125",
        )

        submitted = await r.call("POST", "/v1/claims", json_body=example(ClaimSubmission))
        claim_id = submitted.json()["id"]
        await r.call("POST", "/v1/claim-status", json_body=example(ClaimStatusRequest))
        await r.call(
            "POST",
            f"/v1/admin/claims/{claim_id}/decision",
            json_body=admin_example(ClaimDecision),
        )
        await r.call("GET", f"/v1/claims/{claim_id}")
        listed = await r.call("GET", "/v1/remittances?npi=1999999984")
        if listed.json().get("items"):
            await r.call("GET", f"/v1/remittances/{listed.json()['items'][0]['id']}")

        await r.call("GET", "/v1/precert-requirements?procedureCode=27447")
        await r.call(
            "POST",
            "/v1/prior-auth",
            json_body=_model_example("schemas.prior_auth", "PriorAuthRequest"),
        )

        inquiry = (FIXTURES / "270" / "two-subscribers-with-dependent.270").read_bytes()
        await r.call("POST", "/v1/realtime", content=inquiry)

        await r.call("POST", f"/v1/interchanges/{ic}/replay?dryRun=true")
        await r.call("POST", f"/v1/interchanges/{ic}/replay")
        await r.call("GET", "/v1/outbox?limit=2")
        await r.call("GET", "/v1/audit?limit=2")
        await r.call("GET", "/metrics")
    await db.dispose()
    return r.examples


def _model_example(module: str, name: str) -> Any:
    import importlib

    model = getattr(importlib.import_module(module), name)
    extra = model.model_config.get("json_schema_extra") or {}
    return extra.get("example")


def main() -> None:
    scratch = Path(tempfile.mkdtemp(prefix="x12gw-examples-"))
    url = embedded_url(scratch, database="examples", cleanup="delete")  # gone at exit
    upgrade(url)
    examples = asyncio.run(record(url))
    EXAMPLES.write_text(json.dumps(examples, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(examples)} operations recorded in {EXAMPLES.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
