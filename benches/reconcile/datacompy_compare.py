#!/usr/bin/env python3
"""The same comparison as `ikou reconcile`, with datacompy (pandas), on a pair
written by make_pair.py: the yardstick of the throughput figure in the README.

    python3 benches/reconcile/datacompy_compare.py PAIR_DIR OUT_DIR

Reads both extracts (CP932 and UTF-8) as text, renames the new system's items to
the old names (the --map of expected.json), compares on 宛名番号 with
datacompy.PandasCompare (1.x; Compare in 0.x), writes its report, every mismatching row (all_mismatch) and
the rows only on one side, and the 税額 totals overall and per group item
(what reconcile's sums and 人数 are). It does not read 外字 tables, cleanse,
find duplicate keys or name form-only rules: it does less than reconcile.

Needs `pip install pandas datacompy`.
"""
import json
import pathlib
import sys

import datacompy
import pandas as pd


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    pair, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    expected = json.loads((pair / "expected.json").read_text(encoding="utf-8"))
    args = expected["args"]
    mapping = dict(args[i + 1].split("=", 1) for i, a in enumerate(args) if a == "--map")
    sums = [args[i + 1] for i, a in enumerate(args) if a == "--sum"]
    groups = [args[i + 1] for i, a in enumerate(args) if a == "--group"]
    old_items = ["宛名番号", "氏名", "氏名カナ", "住所", "地区コード", "性別", "課税区分", "税額", "個人番号", "旧管理番号"]

    common = dict(dtype=str, keep_default_na=False, on_bad_lines="skip")
    old = pd.read_csv(pair / "old/KOJIN_ZEI.CSV", encoding="cp932", header=None, names=old_items, **common)
    new = pd.read_csv(pair / "new/kojin_zei.csv", encoding="utf-8", **common)
    new = new.rename(columns={v: k for k, v in mapping.items()})
    for df in (old, new):
        for s in sums:
            df[s] = pd.to_numeric(df[s], errors="coerce")

    cmp = datacompy.PandasCompare(old, new, join_columns=["宛名番号"], df1_name="old", df2_name="new")
    (out / "report.txt").write_text(cmp.report(), encoding="utf-8")
    cmp.all_mismatch().to_csv(out / "mismatch.csv", index=False)
    cmp.df1_unq_rows.to_csv(out / "only_old.csv", index=False)
    cmp.df2_unq_rows.to_csv(out / "only_new.csv", index=False)

    totals = []
    for s in sums:
        totals.append({"item": s, "old": str(old[s].sum()), "new": str(new[s].sum())})
        for g in groups:
            o = old.groupby(g)[s].agg(["sum", "count"])
            n = new.groupby(g)[s].agg(["sum", "count"])
            both = o.join(n, how="outer", lsuffix="_old", rsuffix="_new").fillna(0)
            for value, row in both.iterrows():
                totals.append({"item": s, "group_item": g, "group_value": value,
                               "old": str(row["sum_old"]), "new": str(row["sum_new"]),
                               "count_old": int(row["count_old"]), "count_new": int(row["count_new"])})
    (out / "sums.json").write_text(json.dumps(totals, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"datacompy: {len(old)} old, {len(new)} new rows; matches: {cmp.matches()}")
    # As reconcile: exit 1 when something differs.
    sys.exit(0 if cmp.matches() else 1)


if __name__ == "__main__":
    main()
