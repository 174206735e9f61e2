#!/usr/bin/env python3
"""Makes the seed corpora fuzz/corpus/identify_bdf/ and identify_font/ (synthetic
fonts and images only). Run from the repository root after
benches/identify/make_vendor_fixture.py: python3 fuzz/seeds/make_identify_seeds.py"""
import os, struct, zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "fuzz", "corpus")

def put(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    open(os.path.join(d, name), "wb").write(data)

def bdf(registry, chars):
    out = ("STARTFONT 2.1\nFONT -ikou-seed\nSIZE 8 75 75\nFONTBOUNDINGBOX 8 8 0 -1\n"
           "STARTPROPERTIES 1\nCHARSET_REGISTRY \"%s\"\nENDPROPERTIES\nCHARS %d\n" % (registry, len(chars)))
    for enc, (w, h, x, y), rows in chars:
        out += "STARTCHAR c%d\nENCODING %d\nSWIDTH 1000 0\nDWIDTH 8 0\nBBX %d %d %d %d\nBITMAP\n" % (enc, enc, w, h, x, y)
        out += "".join(r + "\n" for r in rows) + "ENDCHAR\n"
    return (out + "ENDFONT\n").encode()

CROSS = ((3, 3, 1, 0), ["40", "E0", "40"])
put("identify_bdf", "unicode", b"\0" + bdf("ISO10646", [(0xE000, *CROSS), (0xE001, (8, 8, 0, -1), ["FF", "81", "81", "81", "81", "81", "81", "FF"])]))
put("identify_bdf", "jis", b"\0" + bdf("JISX0208.1983", [(0x7521, *CROSS), (0x3021, *CROSS), (-1, *CROSS)]))
put("identify_bdf", "vendor", b"\2" + bdf("FUJITSU", [(0xF040, *CROSS), (0xF041, (0, 0, 0, 0), [])]))

for name in ["vendor_pua.ttf", "no_pua.ttf", "ext_gj.ttf", "em_box.ttf"]:
    data = open(os.path.join(ROOT, "testdata", "identify", name), "rb").read()
    put("identify_font", name, b"\0" + data)

def png(w, h, rows):
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    raw = b"".join(b"\0" + bytes(r) for r in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))

rows = [[0 if (x == 5 or y == 5) and 2 <= x < 8 and 2 <= y < 8 else 255 for x in range(10)] for y in range(10)]
put("identify_font", "glyph.png", b"\1" + png(10, 10, rows))
