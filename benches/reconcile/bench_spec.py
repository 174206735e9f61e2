#!/usr/bin/env python3
"""Prints the ../shared/tools/bench.py spec comparing `ikou reconcile` with
datacompy on a pair written by make_pair.py.

    python3 benches/reconcile/bench_spec.py PAIR WORK [IKOU] > spec.json

WORK is a scratch directory for both tools' outputs; IKOU defaults to
target/release/ikou of this checkout.
"""
import json
import pathlib
import shlex
import sys

if len(sys.argv) not in (3, 4):
    sys.exit(__doc__)
root = pathlib.Path(__file__).resolve().parents[2]
pair, work = pathlib.Path(sys.argv[1]).resolve(), pathlib.Path(sys.argv[2]).resolve()
ikou = sys.argv[3] if len(sys.argv) == 4 else str(root / "target/release/ikou")
args = json.loads((pair / "expected.json").read_text(encoding="utf-8"))["args"]
out_i, out_d = work / "ikou", work / "datacompy"
spec = [
    {"name": "datacompy",
     "cmd": " ".join(shlex.quote(a) for a in
                     ["python3", str(root / "benches/reconcile/datacompy_compare.py"), str(pair), str(out_d)]),
     "pre": f"rm -rf {shlex.quote(str(out_d))}"},
    {"name": "ikou reconcile",
     "cmd": " ".join(shlex.quote(a) for a in [ikou, "reconcile", "-q", *args, "--out", str(out_i)]),
     "pre": f"rm -rf {shlex.quote(str(out_i))}"},
]
json.dump(spec, sys.stdout, ensure_ascii=False, indent=1)
print()
