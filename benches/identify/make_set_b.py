#!/usr/bin/env python3
"""Set (b) of the identify benchmark: COUNT seeded random kanji of 花園明朝 A
(HanaMinA.ttf, Debian fonts-hanazono) packed at PUA code points U+E000… into a
TrueType font, as a vendor's 外字 font would hold them, with the answer file
(PUA code point → the code point the typeface draws there).

Only kanji that some MJ glyph implements are drawn (its 実装したUCS, column `impl` of
mappings/mj.tsv), so every answer names an MJ glyph; the harness counts a candidate
right when it is the MJ glyph whose 実装したUCS is that code point. Nothing is
downloaded. Write it outside the repository:

    python3 benches/identify/make_set_b.py /tmp/ikou-identify [COUNT] [SEED]
"""
import os, random, sys
from fontTools.ttLib import TTFont
from fontTools import subset

HANAMIN = "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf"
here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 16

implemented = set()
with open(os.path.join(here, "..", "..", "mappings", "mj.tsv"), encoding="utf-8") as f:
    for line in f:
        if line.startswith("#") or line.startswith("mj\t"):
            continue
        cols = line.rstrip("\n").split("\t")
        if len(cols) > 2 and cols[2]:
            implemented.add(int(cols[2], 16))

def is_kanji(cp):
    return (0x3400 <= cp <= 0x4DBF or 0x4E00 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF
            or 0x20000 <= cp <= 0x3FFFF)

font = TTFont(HANAMIN)
cmap = font.getBestCmap()
pool = sorted(cp for cp, g in cmap.items() if is_kanji(cp) and cp in implemented)
rng = random.Random(seed)
picked = rng.sample(pool, min(count, len(pool)))

# Keep only the picked glyphs (and their components), then give each a PUA code.
opts = subset.Options()
opts.glyph_names = True
opts.notdef_outline = True
opts.layout_features = []
opts.name_IDs = ["*"]
sub = subset.Subsetter(opts)
sub.populate(unicodes=picked)
sub.subset(font)
glyph_of = {cp: cmap[cp] for cp in picked}
new = {0xE000 + i: glyph_of[cp] for i, cp in enumerate(picked)}
for table in font["cmap"].tables:
    table.cmap = {} if not table.isUnicode() else dict(new)
font["cmap"].tables = [t for t in font["cmap"].tables if t.isUnicode() and t.format in (4, 12)]
if not any(t.format == 12 for t in font["cmap"].tables):
    from fontTools.ttLib.tables._c_m_a_p import cmap_format_12
    t = cmap_format_12(12); t.platformID, t.platEncID, t.language, t.cmap = 3, 10, 0, dict(new)
    font["cmap"].tables.append(t)
os.makedirs(out, exist_ok=True)
font.save(os.path.join(out, "b.ttf"))
with open(os.path.join(out, "b.answers.tsv"), "w", encoding="utf-8") as f:
    f.write("# code\tdrawn code point (HanaMinA)\n")
    for i, cp in enumerate(picked):
        f.write(f"U+{0xE000 + i:04X}\tU+{cp:04X}\n")
print(f"set b: {len(picked)} kanji of {len(pool)} in {out}")
