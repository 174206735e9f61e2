#!/usr/bin/env bash
# Runs the fuzz targets: fuzz/run.sh [SECONDS] [TARGET…]
#
# Each target runs SECONDS (default 600) from its seed corpus fuzz/corpus/<target>
# (committed, never written). New inputs go to fuzz/scratch/corpus/<target>, which
# later runs reuse; crashing inputs to fuzz/artifacts/<target>/ (both ignored by
# git). Prints per target the executions and the crashes, and exits 1 if any
# target crashed (2 if one could not be built or run).
#
# Environment: FUZZ_NICE (default 15), FUZZ_MAX_LEN (default 16384),
# FUZZ_RSS_MB (default 2048), FUZZ_ARGS (more libFuzzer flags).
set -u
cd "$(dirname "$0")"
SECONDS_EACH=${1:-600}
shift $(( $# > 0 ? 1 : 0 ))
case $SECONDS_EACH in '' | *[!0-9]*) echo "usage: fuzz/run.sh [SECONDS] [TARGET…]" >&2; exit 2 ;; esac
ALL=(split_records decode layout_toml gaiji_table layout_import layout_copybook jobs_toml reconcile_values code_table identify_bdf identify_font)
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=("${ALL[@]}")

# cargo-fuzz needs nightly flags: a nightly toolchain, or stable told to allow them.
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    CARGO=(cargo +nightly)
else
    export RUSTC_BOOTSTRAP=1
    CARGO=(cargo)
fi
if ! "${CARGO[@]}" fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz is not installed: cargo install cargo-fuzz" >&2
    exit 2
fi

status=0
summary=()
for t in "${TARGETS[@]}"; do
    if [ ! -f "fuzz_targets/$t.rs" ]; then
        echo "no fuzz target $t (have: ${ALL[*]})" >&2
        exit 2
    fi
    mkdir -p "scratch/corpus/$t" "scratch/logs" "artifacts/$t"
    tmp=$(mktemp -d "${PWD}/scratch/tmp.XXXXXX")
    log="scratch/logs/$t.log"
    before=$(find "artifacts/$t" -type f | wc -l)
    echo "== $t: ${SECONDS_EACH}s (log: fuzz/$log)"
    # The first corpus directory receives new inputs; the seeds are only read.
    TMPDIR=$tmp nice -n "${FUZZ_NICE:-15}" "${CARGO[@]}" fuzz run "$t" \
        "scratch/corpus/$t" "corpus/$t" -- \
        -max_total_time="$SECONDS_EACH" -print_final_stats=1 \
        -max_len="${FUZZ_MAX_LEN:-16384}" -rss_limit_mb="${FUZZ_RSS_MB:-2048}" \
        -artifact_prefix="artifacts/$t/" ${FUZZ_ARGS:-} >"$log" 2>&1
    rc=$?
    rm -rf "$tmp"
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
    # -fork prints no final stats: its last status line (#N: …) counts the executions.
    [ -z "$execs" ] && execs=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
    new=$(( $(find "artifacts/$t" -type f | wc -l) - before ))
    found=$(grep -o "Test unit written to [^ ]*" "$log" | sed 's/Test unit written to /fuzz\//' | tr '\n' ' ')
    if [ "$rc" -ne 0 ] && [ "$new" -eq 0 ]; then
        line="$t: FAILED to run (exit $rc), see fuzz/$log"
        [ $status -lt 2 ] && status=2
    elif [ "$new" -gt 0 ]; then
        line="$t: executions ${execs:-?}, crashes $new: $found"
        [ $status -eq 0 ] && status=1
    else
        line="$t: executions ${execs:-?}, crashes 0"
    fi
    echo "$line"
    summary+=("$line")
done
echo
echo "== summary (${SECONDS_EACH}s per target)"
printf '%s\n' "${summary[@]}"
exit $status
