#!/bin/sh
# Whole-process comparison of `ikou convert` with `iconv -f CP932 -t UTF-8` on the
# same synthetic file, runs interleaved so that both see the same machine.
#
#   benches/vs_iconv.sh                 # 1,000,000 records (96 MB), 21 rounds
#   RECORDS=100000 ROUNDS=5 benches/vs_iconv.sh
#
# Prints min and median wall time of each command. The files go to $DIR
# (default /tmp/ikou-bench) and are made by examples/gen_residents (nothing is
# downloaded). Needs iconv, bc and a release build (made here).
set -eu
RECORDS=${RECORDS:-1000000}
ROUNDS=${ROUNDS:-21}
DIR=${DIR:-/tmp/ikou-bench}
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin ikou --example gen_residents
IKOU=target/release/ikou
GEN=target/release/examples/gen_residents
LAYOUT=testdata/layouts/juki-kojin.toml
mkdir -p "$DIR"
PLAIN="$DIR/residents-$RECORDS.csv"
GAIJI="$DIR/residents-$RECORDS-2pc.csv"
TABLE="$DIR/residents-gaiji.tsv"
[ -s "$PLAIN" ] || "$GEN" "$RECORDS" > "$PLAIN"
[ -s "$GAIJI" ] || "$GEN" "$RECORDS" 20 > "$GAIJI"
[ -s "$TABLE" ] || "$GEN" table > "$TABLE"

# Seconds taken by a command (its output discarded; a failure stops the script).
seconds() {
    start=$(date +%s.%N)
    "$@" > /dev/null
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}

i=0
while [ "$i" -lt "$ROUNDS" ]; do
    echo "iconv $(seconds iconv -f CP932 -t UTF-8 "$PLAIN" -o "$DIR/iconv.out")"
    rm -rf "$DIR/out1" "$DIR/out2"
    echo "ikou $(seconds "$IKOU" convert -q --layout "$LAYOUT" --out "$DIR/out1" "$PLAIN")"
    echo "ikou-2%-gaiji $(seconds "$IKOU" convert -q --layout "$LAYOUT" --gaiji "$TABLE" --out "$DIR/out2" "$GAIJI")"
    i=$((i + 1))
done | sort -k1,1 -k2n | awk '
    { n[$1]++; v[$1, n[$1]] = $2 }
    END {
        printf "%d records, %d rounds (wall seconds)\n", '"$RECORDS"', '"$ROUNDS"'
        for (k in n) printf "%-14s min %.3f  median %.3f  max %.3f\n", k, v[k, 1], v[k, int((n[k] + 1) / 2)], v[k, n[k]]
    }'
