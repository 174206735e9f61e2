#!/usr/bin/env python3
"""Turns a gen_residents CSV (CP932, no quotes) into the same records as a
fixed-length file for benches/juki-kojin-fixed.toml: each item padded on the
right with ASCII spaces to its byte length, records ended by CRLF.

    target/release/examples/gen_residents 100000 > /tmp/r100k.csv
    python3 benches/make_fixed.py < /tmp/r100k.csv > /tmp/r100k.dat

`--nul N`: item N (1-based) padded with NUL bytes instead (another path
through the padding; e.g. `--nul 6`, the address).
"""
import sys

# Byte lengths, in the order of the items of testdata/layouts/juki-kojin.toml.
LENGTHS = [15, 40, 60, 8, 1, 100, 12]


def main():
    nul = None
    args = sys.argv[1:]
    if args[:1] == ["--nul"] and len(args) == 2 and args[1].isdigit():
        nul = int(args[1]) - 1
    elif args:
        sys.exit("usage: make_fixed.py [--nul ITEM] < in.csv > out.dat")
    out = sys.stdout.buffer
    for n, line in enumerate(sys.stdin.buffer, 1):
        items = line.rstrip(b"\r\n").split(b",")
        if len(items) != len(LENGTHS):
            sys.exit(f"record {n}: {len(items)} items, want {len(LENGTHS)}")
        rec = bytearray()
        for i, (item, length) in enumerate(zip(items, LENGTHS)):
            if len(item) > length:
                sys.exit(f"record {n}: item {i + 1} is {len(item)} bytes, longer than {length}")
            fill = b"\0" if i == nul else b" "
            rec += item + fill * (length - len(item))
        out.write(bytes(rec) + b"\r\n")


main()
