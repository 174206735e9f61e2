#!/usr/bin/env python3
"""Writes testdata/juki_kojin_fixed.dat: a small synthetic fixed-length export in
CP932 for testdata/layouts/juki-kojin-fixed.toml (160-byte records + CRLF), padded
as legacy systems pad: DBCS spaces (0x8140) after kanji, SBCS spaces after kana and
in the 予備 area, NUL after the address. One record is 3 bytes short.

Every name, address and number here is made up. Run from the repository root:
    python3 testdata/make_fixed_sample.py [OUTPUT]
"""
import pathlib
import sys

GAIJI = b"\xf0\x40"  # vendor 外字 (U+E000 after decoding), mapped by testdata/gaiji/sample.tsv


def sj(s):
    return s.encode("cp932")


def item(data, width, pad):
    assert len(data) <= width, (data, width)
    fill = width - len(data)
    if pad == "dbcs":
        assert fill % 2 == 0
        return data + b"\x81\x40" * (fill // 2)
    return data + (b"\0" if pad == "nul" else b" ") * fill


def record(no, name, kana, born, sex, addr):
    r = (
        item(sj(no), 15, "sbcs")
        + item(name, 40, "dbcs")
        + item(sj(kana), 30, "sbcs")
        + item(sj(born), 7, "sbcs")
        + item(sj(sex), 1, "sbcs")
        + item(sj(addr), 60, "nul")
        + b" " * 7  # 予備
    )
    assert len(r) == 160
    return r


records = [
    record("000000000000001", sj("山田　太郎"), "ﾔﾏﾀﾞ ﾀﾛｳ", "3550401", "1", "架空県見本市本町1-2-3"),
    record("000000000000002", sj("佐藤　花子"), "ｻﾄｳ ﾊﾅｺ", "4021231", "2", "架空県見本市本町1-2-3"),
    record("000000000000003", GAIJI + sj("田　一郎"), "ﾖｼﾀﾞ ｲﾁﾛｳ", "3450115", "1", "架空県見本市東町4丁目5番地"),
    record("000000000000004", sj("鈴木　三郎"), "ｽｽﾞｷ ｻﾌﾞﾛｳ", "5010501", "1", "架空県見本市南町1番地"),
    record("000000000000005", sj("高橋　次郎"), "ﾀｶﾊｼ ｼﾞﾛｳ", "2100101", "1", "架空県見本市西町")[:-3],
    record("000000000000006", sj("伊藤　桜"), "ｲﾄｳ ｻｸﾗ", "1450301", "2", "架空県見本市北町"),
]

out = b"".join(r + b"\r\n" for r in records)
path = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path(__file__).with_name("juki_kojin_fixed.dat")
path.write_bytes(out)
print(f"wrote {path} ({len(out)} bytes, {len(records)} records)")
