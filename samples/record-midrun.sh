#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# record-midrun.sh - record a trace that begins inside a compaction run, in
# all five formats compactrace reads.
#
# usage: record-midrun.sh [-B BUILDDIR] DIR      (root; takes the live lock)
#
# A private tracefs instance and a perf record --overwrite session, both
# with tiny per-CPU buffers in overwrite (flight-recorder) mode, trace one
# `echo 1 > /proc/sys/vm/compact_memory` on fragmented memory, pinned to
# CPU 1. The run emits far more events than the buffers hold, so each
# buffer keeps only the newest events: its first compaction event comes
# from inside a run whose mm_compaction_begin was overwritten.
#
# Output in DIR: trace.ftrace.txt (the instance's `trace` file),
# trace.dat (trace-cmd extract), trace.trace-cmd.txt (trace-cmd report),
# trace.perf.data and trace.perf-script.txt (perf script), record.log.
# Restores vm.compaction_proactiveness and removes the instance on every
# exit.
set -euo pipefail
export LC_ALL=C

builddir=build
while getopts "B:h" opt; do
	case $opt in
	B) builddir=$OPTARG ;;
	*) sed -n '4,20p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || { sed -n '4,20p' "$0" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "record-midrun: needs root" >&2; exit 1; }
out=$1
frag=$(cd "$builddir" && pwd)/samples/workloads/ct-fragment
[ -x "$frag" ] || { echo "record-midrun: $frag not built; use -B" >&2; exit 1; }

# one live experiment at a time on this host
exec {lock_fd}>/tmp/compactrace-live.lock
flock "$lock_fd"

TRACEFS=/sys/kernel/tracing
[ -d "$TRACEFS/instances" ] || mount -t tracefs nodev "$TRACEFS"
mkdir -p "$out"
out=$(cd "$out" && pwd)
inst_name=ctmidrun-$$
inst=$TRACEFS/instances/$inst_name
orig_proactive=$(cat /proc/sys/vm/compaction_proactiveness)
frag_pid=

log() { echo "[$(date +%T.%N | cut -c1-12)] $*" | tee -a "$out/record.log" >&2; }

cleanup() {
	local rc=$?
	trap - EXIT INT TERM HUP
	if [ -n "$frag_pid" ]; then kill -TERM "$frag_pid" 2>/dev/null || true; wait "$frag_pid" || true; fi
	"$frag" -R 2>/dev/null || true
	if [ -d "$inst" ]; then
		echo 0 > "$inst/tracing_on" || true
		echo 0 > "$inst/events/enable" || true
		rmdir "$inst" || echo "record-midrun: cannot remove $inst" >&2
	fi
	echo "$orig_proactive" > /proc/sys/vm/compaction_proactiveness
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

: > "$out/record.log"
log "record-midrun on $(uname -r), $(date -u +%FT%TZ), instance $inst_name"
echo 0 > /proc/sys/vm/compaction_proactiveness	# nothing else compacts meanwhile

# fragment 256 MiB (every other page released) so the manual run has work
rm -f "$out/.ready"
"$frag" -m "${CT_FRAG_MIB:-256}" -r "$out/.ready" 2>>"$out/record.log" &
frag_pid=$!
while [ ! -e "$out/.ready" ]; do
	kill -0 "$frag_pid" 2>/dev/null || { log "ct-fragment exited early"; exit 1; }
	sleep 0.2
done
rm -f "$out/.ready"
log "fragmented ${CT_FRAG_MIB:-256} MiB"

mkdir "$inst"
echo 0 > "$inst/tracing_on"
echo "${CT_BUFFER_KB:-8}" > "$inst/buffer_size_kb"
echo mono > "$inst/trace_clock"
echo 1 > "$inst/options/overwrite"
echo 1 > "$inst/events/compaction/enable"
echo 1 > "$inst/tracing_on"
log "instance: buffer_size_kb=$(cat "$inst/buffer_size_kb") overwrite=1"

log "workload: perf record --overwrite -m ${CT_PERF_PAGES:-4} ... -- taskset -c 1 sh -c 'echo 1 > /proc/sys/vm/compact_memory'"
perf record --overwrite -m "${CT_PERF_PAGES:-4}" -a -k mono -e 'compaction:*' \
	-o "$out/trace.perf.data" -- taskset -c 1 sh -c 'echo 1 > /proc/sys/vm/compact_memory' \
	> "$out/.perf.log" 2>&1
sleep 1
echo 0 > "$inst/tracing_on"
cat "$out/.perf.log" >> "$out/record.log"; rm -f "$out/.perf.log"
echo 0 > "$inst/events/compaction/enable"

cat "$inst/trace" > "$out/trace.ftrace.txt"
trace-cmd extract -B "$inst_name" -o "$out/trace.dat" >> "$out/record.log" 2>&1
[ -d "$inst" ] && rmdir "$inst"
trace-cmd report "$out/trace.dat" > "$out/trace.trace-cmd.txt" 2>> "$out/record.log"
perf script -i "$out/trace.perf.data" > "$out/trace.perf-script.txt" 2>> "$out/record.log"
for f in trace.ftrace.txt trace.trace-cmd.txt trace.perf-script.txt; do
	log "$f: $(grep -c 'mm_compaction_begin' "$out/$f") begins, $(grep -c 'mm_compaction_end' "$out/$f") ends"
done
log "done: $out"
