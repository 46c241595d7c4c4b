"""Background ingestion of large uploads on procrastinate (a PostgreSQL task queue).

The request stores the raw bytes, creates an ``ingest_job`` row and defers a job;
any number of ``x12gw worker`` processes (or the one the embedded server runs)
take jobs from the same PostgreSQL. A job is safe to run again: it first removes
whatever an earlier, interrupted attempt stored for the upload, in one database
transaction, then ingests it from the stored bytes. Workers that stop
heartbeating have their jobs retried by the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import weakref
from typing import Any

import procrastinate
import structlog
from sqlalchemy import delete, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError, OperationalError

from gateway import outbox
from gateway.settings import Settings, get_settings
from gateway.store import models as m
from gateway.store.db import Database

QUEUE = "x12gw"
REPLAY_TASK = "x12gw.replay"
ANSWER_TASK = "x12gw.answer"
log = structlog.get_logger("x12gw.jobs")


def conninfo(url: str) -> str:
    """A libpq URL for psycopg from any of our PostgreSQL URLs."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def make_app(url: str, settings: Settings | None = None) -> procrastinate.App:
    """A task queue on the database at ``url``, with the gateway's tasks registered."""
    settings = settings or get_settings()
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo(url)))
    app.task(
        name="x12gw.ingest",
        queue=QUEUE,
        retry=procrastinate.RetryStrategy(max_attempts=5, wait=2),
    )(ingest_task)
    app.task(
        name=REPLAY_TASK,
        queue=QUEUE,
        # a bulk replay retries transient failures itself; one that outlasts that is raised,
        # and the job runs again later, resuming after the last interchange it finished
        retry=procrastinate.RetryStrategy(
            max_attempts=5,
            exponential_wait=5,
            retry_exceptions={OSError, TimeoutError, OperationalError, InterfaceError},
        ),
    )(replay_task)

    async def webhook_task(item_id: int) -> None:
        """Notify a partner that an item landed in its outbox (one attempt per run)."""
        await outbox.deliver(_db(url), item_id, settings)

    # procrastinate counts retries: webhook_max_attempts - 1 of them after the first run,
    # waiting backoff**1, backoff**2 ... seconds (as outbox.deliver records in next_retry_at)
    retry: procrastinate.RetryStrategy | bool = False
    if settings.webhook_max_attempts > 1:
        retry = procrastinate.RetryStrategy(
            max_attempts=settings.webhook_max_attempts - 1,
            exponential_wait=settings.webhook_backoff_seconds,
            retry_exceptions={outbox.DeliveryFailed},
        )
    app.task(name=outbox.DELIVERY_TASK, queue=outbox.QUEUE, retry=retry)(webhook_task)

    async def answer_task(
        context: procrastinate.JobContext,
        interchange_id: int,
        set_id: int,
        partner_id: int | None = None,
    ) -> None:
        """Answer a batch request set that could not be answered when it arrived."""
        from gateway.batch import answer_later

        tried = context.job.attempts + 1 if context.job is not None else 1
        await answer_later(
            _db(url),
            interchange_id,
            set_id,
            partner_id,
            settings,
            last_try=tried >= settings.answer_max_attempts,
        )

    answer_retry: procrastinate.RetryStrategy | bool = False
    if settings.answer_max_attempts > 1:
        from gateway.batch import AnswerPending

        answer_retry = procrastinate.RetryStrategy(
            max_attempts=settings.answer_max_attempts - 1,
            exponential_wait=settings.answer_backoff_seconds,
            retry_exceptions={AnswerPending},
        )
    app.task(name=ANSWER_TASK, queue=QUEUE, retry=answer_retry, pass_context=True)(answer_task)
    return app


async def defer_answer(
    app: procrastinate.App, interchange_id: int, set_id: int, partner_id: int | None
) -> None:
    """Queue a job that answers batch request set ``set_id`` later (see gateway.batch)."""
    deferrer = app.configure_task(name=ANSWER_TASK, lock=f"answer-{set_id}", queue=QUEUE)
    await deferrer.defer_async(interchange_id=interchange_id, set_id=set_id, partner_id=partner_id)


#: one store per event loop and URL: an engine's connections belong to the loop that made them
_databases: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, Database]] = (
    weakref.WeakKeyDictionary()
)


def _db(url: str) -> Database:
    per_loop = _databases.setdefault(asyncio.get_running_loop(), {})
    db = per_loop.get(url)
    if db is None:
        db = per_loop[url] = Database(url)
    return db


async def forget_partial(db: Database, upload_id: int) -> None:
    """Remove what an interrupted attempt stored for ``upload_id`` (the raw bytes stay)."""
    async with db.session() as s:
        ids = select(m.Interchange.id).where(m.Interchange.upload_id == upload_id)
        await s.execute(delete(m.RecordRow).where(m.RecordRow.interchange_id.in_(ids)))
        await s.execute(delete(m.Acknowledgment).where(m.Acknowledgment.interchange_id.in_(ids)))
        await s.execute(delete(m.TransactionSet).where(m.TransactionSet.interchange_id.in_(ids)))
        await s.execute(delete(m.FunctionalGroup).where(m.FunctionalGroup.interchange_id.in_(ids)))
        await s.execute(
            update(m.Interchange)
            .where(m.Interchange.duplicate_of_id.in_(ids))
            .values(duplicate_of_id=None)
        )
        await s.execute(delete(m.Interchange).where(m.Interchange.upload_id == upload_id))
        await s.commit()


async def run_ingest_job(url: str, job_id: int, snip_level: int = 3) -> dict[str, Any]:
    from gateway.ingest import ingest_stored

    db = _db(url)
    async with db.session() as s:
        job = await s.get(m.IngestJob, job_id)
        if job is None:
            raise LookupError(f"no ingest job #{job_id}")
        upload_id = job.upload_id
        await s.execute(
            update(m.IngestJob)
            .where(m.IngestJob.id == job_id)
            .values(
                status="running",
                attempts=m.IngestJob.attempts + 1,
                updated_at=dt.datetime.now(dt.UTC),
            )
        )
        await s.commit()
    await forget_partial(db, upload_id)
    loop = asyncio.get_running_loop()
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = loop.time()
        if now - last[0] < 0.5 and done < total:
            return
        last[0] = now

        async def save() -> None:
            async with db.session() as s:
                await s.execute(
                    update(m.IngestJob)
                    .where(m.IngestJob.id == job_id)
                    .values(bytes_read=done, bytes_total=total, updated_at=dt.datetime.now(dt.UTC))
                )
                await s.commit()

        asyncio.run_coroutine_threadsafe(save(), loop)

    try:
        result = await ingest_stored(db, upload_id, snip_level=snip_level, progress=progress)
        # batch 270/276/278: their answers go to the requester's outbox (a re-run after a
        # failure past this point answers them again)
        from gateway.batch import answer_requests

        async with db.session() as s:
            upload = await s.get(m.Upload, upload_id)
        poster = upload.partner_id if upload is not None else None

        async with contextlib.AsyncExitStack() as stack:
            queue: list[procrastinate.App] = []  # opened on the first answer left for later

            async def later(interchange_id: int, set_id: int) -> None:
                if not queue:
                    app = make_app(url)
                    await stack.enter_async_context(app.open_async())
                    queue.append(app)
                await defer_answer(queue[0], interchange_id, set_id, poster)

            await answer_requests(
                db, result, partner_id=poster, settings=get_settings(), defer=later
            )
    except Exception as exc:
        async with db.session() as s:
            await s.execute(
                update(m.IngestJob)
                .where(m.IngestJob.id == job_id)
                .values(
                    status="failed", error=type(exc).__name__, updated_at=dt.datetime.now(dt.UTC)
                )
            )
            await s.commit()
        raise
    summary = {
        "uploadId": result.upload_id,
        "interchanges": [
            {
                "id": o.id,
                "controlNumber": o.control_number,
                "status": o.status,
                "transactionSets": o.transaction_sets,
            }
            for o in result.interchanges
        ],
        "acknowledgments": {"x12": result.acks.decode("latin-1"), **result.ack_summary},
        "findings": result.findings,
    }
    async with db.session() as s:
        sets = [
            row.status
            for row in (
                await s.execute(
                    select(m.TransactionSet.status).where(
                        m.TransactionSet.interchange_id.in_(
                            select(m.Interchange.id).where(m.Interchange.upload_id == upload_id)
                        )
                    )
                )
            ).all()
        ]
        await s.execute(
            update(m.IngestJob)
            .where(m.IngestJob.id == job_id)
            .values(
                status="done",
                sets_done=sum(1 for x in sets if x != m.Status.FAILED),
                sets_failed=sum(1 for x in sets if x == m.Status.FAILED),
                bytes_read=m.IngestJob.bytes_total,
                result=summary,
                updated_at=dt.datetime.now(dt.UTC),
            )
        )
        await s.commit()
    return summary


async def ingest_task(url: str, job_id: int, snip_level: int = 3) -> None:
    await run_ingest_job(url, job_id, snip_level)


async def submit(
    app: procrastinate.App, db: Database, upload_id: int, size: int, snip_level: int
) -> int:
    async with db.session() as s:
        job = m.IngestJob(upload_id=upload_id, bytes_total=size, status="queued", result={})
        s.add(job)
        await s.commit()
        job_id = job.id
    deferrer = app.configure_task(name="x12gw.ingest", lock=f"upload-{upload_id}", queue=QUEUE)
    await deferrer.defer_async(url=db.url, job_id=job_id, snip_level=snip_level)
    return job_id


async def job_queue(request: Any) -> procrastinate.App:
    """The app's task queue, opened on first use (one per process)."""
    state = request.app.state
    queue: procrastinate.App | None = getattr(state, "job_queue", None)
    if queue is None:
        queue = make_app(state.db.url, state.settings)
        await queue.open_async()
        state.job_queue = queue
    return queue


async def retry_stalled(app: procrastinate.App) -> int:
    """Give the jobs of workers that stopped heartbeating to someone else."""
    stalled = list(await app.job_manager.get_stalled_jobs(queue=QUEUE))
    for job in stalled:
        await app.job_manager.retry_job(job)
    return len(stalled)


async def run_worker(url: str, *, wait: bool = True, settings: Settings | None = None) -> None:
    """A worker for the x12gw queue; with ``wait`` False it stops once the queue is empty."""
    app = make_app(url, settings)
    async with app.open_async():
        await retry_stalled(app)
        await app.run_worker_async(queues=[QUEUE], wait=wait, install_signal_handlers=False)


async def replay_task(url: str, job_id: int, snip_level: int = 3) -> None:
    """A bulk replay (``POST /v1/replays``): see :func:`gateway.replay.run_bulk`."""
    from gateway.replay import run_bulk

    await run_bulk(_db(url), job_id, snip_level=snip_level)


async def submit_replay(
    app: procrastinate.App, db: Database, filter: dict[str, Any], *, actor: str, snip_level: int
) -> int:
    """Create a bulk replay job for ``filter`` and queue it; returns the job's ID."""
    from gateway.replay import create_bulk

    job_id = await create_bulk(db, filter, actor=actor)
    deferrer = app.configure_task(name=REPLAY_TASK, lock=f"replay-job-{job_id}", queue=QUEUE)
    await deferrer.defer_async(url=db.url, job_id=job_id, snip_level=snip_level)
    return job_id
