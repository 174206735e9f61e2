#!/bin/sh
# ikou in CI: lint the 外字 tables, show what this change does to the corpus,
# and convert the corpus and compare it with the expected output checked in.
# Copy this file into your repository and adjust the variables; run it from the
# repository root with `ikou` on PATH (tests/ci_script.rs runs it on ikou's own corpus).
set -eu
BASE=${BASE:-origin/main}   # the branch this change will be merged into
ENC=cp932
LAYOUT=testdata/corpus/layouts/kojin.toml
TABLES="testdata/corpus/gaiji/vendor-a.tsv testdata/corpus/gaiji/fix.tsv"   # in --gaiji order
CORPUS="testdata/corpus/input/kojin_sjis.csv testdata/corpus/input/kojin_sjis_tail.csv"
EXPECTED=testdata/corpus/expected/cp932-keep
WORK=${WORK:-ikou-ci}       # kept as the job's artifacts
rm -rf "$WORK" && mkdir -p "$WORK/base"

# 1. Lint. Errors fail the job; warnings are printed (add --strict to fail on them).
ikou mappings check --encoding "$ENC" --layout "$LAYOUT" $TABLES

# 2. What the change does: each table against its version on $BASE (empty if new there).
old= new= gaiji=
for t in $TABLES; do
  b="$WORK/base/$(echo "$t" | tr / _)"
  git show "$BASE:$t" > "$b" 2>/dev/null || : > "$b"
  old="$old --old $b" new="$new --new $t" gaiji="$gaiji --gaiji $t"
done
s=0
ikou mappings diff $old $new --encoding "$ENC" --layout "$LAYOUT" --corpus $CORPUS \
  > "$WORK/mappings-diff.txt" || s=$?
cat "$WORK/mappings-diff.txt"
[ "$s" -le 1 ] || exit "$s"   # 1 only means "the tables differ": a report, not a failure
ikou mappings diff $old $new --encoding "$ENC" --layout "$LAYOUT" --corpus $CORPUS \
  --json --limit 0 > "$WORK/mappings-diff.json" || [ $? -eq 1 ]

# 3. Convert the corpus (3 = finished with rejects, expected here) and compare every file.
ikou convert --layout "$LAYOUT" --encoding "$ENC" $gaiji --ivs keep --out "$WORK/out" $CORPUS \
  || [ $? -eq 3 ]
if ! diff -r "$EXPECTED" "$WORK/out"; then
  echo "The corpus output changed. If intended: rm -rf $EXPECTED && cp -r $WORK/out $EXPECTED, commit, and review the diff." >&2
  exit 1
fi
echo "ikou CI: OK"
