#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Throughput of the whole `compactrace report -f json` (decoding, engine,
# and the shadow model unless --no-model) on every input format of one large
# capture, against its peer tool measured in the same run (issue 18):
# trace.dat and perf.data against `trace-cmd report` / `perf script`
# (> /dev/null), their text renderings against an awk one-pass tally of the
# same text. Each compactrace row runs twice: on one CPU with CT_THREADS=1
# (everything on one thread) and on both CPUs with CT_THREADS=2 (a second
# thread: the default for text, trace.dat and perf.data when a CPU is
# spare); the JSON reports of the two must be byte-identical, or the
# script fails.
#
# Usage: tests/bench/bench_report.sh [-b BUILD_DIR] [-n RUNS] [-c CAPTURE_DIR] [-k] [-d]
#   -c: a directory a previous `tests/bench/bench_binary.sh -k` kept (trace.dat,
#   perf.data); without it one is recorded (root, tracefs, trace-cmd, perf) and
#   removed at the end unless -k. The text renderings are made here once and kept
#   beside the capture (tc.txt, ps.txt, and ft.txt: tc.txt laid out as ftrace text). Each row is the best of RUNS (default 5).
#   -d: the perf.data recorded as issue 18 states its goal (bench_binary.sh -d).
# Prints rows of events (or lines) per second, the ratios, peak RSS, and the
# machine's load average before and after (the machine is shared: say it).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$root/build
runs=5
capture=
keep=0
record_opts=
while getopts b:n:c:kd o; do
	case $o in
	b) build=$(cd "$OPTARG" && pwd) ;;
	n) runs=$OPTARG ;;
	c) capture=$(cd "$OPTARG" && pwd) ;;
	k) keep=1 ;;
	d) record_opts=-d ;;
	*) sed -n '3,20p' "$0"; exit 2 ;;
	esac
done
export LC_ALL=C
ct=$build/compactrace
floor=$build/tests/bench/ct_line_floor
[ -x "$ct" ] && [ -x "$floor" ] || { echo "bench_report: build compactrace first ($ct, $floor)" >&2; exit 2; }
for t in trace-cmd perf python3 /usr/bin/time awk; do
	command -v $t >/dev/null || { echo "bench_report: $t is needed" >&2; exit 2; }
done
[ "$(nproc)" -ge 2 ] || { echo "bench_report: one CPU only: nothing to compare" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/ctbench-report.XXXXXX")
recorded=
cleanup() {
	rm -rf "$work"
	if [ -n "$recorded" ]; then
		[ $keep = 1 ] && echo "kept $recorded" || rm -rf "$recorded"
	fi
}
trap cleanup EXIT
if [ -z "$capture" ]; then
	capture=$("$here/bench_binary.sh" -b "$build" -k -s 10 $record_opts | tee /dev/stderr | sed -n 's/^kept //p')
	[ -n "$capture" ] || { echo "bench_report: recording failed" >&2; exit 1; }
	recorded=$capture
fi
dat=$capture/trace.dat
pdata=$capture/perf.data
[ -f "$dat" ] && [ -f "$pdata" ] || { echo "bench_report: no trace.dat/perf.data in $capture" >&2; exit 2; }
none=$capture/trace-none.dat
[ -s "$none" ] || trace-cmd convert -i "$dat" --file-version 7 --compression none -o "$none" >/dev/null 2>&1
[ -s "$capture/tc.txt" ] || { trace-cmd report "$dat" > "$capture/tc.txt.tmp" && mv "$capture/tc.txt.tmp" "$capture/tc.txt"; }
[ -s "$capture/ps.txt" ] || { perf script -i "$pdata" > "$capture/ps.txt.tmp" 2>/dev/null && mv "$capture/ps.txt.tmp" "$capture/ps.txt"; }
# ftrace text: the trace-cmd rendering laid out as /sys/kernel/tracing/trace prints it
# (its header, no instance prefix, a flags column); the same events, detected as ftrace-text
[ -s "$capture/ft.txt" ] || { awk 'BEGIN { print "# tracer: nop"; print "#" } /^cpus=/ { next }
	{ sub(/^[^ ]+-[0-9]+: /, ""); sub(/\] /, "] ..... "); print }' "$capture/tc.txt" > "$capture/ft.txt.tmp" &&
	mv "$capture/ft.txt.tmp" "$capture/ft.txt"; }

calc() { awk "BEGIN { printf \"%.6f\", ($1) }"; }
less() { [ "$(calc "$1 < $2")" != 0.000000 ]; }
# best CPUS CMD...: the best wall time (s) of RUNS runs on CPUS -> $wall, its peak RSS (KB) -> $rss
# (tests/bench/run_best.py: only the command itself is timed)
best() {
	local cpus=$1 out
	shift
	out=$(python3 "$here/run_best.py" "$runs" "$cpus" "$@") || exit 1
	wall=${out% *}
	rss=${out#* }
}
row() {	# LABEL COUNT
	printf "%-52s %10s %8.3f %12.0f %9s\n" "$1" "$2" "$wall" "$(calc "$2 / $wall")" "$rss"
}
events() { "$ct" report -f json --no-model "$1" | awk '$1 == "\"events\":" { gsub(",", "", $2); print $2; exit }'; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-52s %10s %8s %12s %9s\n" "command (best of $runs)" events wall_s per_s maxRSS_KB
failed=
# ours LABEL INPUT [ARGS]: one thread on CPU 0, then two threads on CPUs 0-1; checks the JSON
ours() {
	local label=$1 in=$2 n
	shift 2
	n=$(events "$in")
	CT_THREADS=1 "$ct" report -f json "$@" -o "$work/one.json" "$in"
	CT_THREADS=2 "$ct" report -f json "$@" -o "$work/two.json" "$in"
	cmp -s "$work/one.json" "$work/two.json" || failed="$failed $label"
	CT_THREADS=1 best 0 "$ct" report -f json "$@" -o /dev/null "$in"
	row "$label, 1 thread" "$n"
	one=$wall
	CT_THREADS=2 best 0,1 "$ct" report -f json "$@" -o /dev/null "$in"
	row "$label, 2 threads" "$n"
	two=$wall
}
tool() {	# LABEL COUNT CPUS CMD...
	local label=$1 n=$2 cpus=$3
	shift 3
	best "$cpus" "$@"
	row "$label" "$n"
}

n_dat=$(events "$none")
tool "trace-cmd report trace.dat (v7 none) > /dev/null" "$n_dat" 0 trace-cmd report "$none"
t_tc=$wall
ours "report --no-model trace.dat (v7 none)" "$none" --no-model
r_dat="$(calc "$t_tc / $one") $(calc "$t_tc / $two")"
ours "report trace.dat (v7 none)" "$none"
ours "report --no-model trace.dat (v7 zstd)" "$dat" --no-model
n_perf=$(events "$pdata")
tool "perf script > /dev/null" "$n_perf" 0 perf script -i "$pdata"
t_ps=$wall
ours "report --no-model perf.data" "$pdata" --no-model
r_perf="$(calc "$t_ps / $one") $(calc "$t_ps / $two")"
ours "report perf.data" "$pdata"
n_tc=$(wc -l < "$capture/tc.txt")
n_ps=$(wc -l < "$capture/ps.txt")
n_ft=$(events "$capture/ft.txt")
tool "awk '{c[\$5]++}' trace-cmd text (lines)" "$n_tc" 0 awk '{c[$5]++} END {for (k in c) n++; print n}' "$capture/tc.txt"
t_awk=$wall
# the floor: counting the lines of the mapped file and nothing else (10x the awk tally has to fit above it)
tool "ct_line_floor trace-cmd text, 1 thread (lines)" "$n_tc" 0 "$floor" "$capture/tc.txt" 1
t_floor1=$wall
tool "ct_line_floor trace-cmd text, 2 threads (lines)" "$n_tc" 0,1 "$floor" "$capture/tc.txt" 2
t_floor2=$wall
ours "report --no-model trace-cmd text (lines)" "$capture/tc.txt" --no-model
r_tc="$(calc "$t_awk / $one") $(calc "$t_awk / $two")"
ours "report trace-cmd text (lines)" "$capture/tc.txt"
tool "awk '{c[\$5]++}' ftrace text (lines)" "$n_ft" 0 awk '{c[$5]++} END {for (k in c) n++; print n}' "$capture/ft.txt"
t_awk3=$wall
ours "report --no-model ftrace text (lines)" "$capture/ft.txt" --no-model
r_ft="$(calc "$t_awk3 / $one") $(calc "$t_awk3 / $two")"
tool "awk '{c[\$6]++}' perf script text (lines)" "$n_ps" 0 awk '{c[$6]++} END {for (k in c) n++; print n}' "$capture/ps.txt"
t_awk2=$wall
ours "report --no-model perf script text (lines)" "$capture/ps.txt" --no-model
r_ps="$(calc "$t_awk2 / $one") $(calc "$t_awk2 / $two")"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
set -- $r_dat; printf "trace.dat:  report --no-model is %.1fx (1 thread) / %.1fx (2 threads) trace-cmd report\n" "$1" "$2"
set -- $r_perf; printf "perf.data:  report --no-model is %.1fx / %.1fx perf script\n" "$1" "$2"
set -- $r_tc; printf "trace-cmd text: report --no-model is %.1fx / %.1fx the awk tally\n" "$1" "$2"
printf "trace-cmd text: 10x the awk tally leaves %.4f s; counting its lines alone takes %.4f s (1 thread) / %.4f s (2 threads)\n" "$(calc "$t_awk / 10")" "$t_floor1" "$t_floor2"
set -- $r_ft; printf "ftrace text: report --no-model is %.1fx / %.1fx the awk tally\n" "$1" "$2"
set -- $r_ps; printf "perf script text: report --no-model is %.1fx / %.1fx the awk tally\n" "$1" "$2"
if [ -n "$failed" ]; then
	echo "FAIL: the JSON report differs between one thread and two:$failed"
	exit 1
fi
echo "every JSON report is byte-identical with one thread and with two"
