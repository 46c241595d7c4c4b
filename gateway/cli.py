"""``x12gw``: validate, parse and acknowledge X12 files from the terminal.

Built on the standard library's argparse: a validator is often run once per file
in a loop, and a CLI framework that imports a validation library on every start
costs more than parsing a small file does.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import itertools
import json
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from gateway import mapcache
from gateway.parallel import PARALLEL_MIN_BYTES, ProcessDelegate, worker_count
from parsers import LENIENT, STRICT, Finding
from parsers.reader import FileFinding, GroupEnded, InterchangeEnded, TransactionRead, read
from transactions.rules import DEFAULT_ERROR_LEVEL, checker


class UsageError(Exception):
    """A bad command line: reported on stderr with exit status 2."""


def _existing(path: str) -> Path:
    p = Path(path)
    if not p.is_file():
        raise argparse.ArgumentTypeError(f"{path}: no such file")
    return p


def _findings_of(
    path: Path, strict: bool, snip_level: int, workers: int | None = None
) -> tuple[list[Finding], dict[str, int]]:
    profile = STRICT if strict else LENIENT
    rules = checker(snip_level)
    found: list[Finding] = []
    counts = {"interchanges": 0, "groups": 0, "transactionSets": 0}
    if workers is None:
        workers = worker_count() if path.stat().st_size >= PARALLEL_MIN_BYTES else 1
    with contextlib.ExitStack() as stack:
        delegate = stack.enter_context(ProcessDelegate(rules, workers)) if workers > 1 else None
        fp = stack.enter_context(path.open("rb"))
        chunk = 1 << 20
        events = read(fp, profile, rules, chunk, keep_trees=False, delegate=delegate)
        for event in events:
            if isinstance(event, FileFinding):
                found.append(event.finding)
            elif isinstance(event, TransactionRead):
                counts["transactionSets"] += 1
                found.extend(event.transaction.findings)
            elif isinstance(event, GroupEnded):
                counts["groups"] += 1
                found.extend(event.group.findings)
            elif isinstance(event, InterchangeEnded):
                counts["interchanges"] += 1
                found.extend(event.interchange.findings)
    found.sort(key=lambda f: (f.offset if f.offset is not None else -1, f.element or 0))
    return found, counts


def cmd_validate(args: argparse.Namespace, out: TextIO) -> int:
    """Validate files (SNIP 1-5); exit 1 when any has an error."""
    failed = False
    report: list[dict[str, Any]] = []
    for path in args.files:
        started = time.perf_counter()
        found, counts = _findings_of(path, args.strict, args.snip_level, args.workers)
        errors = sum(f.is_error for f in found)
        failed = failed or errors > 0
        if args.quiet:
            continue
        if args.json:
            report.append(
                {
                    "file": str(path),
                    "valid": errors == 0,
                    "errors": errors,
                    "warnings": len(found) - errors,
                    **counts,
                    "findings": [f.public() for f in found],
                }
            )
            continue
        verdict = "valid" if errors == 0 else "INVALID"
        out.write(
            f"{path}: {verdict} - {errors} error(s), {len(found) - errors} warning(s), "
            f"{counts['transactionSets']} transaction set(s), {time.perf_counter() - started:.2f}s\n"
        )
        for f in found:
            out.write(f"  {f}\n")
    if args.json and not args.quiet:
        out.write(json.dumps(report, indent=2) + "\n")
    return 1 if failed else 0


def cmd_parse(args: argparse.Namespace, out: TextIO) -> int:
    """Print the loop tree of every transaction set, with loop IDs and element references."""
    trees: list[dict[str, Any]] = []
    with args.file.open("rb") as fp:
        for event in read(fp, STRICT if args.strict else LENIENT):
            if not isinstance(event, TransactionRead) or event.transaction.root is None:
                continue
            ts = event.transaction
            root = ts.root
            assert root is not None
            kind = ts.guide.name if ts.guide else ts.st01
            if args.json:
                trees.append(
                    {
                        "interchange": ts.interchange.control if ts.interchange else None,
                        "group": ts.group.control if ts.group else None,
                        "transactionSet": ts.control,
                        "guide": ts.guide.id if ts.guide else None,
                        "type": kind,
                        "tree": root.to_dict(),
                    }
                )
            else:
                out.write(f"# {kind} ST02={ts.control} ({ts.version})\n")
                _print_loop(root.to_dict(), 0, out)
    if args.json:
        out.write(json.dumps(trees, indent=2) + "\n")
    return 0


def _print_loop(node: dict[str, Any], depth: int, out: TextIO) -> None:
    pad = "  " * depth
    out.write(f"{pad}[{node['loop']}]\n")
    for child in node["children"]:
        if "children" in child:
            _print_loop(child, depth + 1, out)
        else:
            refs = " ".join(
                f"{k}={':'.join(v) if isinstance(v, list) else v}"
                for k, v in child["elements"].items()
            )
            out.write(f"{pad}  {child['segment']} #{child['ordinal']} {refs}\n")


def cmd_ack(args: argparse.Namespace, out: TextIO) -> int:
    """Print the TA1/999 (and 277CA for 837) the gateway would send for a file."""
    from transactions.acks import AckCollector

    collector = AckCollector()
    with args.file.open("rb") as fp:
        profile = STRICT if args.strict else LENIENT
        collector.feed_all(read(fp, profile, rules=checker(args.snip_level)))
    acks = collector.result()
    counter = itertools.count(int(time.time()) % 900_000_000 + 1)
    x12 = acks.to_x12(lambda: next(counter)).decode("latin-1")
    if args.json:
        out.write(json.dumps({"x12": x12, **acks.summary()}, indent=2) + "\n")
    else:
        out.write(x12.replace("~", "~\n") if "\n" not in x12 else x12)
    return 0


def _fixtures_dir() -> Path:
    for base in (Path.cwd(), Path(__file__).resolve().parents[1]):
        candidate = base / "fixtures" / "x12"
        if candidate.is_dir():
            return candidate
    raise UsageError("no fixtures/x12 folder found; pass --folder")


def cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    """Read, validate and acknowledge the bundled demo files, one line each.

    The HTTP service lands with the store (issues 3 and 4); until then this is
    the gateway's front door on a fresh machine.
    """
    from transactions.acks import AckCollector

    root: Path = args.folder or _fixtures_dir()
    files = sorted(p for p in root.rglob("*") if p.is_file())
    out.write(f"x12gw demo: {len(files)} files from {root}\n")
    counter = itertools.count(1)
    for path in files:
        collector = AckCollector()
        found: list[Finding] = []
        kinds: list[str] = []
        with path.open("rb") as fp:
            for event in read(fp, LENIENT, rules=checker()):
                collector.feed(event)
                if isinstance(event, TransactionRead):
                    ts = event.transaction
                    kinds.append(ts.guide.name if ts.guide else ts.st01)
                    found.extend(ts.findings)
                elif isinstance(event, FileFinding):
                    found.append(event.finding)
        acks = collector.result()
        x12 = acks.to_x12(lambda: next(counter))
        errors = sum(f.is_error for f in found)
        claims = [ia.summary()["claims"] for ia in acks.interchanges]
        accepted = sum(c["accepted"] for c in claims)
        rejected = sum(c["rejected"] for c in claims)
        claim_note = (
            f", claims accepted {accepted} rejected {rejected}" if accepted or rejected else ""
        )
        out.write(
            f"  {path.relative_to(root)}: {','.join(sorted(set(kinds))) or '-'} "
            f"{'valid' if not errors else f'{errors} error(s)'}, acks {len(x12)} bytes{claim_note}\n"
        )
    return 0


def cmd_db(args: argparse.Namespace, out: TextIO) -> int:
    """Database maintenance: ``upgrade`` applies the migrations."""
    from gateway.store.connect import database_url, upgrade

    url = database_url()
    upgrade(url)
    out.write("database is at the latest migration\n")
    return 0


@contextlib.contextmanager
def _progress(name: str, total: int) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on a terminal for inputs of 8 MiB and more; nothing otherwise."""
    if total < (8 << 20) or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        transient=True,
    ) as bar:
        task = bar.add_task(name, total=total)
        yield lambda done, _total: bar.update(task, completed=done)


def cmd_ingest(args: argparse.Namespace, out: TextIO) -> int:
    """Store files through the same path as the API; print what was stored and the acks."""
    import asyncio

    from gateway.ingest import ingest
    from gateway.store.connect import database_url, upgrade
    from gateway.store.db import Database
    from gateway.store.models import Source

    url = database_url()
    upgrade(url)

    async def run_all() -> int:
        db = Database(url)
        status = 0
        try:
            for path in args.files:
                data = path.read_bytes()
                with _progress(path.name, len(data)) as progress:
                    result = await ingest(
                        db,
                        data,
                        source=Source.CLI,
                        filename=path.name,
                        snip_level=args.snip_level,
                        progress=progress,
                    )
                summary = {
                    "file": str(path),
                    "upload": result.upload_id,
                    "interchanges": [
                        {
                            "id": o.id,
                            "controlNumber": o.control_number,
                            "status": o.status,
                            "duplicateOf": o.duplicate_of,
                            "transactionSets": o.transaction_sets,
                        }
                        for o in result.interchanges
                    ],
                    "acknowledgments": result.ack_summary,
                }
                if args.json:
                    out.write(
                        json.dumps({**summary, "x12": result.acks.decode("latin-1")}, indent=2)
                        + "\n"
                    )
                else:
                    for o in result.interchanges:
                        out.write(
                            f"{path}: interchange {o.control_number} -> #{o.id} {o.status}"
                            f"{f' (duplicate of #{o.duplicate_of})' if o.duplicate_of else ''}, "
                            f"{len(o.transaction_sets)} transaction set(s)\n"
                        )
                    if not result.interchanges:
                        out.write(
                            f"{path}: no interchange stored (upload #{result.upload_id} kept)\n"
                        )
                        status = 1
                    text = result.acks.decode("latin-1")
                    out.write(text.replace("~", "~\n") if "\n" not in text else text)
        finally:
            await db.dispose()
        return status

    return asyncio.run(run_all())


def cmd_emit(args: argparse.Namespace, out: TextIO) -> int:
    """Print the X12 of a stored transaction set, regenerated from its normalized records."""
    import asyncio

    from gateway.emit import EmitError, emit_transaction
    from gateway.ingest import default_registry
    from gateway.store.connect import database_url
    from gateway.store.db import Database

    async def go() -> bytes:
        db = Database(database_url())
        try:
            return await emit_transaction(db, args.id, default_registry())
        finally:
            await db.dispose()

    try:
        x12 = asyncio.run(go()).decode("latin-1")
    except EmitError as exc:
        raise UsageError(str(exc)) from exc
    out.write(x12.replace("~", "~\n") if "\n" not in x12 else x12)
    return 0


def _filter_of(args: argparse.Namespace) -> dict[str, Any]:
    wanted = {
        "status": args.status,
        "sender": args.sender,
        "type": args.type,
        "receivedFrom": args.since,
        "receivedTo": args.until,
        "findingCode": args.finding_code,
    }
    return {k: v for k, v in wanted.items() if v}


@contextlib.contextmanager
def _count_bar(total: int) -> Iterator[Callable[[], None]]:
    """A progress bar on a terminal for runs of more than one interchange."""
    if total < 2 or not sys.stderr.isatty():
        yield lambda: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        transient=True,
    ) as bar:
        task = bar.add_task("replaying", total=total)
        yield lambda: bar.advance(task)


def cmd_replay(args: argparse.Namespace, out: TextIO) -> int:
    """Replay stored interchanges (by ID, or every one a filter selects) with today's code;
    exit 1 when any failed. --dry-run shows what would change."""
    import asyncio

    from gateway import replay as rp
    from gateway.store.connect import database_url
    from gateway.store.db import Database

    wanted = _filter_of(args)
    if bool(args.ids) == bool(wanted):
        raise UsageError("give interchange IDs or filter options (--status, --since ...), not both")
    actor = f"cli:{os.environ.get('USER', 'unknown')}"[:120]

    async def go() -> int:
        db = Database(database_url())
        status = 0
        results: list[dict[str, Any]] = []
        try:
            ids = list(args.ids)
            if wanted:
                async with db.session() as s:
                    ids = list(await s.scalars(rp.targets(wanted)))
            with _count_bar(len(ids)) as advance:
                for iid in ids:
                    try:
                        if args.dry_run:
                            result = await rp.replay(db, iid, actor=actor, dry_run=True)
                        else:
                            result = await rp.replay_retrying(db, iid, actor=actor)
                        row = result.public()
                        line = (
                            f"#{iid}: {result.status_before} -> {result.status_after}, "
                            f"{'changed' if result.changed else 'unchanged'}"
                            f"{', acknowledgment re-issued' if result.acks_reissued else ''}"
                            f"{' (dry run)' if args.dry_run else ''}"
                        )
                    except rp.ReplayError as exc:
                        row = {"interchangeId": iid, "error": str(exc)}
                        line = f"#{iid}: not replayed: {exc}"
                        status = 1
                    except Exception as exc:  # recorded as a failed attempt
                        row = {"interchangeId": iid, "error": type(exc).__name__}
                        line = f"#{iid}: failed ({type(exc).__name__}); see its attempts"
                        status = 1
                    results.append(row)
                    if not args.json:
                        out.write(line + "\n")
                    advance()
            if args.json:
                out.write(json.dumps({"items": results}, indent=2) + "\n")
            elif not ids:
                out.write("no interchange matches\n")
        finally:
            await db.dispose()
        return status

    return asyncio.run(go())


def cmd_interchanges(args: argparse.Namespace, out: TextIO) -> int:
    """Stored interchanges: ``list`` (newest first, with filters) and ``show ID``."""
    import asyncio

    from sqlalchemy import func, select

    from gateway import replay as rp
    from gateway.store import models as m
    from gateway.store.connect import database_url
    from gateway.store.db import Database

    async def listing(db: Database) -> int:
        wanted = _filter_of(args)
        query = select(m.Interchange.id) if args.all and not wanted else rp.targets(wanted)
        query = query.order_by(None).order_by(m.Interchange.id.desc()).limit(args.limit)
        async with db.session() as s:
            ids = list(await s.scalars(query))
            rows = (
                await s.scalars(
                    select(m.Interchange)
                    .where(m.Interchange.id.in_(ids))
                    .order_by(m.Interchange.id.desc())
                )
            ).all()
            sets = dict(
                (
                    await s.execute(
                        select(m.TransactionSet.interchange_id, func.count())
                        .where(m.TransactionSet.interchange_id.in_(ids))
                        .group_by(m.TransactionSet.interchange_id)
                    )
                ).all()
            )
        items: list[dict[str, Any]] = [
            {
                "id": r.id,
                "receivedAt": r.received_at.isoformat(),
                "sender": f"{r.sender_qualifier}:{r.sender_id}",
                "controlNumber": r.control_number,
                "status": r.status,
                "transactionSets": int(sets.get(r.id, 0)),
                "versionOf": r.version_of_id,
            }
            for r in rows
        ]
        if args.json:
            out.write(json.dumps({"items": items}, indent=2) + "\n")
            return 0
        for i in items:
            corrects = f"  corrects #{i['versionOf']}" if i["versionOf"] else ""
            out.write(
                f"#{i['id']:<8} {i['receivedAt'][:19]}  {i['sender']:<18} {i['controlNumber']:<9}"
                f"  {i['status']:<10} {i['transactionSets']} set(s){corrects}\n"
            )
        if not items:
            out.write("no interchange matches\n")
        return 0

    async def show(db: Database) -> int:
        async with db.session() as s:
            row = await s.get(m.Interchange, args.id)
            if row is None:
                raise UsageError(f"no interchange #{args.id}")
            sets = (
                await s.scalars(
                    select(m.TransactionSet)
                    .where(m.TransactionSet.interchange_id == row.id)
                    .order_by(m.TransactionSet.id)
                )
            ).all()
            history = [rp.attempt_json(a) for a in await rp.attempts(s, row.id)]
        body: dict[str, Any] = {
            "id": row.id,
            "uploadId": row.upload_id,
            "receivedAt": row.received_at.isoformat(),
            "sender": f"{row.sender_qualifier}:{row.sender_id}",
            "receiver": f"{row.receiver_qualifier}:{row.receiver_id}",
            "controlNumber": row.control_number,
            "status": row.status,
            "duplicateOf": row.duplicate_of_id,
            "versionOf": row.version_of_id,
            "findings": [f.get("code") for f in row.findings],
            "transactionSets": [
                {
                    "id": t.id,
                    "type": t.kind or t.st01,
                    "controlNumber": t.control_number,
                    "status": t.status,
                    "error": t.error.split(":")[0] if t.error else None,
                    "findings": [f.get("code") for f in t.findings],
                }
                for t in sets
            ],
            "attempts": history,
        }
        if args.json:
            out.write(json.dumps(body, indent=2) + "\n")
            return 0
        out.write(
            f"interchange #{row.id} {body['sender']} -> {body['receiver']} "
            f"ISA13 {row.control_number}: {row.status}\n"
        )
        if row.version_of_id:
            out.write(f"  corrects #{row.version_of_id}\n")
        for code in body["findings"]:
            out.write(f"  finding {code}\n")
        for t in body["transactionSets"]:
            error = f" ({t['error']})" if t["error"] else ""
            out.write(
                f"  set #{t['id']} {t['type']} {t['controlNumber']}: {t['status']}{error}"
                f", {len(t['findings'])} finding(s)\n"
            )
        out.write("attempts:\n")
        for a in history:
            failure = f" [{a['failure']}: {a['error']}]" if a["failure"] else ""
            out.write(
                f"  {a['startedAt'][:19]} {a['kind']:<10} by {a['actor']}: "
                f"{a['outcome']}{failure}, {len(a['diff'])} change(s)\n"
            )
        return 0

    async def go() -> int:
        db = Database(database_url())
        try:
            return await (show(db) if args.action == "show" else listing(db))
        finally:
            await db.dispose()

    return asyncio.run(go())


def cmd_serve(args: argparse.Namespace, out: TextIO) -> int:
    """Start the HTTP gateway (uvicorn); with --demo, load the demo partner and files first."""
    import asyncio
    import secrets

    import uvicorn

    from gateway.store.connect import database_url, upgrade

    url = database_url()
    upgrade(url)
    os.environ["DATABASE_URL"] = url  # the workers use the same store
    if args.demo:
        from gateway.demo import load_demo

        admin_key = os.environ.get("X12GW_ADMIN_KEY") or f"x12gw-admin-{secrets.token_urlsafe(18)}"
        os.environ["X12GW_ADMIN_KEY"] = admin_key
        os.environ["X12GW_DEMO"] = "true"
        from gateway import logging as gwlogging
        from gateway.settings import get_settings

        gwlogging.configure()  # JSON lines from the start, as the server writes them

        get_settings.cache_clear()  # read before the key was set; the app must see the printed key
        partner_key, loaded = asyncio.run(load_demo(url))
        out.write(
            "x12gw demo\n"
            f"  admin key:        {admin_key}\n"
            f"  demo partner key: {partner_key}\n"
            f"  demo files stored: {loaded}\n"
            f"  open http://{args.host}:{args.port}/docs and use 'Authorize' with a key\n"
            f"  ops console: http://{args.host}:{args.port}/console (sign in with the admin key)\n"
        )
        out.flush()
    uvicorn.run(
        "gateway.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="warning",
    )
    return 0


def cmd_worker(args: argparse.Namespace, out: TextIO) -> int:
    """Run a job worker (large uploads); any number may share one PostgreSQL."""
    import asyncio

    from gateway.jobs import run_worker
    from gateway.store.connect import database_url, upgrade

    url = database_url()
    upgrade(url)
    from gateway.secretbox import warn_if_derived
    from gateway.settings import get_settings

    warn_if_derived(get_settings())
    out.write("x12gw worker: waiting for jobs (Ctrl+C to stop)\n")
    out.flush()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_worker(url, wait=not args.once))
    return 0


def cmd_secret_key(args: argparse.Namespace, out: TextIO) -> int:
    """Print a new key for X12GW_SECRET_KEY (encrypts webhook secrets at rest)."""
    from cryptography.fernet import Fernet

    out.write(Fernet.generate_key().decode() + "\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="x12gw", description="HIPAA 5010 X12 gateway")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def common(p: argparse.ArgumentParser, snip: bool = True) -> None:
        p.add_argument("--json", action="store_true", help="print JSON")
        p.add_argument("--strict", action="store_true", help="every repair is an error")
        if snip:
            p.add_argument(
                "--snip-level",
                type=int,
                choices=range(1, 8),
                default=DEFAULT_ERROR_LEVEL,
                metavar="N",
                help=f"highest SNIP level whose findings are errors (default {DEFAULT_ERROR_LEVEL})",
            )

    p = sub.add_parser("validate", help=cmd_validate.__doc__, description=cmd_validate.__doc__)
    p.add_argument("files", nargs="+", type=_existing, metavar="FILE")
    common(p)
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing; exit code only")
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="processes for large files (default: one per core from 2 MiB)",
    )
    p.set_defaults(run=cmd_validate)

    p = sub.add_parser("parse", help=cmd_parse.__doc__, description=cmd_parse.__doc__)
    p.add_argument("file", type=_existing, metavar="FILE")
    common(p, snip=False)
    p.set_defaults(run=cmd_parse)

    p = sub.add_parser("ack", help=cmd_ack.__doc__, description=cmd_ack.__doc__)
    p.add_argument("file", type=_existing, metavar="FILE")
    common(p)
    p.set_defaults(run=cmd_ack)

    p = sub.add_parser("db", help=cmd_db.__doc__, description=cmd_db.__doc__)
    p.add_argument("action", choices=["upgrade"])
    p.set_defaults(run=cmd_db)

    p = sub.add_parser("ingest", help=cmd_ingest.__doc__, description=cmd_ingest.__doc__)
    p.add_argument("files", nargs="+", type=_existing, metavar="FILE")
    common(p)
    p.set_defaults(run=cmd_ingest)

    p = sub.add_parser("emit", help=cmd_emit.__doc__, description=cmd_emit.__doc__)
    p.add_argument("id", type=int, help="transaction set ID (as ingest prints it)")
    p.set_defaults(run=cmd_emit)

    def filters(p: argparse.ArgumentParser) -> None:
        p.add_argument("--status", help="interchange or transaction-set status (failed ...)")
        p.add_argument("--sender", help="ISA06, or qualifier:ISA06")
        p.add_argument("--type", help="ST01 (837) or guide (837P)")
        p.add_argument("--since", help="received on or after (ISO date or time)")
        p.add_argument("--until", help="received before (ISO date or time)")
        p.add_argument("--finding-code", help="a finding code on it, its groups or sets")
        p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser("replay", help=cmd_replay.__doc__, description=cmd_replay.__doc__)
    p.add_argument("ids", nargs="*", type=int, metavar="ID", help="interchange IDs")
    filters(p)
    p.add_argument("--dry-run", action="store_true", help="show what would change; keep nothing")
    p.set_defaults(run=cmd_replay)

    p = sub.add_parser(
        "interchanges", help=cmd_interchanges.__doc__, description=cmd_interchanges.__doc__
    )
    inter = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    q = inter.add_parser("list", help="newest first")
    filters(q)
    q.add_argument("--limit", type=int, default=50)
    q.add_argument("--all", action="store_true", help="duplicates and superseded ones too")
    q.set_defaults(run=cmd_interchanges)
    q = inter.add_parser("show", help="envelope, transaction sets and attempts")
    q.add_argument("id", type=int, metavar="ID")
    q.add_argument("--json", action="store_true", help="print JSON")
    q.set_defaults(run=cmd_interchanges)

    p = sub.add_parser("serve", help=cmd_serve.__doc__, description=cmd_serve.__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument(
        "--demo", action="store_true", help="load the demo partner and files, print keys"
    )
    p.set_defaults(run=cmd_serve)

    p = sub.add_parser("worker", help=cmd_worker.__doc__, description=cmd_worker.__doc__)
    p.add_argument("--once", action="store_true", help="stop when the queue is empty")
    p.set_defaults(run=cmd_worker)

    p = sub.add_parser(
        "secret-key", help=cmd_secret_key.__doc__, description=cmd_secret_key.__doc__
    )
    p.set_defaults(run=cmd_secret_key)

    p = sub.add_parser("demo", help="validate and acknowledge the bundled demo files")
    p.add_argument("--folder", type=Path, default=None, help="folder of X12 files")
    p.set_defaults(run=cmd_demo)
    return parser


def run(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the CLI; returns the exit status (used by tests with a StringIO)."""
    args = build_parser().parse_args(argv)
    if getattr(args, "workers", None) is not None and args.workers < 1:
        raise UsageError("--workers must be at least 1")
    command: Callable[[argparse.Namespace, TextIO], int] = args.run
    return command(args, out or sys.stdout)


def main() -> None:
    # The engine allocates many small, long-lived objects per transaction set; the
    # default generation-0 threshold (700) makes the collector rescan them over and
    # over. Collecting less often halves the time to validate a large batch.
    gc.set_threshold(100_000, 50, 100)
    if not os.environ.get("X12GW_NO_MAP_CACHE"):
        mapcache.enable()
    try:
        status = run()
    except UsageError as exc:
        sys.stderr.write(f"x12gw: {exc}\n")
        status = 2
    except BrokenPipeError:
        status = 0
    sys.exit(status)


if __name__ == "__main__":
    main()
