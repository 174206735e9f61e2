#!/usr/bin/env python3
"""Writes an old/new pair of synthetic 個人住民税 extracts for `ikou reconcile`, with
known injected differences of every kind, and expected.json saying exactly what
reconcile must find.

    python3 benches/reconcile/make_pair.py --out DIR [--records N] [--seed S] [--rate R]

- DIR/old/KOJIN_ZEI.CSV: the old system's export, CP932, no header line, layout
  testdata/reconcile/old-zei.toml, vendor 外字 read through testdata/gaiji/sample.tsv.
- DIR/new/kojin_zei.csv: the new system's export, UTF-8 with a header line, layout
  testdata/reconcile/new-zei.toml: other column order, other item names (mapped with
  --map), records in another order.
- DIR/expected.json: the reconcile arguments (`args`, without --out), and every
  count, sum, group count and difference (`key,item,kind,old,new`, with the rule and
  record numbers), in differences.csv order.

About R (default 0.01) of the N records carry one injected difference each, the
kinds in turn (at least one of each when N allows; none with --rate 0):
missing (only-old), extra (only-new), duplicate key on each side, a changed name
(different), form-only by each rule (IVS vs UCS; MJ縮退: an MJ glyph vs its JIS X
0213 degenerate form; compatibility ideograph (as its standardized variation
sequence) vs the unified one; full-width vs ASCII digits; trailing padding), an
empty value vs a value, a changed amount (moves the 税額 sums of its groups), a
record moved to another 地区 (moves 人数), a changed sensitive item (個人番号:
kind and key only, never the values), a broken record on each side (unreadable).
Other records differ only in ways reading removes (half-width kana in a kana
item), which reconcile must not report.

Everything is made up. Seeded: the same arguments give the same bytes.
No third-party modules.
"""
import argparse
import json
import pathlib
import random
import sys
import unicodedata

ROOT = pathlib.Path(__file__).resolve().parents[2]
OLD_LAYOUT = ROOT / "testdata/reconcile/old-zei.toml"
NEW_LAYOUT = ROOT / "testdata/reconcile/new-zei.toml"
GAIJI = ROOT / "testdata/gaiji/sample.tsv"

# Item names, in each layout's order.
OLD_ITEMS = ["宛名番号", "氏名", "氏名カナ", "住所", "地区コード", "性別", "課税区分", "税額", "個人番号", "旧管理番号"]
NEW_ITEMS = ["宛名コード", "個人番号", "地区", "課税区分", "年税額", "氏名", "カナ氏名", "性別", "所在地", "移行区分"]
# old name → new name where they differ (--map); the rest have the same name.
MAP = {"宛名番号": "宛名コード", "氏名カナ": "カナ氏名", "住所": "所在地", "地区コード": "地区", "税額": "年税額"}
COMPARED = [i for i in OLD_ITEMS if i != "宛名番号" and MAP.get(i, i) in NEW_ITEMS]
ONLY_OLD_ITEMS = [i for i in OLD_ITEMS if MAP.get(i, i) not in NEW_ITEMS]
ONLY_NEW_ITEMS = [n for n in NEW_ITEMS if n not in {MAP.get(i, i) for i in OLD_ITEMS}]
SENSITIVE = {"個人番号"}
SUMS = ["税額"]
GROUPS = ["地区コード", "性別", "課税区分"]

# The vendor 外字 0xF041 of testdata/gaiji/sample.tsv: MJ022335, written (--ivs keep)
# as 葛 + its Moji_Joho IVS.
GAIJI_KATSU = b"\xf0\x41"
KATSU_IVS = "\u845b\U000e0102"

SURNAMES = [
    ("山田", "ヤマダ"), ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("田中", "タナカ"), ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"), ("中村", "ナカムラ"), ("小林", "コバヤシ"), ("加藤", "カトウ"), ("吉田", "ヨシダ"),
    ("山本", "ヤマモト"), ("松本", "マツモト"), ("井上", "イノウエ"), ("木村", "キムラ"), ("林", "ハヤシ"),
    ("清水", "シミズ"), ("山口", "ヤマグチ"), ("森", "モリ"), ("池田", "イケダ"), ("橋本", "ハシモト"),
]
GIVEN = [
    ("太郎", "タロウ"), ("花子", "ハナコ"), ("一郎", "イチロウ"), ("次郎", "ジロウ"), ("三郎", "サブロウ"),
    ("美咲", "ミサキ"), ("健太", "ケンタ"), ("陽子", "ヨウコ"), ("大輔", "ダイスケ"), ("直美", "ナオミ"),
    ("翔太", "ショウタ"), ("由美", "ユミ"), ("誠", "マコト"), ("愛", "アイ"), ("博", "ヒロシ"),
    ("恵子", "ケイコ"), ("拓也", "タクヤ"), ("真由美", "マユミ"), ("学", "マナブ"), ("静香", "シズカ"),
]
TOWNS = ["本町", "東町", "西町", "南町", "北町", "中央", "緑町", "旭町", "栄町", "若葉"]

# The injected differences, in the order they are handed out.
CASES = [
    "only-old", "only-new", "duplicate-old", "duplicate-new", "different",
    "ivs", "mj-degenerate", "compat", "width", "padding", "empty-vs-value",
    "amount", "group-move", "sensitive", "unreadable-old", "unreadable-new",
]

# differences.csv order: by key, then item (old layout order; a record-level line
# has no item and comes first), then kind in this order.
KIND_ORDER = ["different", "form-only", "empty-vs-value", "only-old", "only-new",
              "duplicate-old", "duplicate-new", "unreadable-old", "unreadable-new"]


def half_width_table():
    """Full-width katakana (one letter, or letter + voicing) → half-width."""
    table = {}
    for cp in range(0xFF66, 0xFF9E):
        h = chr(cp)
        table.setdefault(unicodedata.normalize("NFKC", h), h)
        for mark in ("\uff9e", "\uff9f"):
            full = unicodedata.normalize("NFKC", h + mark)
            if len(full) == 1:
                table.setdefault(full, h + mark)
    table["\u3000"] = " "
    return table


HALF = half_width_table()


def to_half(s):
    return "".join(HALF[c] for c in s)


def fullwidth_digits(s):
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isdigit() else c for c in s)


class Rec:
    """One person: the values as ikou writes them (after reading and cleansing)."""

    def __init__(self, i, rng):
        self.key = f"{i:015d}"
        sur, surk = rng.choice(SURNAMES)
        giv, givk = rng.choice(GIVEN)
        self.v = {
            "宛名番号": self.key,
            "氏名": f"{sur}\u3000{giv}",
            "氏名カナ": f"{surk}\u3000{givk}",
            "住所": f"架空県見本市{rng.choice(TOWNS)}{rng.randint(1, 9)}丁目{rng.randint(1, 30)}番{rng.randint(1, 20)}号",
            "地区コード": f"{rng.randint(1, 12):02d}",
            "性別": rng.choice("12"),
            "課税区分": rng.choice("0112"),
            "税額": "0",
            "個人番号": f"9{i:011d}"[-12:],
            "旧管理番号": f"K{i:07d}",
        }
        if self.v["課税区分"] != "0":
            self.v["税額"] = str(rng.randint(10, 4000) * 100)
        if rng.random() < 0.05:
            self.v["住所"] += f", ハイツ見本{rng.randint(101, 509)}"
        # How the old system spells it (bytes per item, CP932) and the new one (text).
        self.old_raw = {k: v.encode("cp932") for k, v in self.v.items()}
        self.new_raw = {MAP.get(k, k): v for k, v in self.v.items() if MAP.get(k, k) in NEW_ITEMS}
        self.new_raw["移行区分"] = "移行"
        self.new_v = dict(self.v)  # what reading the new side gives, by old name
        if rng.random() < 0.25:
            # Half-width kana in the old kana item: cleansing makes it full-width.
            self.old_raw["氏名カナ"] = to_half(self.v["氏名カナ"]).encode("cp932")
        if rng.random() < 0.05:
            # Trailing padding: cleansing removes it.
            self.old_raw["住所"] += "\u3000".encode("cp932")


def csv_field(text):
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_field_bytes(b):
    if any(c in b for c in b',"\r\n'):
        return b'"' + b.replace(b'"', b'""') + b'"'
    return b


def inject(case, r, rng, diffs):
    """Changes record `r` for `case`; appends the item-level differences."""
    def item_diff(item, kind, rule=None):
        hidden = item in SENSITIVE
        diffs.append({
            "key": r.key, "item": item, "kind": kind, "rule": rule,
            "old": "" if hidden else r.v[item], "new": "" if hidden else r.new_v[item],
        })

    def set_new(item, value):
        r.new_v[item] = value
        r.new_raw[MAP.get(item, item)] = value

    if case == "different":
        sur = r.v["氏名"].split("\u3000")[0]
        giv = next(g for g, _ in GIVEN if f"{sur}\u3000{g}" != r.v["氏名"])
        set_new("氏名", f"{sur}\u3000{giv}")
        item_diff("氏名", "different")
    elif case == "ivs":
        # Old: 葛 as the vendor 外字 (an MJ glyph with an IVS); new: plain 葛.
        giv = r.v["氏名"].split("\u3000")[1]
        r.v["氏名"] = f"{KATSU_IVS}西\u3000{giv}"
        r.old_raw["氏名"] = GAIJI_KATSU + f"西\u3000{giv}".encode("cp932")
        set_new("氏名", f"葛西\u3000{giv}")
        item_diff("氏名", "form-only", "ivs")
    elif case == "mj-degenerate":
        # 髙 (MJ028902) vs 高, its form in MJ縮退マップ.
        giv = r.v["氏名"].split("\u3000")[1]
        r.v["氏名"] = f"髙橋\u3000{giv}"
        r.old_raw["氏名"] = r.v["氏名"].encode("cp932")
        set_new("氏名", f"高橋\u3000{giv}")
        item_diff("氏名", "form-only", "mj-degenerate")
    elif case == "compat":
        # The new system writes 塚 as the standardized variation sequence of the
        # compatibility ideograph U+FA10 (as --nfc-safe does); the old one plain 塚.
        giv = r.v["氏名"].split("\u3000")[1]
        r.v["氏名"] = f"塚田\u3000{giv}"
        r.old_raw["氏名"] = r.v["氏名"].encode("cp932")
        set_new("氏名", f"塚\ufe00田\u3000{giv}")
        item_diff("氏名", "form-only", "compat")
    elif case == "width":
        # Full-width digits in a text item of the old system (cleansing keeps them).
        r.v["住所"] = fullwidth_digits(r.v["住所"])
        r.old_raw["住所"] = r.v["住所"].encode("cp932")
        item_diff("住所", "form-only", "width")
    elif case == "padding":
        # The old system pads 住所 with full-width spaces: reading removes trailing
        # padding on both sides (cleansing), so this must not be reported.
        r.old_raw["住所"] = (r.v["住所"] + "\u3000\u3000").encode("cp932")
    elif case == "empty-vs-value":
        r.v["氏名カナ"] = ""
        r.old_raw["氏名カナ"] = b""
        item_diff("氏名カナ", "empty-vs-value")
    elif case == "amount":
        old = int(r.v["税額"])
        new = old + rng.choice([-1, 1]) * rng.randint(1, 50) * 100
        if new < 0:
            new = old + 1000
        set_new("税額", str(new))
        item_diff("税額", "different")
    elif case == "group-move":
        old = int(r.v["地区コード"])
        set_new("地区コード", f"{old % 12 + 1:02d}")
        item_diff("地区コード", "different")
    elif case == "sensitive":
        set_new("個人番号", "8" + r.v["個人番号"][1:])
        item_diff("個人番号", "different")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="directory to write old/, new/ and expected.json into")
    ap.add_argument("--records", type=int, default=1000, help="people in the old system (default 1000)")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--rate", type=float, default=0.01, help="share of records with an injected difference")
    a = ap.parse_args()
    if not 1 <= a.records <= 100_000_000:
        sys.exit("make_pair: --records must be 1 to 100000000")
    if not 0.0 <= a.rate <= 1.0:
        sys.exit("make_pair: --rate must be 0 to 1")
    rng = random.Random(a.seed)
    n = a.records
    # At least one of each kind, unless --rate 0 (a pair that must match).
    changed = 0 if a.rate == 0 else min(n, max(len(CASES), round(n * a.rate)))
    chosen = sorted(rng.sample(range(n), changed))
    case_of = {i: CASES[j % len(CASES)] for j, i in enumerate(chosen)}

    recs = [Rec(i + 1, rng) for i in range(n)]
    diffs = []
    old_rows = []  # (record, raw bytes line)
    new_rows = []
    dup_old, dup_new = [], []
    for i, r in enumerate(recs):
        case = case_of.get(i)
        inject(case, r, rng, diffs)
        in_old = case not in ("only-new", "unreadable-new")
        in_new = case not in ("only-old", "unreadable-old")
        if in_old:
            old_rows.append((r, case == "unreadable-old"))
        if in_new:
            new_rows.append((r, case == "unreadable-new"))
        if case == "duplicate-old":
            dup_old.append(r)
        if case == "duplicate-new":
            dup_new.append(r)
    # The second record of a duplicated key comes at the end of the old file, and
    # anywhere in the new one.
    old_rows += [(r, False) for r in dup_old]
    new_rows += [(r, False) for r in dup_new]
    rng.shuffle(new_rows)

    out = pathlib.Path(a.out)
    (out / "old").mkdir(parents=True, exist_ok=True)
    (out / "new").mkdir(parents=True, exist_ok=True)
    old_path = out / "old/KOJIN_ZEI.CSV"
    new_path = out / "new/kojin_zei.csv"

    # Record numbers: every record of a file from 1, the new file's header included.
    # A broken record's entry carries the reason reconcile gives (byte offset of
    # the record, reason code and convert's message).
    old_no, new_no = {}, {}
    with open(old_path, "wb") as f:
        offset = 0
        for no, (r, broken) in enumerate(old_rows, start=1):
            line = b",".join(csv_field_bytes(r.old_raw[k]) for k in OLD_ITEMS)
            why = None
            if broken:
                line += b",\x8a\xc7\x97\x9d"  # one item too many (管理)
                why = (f"byte offset {offset}: item-count: 項目数が{len(OLD_ITEMS) + 1}です"
                       f"（レイアウト「old-zei」は{len(OLD_ITEMS)}項目）")
            f.write(line + b"\r\n")
            offset += len(line) + 2
            old_no.setdefault(r.key, []).append((no, why))
    with open(new_path, "wb") as f:
        header = (",".join(NEW_ITEMS) + "\r\n").encode("utf-8")
        f.write(header)
        offset = len(header)
        for no, (r, broken) in enumerate(new_rows, start=2):
            fields = [csv_field(r.new_raw[k]) for k in NEW_ITEMS]
            why = None
            if broken:
                fields = fields[:-1]  # one item short
                why = (f"byte offset {offset}: item-count: 項目数が{len(NEW_ITEMS) - 1}です"
                       f"（レイアウト「new-zei」は{len(NEW_ITEMS)}項目）")
            line = (",".join(fields) + "\r\n").encode("utf-8")
            f.write(line)
            offset += len(line)
            new_no.setdefault(r.key, []).append((no, why))

    expected = expectation(recs, case_of, diffs, old_no, new_no, old_rows, new_rows)
    expected["args"] = [
        "--old", str(old_path), "--old-layout", str(OLD_LAYOUT), "--old-encoding", "cp932",
        "--gaiji", str(GAIJI),
        "--new", str(new_path), "--new-layout", str(NEW_LAYOUT), "--new-encoding", "utf-8",
        *[x for o, nn in MAP.items() for x in ("--map", f"{o}={nn}")],
        *[x for s in SUMS for x in ("--sum", s)],
        *[x for g in GROUPS for x in ("--group", g)],
    ]
    expected["generator"] = {"records": n, "seed": a.seed, "rate": a.rate,
                             "cases": {c: sum(1 for v in case_of.values() if v == c) for c in CASES}}
    with open(out / "expected.json", "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote {old_path} ({len(old_rows)} records), {new_path} ({len(new_rows)} records), "
          f"{out / 'expected.json'} ({len(expected['differences'])} differences)")


def expectation(recs, case_of, diffs, old_no, new_no, old_rows, new_rows):
    """What reconcile must report, from the records as each side reads them.

    Its rules: a key with more than one readable record on either side pairs
    nothing and lists every record of it (duplicate-old / duplicate-new); an
    unreadable record has no key and says why in its side's value column; sums and
    人数 count every readable record; groups (and group totals) that differ come
    first, then the rest, each by group item then value."""
    def readable(rows, side):
        return [r.v if side == "old" else r.new_v for r, broken in rows if not broken]

    old_vals, new_vals = readable(old_rows, "old"), readable(new_rows, "new")
    counts = {
        "old": len(old_rows), "new": len(new_rows),
        "matched": 0, "only_old": 0, "only_new": 0, "duplicate_old": 0, "duplicate_new": 0,
        "unreadable_old": sum(1 for _, b in old_rows if b),
        "unreadable_new": sum(1 for _, b in new_rows if b),
    }
    lines = []
    for d in diffs:
        d["old_record"] = [no for no, why in old_no[d["key"]] if why is None][0]
        d["new_record"] = [no for no, why in new_no[d["key"]] if why is None][0]
        lines.append(d)
    for r in recs:
        o = old_no.get(r.key, [])
        nw = new_no.get(r.key, [])
        o_ok = [no for no, why in o if why is None]
        n_ok = [no for no, why in nw if why is None]
        for no, why in o:
            if why is not None:
                lines.append(rec_line("", "unreadable-old", no, None, old=why))
        for no, why in nw:
            if why is not None:
                lines.append(rec_line("", "unreadable-new", None, no, new=why))
        if len(o_ok) > 1 or len(n_ok) > 1:
            counts["duplicate_old"] += len(o_ok)
            counts["duplicate_new"] += len(n_ok)
            lines += [rec_line(r.key, "duplicate-old", no, None) for no in o_ok]
            lines += [rec_line(r.key, "duplicate-new", None, no) for no in n_ok]
        elif o_ok and n_ok:
            counts["matched"] += 1
        elif o_ok:
            counts["only_old"] += 1
            lines.append(rec_line(r.key, "only-old", o_ok[0], None))
        elif n_ok:
            counts["only_new"] += 1
            lines.append(rec_line(r.key, "only-new", None, n_ok[0]))

    def order(d):
        item = 0 if d["item"] == "" else 1 + COMPARED.index(d["item"])
        return (d["key"], item, KIND_ORDER.index(d["kind"]),
                (0,) if d["old_record"] is None else (1, d["old_record"]),
                (0,) if d["new_record"] is None else (1, d["new_record"]))

    lines.sort(key=order)

    items = []
    for item in COMPARED:
        mine = [d for d in lines if d["item"] == item]
        rules = {}
        for d in mine:
            if d["kind"] == "form-only":
                rules[d["rule"]] = rules.get(d["rule"], 0) + 1
        items.append({
            "item": item,
            "different": sum(1 for d in mine if d["kind"] == "different"),
            "form_only": sum(1 for d in mine if d["kind"] == "form-only"),
            "empty_vs_value": sum(1 for d in mine if d["kind"] == "empty-vs-value"),
            "form_only_rules": dict(sorted(rules.items())),
        })

    def total(vals, s, g=None, gv=None):
        return str(sum(int(v[s]) for v in vals if g is None or v[g] == gv))

    sums = [{"item": s, "group_item": None, "group_value": None,
             "old": total(old_vals, s), "new": total(new_vals, s)} for s in SUMS]
    sum_differ, sum_same, group_differ, group_same = [], [], [], []
    for g in GROUPS:
        for gv in sorted({v[g] for v in old_vals} | {v[g] for v in new_vals}):
            count = {"group_item": g, "group_value": gv,
                     "old": sum(1 for v in old_vals if v[g] == gv),
                     "new": sum(1 for v in new_vals if v[g] == gv)}
            differs = count["old"] != count["new"]
            for s in SUMS:
                e = {"item": s, "group_item": g, "group_value": gv,
                     "old": total(old_vals, s, g, gv), "new": total(new_vals, s, g, gv)}
                differs |= e["old"] != e["new"]
                (sum_differ if e["old"] != e["new"] else sum_same).append(e)
            (group_differ if differs else group_same).append(count)
    return {
        "matches": not lines and not sum_differ and not group_differ,
        "counts": counts,
        "items": items,
        "sums": sums + sum_differ + sum_same,
        "groups": group_differ + group_same,
        "items_only_old": ONLY_OLD_ITEMS,
        "items_only_new": ONLY_NEW_ITEMS,
        "differences": lines,
    }


def rec_line(key, kind, old_record, new_record, old="", new=""):
    return {"key": key, "item": "", "kind": kind, "rule": None, "old": old, "new": new,
            "old_record": old_record, "new_record": new_record}


if __name__ == "__main__":
    main()
