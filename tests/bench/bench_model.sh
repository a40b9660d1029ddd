#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What the shadow buddy model costs `compactrace report`: for each input,
# `report -f json` with the model and with --no-model, best of RUNS runs
# each (interleaved, on CPU 0), the model's overhead in CPU time (user +
# sys, from wait4(): a busy machine's waits do not count) and in elapsed
# time, and both peak RSS. Exits 1 if any CPU-time overhead is above
# LIMIT % (default 30).
#
# Usage: tests/bench/bench_model.sh [-b BUILD_DIR] [-n RUNS] [-l LIMIT] [-c CAPTURE_DIR] [-k]
#   Inputs: the real samples (samples/traces/*) concatenated to about 200 MB
#   of ftrace text each (direct is all compaction events: the heaviest for
#   the model), with their snapshots; direct's and extfrag's trace.dat given
#   as 20 files; and the large capture tests/bench/bench_text.sh
#   uses: a trace.dat of page churn + one manual compaction from
#   tests/bench/bench_binary.sh -k, in trace.dat, in `trace-cmd report`
#   text and in about 1 GB of that text. -c reuses the directory a previous
#   bench_binary.sh -k (or this script with -k) kept; without it one is
#   recorded (root, tracefs, trace-cmd, perf) and removed at the end unless -k.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$root/build
runs=5
limit=30
capture=
keep=0
while getopts b:n:l:c:k o; do
	case $o in
	b) build=$(cd "$OPTARG" && pwd) ;;
	n) runs=$OPTARG ;;
	l) limit=$OPTARG ;;
	c) capture=$(cd "$OPTARG" && pwd) ;;
	k) keep=1 ;;
	*) sed -n '3,19p' "$0"; exit 2 ;;
	esac
done
export LC_ALL=C
# CPU time of one thread: what the model adds to the work (bench_report.sh times two threads)
export CT_THREADS=1
ct=$build/compactrace
[ -x "$ct" ] || { echo "bench_model: build compactrace first ($ct)" >&2; exit 2; }
for t in python3 /usr/bin/time taskset xz; do
	command -v $t >/dev/null || { echo "bench_model: $t is needed" >&2; exit 2; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/ctbench-model.XXXXXX")
recorded=
cleanup() {
	rm -rf "$work"
	if [ -n "$recorded" ]; then
		[ $keep = 1 ] && echo "kept $recorded" || rm -rf "$recorded"
	fi
}
trap cleanup EXIT

if [ -z "$capture" ]; then
	capture=$("$here/bench_binary.sh" -b "$build" -k -s 10 | tee /dev/stderr | sed -n 's/^kept //p')
	[ -n "$capture" ] || { echo "bench_model: recording failed" >&2; exit 1; }
	recorded=$capture
fi
[ -f "$capture/trace.dat" ] || { echo "bench_model: no trace.dat in $capture" >&2; exit 2; }
# the text rendering takes trace-cmd seconds: keep it beside the capture
if [ ! -s "$capture/trace-cmd.txt" ]; then
	command -v trace-cmd >/dev/null || { echo "bench_model: trace-cmd is needed" >&2; exit 2; }
	trace-cmd report "$capture/trace.dat" > "$capture/trace-cmd.txt.tmp"
	mv "$capture/trace-cmd.txt.tmp" "$capture/trace-cmd.txt"
fi

# (parenthesised: a bare > in awk's printf is a redirection)
calc() { awk "BEGIN { printf \"%.6f\", ($1) }"; }
target=$((200 * 1048576))

# sample_text NAME: its ftrace text again and again, about 200 MB; sets $copies
sample_text() {
	local f=$root/samples/traces/$1/trace.ftrace.txt one=$work/$1.one size i
	if [ -f "$f" ]; then cp "$f" "$one"; else xz -dc "$f.xz" > "$one"; fi
	size=$(stat -c %s "$one")
	copies=$(( (target + size - 1) / size ))
	for i in $(seq "$copies"); do cat "$one"; done > "$work/$1.txt"
	rm -f "$one"
}

# run report ARGS... on CPU 0; sets $wall and $cpu (user + sys, from wait4()) in s and $rss
# (KB, from /usr/bin/time: a child forked from python would count python's pages)
measure() {
	taskset -c 0 python3 -c '
import os, sys, time
t = time.monotonic()
pid = os.fork()
if pid == 0:
    os.dup2(os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), 2)
    os.execv(sys.argv[2], sys.argv[2:])
_, st, ru = os.wait4(pid, 0)
wall = time.monotonic() - t
if not os.WIFEXITED(st) or os.WEXITSTATUS(st):
    sys.exit(1)
print(f"{wall:.6f} {ru.ru_utime + ru.ru_stime:.6f}")
' "$work/err" /usr/bin/time -f %M -o "$work/rss" "$ct" report -f json -o "$work/out.json" "$@" \
		> "$work/m" || { cat "$work/err"; exit 1; }
	read -r wall cpu < "$work/m"
	rss=$(cat "$work/rss")
}
less() { [ "$(calc "$1 < $2")" != 0.000000 ]; }

failed=
printf "%-32s %6s %8s %8s %7s %8s %8s %7s %9s %9s\n" "input (CPU 0, best of $runs)" MB cpu_s \
	nomodel cpu_ovh wall_s nomodel wall_ovh model_KB nomodel_KB
# row LABEL MB ARGS...: with and without the model, interleaved, the best of each
row() {
	local label=$1 mb=$2 i cm=999 cn=999 wm=999 wn=999 rm=0 rn=0 covh wovh
	shift 2
	for i in $(seq "$runs"); do
		measure "$@"
		less "$cpu" "$cm" && cm=$cpu
		less "$wall" "$wm" && wm=$wall
		[ "$rss" -gt "$rm" ] && rm=$rss
		measure --no-model "$@"
		less "$cpu" "$cn" && cn=$cpu
		less "$wall" "$wn" && wn=$wall
		[ "$rss" -gt "$rn" ] && rn=$rss
	done
	covh=$(calc "($cm / $cn - 1) * 100")
	wovh=$(calc "($wm / $wn - 1) * 100")
	printf "%-32s %6s %8.3f %8.3f %6.1f%% %8.3f %8.3f %6.1f%% %9s %9s\n" "$label" "$mb" "$cm" "$cn" "$covh" \
		"$wm" "$wn" "$wovh" "$rm" "$rn"
	if less "$limit" "$covh"; then failed="$failed
  $label: the model adds $(printf %.1f "$covh")% CPU time (limit $limit%)"
	fi
}
mb() { stat -c %s "$@" | awk '{ s += $1 } END { printf "%.0f", s / 1048576 }'; }
snaps() { echo "--snapshot-start $root/samples/traces/$1/snapshot-start --snapshot-end $root/samples/traces/$1/snapshot-end"; }

for sample in direct manual kcompactd extfrag; do
	sample_text $sample
	# shellcheck disable=SC2046
	row "$sample x$copies ftrace text" "$(mb "$work/$sample.txt")" $(snaps $sample) "$work/$sample.txt"
	rm -f "$work/$sample.txt"
	if [ $sample = direct ] || [ $sample = extfrag ]; then
		# 20 files: each one opened costs more than its events (extfrag's are few)
		dats=()
		for _ in $(seq 20); do dats+=("$root/samples/traces/$sample/trace.dat"); done
		# shellcheck disable=SC2046
		row "$sample trace.dat x20" "$(mb "${dats[@]}")" $(snaps $sample) "${dats[@]}"
	fi
done
row "large capture trace.dat" "$(mb "$capture/trace.dat")" "$capture/trace.dat"
row "large capture trace-cmd text" "$(mb "$capture/trace-cmd.txt")" "$capture/trace-cmd.txt"
size=$(stat -c %s "$capture/trace-cmd.txt")
for _ in $(seq $(( (1073741824 + size - 1) / size ))); do cat "$capture/trace-cmd.txt"; done > "$work/big.txt"
row "large capture text, ~1 GB" "$(mb "$work/big.txt")" "$work/big.txt"

echo
echo "cpu_ovh: best user+sys time with the model / best with --no-model - 1 (what the limit applies to:"
echo "it does not count waiting for a busy CPU); wall_ovh the same on elapsed time"
if [ -n "$failed" ]; then
	echo "FAIL: over the ${limit}% limit:$failed"
	exit 1
fi
echo "every overhead is within ${limit}%"
