"""A deadline for every HTTP request, as plain ASGI middleware.

Plain ASGI (not Starlette's ``BaseHTTPMiddleware``) so the deadline cancels the handler
itself: a timed-out request stops its work instead of running on unseen. What an upload
stored before the deadline stays stored (the raw bytes are committed first), so the
caller may look it up or an ops engineer may replay it.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.api.problems import BASE, PROBLEM_JSON


class RequestTimeout:
    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            async with asyncio.timeout(self.seconds):
                await self.app(scope, receive, watched)
        except TimeoutError:
            if started:  # the answer is under way; all that is left is to stop it
                raise
            await self._answer(scope, send)

    async def _answer(self, scope: Scope, send: Send) -> None:
        state: dict[str, Any] = scope.get("state") or {}
        body = json.dumps(
            {
                "type": BASE + "timeout",
                "title": "The request took too long",
                "status": 504,
                "detail": f"No answer within {self.seconds:g} seconds; what was received is stored",
                "instance": scope.get("path", ""),
                "requestId": state.get("request_id"),
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 504,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
