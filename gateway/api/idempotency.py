"""``Idempotency-Key``: the same key with the same body gets the first answer again; the same
key with another body is a 409. A per-key advisory lock serializes concurrent retries."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy import select, text

from gateway.api.auth import Principal
from gateway.api.problems import PROBLEM_JSON, Problem
from gateway.store import models as m
from gateway.store.db import Database

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _who(principal: Principal) -> str:
    return f"partner:{principal.partner_id}" if principal.partner_id else principal.role


async def idempotent(
    request: Request,
    db: Database,
    principal: Principal,
    body: bytes,
    handler: Callable[[], Awaitable[JSONResponse]],
) -> JSONResponse:
    """Run ``handler`` once per (caller, Idempotency-Key); see the module's docstring."""
    answer = await remembered(request, db, _who(principal), body, handler)
    assert isinstance(answer, JSONResponse)
    return answer


async def remembered(
    request: Request,
    db: Database,
    who: str,
    body: bytes,
    handler: Callable[[], Awaitable[Response]],
) -> Response:
    key = request.headers.get("idempotency-key")
    if not key:
        return await handler()
    if len(key) > 200:
        raise Problem(
            400, "bad-request", "Bad request", "Idempotency-Key is longer than 200 characters"
        )
    digest = hashlib.sha256(
        request.method.encode() + b" " + request.url.path.encode() + b"\0" + body
    ).hexdigest()
    async with db.session() as s:
        await s.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"{who}:{key}"})
        seen = (
            await s.execute(
                select(m.IdempotentRequest).where(
                    m.IdempotentRequest.principal == who, m.IdempotentRequest.key == key
                )
            )
        ).scalar_one_or_none()
        if seen is not None:
            if seen.request_sha256 != digest:
                raise Problem(
                    409,
                    "idempotency-key-reused",
                    "Conflict",
                    "This Idempotency-Key was used with a different request",
                )
            return JSONResponse(
                seen.body,
                status_code=seen.status_code,
                headers={"Idempotent-Replayed": "true"},
                # every error the API gives is a problem document (RFC 9457)
                media_type=PROBLEM_JSON if seen.status_code >= 400 else None,
            )
        response = await handler()
        kind = response.headers.get("content-type", "")
        if response.status_code >= 500 or "json" not in kind:
            return response  # nothing to replay: a failure may be retried, X12 is re-asked
        s.add(
            m.IdempotentRequest(
                principal=who,
                key=key,
                request_sha256=digest,
                status_code=response.status_code,
                body=json.loads(bytes(response.body)),
            )
        )
        await s.commit()
        return response


def _credential(request: Request) -> str:
    """Keys are scoped to the credential that sent them (a digest, never the key itself)."""
    sent = request.headers.get("authorization", "")
    return "key:" + hashlib.sha256(sent.encode()).hexdigest()[:24]


class IdempotentRoute(APIRoute):
    """A route whose POST/PUT/PATCH/DELETE honour ``Idempotency-Key``: give a router
    ``route_class=IdempotentRoute`` and every mutating endpoint on it does, unchanged."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        run = super().get_route_handler()

        async def handler(request: Request) -> Response:
            if request.method not in MUTATING or "idempotency-key" not in request.headers:
                return await run(request)
            body = await request.body()  # kept on the request: the endpoint reads it again
            db: Database = request.app.state.db
            return await remembered(request, db, _credential(request), body, lambda: run(request))

        return handler
