#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Throughput of `compactrace report` on text traces against awk, trace-cmd
# report and perf script, measured in one run on one CPU, and peak RSS for
# about 1 GB of text.
#
# Usage: tests/bench/bench_text.sh [-b BUILD_DIR] [TRACE_DAT PERF_DATA]
#   Without files it records a capture with tests/bench/bench_binary.sh -k
#   (root, tracefs, trace-cmd and perf needed): compaction + kmem page events
#   under page churn, so most lines are events compactrace counts and skips.
# The text inputs are the captures' own renderings: `trace-cmd report` text
# (same line grammar as the ftrace `trace` file) and `perf script` text.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$root/build
while getopts b: o; do
	case $o in
	b) build=$(cd "$OPTARG" && pwd) ;;
	*) sed -n '3,12p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
export LC_ALL=C
# one CPU, so one thread: the two-thread figures are bench_report.sh's
export CT_THREADS=1
ct=$build/compactrace
[ -x "$ct" ] || { echo "bench_text: build compactrace first ($ct)" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/ctbench-text.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [ $# -eq 2 ]; then
	dat=$1
	pdata=$2
else
	kept=$("$here/bench_binary.sh" -b "$build" -k -s 10 | tee /dev/stderr | sed -n 's/^kept //p')
	[ -n "$kept" ] || { echo "bench_text: recording failed" >&2; exit 1; }
	trap 'rm -rf "$work" "$kept"' EXIT
	dat=$kept/trace.dat
	pdata=$kept/perf.data
fi

calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
# run CMD on CPU 0; sets $wall (s) and $rss (KB)
measure() {
	local t0 t1
	t0=$(date +%s%N)
	taskset -c 0 /usr/bin/time -v "$@" >"$work/out" 2>"$work/time" || { cat "$work/time"; exit 1; }
	t1=$(date +%s%N)
	wall=$(calc "($t1 - $t0) / 1e9")
	rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time")
}
row() {	# LABEL LINES BYTES
	printf "%-42s %10s %8.3f %12.0f %9.0f %9s\n" "$1" "$2" "$wall" "$(calc "$2 / $wall")" \
		"$(calc "$3 / $wall / 1048576")" "$rss"
}

measure sh -c "trace-cmd report '$dat' > '$work/tc.txt'"
tc_wall=$wall
measure sh -c "perf script -i '$pdata' > '$work/ps.txt'"
ps_wall=$wall
tc_lines=$(wc -l < "$work/tc.txt")
ps_lines=$(wc -l < "$work/ps.txt")
tc_bytes=$(stat -c %s "$work/tc.txt")
ps_bytes=$(stat -c %s "$work/ps.txt")

printf "%-42s %10s %8s %12s %9s %9s\n" "command (1 CPU)" lines wall_s lines/s MB/s maxRSS_KB
wall=$tc_wall rss=-; row "trace-cmd report trace.dat > text" "$tc_lines" "$tc_bytes"
wall=$ps_wall rss=-; row "perf script perf.data > text" "$ps_lines" "$ps_bytes"
measure awk '{c[$5]++} END {for (k in c) n++; print n}' "$work/tc.txt"
row "awk '{c[\$5]++}' trace-cmd text" "$tc_lines" "$tc_bytes"
awk_wall=$wall
measure "$ct" report -f json -o "$work/r1.json" "$work/tc.txt"
row "compactrace report -f json trace-cmd text" "$tc_lines" "$tc_bytes"
ct_tc_wall=$wall
measure "$ct" report -f json -o "$work/r2.json" "$work/ps.txt"
row "compactrace report -f json perf script text" "$ps_lines" "$ps_bytes"
ct_ps_wall=$wall
measure "$ct" report -f json -o "$work/r3.json" - < "$work/tc.txt"
row "compactrace report -f json - (stdin)" "$tc_lines" "$tc_bytes"

# about 1 GB: the same text again and again (events repeat; RSS is what counts)
copies=$(( (1073741824 + tc_bytes - 1) / tc_bytes ))
for _ in $(seq "$copies"); do cat "$work/tc.txt"; done > "$work/big.txt"
big_lines=$(wc -l < "$work/big.txt")
big_bytes=$(stat -c %s "$work/big.txt")
measure "$ct" report -f json -o "$work/r4.json" "$work/big.txt"
row "compactrace report -f json $((big_bytes / 1048576)) MB text" "$big_lines" "$big_bytes"
echo
printf "compactrace vs awk: %.1fx; vs trace-cmd report: %.1fx; vs perf script: %.1fx (same events, text already made)\n" \
	"$(calc "$awk_wall / $ct_tc_wall")" "$(calc "$tc_wall / $ct_tc_wall")" "$(calc "$ps_wall / $ct_ps_wall")"
echo "peak RSS for $((big_bytes / 1048576)) MB of text: $rss KB"
