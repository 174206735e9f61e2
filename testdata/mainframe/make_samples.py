#!/usr/bin/env python3
"""Writes the synthetic 住民 exports of testdata/mainframe/: one per mainframe
family, each with its layout (*.toml, written by hand beside this script):

  ibm930_fb.dat   IBM930, RECFM=FB, packed 税額 and binary 世帯人数
  jef_vb.dat      JEF-EBCDIK, RECFM=VB, zoned 宛名番号 and 税額 (scale 2)
  keis_fb.dat     KEIS83-EBCDIK, RECFM=FB, packed 税額
  jipse_fb.dat    JIPS(E), RECFM=FB, binary 税額

Every record has a pure double-byte 氏名 (PIC N, padded with the double-byte
space), a single-byte カナ 氏名カナ, a mixed 住所 (shift codes around the kanji)
and numbers. Vendor 外字 in the user-defined area (U+E000, U+E002 after
decoding, mapped by gaiji.tsv; U+E001 is in no table) and broken records are
listed in expected.json, which tests/mainframe_e2e.rs checks the conversion
against. Every name, address and number is made up.

Encoders: glibc iconv for IBM930; the CC0 jef4j tables in ../shared/mainframe/
for JEF, KEIS and JIPS (codes without a Hanyo-Denshi IVS only, so that every
character decodes to itself). Run from the repository root:
    python3 testdata/mainframe/make_samples.py [SHARED_MAINFRAME_DIR]
"""
import json
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
SHARED = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parents[1] / ".." / "shared" / "mainframe"
RECORD = 88
ADDR = 26


def load(name):
    return json.loads((SHARED / name).read_text(encoding="utf-8"))


def reverse(rows):
    """Unicode character → code bytes, from rows that decode to that character alone."""
    out = {}
    for r in rows:
        opts = set(r.get("options", []))
        if "hd" in r or opts & {"encode_only", "unmappable", "oneway"}:
            continue
        ch = chr(int(r["unicode"], 16))
        out.setdefault(ch, bytes.fromhex(r["code"]))
    return out


class Table:
    """A mainframe encoding from its single- and double-byte tables."""

    def __init__(self, single, double, shift_in, shift_out, pua, byte_map=None):
        self.single = reverse(load(single))
        self.double = reverse(load(double))
        self.shift_in, self.shift_out, self.pua = shift_in, shift_out, pua
        self.byte_map = byte_map

    def dbcs(self, text):
        out = b""
        for ch in text:
            code = self.pua(ord(ch)) if 0xE000 <= ord(ch) <= 0xF8FF else self.double[ch]
            if self.byte_map:
                code = bytes(self.byte_map[b] for b in code)
            out += code
        return out

    def sbcs(self, text):
        return b"".join(self.single[ch] for ch in text)

    def space(self):
        return self.single[" "]

    def dspace(self):
        return self.dbcs("\u3000")


class Ibm930:
    """IBM930 through glibc iconv; user-defined rows 0x69… ↔ U+E000…"""

    shift_in, shift_out = b"\x0e", b"\x0f"

    def _iconv(self, text):
        return subprocess.run(
            ["iconv", "-f", "UTF-8", "-t", "IBM930"], input=text.encode(), capture_output=True, check=True
        ).stdout

    def dbcs(self, text):
        out = b""
        for ch in text:
            if 0xE000 <= ord(ch) <= 0xF8FF:
                k = ord(ch) - 0xE000
                out += bytes([0x69 + k // 190, 0x41 + k % 190])
            else:
                out += self._iconv(ch)[1:-1]
        return out

    def sbcs(self, text):
        return self._iconv(text)

    def space(self):
        return b"\x40"

    def dspace(self):
        return b"\x40\x40"


def jips_byte_map():
    rows = load("nec_jis8_ebcdik_mapping.json")
    return {int(r["jis8"], 16): int(r["ebcdik"], 16) for r in rows}


def jips_pua(cp):
    k = cp - 0xE000
    return bytes([0x74 + k // 94, 0x21 + k % 94])


ENCODINGS = {
    "ibm930": Ibm930(),
    "jef": Table(
        "fujitsu_ebcdik_mapping.json",
        "fujitsu_jef_mapping.json",
        b"\x28",
        b"\x29",
        lambda cp: bytes([0x80 + (cp - 0xE000) // 94, 0xA1 + (cp - 0xE000) % 94]),
    ),
    "keis": Table(
        "hitachi_ebcdik_mapping.json",
        "hitachi_keis83_mapping.json",
        b"\x0a\x42",
        b"\x0a\x41",
        lambda cp: bytes([0x81 + (cp - 0xE000) // 94, 0xA1 + (cp - 0xE000) % 94]),
    ),
    "jipse": Table(
        "nec_ebcdik_mapping.json",
        "nec_jips_mapping.json",
        b"\x3f\x75",
        b"\x3f\x76",
        jips_pua,
        jips_byte_map(),
    ),
}


def pad(data, width, fill):
    assert len(data) <= width, (data, width)
    assert (width - len(data)) % len(fill) == 0, (data, width)
    return data + fill * ((width - len(data)) // len(fill))


def mixed(enc, parts):
    """Mixed text: (kanji, ascii) parts, kanji between shift codes."""
    out = b""
    for kanji, ascii_ in parts:
        if kanji:
            out += enc.shift_in + enc.dbcs(kanji) + enc.shift_out
        out += enc.sbcs(ascii_)
    return out


def packed(v, digits):
    s = str(abs(v)).rjust(digits, "0")
    if len(s) % 2 == 0:
        s = "0" + s
    nib = [int(c) for c in s] + [0xD if v < 0 else 0xC]
    return bytes(nib[i] << 4 | nib[i + 1] for i in range(0, len(nib), 2))


def zoned(v, digits):
    s = str(abs(v)).rjust(digits, "0")
    out = bytearray(0xF0 | int(c) for c in s)
    out[-1] = (0xD0 if v < 0 else 0xC0) | (out[-1] & 0x0F)
    return bytes(out)


def binary(v, size):
    return v.to_bytes(size, "big", signed=True)


PEOPLE = [
    # 宛名番号, 氏名, カナ, 住所 (kanji, ascii) parts, 税額, 世帯人数, what to expect
    (1, "山田\u3000太郎", "ﾔﾏﾀﾞ ﾀﾛｳ", [("見本市本町", "1-2")], 12345, 3, "ok"),
    (2, "\ue000田\u3000一郎", "ﾖｼﾀﾞ ｲﾁﾛｳ", [("見本市東町", "4")], -500, 1, "ok-gaiji"),
    (3, "小林\u3000和子", "ｺﾊﾞﾔｼ ｶｽﾞｺ", [("見本市\ue001町", "5")], 0, 2, "unmapped-gaiji"),
    (4, "鈴木\u3000三郎", "ｽｽﾞｷ ｻﾌﾞﾛｳ", [("見本市南町", "12"), ("番地", "")], 7, 4, "ok"),
    (5, "高橋\u3000一郎", "ﾀｶﾊｼ ｲﾁﾛｳ", [("見本市上町", "")], 999, 1, "bad-number"),
    (6, "田中\u3000太一", "ﾀﾅｶ ﾀｲﾁ", [("見本市下町", "")], 100, 2, "unclosed-shift"),
    (7, "中村\u3000\ue002", "ﾅｶﾑﾗ ﾏｺﾄ", [("見本市中町", "7-8")], 2500000, 5, "ok-gaiji"),
]


def record(family, enc, p):
    no, name, kana, addr, tax, household, what = p
    name_b = pad(enc.dbcs(name), 20, enc.dspace())
    kana_b = pad(enc.sbcs(kana), 20, enc.space())
    addr_b = mixed(enc, addr)
    if what == "unclosed-shift":
        # The shift-out is missing: the item ends inside the double-byte run.
        # Double-byte characters after the shift-in fill the item to its end,
        # on a character boundary (a 1-byte shift-in after one digit).
        lead = enc.sbcs("1") if len(enc.shift_in) == 1 else b""
        chars = (ADDR - len(lead) - len(enc.shift_in)) // 2
        addr_b = lead + enc.shift_in + enc.dbcs(addr[0][0].ljust(chars, "\u3000"))
        assert len(addr_b) == ADDR, addr_b
    else:
        addr_b = pad(addr_b, ADDR, enc.space())
    if family == "jef":
        head = zoned(no, 10)
        number = zoned(tax, 7)  # 税額 with scale 2: 12345 → 123.45
        if what == "bad-number":
            number = number[:3] + b"\x4b" + number[4:]  # a zone of 4: not a digit
        rest = b""
    else:
        head = enc.sbcs(str(no).rjust(10, "0"))
        if family == "ibm930":
            number = packed(tax, 9)
            rest = binary(household, 2)
        elif family == "keis":
            number = packed(tax, 7)
            rest = b""
        else:
            number = binary(tax, 4)
            rest = b""
        if what == "bad-number":
            if family == "jipse":
                number = binary(10**9, 4)  # digits = 9: one digit too many
            else:
                number = number[:1] + b"\xa3" + number[2:]  # a half byte of 0xA: no digit
    body = head + name_b + kana_b + addr_b + number + rest
    return pad(body, RECORD, enc.space()) if family != "jef" else body


def vb(body):
    return (len(body) + 4).to_bytes(2, "big") + b"\0\0" + body


def main():
    expected = {}
    for family, enc in ENCODINGS.items():
        recs = [record(family, enc, p) for p in PEOPLE]
        rejects = {i + 1: p[6] for i, p in enumerate(PEOPLE) if not p[6].startswith("ok")}
        if family == "jef":
            data = b"".join(vb(r) for r in recs)
            # One more record behind an RDW whose reserved bytes are not zero: the
            # framing is lost there, so it and what follows are one flawed record.
            data += (len(recs[0]) + 4).to_bytes(2, "big") + b"\x00\x07" + recs[0]
            rejects[len(recs) + 1] = "bad-rdw"
            name = "jef_vb.dat"
        else:
            assert all(len(r) == RECORD for r in recs), family
            data = b"".join(recs)
            name = f"{family}_fb.dat"
        (HERE / name).write_bytes(data)
        expected[name] = {
            "records": len(recs) + (1 if family == "jef" else 0),
            "rejects": {str(k): v for k, v in sorted(rejects.items())},
        }
        print(f"wrote {name} ({len(data)} bytes)")
    (HERE / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


main()
