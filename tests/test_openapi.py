"""The OpenAPI document is complete: a summary, and an example of the request and of the
answer, for every operation (examples recorded by ``python -m bench.openapi_examples``)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gateway.api.openapi import merge_examples
from gateway.app import create_app
from gateway.settings import Settings


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    app = create_app(Settings(admin_key="k", database_url="postgresql://u@127.0.0.1/none"))
    doc: dict[str, Any] = app.openapi()
    return doc


def _examples(media: dict[str, Any], components: dict[str, Any]) -> bool:
    if "example" in media or "examples" in media:
        return True
    schema = media.get("schema") or {}
    ref = schema.get("$ref", "")
    schema = components.get(ref.rsplit("/", 1)[-1], schema) if ref else schema
    return "example" in schema or "examples" in schema


def _operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{method.upper()} {path}", operation)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    ]


def test_every_operation_has_a_summary_and_examples(document: dict[str, Any]) -> None:
    components = document.get("components", {}).get("schemas", {})
    missing = []
    for name, operation in _operations(document):
        if not operation.get("summary"):
            missing.append(f"{name}: summary")
        body = operation.get("requestBody")
        if body and not any(_examples(m, components) for m in body["content"].values()):
            missing.append(f"{name}: request example")
        answers = [
            media
            for status, response in operation["responses"].items()
            if status.startswith("2")
            for media in response.get("content", {}).values()
        ]
        if not any(_examples(m, components) for m in answers):
            missing.append(f"{name}: response example")
    assert missing == [], "record them: python -m bench.openapi_examples\n" + "\n".join(missing)


def test_merge_keeps_an_operations_own_example() -> None:
    document = {
        "paths": {
            "/a": {
                "get": {
                    "responses": {"200": {"content": {"application/json": {"example": {"own": 1}}}}}
                }
            }
        }
    }
    recorded = {"GET /a": {"responses": {"200": {"application/json": {"recorded": 1}}}}}
    merged = merge_examples(document, recorded)
    assert merged["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/json"] == {
        "example": {"own": 1}
    }
    recorded = {"GET /b": {"responses": {"200": {"text/plain": "x"}}}}
    document["paths"]["/b"] = {"get": {"responses": {"200": {"description": "ok"}}}}
    merged = merge_examples(document, recorded)
    assert merged["paths"]["/b"]["get"]["responses"]["200"]["content"] == {
        "text/plain": {"example": "x"}
    }


async def test_docs_render(document: dict[str, Any]) -> None:
    app = create_app(Settings(admin_key="k", database_url="postgresql://u@127.0.0.1/none"))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        docs = await client.get("/docs")
        assert docs.status_code == 200 and "swagger-ui" in docs.text
        served = await client.get("/openapi.json")
        assert served.json()["paths"].keys() == document["paths"].keys()


def test_every_error_is_declared_as_a_problem(document: dict[str, Any]) -> None:
    """Errors are RFC 9457 problems, each with an example; FastAPI's default 422 is gone;
    401 wherever a key is needed, 404 with a path ID, 409 with Idempotency-Key, 504 always.
    (``tests/test_fuzz_api.py`` checks the answers against these declarations.)"""
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "Problem" in schemas
    open_paths = {"/healthz", "/readyz", "/metrics"}
    wrong = []
    for name, operation in _operations(document):
        path = name.split(" ", 1)[1]
        responses = operation["responses"]
        expected = {"504"}
        if path not in open_paths and not path.startswith("/core/"):
            expected.add("401")
        if "{" in path:
            expected.add("404")
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        if "Idempotency-Key" in headers:
            expected |= {"400", "409"}
        if missing := expected - responses.keys():
            wrong.append(f"{name}: no {sorted(missing)}")
        for status, response in responses.items():
            if int(status) < 400 or (path.startswith("/core/") and status in ("400", "401", "403")):
                continue  # CORE answers its envelope errors as CORE envelopes
            media = response.get("content", {}).get("application/problem+json")
            if media is None or media["schema"] != {"$ref": "#/components/schemas/Problem"}:
                wrong.append(f"{name}: {status} is not a problem")
            elif media["example"]["status"] != int(status):
                wrong.append(f"{name}: {status} example")
    assert wrong == []
    assert {"POST /v1/eligibility", "POST /v1/realtime"} <= {
        name for name, op in _operations(document) if {"502", "504"} <= op["responses"].keys()
    }
    admin_only = document["paths"]["/v1/admin/partners"]["get"]["responses"]
    assert "403" in admin_only
