#!/usr/bin/env python3
"""Writes the fixed-format test copybooks (synthetic) of testdata/copybooks/.

Fixed format: columns 1-6 sequence number, 7 indicator, 8-72 areas A and B,
73-80 identification. Columns are Shift_JIS bytes (full-width characters take
two). juki-kojin.cpy is written in Shift_JIS (CP932) with an identification
area, the others in UTF-8. kaigo-hihokensha.cpy (free format) is kept by hand.
Run from this directory: python3 make_copybooks.py
"""


def width(s):
    return sum(1 if (ord(c) < 0x80 or 0xFF61 <= ord(c) <= 0xFF9F) else 2 for c in s)


def card(seq, ind, text, ident=""):
    assert width(text) <= 65, (text, width(text))
    pad = " " * (65 - width(text)) if ident else ""
    return f"{seq:06d}{ind}{text}{pad}{ident}".rstrip() + "\n"


def fixed(lines, ident):
    out = []
    for i, l in enumerate(lines):
        ind = " "
        if l[:1] in ("*", "-", "/", "D"):
            ind, l = l[0], l[1:]
        out.append(card((i + 1) * 100, ind, l, ident if ind == " " and l.strip() else ""))
    return "".join(out)


KOJIN = [
    "*================================================================",
    "* 住民基本台帳 個人レコード（合成データ：ikou のテスト用）",
    "* RECFM=FB  汎用機の固定長ファイル。漢字項目は PIC N。",
    "*================================================================",
    " 01  住基個人レコード.",
    "     05  宛名番号                PIC 9(15).",
    "     05  世帯番号                PIC 9(15).",
    "     05  住民票コード            PIC 9(11).",
    "     05  個人番号                PIC 9(12).",
    "     05  氏名                    PIC N(20).",
    "     05  氏名カナ                PIC X(40).",
    "     05  旧氏                    PIC N(10).",
    "     05  生年月日                PIC 9(8).",
    "     05  生年月日Ｒ  REDEFINES 生年月日.",
    "         10  生年                PIC 9(4).",
    "         10  生月日              PIC 9(4).",
    "     05  性別                    PIC X.",
    "         88  男                  VALUE '1'.",
    "         88  女                  VALUE '2'.",
    "     05  続柄コード              PIC X(2).",
    "     05  住所.",
    "         10  郵便番号            PIC 9(7).",
    "         10  住所漢字            PIC N(40).",
    "         10  方書                PIC N(20).",
    "     05  FILLER                  PIC X(5).",
    "D    05  デバッグ用              PIC X(99).",
    "     05  異動履歴  OCCURS 3 TIMES.",
    "         10  異動事由コード      PIC 9(2).",
    "             88  転入            VALUE 01.",
    "             88  出生            VALUE 02.",
    "             88  転居            VALUE 11 THRU 13.",
    "         10  異動年月日          PIC 9(8).",
    "     05  手数料                  PIC S9(5)     COMP-3.",
    "     05  調整額                  PIC S9(5)V99.",
    "     05  FILLER                  PIC X(10).",
]

SETAI = [
    "* 住民基本台帳 世帯レコード（合成データ：ikou のテスト用）",
    " 01  SETAI-REC.",
    "     05  世帯番号                PIC 9(15).",
    "     05  世帯主宛名番号          PIC 9(15).",
    "     05  世帯主氏名              PIC N(20).",
    "     05  世帯主氏名カナ          PIC X(40).",
    "     05  郵便番号                PIC 9(7).",
    "     05  住所                    PIC N(40).",
    "     05  方書                    PIC N(20).",
    "     05  世帯員数                PIC 9(3).",
    "     05  世帯員  OCCURS 5 TIMES  INDEXED BY SETAI-IX.",
    "         10  宛名番号            PIC 9(15).",
    "         10  続柄                PIC X(2).",
    "             88  世帯主          VALUE '02'.",
    "             88  妻              VALUE '11'.",
    "             88  子              VALUE '21' '22'.",
    "     05  異動事由コード          PIC 9(2).",
    "     05  異動年月日              PIC 9(8).",
    "     05  異動年月日Ｒ  REDEFINES 異動年月日.",
    "         10  年                  PIC 9(4).",
    "         10  月                  PIC 9(2).",
    "         10  日                  PIC 9(2).",
    "     05  世帯区分                PIC X.",
    "         88  一般                VALUE '1'.",
    "         88  外国人のみ          VALUE '2'.",
    "         88  混合                VALUE '3'.",
    "     05  世帯合算所得            PIC S9(11) COMP-3.",
    "     05  按分率                  PIC S9V9(3).",
    "/",
    "     05  世帯注記   PIC X(30) VALUE 'SYNTHETIC DATA FOR IKOU TE",
    "-    'STS'.",
    "     05  FILLER                  PIC X(20).",
]

ZEI = [
    "*----------------------------------------------------------------",
    "* 個人住民税 課税レコード（合成データ：ikou のテスト用）",
    "* 金額は COMP-3（パック10進数）、人数は COMP（2進数）。",
    "*----------------------------------------------------------------",
    " 01  JUMINZEI-REC.",
    "     05  課税年度                PIC 9(4).",
    "     05  宛名番号                PIC 9(15).",
    "     05  個人番号                PIC 9(12).",
    "     05  氏名                    PIC N(20).",
    "     05  氏名カナ                PIC X(40).",
    "     05  生年月日                PIC 9(8).",
    "     05  賦課期日現在の住所      PIC N(40).",
    "     05  課税区分                PIC X.",
    "         88  課税                VALUE '1'.",
    "         88  非課税              VALUE '2'.",
    "         88  均等割のみ          VALUE '3'.",
    "     05  徴収区分                PIC X.",
    "         88  普通徴収            VALUE '1'.",
    "         88  特別徴収            VALUE '2' '3'.",
    "     05  特別徴収義務者指定番号  PIC X(10).",
    "     05  所得.",
    "         10  総所得金額等        PIC S9(11) COMP-3.",
    "         10  合計所得金額        PIC S9(11) COMP-3.",
    "         10  所得控除額合計      PIC S9(11) COMP-3.",
    "         10  課税標準額          PIC S9(11) COMP-3.",
    "     05  税額                    USAGE IS PACKED-DECIMAL.",
    "         10  市町村民税所得割額  PIC S9(9).",
    "         10  市町村民税均等割額  PIC S9(7).",
    "         10  道府県民税所得割額  PIC S9(9).",
    "         10  道府県民税均等割額  PIC S9(7).",
    "         10  森林環境税額        PIC S9(5).",
    "     05  年税額                  PIC S9(11) COMP-3.",
    "     05  納期  OCCURS 4 TIMES.",
    "         10  納期限              PIC 9(8).",
    "         10  納期税額            PIC S9(9)V99.",
    "     05  扶養人数                PIC S9(4) COMP.",
    "     05  前年度年税額            PIC S9(11) COMP-3.",
    "     05  前年度年税額Ｘ  REDEFINES 前年度年税額  PIC X(6).",
    "     05  FILLER                  PIC X(16).",
]

if __name__ == "__main__":
    with open("juki-kojin.cpy", "wb") as f:
        f.write(fixed(KOJIN, "JUKIKJN").encode("cp932"))
    with open("juki-setai.cpy", "w", encoding="utf-8") as f:
        f.write(fixed(SETAI, ""))
    with open("kojin-juminzei.cpy", "w", encoding="utf-8") as f:
        f.write(fixed(ZEI, ""))
