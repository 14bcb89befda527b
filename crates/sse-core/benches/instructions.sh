#!/usr/bin/env bash
# Instructions per event for each peer of the encode benchmark, counted by callgrind.
#
# Unlike wall-clock time, an instruction count does not move with the machine's load, so
# on a shared 2-core machine it is the steadier of the two comparisons (it does not see
# cache misses or stalls: read it beside the criterion medians, not instead of them).
# Each count is (Ir for 3n events - Ir for n events) / 2n, which cancels start-up.
#
#   bash crates/sse-core/benches/instructions.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 1; }

bin=$(cargo bench -p sse-core --bench encode --no-run --message-format=json 2>/dev/null |
    sed -n 's/.*"executable":"\([^"]*encode-[^"]*\)".*/\1/p' | tail -n 1)
[ -x "$bin" ] || { echo "could not build the encode benchmark" >&2; exit 1; }

count() { # target n -> total Ir
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" --repeat "$1" "$2" 2>&1 |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

functions=(ours_encode warp_display ours_body axum_body warp_body)
echo "| case | ours_encode | warp_display | ours_body | axum_body | warp_body | axum_body / ours_body |"
echo "|---|---|---|---|---|---|---|"
for case in small 1kib 64kib_line 88kib_1024_lines crlf_1kib; do
    case $case in 64kib_line|88kib_1024_lines) n=100 ;; *) n=2000 ;; esac
    row="| $case"
    declare -A ir=()
    for f in "${functions[@]}"; do
        a=$(count "$case/$f" "$n"); b=$(count "$case/$f" $((3 * n)))
        ir[$f]=$(((b - a) / (2 * n)))
        row="$row | ${ir[$f]}"
    done
    ratio=$(awk -v a="${ir[axum_body]}" -v o="${ir[ours_body]}" 'BEGIN { printf "%.2fx", a / o }')
    echo "$row | $ratio |"
done
