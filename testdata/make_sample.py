#!/usr/bin/env python3
"""Writes testdata/juki_kojin.csv: a small synthetic 住民基本台帳-like export in
CP932, with vendor 外字 (user-defined area 0xF040…) and a few broken records.

Every name, address and number here is made up. Run from the repository root:
    python3 testdata/make_sample.py
"""
import pathlib

G0 = b"\xf0\x40"  # vendor 外字 #1 (U+E000 after decoding)
G1 = b"\xf0\x41"  # vendor 外字 #2 (U+E001)
G2 = b"\xf0\x42"  # vendor 外字 #3 (U+E002), deliberately absent from the sample 外字 table
G3 = b"\xf0\x43"  # vendor 外字 #4 (U+E003)
G4 = b"\xf0\x44"  # vendor 外字 #5 (U+E004), a non-kanji 外字 (circled 21)


def sj(s):
    return s.encode("cp932")


rows = [
    # 宛名番号, 氏名, 氏名カナ, 生年月日, 性別, 住所, 個人番号
    [sj("000000000000001"), sj("山田　太郎"), sj("ヤマダ　タロウ"), sj("19800401"), sj("1"), sj("架空県見本市本町1-2-3"), sj("100000000001")],
    [sj("000000000000002"), sj("佐藤　花子"), sj("ｻﾄｳ ﾊﾅｺ"), sj("19851231"), sj("2"), sj("架空県見本市本町1-2-3"), sj("100000000002")],
    [sj("000000000000003"), G0 + sj("田　一郎"), sj("ﾜﾀﾞ ｲﾁﾛｳ"), sj("19700115"), sj("1"), sj("架空県見本市東町4丁目5番地"), sj("100000000003")],
    [sj("000000000000004"), G1 + sj("城　次郎"), sj("カツラギ　ジロウ"), sj("19620228"), sj("1"), b'"' + sj("架空県見本市西町7-8, ハイツ見本101") + b'"', sj("100000000004")],
    [sj("000000000000005"), sj("鈴木　三郎"), sj("スズキ　サブロウ"), sj("20000101"), sj("1"), sj("架空県見本市南町1〜3番地"), sj("100000000005")],
    [sj("000000000000006"), sj("伊藤　①子"), sj("イトウ　マルコ"), sj("19991111"), sj("2"), sj("架空県見本市北町"), sj("")],
    [sj("000000000000007"), sj("渡辺　") + G0 + sj("美"), sj("ワタナベ　カズミ"), sj("19881008"), sj("2"), b'"' + sj("架空県見本市本町2-1\r\n見本荘3号") + b'"', sj("100000000007")],
    [sj("000000000000008"), sj("中村　") + G2 + sj("男"), sj("ナカムラ　ノリオ"), sj("19550505"), sj("1"), sj("架空県見本市本町9-9"), sj("100000000008")],
    # broken: only 6 items
    [sj("000000000000009"), sj("小林　四郎"), sj("コバヤシ　シロウ"), sj("19770707"), sj("1"), sj("架空県見本市本町1-1")],
    # broken: 氏名 over 40 characters
    [sj("000000000000010"), sj("長" * 41), sj("ナガ"), sj("19600101"), sj("1"), sj("架空県見本市本町"), sj("100000000010")],
    # broken: missing required 宛名番号
    [sj(""), sj("加藤　五郎"), sj("カトウ　ゴロウ"), sj("19900909"), sj("1"), sj("架空県見本市本町"), sj("100000000011")],
    # broken: a byte that is not CP932 (0x82 followed by a space)
    [sj("000000000000012"), sj("吉田") + b"\x82 " + sj("六郎"), sj("ヨシダ　ロクロウ"), sj("19811111"), sj("1"), sj("架空県見本市本町"), sj("100000000012")],
    # broken: a quote in the middle of an unquoted item
    [sj("000000000000013"), sj('山本"七郎'), sj("ヤマモト　シチロウ"), sj("19720202"), sj("1"), sj("架空県見本市本町"), sj("100000000013")],
    # broken: 2月30日 does not exist
    [sj("000000000000015"), sj("井上　九郎"), sj("イノウエ　クロウ"), sj("19990230"), sj("1"), sj("架空県見本市本町"), sj("100000000015")],
    # broken: 性別 code not in the layout's list
    [sj("000000000000016"), sj("木村　十子"), sj("キムラ　トオコ"), sj("19830303"), sj("3"), sj("架空県見本市本町"), sj("100000000016")],
    [sj("000000000000017"), G3 + sj("橋　花子"), sj("ﾀｶﾊｼ ﾊﾅｺ"), sj("19660606"), sj("2"), sj("架空県見本市本町見本マンション") + G4 + sj("号"), sj("100000000017")],
    # CP932 〜 (0x8160) and a compatibility ideograph-free name
    [sj("000000000000014"), sj("松本　八重"), sj("マツモト　ヤエ"), sj("19450815"), sj("2"), sj("架空県見本市本町"), sj("100000000014")],
]

out = b"".join(b",".join(r) + b"\r\n" for r in rows)
path = pathlib.Path(__file__).with_name("juki_kojin.csv")
path.write_bytes(out)
print(f"wrote {path} ({len(out)} bytes, {len(rows)} records)")
