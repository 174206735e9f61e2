#!/usr/bin/env python3
"""Turns a gen_residents CSV (CP932, no quotes) into the same records as a
fixed-length file for benches/juki-kojin-fixed.toml: each item padded on the
right with ASCII spaces to its byte length, records ended by CRLF.

    target/release/examples/gen_residents 100000 > /tmp/r100k.csv
    python3 benches/make_fixed.py < /tmp/r100k.csv > /tmp/r100k.dat
"""
import sys

# Byte lengths, in the order of the items of testdata/layouts/juki-kojin.toml.
LENGTHS = [15, 40, 60, 8, 1, 100, 12]


def main():
    out = sys.stdout.buffer
    for n, line in enumerate(sys.stdin.buffer, 1):
        items = line.rstrip(b"\r\n").split(b",")
        if len(items) != len(LENGTHS):
            sys.exit(f"record {n}: {len(items)} items, want {len(LENGTHS)}")
        rec = bytearray()
        for i, (item, length) in enumerate(zip(items, LENGTHS)):
            if len(item) > length:
                sys.exit(f"record {n}: item {i + 1} is {len(item)} bytes, longer than {length}")
            rec += item + b" " * (length - len(item))
        out.write(bytes(rec) + b"\r\n")


main()
