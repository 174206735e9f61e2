#!/usr/bin/env python3
"""Writes a synthetic IBM930 fixed-length file for the throughput comparison with
iconv: 160-byte records without line ends (宛名番号 in EBCDIC digits; 氏名 and 住所
as mixed text, kanji between SO 0x0E and SI 0x0F, padded with EBCDIC spaces 0x40;
氏名カナ in single-byte katakana), about SIZE_MB megabytes, to OUT, and its layout to
OUT.toml. The text is encoded by glibc iconv (-t IBM930). Every name and address is
made up; nothing is downloaded. Write it outside the repository:

    python3 benches/make_ibm930.py /tmp/ikou-bench-ibm/ibm930.dat 100
"""
import os, subprocess, sys, random
out = sys.argv[1]; size = int(sys.argv[2] if len(sys.argv) > 2 else 100) * 1000 * 1000
os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
random.seed(1)
sei = ["山田", "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "中村", "小林", "加藤"]
mei = ["太郎", "花子", "一郎", "次郎", "桜", "健", "美咲", "翔", "陽子", "大輔"]
kana_sei = ["ﾔﾏﾀﾞ", "ｻﾄｳ", "ｽｽﾞｷ", "ﾀｶﾊｼ", "ﾀﾅｶ", "ｲﾄｳ", "ﾜﾀﾅﾍﾞ", "ﾅｶﾑﾗ", "ｺﾊﾞﾔｼ", "ｶﾄｳ"]
kana_mei = ["ﾀﾛｳ", "ﾊﾅｺ", "ｲﾁﾛｳ", "ｼﾞﾛｳ", "ｻｸﾗ", "ｹﾝ", "ﾐｻｷ", "ｼｮｳ", "ﾖｳｺ", "ﾀﾞｲｽｹ"]
towns = ["本町", "東町", "西町", "南町", "北町", "中央", "旭町", "栄町"]

def enc(texts):
    """UTF-8 lines -> IBM930 byte strings (SO/SI added by iconv), one per line."""
    data = "\n".join(texts).encode() + b"\n"
    r = subprocess.run(["iconv", "-f", "UTF-8", "-t", "IBM930"], input=data, capture_output=True, check=True).stdout
    return r.split(b"\x25")[:-1]  # EBCDIC LF

def pad(b, n):
    assert len(b) <= n, (b, n)
    return b + b"\x40" * (n - len(b))

texts = []
for i in range(1000):
    s, m = random.randrange(10), random.randrange(10)
    texts += [sei[s] + "　" + mei[m], kana_sei[s] + " " + kana_mei[m],
              "架空県見本市" + random.choice(towns) + f"{random.randint(1,9)}丁目{random.randint(1,30)}番地",
              random.choice(["1", "2"])]
e = enc(texts)
digit = {c: 0xF0 + int(c) for c in "0123456789"}
def num(n, w): return bytes(digit[c] for c in f"{n:0{w}d}")
recs = []
for i in range(1000):
    name, kana, addr, sex = e[4*i:4*i+4]
    born = num(random.randint(1, 4) * 1000000 + random.randint(10, 64) * 10000 + random.randint(1, 12) * 100 + random.randint(1, 28), 7)
    recs.append((pad(name, 40), pad(kana, 30), born, sex, pad(addr, 60)))
n = size // 160
with open(out, "wb") as f:
    buf = []
    for k in range(n):
        name, kana, born, sex, addr = recs[k % 1000]
        r = num(k + 1, 15) + name + kana + born + sex + addr + b"\x40" * 7
        assert len(r) == 160
        buf.append(r)
        if len(buf) == 10000:
            f.write(b"".join(buf)); buf = []
    f.write(b"".join(buf))
open(out + ".toml", "w").write('''name = "bench-ibm930"
format = "fixed"
record_length = 160
newline = false

[[fields]]
name = "宛名番号"
type = "digits"
offset = 0
length = 15
key = true

[[fields]]
name = "氏名"
type = "text"
offset = 15
length = 40

[[fields]]
name = "氏名カナ"
type = "text"
offset = 55
length = 30

[[fields]]
name = "生年月日"
type = "text"
offset = 85
length = 7

[[fields]]
name = "性別"
type = "text"
offset = 92
length = 1

[[fields]]
name = "住所"
type = "text"
offset = 93
length = 60
''')
print(out, n, "records", n * 160, "bytes")
