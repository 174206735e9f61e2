#!/usr/bin/env python3
"""Makes the seed corpora fuzz/corpus/<target>/ from testdata/ (synthetic data
only). Run from the repository root: python3 fuzz/seeds/make_seeds.py"""
import csv, io, os, zipfile
from xml.sax.saxutils import escape

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
T = lambda p: open(os.path.join(ROOT, "testdata", p), "rb").read()
OUT = os.path.join(ROOT, "fuzz", "corpus")

def put(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    open(os.path.join(d, name), "wb").write(data)

def lines(data, n):
    """The first n lines (line ends kept)."""
    return b"".join(data.splitlines(keepends=True)[:n])

ENC = ["cp932", "shift_jis", "euc-jp", "eucjp-ms", "utf-8", "utf-16le", "utf-16be"]
sjis = lines(T("juki_kojin.csv"), 6)
euc = T("corpus/input/kojin_euc.dat")[:400]
utf8 = sjis.decode("cp932").encode("utf-8")
u16le = b"\xff\xfe" + "1,ｱｲ,\"x\r\ny\"\r\n2,あ,\r\n".encode("utf-16le") + b"\x1a\x00"
u16be = b"\xfe\xff" + "1,ｱｲ,\"x\r\ny\"\r\n2,あ,\r\n".encode("utf-16be")

# split_records: mode (framing | encoding << 2), chunk size, max record, repeat; file.
mode = lambda framing, enc: bytes([framing | ENC.index(enc) << 2])
put("split_records", "csv-cp932", mode(0, "cp932") + b"\x07\x40\x00" + sjis + b"\x1a")
put("split_records", "csv-cp932-cut", mode(1, "cp932") + b"\x03\x08\x00" + b'1,"a""b",c\r\n2,"x\ny",z\n3,ab"c,d\r\n\r\n4,"open\n')
put("split_records", "csv-eucjp", mode(0, "euc-jp") + b"\x05\x40\x01" + euc)
put("split_records", "csv-utf8-bom", mode(0, "utf-8") + b"\x02\x40\x00" + b"\xef\xbb\xbf" + utf8[:300])
put("split_records", "csv-utf16le", mode(0, "utf-16le") + b"\x03\x40\x00" + u16le)
put("split_records", "csv-utf16be-repeat", mode(0, "utf-16be") + b"\x09\x40\x01" + u16be)
put("split_records", "fixed", mode(2, "cp932") + b"\x03\x40\x00" + b"12\x82\xa012ab34\x82\xa0\x1a")
put("split_records", "fixed-newline", mode(3, "cp932") + b"\x02\x40\x00" + b"12ab\r\n34\x82\xa0\n\r\n5\r\n678901\r\n")

# decode: encoding index; bytes.
for i, (enc, data) in enumerate([
    ("cp932", sjis[:200] + b"\x81\x60\xf0\x40\x87\x40"),
    ("shift_jis", b"a\x81\x60b\x81\x5c\x81\x61\x81\x7c\x81\x91\x81\x92\x81\xca\xf0\x40"),
    ("euc-jp", euc[:200]),
    ("eucjp-ms", b"\xf5\xa1\x8f\xf5\xa1\x8f\xf3\xf3\x8f\xa2\xb7\xa4\xa2" + euc[:60]),
    ("utf-8", utf8[:200]),
    ("utf-16le", u16le[2:]),
    ("utf-16be", u16be[2:] + b"\xd8\x3d\xde\x00"),
]):
    put("decode", enc, bytes([ENC.index(enc)]) + data)

# layout_toml: layout, NUL, one record (CP932).
put("layout_toml", "juki-kojin", T("layouts/juki-kojin.toml") + b"\0" + sjis.splitlines()[0])
fixed = T("juki_kojin_fixed.dat")
put("layout_toml", "juki-kojin-fixed", T("layouts/juki-kojin-fixed.toml") + b"\0" + fixed[: fixed.find(b"\r\n") if b"\r\n" in fixed else 120])
put("layout_toml", "corpus-kojin", T("corpus/layouts/kojin.toml"))
put("layout_toml", "corpus-kojin-fixed", T("corpus/layouts/kojin-fixed.toml"))

# gaiji_table: encoding index (and map options); table.
put("gaiji_table", "sample", bytes([0]) + T("gaiji/sample.tsv"))
put("gaiji_table", "vendor-a-eucjp-ms", bytes([ENC.index("eucjp-ms") | 0x08]) + T("corpus/gaiji/vendor-a.tsv"))
put("gaiji_table", "vendor-b-never", bytes([0x10 | 0x20]) + T("corpus/gaiji/vendor-b.tsv"))
put("gaiji_table", "fix-geta", bytes([0x40]) + T("corpus/gaiji/fix.tsv"))

# layout_import: mode (kind | fixed << 3 | key << 4); bytes.
sheet_csv = T("sheets/kojin-items.csv")
rows = list(csv.reader(io.StringIO(sheet_csv.decode("utf-8"))))
def col(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s
sheet_xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    + "".join('<row r="%d">' % (r + 1) + "".join(
        '<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>' % (col(c), r + 1, escape(v))
        for c, v in enumerate(row) if v) + "</row>" for r, row in enumerate(rows))
    + "</sheetData></worksheet>").encode()
shared = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"></sst>')
content_xml = ('<?xml version="1.0" encoding="UTF-8"?>\n'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    '<office:body><office:spreadsheet><table:table table:name="項目定義">'
    + "".join("<table:table-row>" + "".join(
        '<table:table-cell office:value-type="string"><text:p>%s</text:p></table:table-cell>' % escape(v)
        for v in row) + "</table:table-row>" for row in rows)
    + "</table:table></office:spreadsheet></office:body></office:document-content>").encode()
put("layout_import", "csv", bytes([2]) + sheet_csv)
put("layout_import", "csv-fixed-key", bytes([2 | 8 | 16]) + sheet_csv)
put("layout_import", "packed-xlsx", bytes([4]) + sheet_xml + b"\0" + shared)
put("layout_import", "packed-ods-fixed", bytes([5 | 8]) + content_xml)

# layout_copybook: mode (bit 0 .txt, bit 1 --key, bit 2 newline); copybook.
for i, name in enumerate(["juki-kojin", "juki-setai", "kojin-juminzei", "kaigo-hihokensha"]):
    put("layout_copybook", name, bytes([i]) + T(f"copybooks/{name}.cpy"))
put("layout_copybook", "continuation-occurs-88", bytes([1]) + b"""       01  REC.
           05  A   PIC X(4) VALUE 'AB
      -    'CD'.
           05  T   OCCURS 2 TIMES DEPENDING ON N.
               10  C  PIC 99.
                   88  OK VALUES 01 THRU 05, 09.
           05  B   REDEFINES T PIC X(4).
           05  P   PIC S9(5)V99 COMP-3 SIGN LEADING SEPARATE.
           05  E   PIC ZZ,ZZ9.99-.
""")

# code_table: a code conversion table (convert --to).
put("code_table", "zokugara", T("target/codes/zokugara.tsv"))
put("code_table", "seibetsu-crlf-bom", b"\xef\xbb\xbf" + T("target/codes/seibetsu.tsv").replace(b"\n", b"\r\n"))
put("code_table", "errors", b"# x\nold\tnew\n01\t1\tnote\n01\t2\n 02\t2\n\t3\n04\n05\t\x07\n")
