#!/bin/sh
# Instructions per record of `ikou convert` (callgrind, -j1), SHA-256 and the run's
# set-up taken out:
#
#     benches/per_record.sh BIN LAYOUT BIG SMALL [convert options...]
#
# BIG and SMALL hold the same kind of records (SMALL: BIG's first 10, say). Prints
# (I(BIG) - I(SMALL)) / (lines(BIG) - lines(SMALL)), where I is callgrind's
# instruction count less the self cost of SHA-256's portable code (valgrind runs it
# instead of the SHA instructions the CPU has). With --branch-sim, also the
# mispredicted conditional and indirect branches of cachegrind's simulation.
set -eu
[ $# -ge 4 ] || { sed -n '2,11p' "$0"; exit 2; }
bin=$1 layout=$2 big=$3 small=$4
shift 4
sim=no
if [ "${1:-}" = --branch-sim ]; then sim=yes; shift; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
count() { # file [options] -> instructions without SHA-256
    f=$1
    shift
    valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" "$bin" convert -q -j1 \
        --layout "$layout" "$@" --out "$tmp/o" "$f" >/dev/null 2>&1 || true
    rm -rf "$tmp/o"
    callgrind_annotate --inclusive=no "$tmp/cg" | awk '
        /PROGRAM TOTALS/ { gsub(",", "", $1); t = $1 }
        /soft::unroll::compress/ { gsub(",", "", $1); s += $1 }
        END { print t - s }'
}
branches() { # file [options] -> "conditional indirect" mispredictions
    f=$1
    shift
    valgrind --tool=cachegrind --cache-sim=no --branch-sim=yes \
        --cachegrind-out-file="$tmp/cb" "$bin" convert -q -j1 --layout "$layout" "$@" \
        --out "$tmp/o" "$f" >/dev/null 2>&1 || true
    rm -rf "$tmp/o"
    cg_annotate "$tmp/cb" | awk '/PROGRAM TOTALS/ { gsub(",", ""); print $5, $9 }'
}
n=$(( $(wc -l < "$big") - $(wc -l < "$small") ))
a=$(count "$big" "$@")
b=$(count "$small" "$@")
echo "instructions a record: $(( (a - b) / n ))"
if [ $sim = yes ]; then
    set -- $(branches "$big" "$@") $(branches "$small" "$@")
    awk -v n=$n -v c1="$1" -v i1="$2" -v c2="$3" -v i2="$4" 'BEGIN {
        printf "mispredicted a record (cachegrind): conditional %.2f, indirect %.2f\n",
            (c1 - c2) / n, (i1 - i2) / n }'
fi
