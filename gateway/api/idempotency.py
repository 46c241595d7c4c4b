"""``Idempotency-Key``: the same key with the same body gets the first answer again; the same
key with another body is a 409. A per-key advisory lock serializes concurrent retries."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy import select, text

from gateway.api.auth import Principal
from gateway.api.problems import Problem
from gateway.store import models as m
from gateway.store.db import Database


def _who(principal: Principal) -> str:
    return f"partner:{principal.partner_id}" if principal.partner_id else principal.role


async def idempotent(
    request: Request,
    db: Database,
    principal: Principal,
    body: bytes,
    handler: Callable[[], Awaitable[JSONResponse]],
) -> JSONResponse:
    key = request.headers.get("idempotency-key")
    if not key:
        return await handler()
    if len(key) > 200:
        raise Problem(
            400, "bad-request", "Bad request", "Idempotency-Key is longer than 200 characters"
        )
    who = _who(principal)
    digest = hashlib.sha256(request.url.path.encode() + b"\0" + body).hexdigest()
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
                seen.body, status_code=seen.status_code, headers={"Idempotent-Replayed": "true"}
            )
        response = await handler()

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
