"""Ingest benchmark: parse, validate, normalize and store a generated batch end to end.

    python -m bench.ingest [--claims N] [--type 837P|835] [--repeat 3] [--no-job]
                           [--seed N] [--cache DIR] [--json OUT]

The file comes from ``bench.generate`` (fixed seed, cached like ``bench.run``'s).
One scratch embedded PostgreSQL (pgserver, in a temporary folder) serves every
run; each run gets a fresh, migrated database (re-ingesting into the same one
would only find duplicates) and runs in its own process, so peak RSS is that
run's. What is timed is :func:`gateway.ingest.ingest` from the bytes in memory
to the last commit (raw bytes, envelopes, findings, records, acks, outbox,
attempts), and, unless ``--no-job``, the 202 path: the upload stored, an
``ingest_job`` row, then :func:`gateway.jobs.run_ingest_job` as a worker runs it.

Phases (seconds, summed over the run; the reader works in a thread beside the
event loop, so they do not add up to the wall time):

- parse/validate: a separate pass of the reader with the same SNIP rules
- normalize: the transaction plugin's ``read`` (records from the loop tree), wherever
  it runs (the reader thread reads sets ahead, beside the event loop)
- db write: time in the ingest's handlers and finish, less the normalizing and ack
  building done there
- acks: feeding the ack collector and building TA1/999/277CA

Figures are medians of ``--repeat`` runs. Targets (see ``TARGETS``) are printed
here, never asserted in a test.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench import generate

#: claims/s the end-to-end ingest of a 10k-claim 837P should reach on a 2-core machine
TARGETS = {"837p": 3000.0, "835": 3000.0}


def _file(cache: Path, kind: str, claims: int, seed: int) -> Path:
    from bench.run import ensure_file

    cache.mkdir(parents=True, exist_ok=True)
    return ensure_file(cache, kind, claims, seed)


# ----------------------------------------------------------------------------- child


class _Clock:
    """Seconds per phase, added up by the wrappers :func:`_instrument` installs."""

    def __init__(self) -> None:
        self.normalize = 0.0
        self.normalize_on_loop = 0.0  # the part of it run by the event loop's thread
        self.acks = 0.0
        self.handlers = 0.0


def _timed(clock: _Clock, attr: str, fn: Any) -> Any:
    main = threading.main_thread()

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent = time.perf_counter() - t0
            setattr(clock, attr, getattr(clock, attr) + spent)
            if attr == "normalize" and threading.current_thread() is main:
                clock.normalize_on_loop += spent

    return wrapper


def _timed_async(clock: _Clock, attr: str, fn: Any) -> Any:
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return await fn(*args, **kwargs)
        finally:
            setattr(clock, attr, getattr(clock, attr) + time.perf_counter() - t0)

    return wrapper


def _instrument(clock: _Clock) -> Any:
    """Wrap the plugin reads, the ack building and the ingest's handlers; returns the
    registry to ingest with."""
    import gateway.ingest as gi
    from transactions.acks.collector import AckCollector, Acknowledgments, InterchangeAck
    from transactions.registry import Registry, load_registry

    class TimedPlugin:
        def __init__(self, plugin: Any) -> None:
            self.plugin = plugin
            self.guides = plugin.guides
            self.read = _timed(clock, "normalize", plugin.read)
            self.write = plugin.write
            for name in ("read_rows",):
                if hasattr(plugin, name):
                    setattr(self, name, _timed(clock, "normalize", getattr(plugin, name)))

    base = load_registry()
    registry = Registry()
    for guide in base.guides:
        plugin = base.for_guide(guide)
        assert plugin is not None
        registry._by_guide[guide] = TimedPlugin(plugin)  # type: ignore[assignment]
    for cls, name in (
        (AckCollector, "feed"),
        (AckCollector, "result"),
        (Acknowledgments, "to_x12"),
        (InterchangeAck, "summary"),
    ):
        setattr(cls, name, _timed(clock, "acks", getattr(cls, name)))
    gi.ack_fingerprint = _timed(clock, "acks", gi.ack_fingerprint)
    gi._Ingest.handle = _timed_async(clock, "handlers", gi._Ingest.handle)  # type: ignore[method-assign]
    gi._Ingest.finish = _timed_async(clock, "handlers", gi._Ingest.finish)  # type: ignore[method-assign]
    return registry


def _parse_pass(data: bytes, snip_level: int) -> float:
    from parsers.reader import Reader
    from transactions.rules import checker

    t0 = time.perf_counter()
    reader = Reader(rules=checker(snip_level))
    step = 1 << 20
    for start in range(0, len(data), step):
        for _ in reader.feed(data[start : start + step]):
            pass
    for _ in reader.close():
        pass
    return time.perf_counter() - t0


async def _rows(url: str) -> dict[str, int]:
    from sqlalchemy import text

    from gateway.store.db import Database

    db = Database(url)
    out: dict[str, int] = {}
    async with db.session() as s:
        tables = (
            await s.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version' AND tablename NOT LIKE 'procrastinate%'"
                )
            )
        ).scalars()
        for table in sorted(tables):
            n = (await s.execute(text(f'SELECT count(*) FROM "{table}"'))).scalar_one()
            if n:
                out[table] = int(n)
    await db.dispose()
    return out


async def _run_ingest(url: str, data: bytes, clock: _Clock, registry: Any) -> dict[str, Any]:
    from gateway.ingest import ingest
    from gateway.store import models as m
    from gateway.store.db import Database

    db = Database(url)
    cpu0 = _cpu()
    t0 = time.perf_counter()
    result = await ingest(db, data, source=m.Source.UPLOAD, registry=registry)
    wall = time.perf_counter() - t0
    cpu = _cpu() - cpu0
    server = await _server_cpu(db)
    await db.dispose()
    return {
        "wall": wall,
        "cpu": cpu,
        "server_cpu": server,
        "acks": len(result.acks),
        "statuses": [o.status for o in result.interchanges],
    }


def _cpu() -> float:
    """CPU seconds of this process (all threads): steadier than wall time on a busy machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _server_cpu(db: Any) -> float:
    """CPU seconds of the PostgreSQL backends serving this (scratch) database so far."""
    from sqlalchemy import text

    async with db.session() as s:
        pids = (
            await s.execute(
                text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
            )
        ).scalars()
        total = 0.0
        tick = os.sysconf("SC_CLK_TCK")
        for pid in pids:
            try:
                stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(stat[11]) + int(stat[12])) / tick  # utime, stime
    return total


async def _run_job(url: str, data: bytes) -> dict[str, Any]:
    from gateway.ingest import store_upload
    from gateway.jobs import _databases, run_ingest_job
    from gateway.store import models as m
    from gateway.store.db import Database

    db = Database(url)
    t0 = time.perf_counter()
    upload_id = await store_upload(db, data, m.Source.UPLOAD)
    async with db.session() as s:
        job = m.IngestJob(upload_id=upload_id, bytes_total=len(data), status="queued", result={})
        s.add(job)
        await s.commit()
        job_id = job.id
    await run_ingest_job(url, job_id)
    wall = time.perf_counter() - t0
    for per_loop in _databases.values():
        for other in per_loop.values():
            await other.dispose()
    await db.dispose()
    return {"wall": wall}


def child(mode: str, url: str, path: Path, snip_level: int) -> dict[str, Any]:
    import logging

    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    data = path.read_bytes()
    out: dict[str, Any] = {"mode": mode, "bytes": len(data)}
    if mode == "ingest":
        clock = _Clock()
        registry = _instrument(clock)
        out.update(asyncio.run(_run_ingest(url, data, clock, registry)))
        out["normalize"] = clock.normalize
        out["acks_time"] = clock.acks
        out["db_write"] = max(0.0, clock.handlers - clock.normalize_on_loop - clock.acks)
        out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        out["rows"] = asyncio.run(_rows(url))
        out["parse_validate"] = _parse_pass(data, snip_level)
    else:
        out.update(asyncio.run(_run_job(url, data)))
        out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


# ----------------------------------------------------------------------------- parent


def _fresh(server_dir: Path, name: str) -> str:
    from gateway.store.connect import upgrade
    from gateway.store.db import embedded_url

    url = embedded_url(server_dir, database=name)
    upgrade(url)
    return url


def _spawn(mode: str, url: str, path: Path, snip_level: int) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.ingest", "--child", mode, url, str(path), str(snip_level)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{mode} run failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(float(r[key]) for r in runs)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        mode, url, path, snip = argv[1:5]
        print(json.dumps(child(mode, url, Path(path), int(snip))))
        return 0
    ap = argparse.ArgumentParser(
        prog="python -m bench.ingest", description=__doc__.split("\n\n")[0]
    )
    ap.add_argument("--claims", type=lambda s: int(s.replace("_", "")), default=10_000)
    ap.add_argument("--type", default="837P", type=str.lower, choices=["837p", "835"])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-job", action="store_true", help="skip the 202 job path")
    ap.add_argument("--snip-level", type=int, default=3)
    ap.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "x12gw-bench")
    ap.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args(argv)

    path = _file(args.cache, args.type, args.claims, args.seed)
    size_mb = path.stat().st_size / 1e6
    print(f"{args.type.upper()} {args.claims} claims, {size_mb:.1f} MB, {args.repeat} runs each")
    runs: list[dict[str, Any]] = []
    jobs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="x12gw-bench-pg-") as tmp:
        server = Path(tmp)
        try:
            for i in range(args.repeat):
                runs.append(_spawn("ingest", _fresh(server, f"ingest{i}"), path, args.snip_level))
                r = runs[-1]
                print(
                    f"  ingest run {i + 1}: {r['wall']:.2f} s "
                    f"({args.claims / r['wall']:,.0f} claims/s, CPU {r['cpu']:.2f} s)",
                    flush=True,
                )
                if not args.no_job:
                    jobs.append(_spawn("job", _fresh(server, f"job{i}"), path, args.snip_level))
                    print(f"  job run {i + 1}:    {jobs[-1]['wall']:.2f} s", flush=True)
        finally:
            _stop(server)

    wall = _median(runs, "wall")
    figures: dict[str, Any] = {
        "type": args.type.upper(),
        "claims": args.claims,
        "mb": round(size_mb, 2),
        "seconds": round(wall, 3),
        "claims_per_s": round(args.claims / wall),
        "mb_per_s": round(size_mb / wall, 2),
        "phases": {
            k: round(_median(runs, k), 3)
            for k in ("parse_validate", "normalize", "db_write", "acks_time")
        },
        "rows": runs[0]["rows"],
        "peak_rss_mb": round(max(r["rss_mb"] for r in runs), 1),
        "python_cpu_s": round(_median(runs, "cpu"), 3),
        "server_cpu_s": round(_median(runs, "server_cpu"), 3),
    }
    if jobs:
        job_wall = _median(jobs, "wall")
        figures["job"] = {
            "seconds": round(job_wall, 3),
            "claims_per_s": round(args.claims / job_wall),
            "peak_rss_mb": round(max(r["rss_mb"] for r in jobs), 1),
        }
    _print(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


def _stop(server_dir: Path) -> None:
    """Stop the scratch server (started with no clean-up, it would outlive this process).
    pg_ctl runs as the server's owner: as root, pgserver runs PostgreSQL as its own user."""
    import pgserver
    from pgserver._commands import pg_ctl

    server = pgserver.get_server(str(server_dir), cleanup_mode=None)  # type: ignore[attr-defined]
    with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
        pg_ctl(["-m", "fast", "-w", "stop"], pgdata=server.pgdata, user=server.system_user)


def _print(f: dict[str, Any]) -> None:
    target = TARGETS.get(f["type"].lower(), 0.0)
    mark = "ok" if f["claims_per_s"] >= target else "BELOW TARGET"
    print()
    print(f"ingest {f['type']} {f['claims']} claims ({f['mb']} MB), median:")
    print(f"  {f['seconds']:.2f} s   {f['claims_per_s']:,} claims/s   {f['mb_per_s']} MB/s")
    print(f"  target {target:,.0f} claims/s: {mark}")
    p = f["phases"]
    print(
        f"  phases (s): parse/validate {p['parse_validate']:.2f}  normalize {p['normalize']:.2f}"
        f"  db write {p['db_write']:.2f}  acks {p['acks_time']:.2f}"
    )
    print(
        f"  CPU (s): gateway process {f['python_cpu_s']:.2f}"
        f"  PostgreSQL backends {f['server_cpu_s']:.2f}"
    )
    print(f"  peak RSS {f['peak_rss_mb']} MB")
    print("  rows: " + ", ".join(f"{k} {v:,}" for k, v in f["rows"].items()))
    if "job" in f:
        j = f["job"]
        print(
            f"  202 job path: {j['seconds']:.2f} s   {j['claims_per_s']:,} claims/s"
            f"   peak RSS {j['peak_rss_mb']} MB"
        )


if __name__ == "__main__":
    raise SystemExit(main())
