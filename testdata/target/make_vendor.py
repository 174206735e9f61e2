#!/usr/bin/env python3
"""Writes testdata/target/vendor_juki.csv: a synthetic vendor-specific 住民 export
(CP932 CSV, its own column order, 和暦 dates, its own 続柄 and 性別 codes).
Every name, address and number is invented.

A header record (1: 作成日 in 和暦, 団体コード) comes first and a trailer record
(9: the number of data records) last. Data columns (vendor-juki.toml):
レコード区分 (2), 住民番号, 世帯番号, 氏, 名, カナ氏名 (半角),
生年月日 (era code + YYMMDD), 性別 (M/F), 続柄 (vendor codes), 住所, 方書,
住定日 (和暦), 個人番号."""
import pathlib

HEADER = ["1", "5080401", "999999"]

ROWS = [
    ["2", "0000000101", "5001", "山田", "太郎", "ﾔﾏﾀﾞ ﾀﾛｳ", "3550401", "M", "10", "架空県見本市本町1-2-3", "", "4020515", "100000000001"],
    ["2", "0000000102", "5001", "山田", "花子", "ﾔﾏﾀﾞ ﾊﾅｺ", "3570823", "F", "20", "架空県見本市本町1-2-3", "", "4020515", "100000000002"],
    ["2", "0000000103", "5001", "山田", "一郎", "ﾔﾏﾀﾞ ｲﾁﾛｳ", "4100110", "M", "30", "架空県見本市本町1-2-3", "", "4100110", "100000000003"],
    ["2", "0000000201", "5002", "佐藤", "次郎", "ｻﾄｳ ｼﾞﾛｳ", "3390229", "M", "10", "架空県見本市東町4丁目5番地", "ハイツ見本101", "5010501", "100000000004"],
    ["2", "0000000202", "5002", "佐藤", "ハル", "ｻﾄｳ ﾊﾙ", "2141103", "F", "41", "架空県見本市東町4丁目5番地", "ハイツ見本101", "5010501", ""],
    ["2", "0000000301", "5003", "鈴木", "", "ｽｽﾞｷ", "5030301", "F", "99", "架空県見本市西町7-8", "", "5030301", ""],
]

def main():
    here = pathlib.Path(__file__).resolve().parent
    rows = [HEADER] + ROWS + [["9", str(len(ROWS))]]
    text = "".join(",".join(r) + "\r\n" for r in rows)
    (here / "vendor_juki.csv").write_bytes(text.encode("cp932"))

if __name__ == "__main__":
    main()
