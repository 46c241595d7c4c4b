"""linuxforhealth-x12 0.57.0: parse one file to transaction models, run by bench.run.

usage: lfh_parse.py FILE   (run with the interpreter of .bench-venv-lfh)

Walks the models only to count claims (2300 loops of an 837, 2100 loops of an
835), which the runner checks against the number it generated.
"""

import sys

from linuxforhealth.x12.io import X12ModelReader


def _claims_837(model) -> int:
    n = 0
    for a in model.loop_2000a:
        for b in a.loop_2000b:
            n += len(b.loop_2300 or ())
            for c in b.loop_2000c or ():
                n += len(c.loop_2300 or ())
    return n


def _claims_835(model) -> int:
    return sum(len(lx.loop_2100 or ()) for lx in model.loop_2000 or ())


def main() -> int:
    models = claims = 0
    with X12ModelReader(sys.argv[1]) as reader:
        for model in reader.models():
            models += 1
            claims += _claims_837(model) if hasattr(model, "loop_2000a") else _claims_835(model)
    print(f"models={models} claims={claims}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
