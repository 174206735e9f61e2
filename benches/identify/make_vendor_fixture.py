#!/usr/bin/env python3
"""Builds testdata/identify/vendor_pua.ttf: a small vendor 外字 font for the tests of
`ikou identify`, made of IPAmj明朝 glyphs packed at PUA code points, so the right
answer of each code is known exactly; and testdata/identify/no_pua.ttf, the same
glyphs at ordinary code points (a font with no 外字 at all).

    python3 benches/identify/make_vendor_fixture.py [/usr/share/fonts/truetype/ipamj/ipamjm.ttf]

Needs fontTools (pip install fonttools). IPAmj明朝 is under the IPA Font License
Agreement v1.0, which allows redistributing derived fonts under the same licence
(testdata/identify/LICENSE-IPA.md). The glyphs are renamed (vendorNNNN), so the
derived font does not carry IPA's font name (licence article 3.1.3).
"""
import sys
from fontTools.ttLib import TTFont
from fontTools import subset

# (PUA code point, MJ glyph): distinct shapes, among them 外字 vendors really have.
GLYPHS = [
    (0xE000, "mj028902"),  # 髙 (はしご高)
    (0xE001, "mj032129"),  # 𠮷 (つちよし)
    (0xE002, "mj025760"),  # 辻 (二点しんにょう)
    (0xE003, "mj022336"),  # 葛
    (0xE004, "mj008064"),  # 吉
    (0xE005, "mj026190"),  # 邉
]

src = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/truetype/ipamj/ipamjm.ttf"


def build(out, code_of, glyphs=GLYPHS):
    font = TTFont(src, recalcTimestamp=False)
    opts = subset.Options()
    opts.glyph_names = True
    opts.notdef_outline = True
    opts.name_IDs = []
    opts.layout_features = []
    opts.drop_tables += ["GSUB", "GPOS", "vhea", "vmtx", "VORG", "DSIG"]
    sub = subset.Subsetter(opts)
    sub.populate(glyphs=[g for _, g in glyphs])
    sub.subset(font)

    keep = {"head", "hhea", "maxp", "OS/2", "hmtx", "cmap", "glyf", "loca", "post", "name"}
    for tag in list(font.keys()):
        if tag not in keep and tag != "GlyphOrder":
            del font[tag]

    rename = {g: "vendor%04X" % cp for cp, g in glyphs}
    order = [rename.get(g, g) for g in font.getGlyphOrder()]
    font.setGlyphOrder(order)
    glyf = font["glyf"]
    glyf.glyphs = {rename.get(k, k): v for k, v in glyf.glyphs.items()}
    glyf.glyphOrder = order
    font["hmtx"].metrics = {rename.get(k, k): v for k, v in font["hmtx"].metrics.items()}
    font["post"].formatType = 2.0
    font["post"].extraNames = []
    font["post"].mapping = {}
    for t in font["cmap"].tables:
        t.cmap = {}
    cmap = {code_of(cp): rename[g] for cp, g in glyphs}
    from fontTools.ttLib.tables._c_m_a_p import cmap_format_4, cmap_format_12
    t = cmap_format_4(4) if max(cmap) <= 0xFFFF else cmap_format_12(12)
    t.platformID, t.platEncID, t.language, t.cmap = 3, (1 if max(cmap) <= 0xFFFF else 10), 0, cmap
    font["cmap"].tables = [t]
    name = font["name"]
    name.names = []
    for nid, s in [(1, "ikou test vendor gaiji"), (2, "Regular"), (4, "ikou test vendor gaiji"),
                   (6, "ikou-test-vendor-gaiji"),
                   (0, "Glyphs from IPAmj Mincho (c) Information-technology Promotion Agency, Japan (IPA)"),
                   (13, "IPA Font License Agreement v1.0"),
                   (14, "https://moji.or.jp/mojikiban/font/")]:
        name.setName(s, nid, 3, 1, 0x409)
    font.save(out)


build("testdata/identify/vendor_pua.ttf", lambda cp: cp)
# U+4E00… : ordinary CJK code points, so no glyph is at a private-use one.
build("testdata/identify/no_pua.ttf", lambda cp: cp - 0xE000 + 0x4E00)
# An extension (GJ) font: two of the glyphs at plane 15 code points U+F0000, U+F0001.
build("testdata/identify/ext_gj.ttf", lambda cp: cp - 0xE000 + 0xF0000, [GLYPHS[0], GLYPHS[2]])
