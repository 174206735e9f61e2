#!/bin/sh
# Output identity of two ikou builds: the same conversions by both, each output
# directory compared whole (data, rejects, manifest, report) and each exit code.
#
#     benches/identity.sh OLD_BIN NEW_BIN [WORKDIR]
#
# The inputs are made in WORKDIR (default: a temporary directory, removed at the
# end) by the bundled generator: 100,000 CP932 records, the same as EUC-JP and as
# fixed-length (benches/make_fixed.py), 20,000 records with 2 % vendor 外字 and
# their table, and a fixed-length file with cut and invalid bytes. Run from the
# repository's top directory after `cargo build --release --examples`. Exit 0 when
# every case is identical; the differing cases are listed otherwise.
set -eu
[ $# -ge 2 ] || { sed -n '2,12p' "$0"; exit 2; }
old=$1 new=$2
if [ $# -ge 3 ]; then
    work=$3
    mkdir -p "$work"
else
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
fi
gen=target/release/examples/gen_residents
[ -x "$gen" ] || { echo "build the generator first: cargo build --release --examples" >&2; exit 2; }

# Inputs (made once per WORKDIR).
in=$work/in
if [ ! -f "$in/done" ]; then
    mkdir -p "$in"
    "$gen" 100000 > "$in/r100k.csv"
    iconv -f CP932 -t EUC-JP "$in/r100k.csv" > "$in/r100k.euc"
    python3 benches/make_fixed.py < "$in/r100k.csv" > "$in/r100k.dat"
    "$gen" 20000 20 > "$in/g20k.csv"
    "$gen" 5000 0 2 > "$in/r5k.csv"
    "$gen" table > "$in/g.tsv"
    python3 benches/make_fixed.py < "$in/g20k.csv" > "$in/g20k.dat"
    # Bad bytes in two of every seven fixed-length records: a lead byte before a
    # space in the name, and 0x80 in the address (alone no CP932 character; after
    # a lead byte, another one). The rejects and their reasons are compared too.
    head -n 2000 "$in/r100k.dat" | python3 -c '
import sys
out = sys.stdout.buffer
for n, rec in enumerate(sys.stdin.buffer):
    rec = bytearray(rec)
    if n % 7 == 3:
        rec[15] = 0x82          # a lead byte before an ASCII byte
        rec[16] = 0x20
    elif n % 7 == 5:
        rec[130] = 0x80         # not a CP932 character
    out.write(rec)
' > "$in/bad.dat"
    : > "$in/done"
fi

L="--layout testdata/layouts/juki-kojin.toml"
F="--layout benches/juki-kojin-fixed.toml"
T="--to testdata/target/bench/juki-kojin-codes.toml"
cases='
plain|-j2 LAYOUT IN/r100k.csv
plain-j1|-j1 LAYOUT IN/r100k.csv
to|LAYOUT TARGET IN/r100k.csv
euc|LAYOUT --encoding euc-jp IN/r100k.euc
fixed|-j2 FIXED IN/r100k.dat
fixed-j1|-j1 FIXED IN/r100k.dat
bad|FIXED IN/bad.dat
gaiji|LAYOUT --gaiji IN/g.tsv IN/g20k.csv
no-gaiji|LAYOUT IN/g20k.csv
geta|LAYOUT --charset jis2004 --unmapped geta IN/g20k.csv
gaiji-fixed|FIXED --gaiji IN/g.tsv IN/g20k.dat
to-gaiji|LAYOUT TARGET --gaiji IN/g.tsv IN/g20k.csv
to-fixed|FIXED TARGET IN/r100k.dat
to-geta|LAYOUT TARGET --charset jis2004 --unmapped geta IN/g20k.csv
to-bad|FIXED TARGET IN/bad.dat
three-files|LAYOUT IN/r100k.csv IN/g20k.csv IN/r5k.csv
'
differ=0
for side in old new; do
    eval "bin=\$$side"
    rm -rf "$work/$side"
    mkdir -p "$work/$side"
    echo "$cases" | while IFS='|' read -r name args; do
        [ -n "$name" ] || continue
        args=$(echo "$args" | sed "s#LAYOUT#$L#; s#FIXED#$F#; s#TARGET#$T#; s#IN/#$in/#g")
        rc=0
        # shellcheck disable=SC2086
        "$bin" convert -q $args --out "$work/$side/$name" >/dev/null 2>&1 || rc=$?
        echo "$name $rc" >> "$work/$side/rc"
    done
done
for name in $(echo "$cases" | cut -d'|' -f1); do
    [ -e "$work/old/$name" ] || [ -e "$work/new/$name" ] || continue
    if ! diff -r "$work/old/$name" "$work/new/$name" >/dev/null 2>&1; then
        echo "differs: $name"
        differ=1
    fi
done
if ! diff "$work/old/rc" "$work/new/rc"; then
    differ=1
fi
[ $differ = 0 ] && echo "identical: $(echo "$cases" | grep -c '|') cases, exit codes included"
exit $differ
