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
        from gateway.settings import get_settings

        get_settings.cache_clear()  # read before the key was set; the app must see the printed key
        partner_key, loaded = asyncio.run(load_demo(url))
        out.write(
            "x12gw demo\n"
            f"  admin key:        {admin_key}\n"
            f"  demo partner key: {partner_key}\n"
            f"  demo files stored: {loaded}\n"
            f"  open http://{args.host}:{args.port}/docs and use 'Authorize' with a key\n"
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
    out.write("x12gw worker: waiting for jobs (Ctrl+C to stop)\n")
    out.flush()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_worker(url, wait=not args.once))
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
