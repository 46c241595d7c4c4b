"""Whole-process benchmark: our validator against pyx12, linuxforhealth-x12 and a plain split.

    python -m bench.run [--sizes 1000,10000,100000] [--repeat 3] [--types 837p,835]
                        [--tools ours,pyx12,lfh,floor] [--seed N] [--budget SECONDS]
                        [--timeout SECONDS] [--cache DIR] [--json OUT]

For every (type, size) the generated file is made once (cached by type, size,
seed and generator fingerprint), then each tool runs as a separate process,
the tools taking turns run by run. Wall time is measured here around the
process; peak RSS comes from /usr/bin/time -v, or without it from a fresh
python wrapper that reads ru_maxrss of its only child. See
shared/BENCHMARKING.md for what is compared and why.

- ours:  .venv/bin/x12gw validate FILE --quiet
- pyx12: pyx12 4.0.0 in the project venv (bench/tools/pyx12_validate.py); the 837P
         run builds the 999 in memory as x12valid does, the 835 run does not (pyx12's
         999 builder fails on 835s)
- lfh:   linuxforhealth-x12 0.57.0 in .bench-venv-lfh (made on first use), parsing to
         models (bench/tools/lfh_parse.py); for 835 it reads a twin of the file without
         the 1000A PER*BL, which it rejects; nothing else differs
- floor: 1 MiB chunks, bytes.split into segments and elements, count CLM/CLP

A tool that fails or is missing is reported and the run carries on. A tool whose
rate at a smaller size predicts a run longer than --budget seconds is skipped at
the larger size; one whose single run takes longer than --budget is not repeated.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from bench import generate
from bench._competitors import (
    ALL_TOOLS,
    TIME_BIN,
    check_output,
    command,
    ensure_lfh,
    measure,
    probe_floor,
    probe_ours,
    probe_pyx12,
)
from bench._report import Result, print_table, print_targets, targets


def fingerprint() -> str:
    h = hashlib.sha256(generate.GENERATOR_VERSION.encode())
    for name in ("generate.py", "_pools.py"):
        h.update((Path(__file__).parent / name).read_bytes())
    return h.hexdigest()[:10]


def ensure_file(cache: Path, kind: str, n: int, seed: int, *, payer_contact: bool = True) -> Path:
    suffix = "" if payer_contact else "-noperbl"
    path = cache / f"{kind}-{n}-s{seed}-{fingerprint()}{suffix}.x12"
    if path.exists():
        return path
    t0 = time.perf_counter()
    tmp = path.with_suffix(".part")
    with open(tmp, "wb") as fp:
        if kind == "835":
            generate.write_835(fp, n, seed, payer_contact=payer_contact)
        else:
            generate.WRITERS[kind](fp, n, seed)
    tmp.rename(path)
    size = path.stat().st_size / 1e6
    print(f"generated {path.name}: {size:.1f} MB in {time.perf_counter() - t0:.1f} s", flush=True)
    return path


def _csv(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,100000", help="claims per file, comma-separated")
    ap.add_argument("--repeat", type=int, default=3, help="whole-process runs per tool and file")
    ap.add_argument("--types", default="837p,835", help="837p and/or 835")
    ap.add_argument("--tools", default=",".join(ALL_TOOLS), help="ours,pyx12,lfh,floor")
    ap.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    ap.add_argument("--budget", type=float, default=300.0, help="longest single run, seconds")
    ap.add_argument("--timeout", type=float, default=1800.0, help="kill a run after this long")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "x12gw-bench")
    ap.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args(argv)
    args.sizes = sorted(int(s.replace("_", "")) for s in _csv(args.sizes))
    args.types = _csv(args.types.lower())
    args.tools = _csv(args.tools.lower())
    for kind in args.types:
        if kind not in generate.WRITERS:
            ap.error(f"unknown type {kind!r}; known: {', '.join(generate.WRITERS)}")
    for tool in args.tools:
        if tool not in ALL_TOOLS:
            ap.error(f"unknown tool {tool!r}; known: {', '.join(ALL_TOOLS)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    args.cache.mkdir(parents=True, exist_ok=True)
    probes: dict[str, Callable[[], str | None]] = {
        "ours": probe_ours,
        "pyx12": probe_pyx12,
        "lfh": ensure_lfh,
        "floor": probe_floor,
    }
    unavailable = {t: why for t in args.tools if (why := probes[t]()) is not None}
    for tool, why in unavailable.items():
        print(f"{tool}: {why}", flush=True)
    timer = "/usr/bin/time -v" if os.access(TIME_BIN, os.X_OK) else "python ru_maxrss wrapper"
    print(f"peak RSS via {timer}; cache {args.cache}", flush=True)

    results: list[Result] = []
    for kind in args.types:
        for n in args.sizes:
            path = ensure_file(args.cache, kind, n, args.seed)
            lfh_path = path
            if kind == "835" and "lfh" in args.tools and "lfh" not in unavailable:
                lfh_path = ensure_file(args.cache, kind, n, args.seed, payer_contact=False)
            size = path.stat().st_size
            cell = {t: Result(t, kind, n, size) for t in args.tools}
            for tool, why in unavailable.items():
                cell[tool].status, cell[tool].note = "not available", why
            if kind == "835" and "lfh" in cell:
                cell["lfh"].note = "twin file without 1000A PER*BL"
            _skip_by_estimate(cell, results, n, args.budget)
            for rep in range(args.repeat):
                # take turns: rotate the order each round
                order = [t for t in args.tools if cell[t].status == "ok" and not cell[t].done]
                if not order:
                    break
                k = rep % len(order)
                for tool in order[k:] + order[:k]:
                    _run_one(cell[tool], (path, lfh_path), args, rep)
            results.extend(cell[t] for t in args.tools)

    elapsed = time.perf_counter() - started
    print(
        f"\nresults ({'/usr/bin/time' if timer.startswith('/') else 'wrapper'} RSS; "
        f"MB = 10^6 bytes; medians of up to {args.repeat} runs; wall {elapsed:.0f} s):"
    )
    print_table(results)
    t = targets(results)
    print_targets(t)
    if args.json:
        doc = {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
            "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
            "generator": {"seed": args.seed, "fingerprint": fingerprint()},
            "rss_source": timer,
            "wall_seconds": round(elapsed, 1),
            "results": [
                {
                    **asdict(r),
                    "median_s": r.median,
                    "claims_per_s": r.claims_per_s,
                    "mb_per_s": r.mb_per_s,
                    "peak_rss_mb": r.peak_rss_mb,
                }
                for r in results
            ],
            "targets": t,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(doc, indent=2) + "\n")
        print(f"\nwrote {args.json}")
    return 0


def _skip_by_estimate(cell: dict[str, Result], done: list[Result], n: int, budget: float) -> None:
    """Skip a tool at this size when its rate at a smaller size predicts > budget per run."""
    for tool, res in cell.items():
        if res.status != "ok":
            continue
        prior = [r for r in done if r.tool == tool and r.type == res.type and r.claims_per_s]
        if not prior:
            continue
        rate = max(prior, key=lambda r: r.claims).claims_per_s
        estimate = n / rate  # type: ignore[operator]
        if estimate > budget:
            res.status = "skipped"
            res.note = f"estimated {estimate:.0f} s per run > --budget {budget:.0f} s"
            print(f"[{res.type} {n}] {tool}: {res.note}", flush=True)


def _run_one(res: Result, paths: tuple[Path, Path], args: argparse.Namespace, rep: int) -> None:
    tool, kind = res.tool, res.type
    cmd = command(tool, kind, *paths)
    try:
        m = measure(cmd, args.timeout)
    except OSError as exc:
        res.status, res.note = "failed", str(exc)
        print(f"[{kind} {res.claims}] {tool}: failed: {exc}", flush=True)
        return
    problem = check_output(tool, m, res.claims)
    tag = f"[{kind} {res.claims}] {tool} run {rep + 1}/{args.repeat}"
    if problem:
        res.status, res.note = "failed", problem.replace("\n", " | ")
        print(f"{tag}: FAILED after {m.seconds:.2f} s: {problem}", flush=True)
        return
    res.seconds.append(m.seconds)
    if m.rss_kb is not None:
        res.rss_kb.append(m.rss_kb)
    rss = f"{m.rss_kb * 1024 / 1e6:.1f} MB" if m.rss_kb is not None else "RSS unknown"
    print(f"{tag}: {m.seconds:.3f} s, {rss}", flush=True)
    if m.seconds > args.budget and rep + 1 < args.repeat:
        note = f"not repeated: one run took {m.seconds:.0f} s > --budget"
        res.note = f"{res.note}; {note}" if res.note else note
        res.done = True


if __name__ == "__main__":
    sys.exit(main())
