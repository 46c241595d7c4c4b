"""Large posts become jobs (procrastinate): 202, progress, result; a job re-run stores nothing twice."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from gateway.jobs import run_ingest_job, run_worker
from gateway.store import models as m
from parsers import parse
from tests.api_support import ADMIN
from tests.x12 import claim, file_837

BIG = file_837([claim(f"J{i}", ["100*99213", "20*85025"]) for i in range(12)])


async def test_a_large_post_is_a_job_that_a_worker_finishes(
    api_client: httpx.AsyncClient, api_database_url: str
) -> None:
    app = api_client._transport.app  # type: ignore[attr-defined]
    app.state.settings = app.state.settings.model_copy(update={"async_threshold_bytes": 1000})
    headers = {"Authorization": f"Bearer {ADMIN}", "Content-Type": "application/edi-x12"}
    posted = await api_client.post("/v1/interchanges", content=BIG, headers=headers)
    assert posted.status_code == 202, posted.text
    job_id = posted.json()["jobId"]
    assert posted.headers["location"] == f"/v1/jobs/{job_id}"
    queued = (await api_client.get(f"/v1/jobs/{job_id}", headers=headers)).json()
    assert queued["status"] == "queued" and queued["progress"]["bytesTotal"] == len(BIG)

    await run_worker(
        api_database_url, wait=False
    )  # takes the job and stops when the queue is empty

    done = (await api_client.get(f"/v1/jobs/{job_id}", headers=headers)).json()
    assert done["status"] == "done", done
    assert done["progress"]["transactionSetsDone"] == 1 and done["progress"]["bytesRead"] == len(
        BIG
    )
    assert parse(done["result"]["acknowledgments"]["x12"].encode()).errors == []

    # a worker that dies mid-job has its job run again: nothing is stored twice
    await run_ingest_job(api_database_url, job_id)
    db = app.state.db
    async with db.session() as s:
        interchanges = (
            await s.execute(select(func.count()).select_from(m.Interchange))
        ).scalar_one()
        claims = (
            await s.execute(
                select(func.count()).select_from(m.RecordRow).where(m.RecordRow.entity == "claim")
            )
        ).scalar_one()
    assert interchanges == 1 and claims == 12
    app.state.settings = app.state.settings.model_copy(update={"async_threshold_bytes": 4 << 20})
