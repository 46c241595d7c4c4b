"""The OpenAPI document: examples for every endpoint, and the errors each one can give.

Request examples live on the pydantic models (``json_schema_extra``). Response examples
are real answers: ``python -m bench.openapi_examples`` drives a running app through a
day's work on a scratch database and records what each endpoint answered in
``examples.json`` beside this module. Here they are merged into the document where an
endpoint does not already carry its own, so ``/docs`` shows one for every operation.

Errors are declared here, once, rather than on every router (see :mod:`gateway.api.openapi_errors`):
which ones an operation can give follows from its route (a key dependency, a path ID, a
mutating method, a raw body, a responder call), and every one is an RFC 9457 problem.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from gateway.api.openapi_errors import declare_errors

EXAMPLES = Path(__file__).with_name("examples.json")


@functools.cache
def recorded() -> dict[str, Any]:
    """``{"GET /v1/claims/{claim_id}": {"request": {...}?, "responses": {"200": {ctype: ex}}}}``."""
    if not EXAMPLES.exists():
        return {}
    data: dict[str, Any] = json.loads(EXAMPLES.read_text(encoding="utf-8"))
    return data


def _has_example(media: dict[str, Any], components: dict[str, Any]) -> bool:
    if "example" in media or "examples" in media:
        return True
    schema = media.get("schema") or {}
    ref = schema.get("$ref")
    if ref:
        schema = components.get(ref.rsplit("/", 1)[-1], {})
    return "example" in schema or "examples" in schema


def merge_examples(document: dict[str, Any], examples: dict[str, Any]) -> dict[str, Any]:
    """Put recorded examples where an operation has none of its own (in place; returned)."""
    components = document.get("components", {}).get("schemas", {})
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            found = examples.get(f"{method.upper()} {path}")
            if not found:
                continue
            body = operation.get("requestBody")
            if body is not None and "request" in found:
                for ctype, example in found["request"].items():
                    media = body.setdefault("content", {}).setdefault(ctype, {})
                    if not _has_example(media, components):
                        media["example"] = example
            for status, contents in found.get("responses", {}).items():
                response = operation.setdefault("responses", {}).setdefault(
                    status, {"description": "Successful Response"}
                )
                content = response.setdefault("content", {})
                for ctype, example in contents.items():
                    media = content.setdefault(ctype, {})
                    if not _has_example(media, components):
                        media["example"] = example
                # FastAPI's default JSON entry for a non-JSON endpoint says nothing useful
                if (
                    "application/json" in content
                    and "application/json" not in contents
                    and content["application/json"].get("schema") in ({}, None)
                ):
                    del content["application/json"]
    return document


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` return the document with the recorded examples merged in."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
            )
            declare_errors(document, app.routes)
            app.openapi_schema = merge_examples(document, recorded())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
