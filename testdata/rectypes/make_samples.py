#!/usr/bin/env python3
"""Writes the synthetic record-type samples (run from this directory).

good.csv       CP932 CSV: a header, 10 data records, a trailer (count, 税額 total)
two_types.csv  CP932 CSV: a header, 個人 and 法人 data records, a trailer
fixed_ibm930.dat  IBM930 fixed-length (20 bytes): header, 6 data, trailer (packed)
"""

NAMES = ["山田太郎", "佐藤花子", "鈴木一郎", "高橋美咲", "田中健",
         "伊藤さくら", "渡辺翔", "山本愛", "中村大輔", "小林結衣"]


def write_csv(path, rows):
    with open(path, "wb") as f:
        f.write(("\r\n".join(rows) + "\r\n").encode("cp932"))


def good():
    rows = ["1,132012,20260401"]
    total = 0
    for i in range(10):
        tax = 12345 + i * 1111
        total += tax
        rows.append(f"2,{100000000000001 + i},{NAMES[i]},{tax}")
    rows.append(f"9,10,{total}")
    write_csv("good.csv", rows)


def two_types():
    rows = ["1,20260401"]
    total, kojin, hojin = 0, 0, 0
    for i in range(6):
        if i % 3 == 2:
            tax = 150000 + i
            rows.append(f"3,{7000000000000 + i},株式会社テスト{i},東京都千代田区{i}番,{tax}")
            hojin += 1
        else:
            tax = 1000 + i
            rows.append(f"2,{100000000000001 + i},{NAMES[i]},{tax}")
            kojin += 1
        total += tax
    rows.append(f"9,{kojin},{hojin},{kojin + hojin},{total}")
    write_csv("two_types.csv", rows)


DIGIT = {str(d): 0xF0 + d for d in range(10)}


def ebcdic(text):
    return bytes(DIGIT[c] if c in DIGIT else 0x40 for c in text)


def packed(value, digits):
    n = digits + 1 if digits % 2 == 0 else digits
    s = str(abs(value)).rjust(n, "0")
    nibbles = [int(c) for c in s] + [0xD if value < 0 else 0xC]
    return bytes(nibbles[i] << 4 | nibbles[i + 1] for i in range(0, len(nibbles), 2))


def fixed():
    out = bytearray()
    out += ebcdic("1" + "20260401" + " " * 11)
    total = 0
    for i in range(6):
        tax = 12000 + i * 500
        total += tax
        out += ebcdic("2" + str(1000000001 + i)) + packed(tax, 9) + ebcdic("    ")
    out += ebcdic("9") + packed(6, 7) + packed(total, 11) + ebcdic(" " * 9)
    assert len(out) == 20 * 8, len(out)
    with open("fixed_ibm930.dat", "wb") as f:
        f.write(out)


if __name__ == "__main__":
    good()
    two_types()
    fixed()
