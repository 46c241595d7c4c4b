"""The results table and the targets check, for bench.run."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

TARGET_VS_PYX12 = 20.0
TARGET_VS_LFH = 10.0
TARGET_RSS_GROWTH = 2.0


@dataclass
class Result:
    tool: str
    type: str
    claims: int
    file_bytes: int
    seconds: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)
    status: str = "ok"  # ok | failed | not available | skipped
    note: str = ""
    done: bool = False  # no more repeats

    @property
    def median(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds else None

    @property
    def claims_per_s(self) -> float | None:
        m = self.median
        return self.claims / m if m else None

    @property
    def mb_per_s(self) -> float | None:
        m = self.median
        return self.file_bytes / 1e6 / m if m else None

    @property
    def peak_rss_mb(self) -> float | None:
        return max(self.rss_kb) * 1024 / 1e6 if self.rss_kb else None


def _fmt(v: float | None, spec: str) -> str:
    return "-" if v is None else format(v, spec)


def print_table(results: list[Result]) -> None:
    head = ("tool", "type", "claims", "median s", "claims/s", "MB/s", "peak RSS MB", "runs", "note")
    rows = [head]
    for r in results:
        if r.status != "ok":
            rows.append((r.tool, r.type, str(r.claims), r.status, "", "", "", "", r.note[:100]))
            continue
        rows.append(
            (
                r.tool,
                r.type,
                str(r.claims),
                _fmt(r.median, ".3f"),
                _fmt(r.claims_per_s, ",.0f"),
                _fmt(r.mb_per_s, ".2f"),
                _fmt(r.peak_rss_mb, ".1f"),
                str(len(r.seconds)),
                r.note,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    right = {2, 3, 4, 5, 6, 7}
    for j, row in enumerate(rows):
        cells = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        print("  ".join(cells).rstrip())
        if j == 0:
            print("  ".join("-" * w for w in widths))


def targets(results: list[Result]) -> dict[str, object]:
    by = {(r.tool, r.type, r.claims): r for r in results if r.status == "ok"}
    ratios = []
    for r in results:
        if r.tool != "ours":
            continue
        row: dict[str, object] = {"type": r.type, "claims": r.claims}
        for other, target in (("pyx12", TARGET_VS_PYX12), ("lfh", TARGET_VS_LFH)):
            o = by.get((other, r.type, r.claims))
            if r.status == "ok" and o and r.claims_per_s and o.claims_per_s:
                ratio = r.claims_per_s / o.claims_per_s
                row[f"ours/{other}"] = round(ratio, 2)
                row[f"ours/{other} >= {target:g}"] = ratio >= target
            else:
                row[f"ours/{other}"] = None
                row[f"ours/{other} >= {target:g}"] = None
        ratios.append(row)
    rss: list[dict[str, object]] = []
    for kind in sorted({r.type for r in results}):
        ours = sorted(
            (r for r in results if r.tool == "ours" and r.type == kind and r.peak_rss_mb),
            key=lambda r: r.claims,
        )
        if len(ours) >= 2:
            lo, hi = ours[0], ours[-1]
            growth = hi.peak_rss_mb / lo.peak_rss_mb  # type: ignore[operator]
            rss.append(
                {
                    "type": kind,
                    "small": lo.claims,
                    "large": hi.claims,
                    "growth": round(growth, 2),
                    f"<= {TARGET_RSS_GROWTH:g}": growth <= TARGET_RSS_GROWTH,
                    "is_100k_vs_1k": lo.claims <= 1000 and hi.claims >= 100_000,
                }
            )
    return {"speed": ratios, "rss": rss}


def _yn(v: object) -> str:
    return "n/a" if v is None else ("yes" if v else "NO")


def print_targets(t: dict[str, object]) -> None:
    print("\nratios and targets (ours >= 20x pyx12 and >= 10x lfh in claims/s):")
    for row in t["speed"]:  # type: ignore[attr-defined]
        parts = []
        for other, target in (("pyx12", TARGET_VS_PYX12), ("lfh", TARGET_VS_LFH)):
            ratio = row[f"ours/{other}"]
            ok = row[f"ours/{other} >= {target:g}"]
            shown = "n/a" if ratio is None else f"{ratio:.1f}x"
            parts.append(f"ours/{other} = {shown} (>= {target:g}x: {_yn(ok)})")
        print(f"  {row['type']:>4} {row['claims']:>8}: " + ";  ".join(parts))
    if not t["speed"]:
        print("  n/a: ours did not run")
    print(
        "ours' peak RSS, largest size over smallest "
        f"(target <= {TARGET_RSS_GROWTH:g}x, 100k vs 1k):"
    )
    for row in t["rss"]:  # type: ignore[attr-defined]
        note = "" if row["is_100k_vs_1k"] else "  (not 100000 vs 1000: indicative only)"
        ok = row[f"<= {TARGET_RSS_GROWTH:g}"]
        sizes = f"{row['large']} vs {row['small']}"
        print(f"  {row['type']:>4}: {row['growth']}x at {sizes}: {_yn(ok)}{note}")
    if not t["rss"]:
        print("  n/a: ours needs two sizes")
