"""A request that runs past ``request_timeout_seconds`` is answered 504 as a problem."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from gateway.app import create_app
from gateway.settings import Settings


async def test_slow_request_is_a_504_problem(capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(
        admin_key="k", database_url="postgresql://u@127.0.0.1/none", request_timeout_seconds=0.2
    )
    app = create_app(settings)
    finished = []

    @app.get("/slow", include_in_schema=False)
    async def slow() -> dict[str, str]:
        await asyncio.sleep(5)
        finished.append(True)
        return {"done": "yes"}

    @app.get("/quick", include_in_schema=False)
    async def quick() -> dict[str, str]:
        return {"done": "yes"}

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        answer = await client.get("/slow")
        assert answer.status_code == 504
        assert answer.headers["content-type"] == "application/problem+json"
        body = answer.json()
        assert body["type"].endswith("/timeout") and body["requestId"]
        assert "0.2 seconds" in body["detail"]
        assert (await client.get("/quick")).status_code == 200
    assert finished == []  # the handler was stopped, not left running
    logged = capsys.readouterr().out
    assert '"status": 504' in logged and '"route": "/slow"' in logged
