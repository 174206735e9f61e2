#!/usr/bin/env python3
"""Writes the inputs of the regression corpus (testdata/corpus/input/): synthetic
municipal exports with vendor 外字, made with Python's codecs, never with ikou.

- kojin_sjis.csv       CP932 CSV (layout layouts/kojin.toml, header line, 和暦 dates)
- kojin_sjis_tail.csv  a second CP932 file: ends with an 0x1A end-of-file marker
- kojin_euc.dat        eucJP-ms fixed-length records (layout layouts/kojin-fixed.toml)

Every name, address and number is made up. 外字 are written as raw bytes of the
user-defined areas (Python has no codec for them); everything else through the
cp932 / euc_jp codecs. CJK compatibility ideographs are written as escapes so no
tool can normalise them away. Run from the repository root:

    python3 testdata/corpus/make_corpus.py            # writes testdata/corpus/input/
    python3 testdata/corpus/make_corpus.py --out DIR  # writes elsewhere (the test compares)
"""
import pathlib
import sys

# CP932 user-defined area: 0xF040 + n decodes to U+E000 + n.
def g(n):
    return bytes([0xF0, 0x40 + n])

G0, G1, G2, G3, G4, G5, G6, G7 = (g(n) for n in range(8))
# G0 U+E000 J+AEAC | G1 U+E001 MJ022335 (0xF041 in the table) | G2 U+E002 unmapped
# G3 U+E003 KOSEKI:513280 (0xF043) | G4 U+E004 U+3251 | G5 U+E005 explicit IVS
# G6 U+E006 MJ000437 (no JIS X 0213 form) | G7 U+E007 replaced by fix.tsv (!)

TSUKA = "\ufa10"  # 塚, a compatibility ideograph (CP932 0xED80); NFC would change it
SAKI = "\ufa11"   # 﨑 (CP932 0xED95)


def sj(s):
    return s.encode("cp932")


def row(*items):
    return b",".join(x if isinstance(x, bytes) else sj(x) for x in items)


def kojin_sjis():
    header = row("宛名番号", "氏名", "氏名カナ", "生年月日", "性別", "郵便番号", "住所", "個人番号", "異動日")
    r = [
        header,
        # 2: clean
        row("000000000000101", "山田　太郎", "ヤマダ　タロウ", "3550401", "1", "1000001", "架空県見本市本町1-2-3", "100000000101", "20200401"),
        # 3: half-width kana and a space in the kana item; 異動日 00000000 (no date)
        row("000000000000102", "佐藤　花子", "ｻﾄｳ ﾊﾅｺ", "3601231", "2", "1000002", "架空県見本市本町2-3-4", "100000000102", "00000000"),
        # 4: 外字 → J+ code; ﾀﾞ composed; 平成元年; full-width digits in 郵便番号
        row("000000000000103", G0 + sj("田　一郎"), "ﾖｼﾀﾞ ｲﾁﾛｳ", "4010108", "1", "１２３４５６７", "架空県見本市東町4丁目5番地", "100000000103", "20190501"),
        # 5: 外字 as raw bytes → MJ名 (IVS); hiragana in a katakana item; 大正; quoted comma
        row("000000000000104", G1 + sj("城　次郎"), "かつらぎ　じろう", "2150101", "1", "1000004", b'"' + sj("架空県見本市西町7-8, ハイツ見本101") + b'"', "100000000104", ""),
        # 6: 外字 → 戸籍統一文字番号; non-kanji 外字 → U+3251; 令和元年
        row("000000000000105", G3 + sj("橋　花子"), "ﾀｶﾊｼ ﾊﾅｺ", "5010501", "2", "1000005", sj("架空県見本市本町見本マンション") + G4 + sj("号"), "100000000105", "20210101"),
        # 7: 外字 → explicit code points (base + IVS); a quoted line break
        row("000000000000106", sj("渡辺　") + G5 + sj("美"), "ワタナベ　カズミ", "3630815", "2", "1000006", b'"' + sj("架空県見本市本町2-1\r\n見本荘3号") + b'"', "100000000106", ""),
        # 8: 外字 with no JIS X 0213 form (rejected under --ivs never); 〜 (0x8160)
        row("000000000000107", sj("鈴木　") + G6 + sj("子"), "スズキ　ヨシコ", "3450815", "2", "1000007", "架空県見本市南町1〜3番地", "100000000107", ""),
        # 9: unmapped 外字 (rejected, or 〓 with --unmapped geta); － (0x817C)
        row("000000000000108", sj("中村　") + G2 + sj("男"), "ナカムラ　ノリオ", "3300505", "1", "1000008", "架空県見本市本町9－9", "100000000108", ""),
        # 10: 外字 whose mapping a second table replaces (! in fix.tsv)
        row("000000000000109", G7 + sj("木　十郎"), "タカギ　ジュウロウ", "3330303", "1", "1000009", "架空県見本市本町", "100000000109", ""),
        # 11: compatibility ideographs 塚 (U+FA10) and 﨑 (U+FA11)
        row("000000000000110", "飯" + TSUKA + "　五郎", "イイヅカ　ゴロウ", "3400101", "1", "1000010", "架空県見本市山" + SAKI + "町1", "100000000110", ""),
        # 12: trailing full-width spaces (氏名) and spaces (住所); ﾊﾞ composed; － (0x817C)
        row("000000000000111", "長谷川　七海　　", "ﾊｾｶﾞﾜ ﾅﾅﾐ", "4100707", "2", "1000011", "架空県見本市本町5－6  ", "100000000111", ""),
        # 13: rejected: 8 items instead of 9
        row("000000000000112", "小林　四郎", "コバヤシ　シロウ", "3520707", "1", "1000012", "架空県見本市本町1-1", "100000000112"),
        # 14: rejected: 氏名 of 21 characters (20 allowed)
        row("000000000000113", "長" * 21, "ナガ", "3350101", "1", "1000013", "架空県見本市本町", "100000000113", ""),
        # 15: rejected: 宛名番号 (required) empty
        row("", "加藤　五郎", "カトウ　ゴロウ", "3650909", "1", "1000014", "架空県見本市本町", "100000000114", ""),
        # 16: rejected: 0x82 0x20 is not CP932
        row("000000000000115", sj("吉田") + b"\x82 " + sj("六郎"), "ヨシダ　ロクロウ", "3561111", "1", "1000015", "架空県見本市本町", "100000000115", ""),
        # 17: rejected: a quote inside an unquoted item
        row("000000000000116", '山本"七郎', "ヤマモト　シチロウ", "3470202", "1", "1000016", "架空県見本市本町", "100000000116", ""),
        # 18: rejected: 昭和55年2月30日 does not exist
        row("000000000000117", "井上　九郎", "イノウエ　クロウ", "3550230", "1", "1000017", "架空県見本市本町", "100000000117", ""),
        # 19: rejected: 性別 3 is not in the code list
        row("000000000000118", "木村　十子", "キムラ　トオコ", "3580303", "3", "1000018", "架空県見本市本町", "100000000118", ""),
        # 20: rejected: a letter in 個人番号 (the sensitive item: never shown)
        row("000000000000119", "林　一二三", "ハヤシ　ヒフミ", "3590101", "1", "1000019", "架空県見本市本町", "10000000011A", ""),
        # 21: rejected: kanji in the kana item
        row("000000000000120", "森　百合", "森　ユリ", "3600101", "2", "1000020", "架空県見本市本町", "100000000120", ""),
        # 22: rejected: era code 6 is not in the layout's table
        row("000000000000121", "清水　健", "シミズ　ケン", "6010101", "1", "1000021", "架空県見本市本町", "100000000121", ""),
        # 23: rejected: 昭和64年1月8日 is 平成
        row("000000000000122", "山口　昭", "ヤマグチ　アキラ", "3640108", "1", "1000022", "架空県見本市本町", "100000000122", ""),
        # 24: rejected: 明治5年 is a lunar-calendar date
        row("000000000000123", "松田　明", "マツダ　アキラ", "1050101", "1", "1000023", "架空県見本市本町", "100000000123", ""),
        # 25: rejected: a quote that is never closed (the next line is read again)
        row("000000000000124", "池田　進", "イケダ　ススム", "3440404", "1", "1000024", b'"' + sj("架空県見本市本町"), "100000000124", ""),
        # 26: clean, after the unclosed quote
        row("000000000000125", "橋本　正", "ハシモト　タダシ", "3440405", "1", "1000025", "架空県見本市本町", "100000000125", ""),
        # 27: rejected: a voiced mark with no letter to go on
        row("000000000000126", "石川　亜", "ｱﾞｲｼｶﾜ", "3440406", "1", "1000026", "架空県見本市本町", "100000000126", ""),
        # 28: rejected for its date, with an unmapped 外字 in 住所 (still counted)
        row("000000000000127", "前田　守", "マエダ　マモル", "3441331", "1", "1000027", sj("架空県見本市") + G2 + sj("町"), "100000000127", ""),
        # 29: a blank line (not a record)
        b"",
        # 30: clean; ｳﾞ composed
        row("000000000000128", "岡田　ヴィット", "ｵｶﾀﾞ ｳﾞｨｯﾄ", "4050505", "1", "1000028", "架空県見本市本町", "100000000128", "20240229"),
        # 31: rejected: unmapped 外字 in 氏名, and a 外字 with no JIS X 0213 form in 住所
        row("000000000000129", sj("杉") + G2 + sj("　和子"), "スギモト　カズコ", "3500505", "2", "1000029", sj("架空県見本市") + G6 + sj("町"), "100000000129", ""),
    ]
    return b"".join(x + b"\r\n" for x in r)


def kojin_sjis_tail():
    r = [
        row("宛名番号", "氏名", "氏名カナ", "生年月日", "性別", "郵便番号", "住所", "個人番号", "異動日"),
        row("000000000000201", G0 + sj("岡　次郎"), "ﾖｼｵｶ ｼﾞﾛｳ", "3391010", "1", "1000031", "架空県見本市北町", "100000000201", ""),
        row("000000000000202", G2 + sj("川　三郎"), "ホリカワ　サブロウ", "3391011", "1", "1000032", "架空県見本市北町", "100000000202", ""),
    ]
    # LF line ends, and the 0x1A end-of-file marker of old MS-DOS tools.
    return b"".join(x + b"\n" for x in r) + b"\x1a"


# eucJP-ms user-defined area: row 85 (0xF5A1…) decodes to U+E000…; the G3 rows
# (0x8F 0xF5A1…) to U+E3AC….
def e(n):
    return bytes([0xF5, 0xA1 + n])


E0, E1, E2, E3, E4 = (e(n) for n in range(5))
E_G3 = b"\x8f\xf5\xa1"
PAD_W = "\u3000".encode("euc_jp")  # DBCS padding


def ej(s):
    return s.encode("euc_jp")


def fixed(data, width, pad):
    """`data` padded to `width` bytes with `pad` (a 1- or 2-byte unit), then spaces."""
    assert len(data) <= width, (data, width)
    while len(data) + len(pad) <= width:
        data += pad
    return data + b" " * (width - len(data))


def rec(key, name, kana, birth, sex, addr, number):
    def b(x):
        return x if isinstance(x, bytes) else ej(x)
    out = (
        fixed(b(key), 15, b" ")
        + fixed(b(name), 20, PAD_W)
        + fixed(b(kana), 30, b" ")
        + fixed(b(birth), 7, b" ")
        + fixed(b(sex), 1, b" ")
        + fixed(b(addr), 40, PAD_W)
        + fixed(b(number), 12, b" ")
    )
    assert len(out) == 125, len(out)
    return out


def kojin_euc():
    r = [
        # clean; DBCS padding
        rec("000000000000301", "田中　一郎", "タナカ　イチロウ", "S550401", "1", "架空県見本市本町1-2-3", "300000000301"),
        # 外字 0xF5A1 → J+ code; half-width kana (0x8E …), ﾀﾞ composed
        rec("000000000000302", E0 + ej("田　二郎"), "ﾖｼﾀﾞ ｼﾞﾛｳ", "H020202", "1", "架空県見本市本町2", "300000000302"),
        # 外字 0xF5A2 → MJ名 (IVS) in 氏名 and 住所
        rec("000000000000303", E1 + ej("城　三郎"), "カツラギ　サブロウ", "S330303", "1", ej("架空県") + E1 + ej("城市1"), "300000000303"),
        # 外字 of the G3 rows (0x8FF5A1, U+E3AC in the table) → 戸籍統一文字番号
        rec("000000000000304", E_G3 + ej("橋　四子"), "タカハシ　ヨツコ", "R010501", "2", "架空県見本市本町4", "300000000304"),
        # non-kanji 外字 → U+3251; 〜 (0xA1C1)
        rec("000000000000305", "西田　五郎", "ニシダ　ゴロウ", "T150101", "1", ej("架空県見本市本町1〜3見本荘") + E3 + ej("号"), "300000000305"),
        # unmapped 外字 0xF5A5
        rec("000000000000306", ej("東　") + E4 + ej("六"), "アズマ　ロク", "S400606", "1", "架空県見本市本町6", "300000000306"),
        # rejected: 0xA1 0x20 is not EUC-JP
        rec("000000000000307", ej("南") + b"\xa1 " + ej("七"), "ミナミ　ナナ", "S400707", "2", "架空県見本市本町7", "300000000307"),
        # rejected: 宛名番号 only spaces (required)
        rec("", "北川　八郎", "キタガワ　ハチロウ", "S400808", "1", "架空県見本市本町8", "300000000308"),
        # rejected: 平成元年1月7日 is 昭和
        rec("000000000000309", "中島　九", "ナカジマ　キュウ", "H010107", "1", "架空県見本市本町9", "300000000309"),
        # rejected: era code X is not in the layout's table
        rec("000000000000310", "小川　十", "オガワ　ジュウ", "X550401", "1", "架空県見本市本町10", "300000000310"),
        # NUL padding in 個人番号 is trimmed (then the item is short, which is allowed)
        rec("000000000000311", "原田　十一", "ハラダ　ジュウイチ", "S500101", "9", "架空県見本市本町11", b"3000000311\x00\x00"),
    ]
    lines = [x + b"\n" for x in r]
    # rejected: a record 10 bytes short
    lines.insert(6, rec("000000000000312", "短い　行", "ミジカイ", "S500101", "1", "架空県", "300000000312")[:-10] + b"\n")
    return b"".join(lines)


def main():
    out = pathlib.Path(__file__).with_name("input")
    if len(sys.argv) == 3 and sys.argv[1] == "--out":
        out = pathlib.Path(sys.argv[2])
    elif len(sys.argv) != 1:
        sys.exit("usage: make_corpus.py [--out DIR]")
    out.mkdir(parents=True, exist_ok=True)
    for name, data in [
        ("kojin_sjis.csv", kojin_sjis()),
        ("kojin_sjis_tail.csv", kojin_sjis_tail()),
        ("kojin_euc.dat", kojin_euc()),
    ]:
        (out / name).write_bytes(data)
        print(f"wrote {out / name} ({len(data)} bytes)")


main()
