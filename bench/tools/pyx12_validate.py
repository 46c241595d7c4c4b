"""pyx12 4.0.0 validation of one file, run as its own process by bench.run.

usage: pyx12_validate.py FILE [--no-999]

Builds the 999 in memory as x12valid does, unless --no-999 (pyx12's 999 builder
fails on 835s: it reads ST03, which the 835 guide does not use). Prints the
verdict; exits 0 when pyx12 finds the file valid, 1 when not.
"""

import io
import logging
import sys

import pyx12.params
import pyx12.x12n_document


def main() -> int:
    path = sys.argv[1]
    logging.getLogger("pyx12").setLevel(logging.ERROR)
    fd_999 = None if "--no-999" in sys.argv[2:] else io.StringIO()
    ok = pyx12.x12n_document.x12n_document(pyx12.params.params(), path, fd_999, None)
    print(f"valid={ok} ack_bytes={len(fd_999.getvalue()) if fd_999 else 0}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
