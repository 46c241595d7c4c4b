"""Running the competing tools as whole processes and measuring them, for bench.run.

Wall time is taken here around the process; peak RSS comes from /usr/bin/time -v,
or, without it, from a fresh python wrapper that reads ru_maxrss of its only child.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS_DIR = Path(__file__).resolve().parent / "tools"
PROJECT_PY = ROOT / ".venv" / "bin" / "python"
OURS_BIN = ROOT / ".venv" / "bin" / "x12gw"
LFH_VENV = ROOT / ".bench-venv-lfh"
LFH_REQS = ("linuxforhealth-x12==0.57.0", "pydantic<2")
TIME_BIN = "/usr/bin/time"
ALL_TOOLS = ("ours", "pyx12", "lfh", "floor")

# Used when /usr/bin/time is missing: a fresh process per measurement, so that
# RUSAGE_CHILDREN covers exactly one child; it also times that child alone.
_RUSAGE_WRAPPER = """\
import json, resource, subprocess, sys, time
t0 = time.perf_counter()
r = subprocess.run(sys.argv[2:])
seconds = time.perf_counter() - t0
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[1], "w") as f:
    json.dump({"maxrss_kb": ru.ru_maxrss, "seconds": seconds, "rc": r.returncode}, f)
sys.exit(r.returncode)
"""


@dataclass
class Measurement:
    seconds: float
    rss_kb: int | None
    returncode: int
    stdout: str
    stderr: str


def _tail(text: str, lines: int = 6) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def measure(cmd: list[str], timeout: float) -> Measurement:
    """Run cmd as its own process; wall seconds and the peak RSS of that process."""
    with tempfile.TemporaryDirectory(prefix="x12gw-bench-run-") as tmp:
        report = Path(tmp) / "rusage"
        if os.access(TIME_BIN, os.X_OK):
            full = [TIME_BIN, "-v", "-o", str(report), *cmd]
        else:
            full = [sys.executable, "-c", _RUSAGE_WRAPPER, str(report), *cmd]
        out_path, err_path = Path(tmp) / "out", Path(tmp) / "err"
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            t0 = time.perf_counter()
            proc = subprocess.Popen(full, stdout=out, stderr=err, start_new_session=True)
            try:
                rc = proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                rc = -9
            seconds = time.perf_counter() - t0
        stdout = out_path.read_text(errors="replace")
        stderr = err_path.read_text(errors="replace")
        if rc == -9:
            stderr += f"\n(killed after the {timeout:.0f} s timeout)"
        rss_kb, child_seconds = _read_report(report)
    return Measurement(child_seconds or seconds, rss_kb, rc, stdout, stderr)


def _read_report(report: Path) -> tuple[int | None, float | None]:
    """(peak RSS in KiB, the wrapper's own timing of the child) from either report."""
    if not report.exists():
        return None, None
    text = report.read_text(errors="replace")
    if text.startswith("{"):
        doc = json.loads(text)
        return int(doc["maxrss_kb"]), float(doc["seconds"])
    for line in text.splitlines():
        if "Maximum resident set size" in line:
            return int(line.rsplit(":", 1)[1]), None
    return None, None


def probe_ours() -> str | None:
    """None when ours can run, else why not."""
    if not OURS_BIN.exists():
        return f"not available ({OURS_BIN.relative_to(ROOT)} does not exist yet)"
    try:
        p = subprocess.run(
            [str(OURS_BIN), "validate", "--help"],
            check=False,
            capture_output=True,
            text=True,
            timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"not available ({exc})"
    if p.returncode != 0:
        why = _tail(p.stderr or p.stdout, 1)
        return f"not available (x12gw validate --help exited {p.returncode}: {why})"
    return None


def probe_pyx12() -> str | None:
    p = subprocess.run(
        [str(PROJECT_PY), "-c", "import pyx12, pyx12.x12n_document; print(pyx12.__version__)"],
        check=False,
        capture_output=True,
        text=True,
    )
    if p.returncode != 0:
        return f"not available (pyx12 does not import in the project venv: {_tail(p.stderr, 1)})"
    return None


def probe_floor() -> None:
    return None


def _lfh_python() -> Path:
    return LFH_VENV / "bin" / "python"


def ensure_lfh() -> str | None:
    """Make .bench-venv-lfh with linuxforhealth-x12 0.57.0 and pydantic 1 when missing."""
    check = (
        "import importlib.metadata as m, linuxforhealth.x12.io; "
        "assert m.version('linuxforhealth-x12') == '0.57.0'; "
        "assert m.version('pydantic').startswith('1.')"
    )
    py = _lfh_python()
    probe = [str(py), "-c", check]
    if py.exists() and subprocess.run(probe, check=False, capture_output=True).returncode == 0:
        return None
    print(f"creating {LFH_VENV.name} with {' '.join(LFH_REQS)} ...", flush=True)
    steps = [
        [sys.executable, "-m", "venv", str(LFH_VENV)],
        [str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", *LFH_REQS],
        [str(py), "-c", check],
    ]
    for step in steps:
        p = subprocess.run(step, check=False, capture_output=True, text=True)
        if p.returncode != 0:
            return f"not available ({' '.join(step[:4])} failed: {_tail(p.stderr, 3)})"
    return None


def command(tool: str, kind: str, path: Path, lfh_path: Path) -> list[str]:
    if tool == "ours":
        return [str(OURS_BIN), "validate", str(path), "--quiet"]
    if tool == "pyx12":
        extra = ["--no-999"] if kind == "835" else []
        return [str(PROJECT_PY), str(TOOLS_DIR / "pyx12_validate.py"), str(path), *extra]
    if tool == "lfh":
        return [str(_lfh_python()), str(TOOLS_DIR / "lfh_parse.py"), str(lfh_path)]
    if tool == "floor":
        return [str(PROJECT_PY), str(TOOLS_DIR / "split_floor.py"), str(path)]
    raise ValueError(tool)


def check_output(tool: str, m: Measurement, claims: int) -> str | None:
    """None when the run did its job, else what went wrong."""
    if m.returncode != 0:
        return f"exit {m.returncode}: {_tail(m.stderr or m.stdout)}"
    if tool in ("lfh", "floor") and f"claims={claims}" not in m.stdout.split():
        return f"counted the wrong number of claims (want {claims}): {_tail(m.stdout, 2)}"
    if tool == "pyx12" and "valid=True" not in m.stdout:
        return f"pyx12 verdict not valid: {_tail(m.stdout + m.stderr)}"
    return None
