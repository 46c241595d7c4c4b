"""The error answers of every operation, declared in the OpenAPI document from its routes.

Every error the API gives is an RFC 9457 ``application/problem+json`` body
(:mod:`gateway.api.problems`; the request deadline's 504 comes from
:mod:`gateway.timeouts`). Rather than each router listing them, they are derived here
from what a route is, so a new endpoint is documented by being written:

- 401: it depends on :func:`~gateway.api.deps.get_principal` (needs a key);
- 403: it depends on :func:`~gateway.api.deps.require_admin`;
- 404: it has a path parameter (a row ID);
- 400 and 409: a mutating method that honours ``Idempotency-Key`` (an
  :class:`~gateway.api.idempotency.IdempotentRoute`, or an endpoint that calls
  :func:`~gateway.api.idempotency.idempotent`): a key over 200 characters, or reused
  with another request; the header is declared as a parameter too;
- 413 and 415: it reads a raw (not JSON) body, under the upload limit and for given types;
- 422: FastAPI's default ``HTTPValidationError`` is replaced by the validation problem;
- 502 and 504: it calls a responder (``answer_x12`` or ``respond``), which may ask an
  upstream trading partner;
- 504: everywhere (the request deadline).

What a router declares itself (a description, its own content) is kept; a declared error
without content gets the problem body. The CAQH CORE endpoints (``/core/*``) answer their
envelope errors (400, 401, 403) as CORE envelopes, so those are left as declared; their
413, 415 and 504 are problems.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from starlette.routing import BaseRoute

from gateway.api.deps import get_principal, require_admin
from gateway.api.idempotency import MUTATING, IdempotentRoute
from gateway.api.problems import BASE, PROBLEM_JSON

__all__ = ["PROBLEM_SCHEMA", "declare_errors"]

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

#: one entry of a problem's ``errors``: a validation error (location, message, type) or a
#: guide finding (code, message)
PROBLEM_ERROR_SCHEMA: dict[str, Any] = {
    "title": "ProblemError",
    "type": "object",
    "properties": {
        "location": {
            "type": "array",
            "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
            "description": "Where: body, query, path or header, then the field names",
        },
        "message": {"type": "string"},
        "type": {"type": "string", "description": "The kind of validation error"},
        "code": {"type": "string", "description": "An X12 guide finding's code"},
    },
    "required": ["message"],
}

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "An RFC 9457 problem document (``application/problem+json``)",
    "properties": {
        "type": {"type": "string", "format": "uri", "description": "The kind, a stable URI"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string", "description": "The request's path"},
        "requestId": {
            "anyOf": [{"type": "string"}, {"type": "null"}],
            "description": "The x-request-id to quote",
        },
        "errors": {"type": "array", "items": {"$ref": "#/components/schemas/ProblemError"}},
        "retryAfter": {"type": "integer", "description": "Seconds to wait before trying again"},
    },
    "required": ["type", "title", "status", "instance", "requestId"],
    "additionalProperties": True,
}

#: status: (type slug, title, detail, description) of the example and of a derived answer
_KINDS: dict[int, tuple[str, str, str, str]] = {
    400: (
        "bad-request",
        "Bad request",
        "Idempotency-Key is longer than 200 characters",
        "Bad request: an Idempotency-Key over 200 characters, or a body that cannot be read",
    ),
    401: (
        "unauthorized",
        "Authentication required",
        "Send Authorization: Bearer <key>",
        "No key, or an unknown or revoked one (send Authorization: Bearer <key>)",
    ),
    403: (
        "forbidden",
        "Not allowed",
        "This endpoint is for administrators",
        "The key is not an administrator's",
    ),
    404: (
        "not-found",
        "Not found",
        "No row #42",
        "No such row, or not one the key may read",
    ),
    409: (
        "idempotency-key-reused",
        "Conflict",
        "This Idempotency-Key was used with a different request",
        "The Idempotency-Key was used before with a different request",
    ),
    413: (
        "payload-too-large",
        "Payload too large",
        "The limit is 10000000 bytes",
        "The body is larger than the configured limit (X12GW_MAX_UPLOAD_BYTES)",
    ),
    415: (
        "unsupported-media-type",
        "Unsupported media type",
        "Send application/edi-x12 or text/plain",
        "The body's Content-Type is not one the endpoint reads",
    ),
    422: (
        "validation",
        "The request is not valid",
        "",
        "The request is not valid: `errors` names each field and what is wrong with it",
    ),
    502: (
        "upstream",
        "The upstream gave no answer",
        "The responder gave no usable answer",
        "The responder, or the upstream trading partner, gave no usable answer",
    ),
    503: (
        "temporarily-unavailable",
        "Temporarily unavailable",
        "The store was unavailable; the attempt is recorded. Try again.",
        "The store was unavailable; try again",
    ),
    504: (
        "timeout",
        "The request took too long",
        "No answer within 300 seconds; what was received is stored",
        "No answer within the request deadline (X12GW_REQUEST_TIMEOUT_SECONDS); "
        "what was received is stored",
    ),
}

_UPSTREAM_504 = (
    "The upstream trading partner did not answer in time, or the request passed its "
    "deadline (X12GW_REQUEST_TIMEOUT_SECONDS)"
)

#: names an endpoint calls when a responder (maybe an upstream trading partner) answers it
RESPONDER_CALLS = frozenset({"answer_x12", "respond"})

IDEMPOTENCY_KEY: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Send the same key again with the same request to get the first answer "
    "(header Idempotent-Replayed: true) instead of doing it twice",
    "schema": {"type": "string", "maxLength": 200},
}

_JSON = re.compile(r"^application/([\w.-]+\+)?json$")


def _calls(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def _idempotent(route: RouteContext) -> bool:
    """An IdempotentRoute, or an endpoint whose code calls ``idempotent`` itself (its
    ``co_names``: the globals it refers to), as the ones reading a raw body do."""
    if isinstance(route.original_route, IdempotentRoute):
        return True
    code = getattr(route.endpoint, "__code__", None)
    return code is not None and "idempotent" in code.co_names


def _calls_responder(route: RouteContext) -> bool:
    code = getattr(route.endpoint, "__code__", None)
    return code is not None and not RESPONDER_CALLS.isdisjoint(code.co_names)


def _raw_body(operation: dict[str, Any]) -> bool:
    """The endpoint reads its body itself (X12, multipart, SOAP): limits and types apply."""
    content = (operation.get("requestBody") or {}).get("content", {})
    return any(not _JSON.match(media) for media in content)


def _example(
    status: int, path: str, operation: dict[str, Any], own: str | None, validated: bool
) -> dict[str, Any]:
    """An example problem: the router's own description, when it gave one, as the detail;
    a 422's ``errors`` when FastAPI validates the operation's inputs."""
    slug, title, detail, _ = _KINDS.get(status, ("http-error", "HTTP error", "", ""))
    if own and own != "Validation Error":
        detail = re.sub(r"\s*\((a )?problem document\)", "", own)
    body: dict[str, Any] = {
        "type": BASE + slug,
        "title": title,
        "status": status,
        "instance": re.sub(r"\{[^}]+\}", "42", path),
        "requestId": "3f0c2a9e5b7d4c1e8a6f0b2d4e6a8c0f",
    }
    if detail:
        body["detail"] = detail
    if status == 422 and validated:
        body["errors"] = [_validation_error(operation)]
    if status == 503:
        body["retryAfter"] = 5
    return body


def _validation_error(operation: dict[str, Any]) -> dict[str, Any]:
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            return {
                "location": ["path", parameter["name"]],
                "message": "Input should be greater than or equal to 1",
                "type": "greater_than_equal",
            }
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "query":
            return {
                "location": ["query", parameter["name"]],
                "message": "Input should be a valid integer, unable to parse string as an integer",
                "type": "int_parsing",
            }
    return {"location": ["body"], "message": "Field required", "type": "missing"}


def _fastapi_default_422(response: dict[str, Any]) -> bool:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return bool(schema.get("$ref", "").endswith("/HTTPValidationError"))


def _wanted(route: RouteContext, path: str, operation: dict[str, Any]) -> dict[int, str]:
    """status: description of the errors the route can give (see the module docstring)."""
    wanted: dict[int, str] = {}
    calls = set(_calls(route.dependant))
    core = path.startswith("/core/")
    if get_principal in calls:
        wanted[401] = _KINDS[401][3]
    if require_admin in calls:
        wanted[403] = _KINDS[403][3]
    if route.dependant.path_params:
        wanted[404] = _KINDS[404][3]
    if _raw_body(operation):
        wanted[413] = _KINDS[413][3]
        wanted[415] = _KINDS[415][3]
    if core:
        return {s: d for s, d in wanted.items() if s in (413, 415)}
    if _calls_responder(route):
        wanted[502] = _KINDS[502][3]
        wanted[504] = _UPSTREAM_504
    return wanted


def declare_errors(document: dict[str, Any], routes: Sequence[BaseRoute]) -> dict[str, Any]:
    """Declare every operation's error answers as problems (in place; returned)."""
    paths = document.get("paths", {})
    for route in iter_route_contexts(routes):
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        path = route.path_format or ""
        for method in route.methods or ():
            operation = paths.get(path, {}).get(method.lower())
            if operation is not None:
                _declare(route, method, path, operation)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    schemas["ProblemError"] = PROBLEM_ERROR_SCHEMA
    # FastAPI's validation error schemas, unless something still refers to them
    if "/HTTPValidationError" not in json.dumps(paths):
        schemas.pop("HTTPValidationError", None)
        if "/ValidationError" not in json.dumps([paths, schemas]):
            schemas.pop("ValidationError", None)
    return document


def _declare(route: RouteContext, method: str, path: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    core = path.startswith("/core/")
    validated = bool(operation.get("parameters") or route.body_field)  # FastAPI checks these
    wanted = _wanted(route, path, operation)
    if not core and method in MUTATING and _idempotent(route):
        wanted[400] = _KINDS[400][3]
        wanted[409] = _KINDS[409][3]
        parameters = operation.setdefault("parameters", [])
        if not any(p.get("name", "").lower() == "idempotency-key" for p in parameters):
            parameters.append(IDEMPOTENCY_KEY)
    wanted[504] = wanted.get(504, _KINDS[504][3])
    own = {k: r.get("description") for k, r in responses.items()}  # the router's words
    for status, description in wanted.items():
        declared = responses.get(str(status))
        if declared is None:
            responses[str(status)] = {"description": description}
        elif status == 409 and "Idempotency-Key" not in declared.get("description", ""):
            declared["description"] = f"{declared.get('description', '')}; or: {description}"
    for key, response in responses.items():
        if not key.isdigit() or int(key) < 400:
            continue
        status = int(key)
        if core and status not in (413, 415, 504):
            continue  # a CORE envelope, as the router declares it
        if status == 422 and _fastapi_default_422(response):
            response["description"] = _KINDS[422][3]
            response["content"] = {}
        if not response.get("content"):
            example = _example(status, path, operation, own.get(key), validated)
            response["content"] = {PROBLEM_JSON: {"schema": PROBLEM_REF, "example": example}}
    operation["responses"] = dict(sorted(responses.items()))
