"""The plain-Python floor, run by bench.run: read 1 MiB chunks, bytes.split into
segments and elements, count CLM (837) or CLP (835) segments.

usage: split_floor.py FILE
"""

import sys

CHUNK = 1 << 20


def main() -> int:
    claims = segments = 0
    with open(sys.argv[1], "rb") as f:
        isa = f.read(106)
        elem, term = isa[3:4], isa[105:106]
        f.seek(0)
        tail = b""
        while chunk := f.read(CHUNK):
            parts = (tail + chunk).split(term)
            tail = parts.pop()
            for seg in parts:
                tag = seg.split(elem)[0].strip()
                segments += 1
                if tag in {b"CLM", b"CLP"}:
                    claims += 1
        if tail.strip():
            segments += 1
    print(f"segments={segments} claims={claims}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
