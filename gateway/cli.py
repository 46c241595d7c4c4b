"""``x12gw``: validate, parse and acknowledge X12 files from the terminal."""

from __future__ import annotations

import gc
import itertools
import json
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from parsers import LENIENT, STRICT, Finding
from parsers.reader import (
    FileFinding,
    GroupEnded,
    InterchangeEnded,
    TransactionRead,
    read,
)
from transactions.acks import AckCollector
from transactions.rules import DEFAULT_ERROR_LEVEL, checker

app = typer.Typer(help="HIPAA 5010 X12 gateway", no_args_is_help=True, add_completion=False)

Files = Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, readable=True)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON")]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Every repair is an error")]
SnipOpt = Annotated[
    int,
    typer.Option("--snip-level", min=1, max=7, help="Highest SNIP level whose findings are errors"),
]


def _findings_of(path: Path, strict: bool, snip_level: int) -> tuple[list[Finding], dict[str, int]]:
    profile = STRICT if strict else LENIENT
    found: list[Finding] = []
    counts = {"interchanges": 0, "groups": 0, "transactionSets": 0}
    with path.open("rb") as fp:
        events = read(fp, profile, rules=checker(snip_level), keep_trees=False)
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


@app.command()
def validate(
    files: Files,
    as_json: JsonOpt = False,
    strict: StrictOpt = False,
    snip_level: SnipOpt = DEFAULT_ERROR_LEVEL,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print nothing; exit code only")
    ] = False,
) -> None:
    """Validate files (SNIP 1-5); exit 1 when any has an error."""
    failed = False
    report: list[dict[str, Any]] = []
    for path in files:
        started = time.perf_counter()
        found, counts = _findings_of(path, strict, snip_level)
        errors = sum(f.is_error for f in found)
        failed = failed or errors > 0
        if quiet:
            continue
        if as_json:
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
        typer.echo(
            f"{path}: {verdict} - {errors} error(s), {len(found) - errors} warning(s), "
            f"{counts['transactionSets']} transaction set(s), {time.perf_counter() - started:.2f}s"
        )
        for f in found:
            typer.echo(f"  {f}")
    if as_json and not quiet:
        typer.echo(json.dumps(report, indent=2))
    raise typer.Exit(1 if failed else 0)


@app.command()
def parse(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    as_json: JsonOpt = False,
    strict: StrictOpt = False,
) -> None:
    """Print the loop tree of every transaction set, with loop IDs and element references."""
    out: list[dict[str, Any]] = []
    with path.open("rb") as fp:
        for event in read(fp, STRICT if strict else LENIENT):
            if isinstance(event, TransactionRead) and event.transaction.root is not None:
                ts = event.transaction
                root = ts.root
                assert root is not None
                if as_json:
                    out.append(
                        {
                            "interchange": ts.interchange.control if ts.interchange else None,
                            "group": ts.group.control if ts.group else None,
                            "transactionSet": ts.control,
                            "guide": ts.guide.id if ts.guide else None,
                            "type": ts.guide.name if ts.guide else ts.st01,
                            "tree": root.to_dict(),
                        }
                    )
                else:
                    typer.echo(
                        f"# {ts.guide.name if ts.guide else ts.st01} ST02={ts.control} ({ts.version})"
                    )
                    _print_loop(root.to_dict(), 0)
    if as_json:
        typer.echo(json.dumps(out, indent=2))


def _print_loop(node: dict[str, Any], depth: int) -> None:
    pad = "  " * depth
    typer.echo(f"{pad}[{node['loop']}]")
    for child in node["children"]:
        if "loop" in child and "children" in child:
            _print_loop(child, depth + 1)
        else:
            refs = " ".join(
                f"{k}={':'.join(v) if isinstance(v, list) else v}"
                for k, v in child["elements"].items()
            )
            typer.echo(f"{pad}  {child['segment']} #{child['ordinal']} {refs}")


@app.command()
def ack(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    as_json: JsonOpt = False,
    strict: StrictOpt = False,
    snip_level: SnipOpt = DEFAULT_ERROR_LEVEL,
) -> None:
    """Print the TA1/999 (and 277CA for 837) the gateway would send for a file."""
    collector = AckCollector()
    with path.open("rb") as fp:
        collector.feed_all(read(fp, STRICT if strict else LENIENT, rules=checker(snip_level)))
    acks = collector.result()
    counter = itertools.count(int(time.time()) % 900_000_000 + 1)
    x12 = acks.to_x12(lambda: next(counter))
    if as_json:
        typer.echo(json.dumps({"x12": x12.decode("latin-1"), **acks.summary()}, indent=2))
    else:
        sys.stdout.write(
            x12.decode("latin-1").replace("~", "~\n") if b"\n" not in x12 else x12.decode("latin-1")
        )


def _fixtures_dir() -> Path:
    for base in (Path.cwd(), Path(__file__).resolve().parents[1]):
        candidate = base / "fixtures" / "x12"
        if candidate.is_dir():
            return candidate
    raise typer.BadParameter("no fixtures/x12 folder found")


@app.command()
def demo(
    folder: Annotated[Path | None, typer.Option(help="Folder of X12 files")] = None,
) -> None:
    """Read, validate and acknowledge the bundled demo files, one line each.

    The HTTP service lands with the store (issues 3 and 4); until then this is
    the gateway's front door on a fresh machine.
    """
    root = folder or _fixtures_dir()
    files = sorted(p for p in root.rglob("*") if p.is_file())
    typer.echo(f"x12gw demo: {len(files)} files from {root}")
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
        typer.echo(
            f"  {path.relative_to(root)}: {','.join(sorted(set(kinds))) or '-'} "
            f"{'valid' if not errors else f'{errors} error(s)'}, acks {len(x12)} bytes{claim_note}"
        )


def main() -> None:
    # The engine allocates many small, long-lived objects per transaction set; the
    # default generation-0 threshold (700) makes the collector rescan them over and
    # over. Collecting less often halves the time to validate a large batch.
    gc.set_threshold(100_000, 50, 100)
    app()


if __name__ == "__main__":
    main()
