#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# record-lossy.sh - record the lossy samples: real captures that lost events
# or cut a run at the window's edge, each with /proc snapshots around it.
#
# usage: record-lossy.sh [-B BUILDDIR] DIR [CAPTURE...]   (root; takes the live lock)
#
# Four captures (all, or the ones named), each of one
# `echo 1 > /proc/sys/vm/compact_memory` on 256 MiB fragmented by ct-fragment
# (vm.compaction_proactiveness=0 meanwhile):
#
#   DIR/lost-perf/  perf record -a -m 1 (one page of ring buffer per CPU) of
#       the compaction events plus kmem:mm_page_alloc/mm_page_free while two
#       page-churning processes run: PERF_RECORD_LOST and (perf >= 6.0)
#       PERF_RECORD_LOST_SAMPLES records. trace.perf.data, and its
#       `perf script --show-lost-events` text.
#   DIR/lost-ftrace/  a private tracefs instance with a 96 KiB per-CPU buffer
#       (overwrite mode), the same events and churn; tracing stops as soon as
#       compact_memory returns, so the oldest events (most of the churn, the
#       start of the compaction) were overwritten. trace.ftrace.txt (the
#       instance's `trace` file: entries-in-buffer/entries-written differ),
#       trace.dat (`trace-cmd extract`: pages flagged with missed events) and
#       its `trace-cmd report` text.
#   DIR/lost-dat-unknown/  lost-ftrace again (trace.dat and its trace-cmd
#       text only), repeated (at most 10 times) until a CPU's first page
#       says events were lost without room for their number: trace-cmd
#       prints "CPU:N [EVENTS DROPPED]".
#   DIR/straddle/  no loss (64 MiB buffer, compaction events only), but a
#       `traceoff` trigger on the instance's first isolate_migratepages in
#       ZONE_NORMAL (pfn >= 0x100000) stops tracing inside the Normal zone's
#       run: its begin is traced, its end is not.
#
# Each directory gets snapshot-start/ and snapshot-end/ (vmstat, buddyinfo,
# pagetypeinfo, zoneinfo, osrelease) taken right before tracing starts and
# right after it stops, and record.log. Files over ~300 KB are xz -9'd.
# Restores vm.compaction_proactiveness, stops what it started and removes
# its instance on every exit.
set -euo pipefail
export LC_ALL=C

builddir=build
while getopts "B:h" opt; do
	case $opt in
	B) builddir=$OPTARG ;;
	*) sed -n '4,40p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { sed -n '4,40p' "$0" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "record-lossy: needs root" >&2; exit 1; }
frag=$(cd "$builddir" && pwd)/samples/workloads/ct-fragment
[ -x "$frag" ] || { echo "record-lossy: $frag not built; use -B" >&2; exit 1; }
for p in perf trace-cmd xz python3; do
	command -v "$p" >/dev/null || { echo "record-lossy: $p is not installed" >&2; exit 1; }
done

# one live experiment at a time on this host
exec {lock_fd}>/tmp/compactrace-live.lock
flock "$lock_fd"

TRACEFS=/sys/kernel/tracing
[ -d "$TRACEFS/instances" ] || mount -t tracefs nodev "$TRACEFS"
mkdir -p "$1"
out=$(cd "$1" && pwd)
shift
if [ $# -gt 0 ]; then captures=("$@"); else captures=(lost-perf lost-ftrace lost-dat-unknown straddle); fi
inst_name=ctlossy-$$
inst=$TRACEFS/instances/$inst_name
trigger_file=$inst/events/compaction/mm_compaction_isolate_migratepages/trigger
trigger='traceoff:1 if start_pfn >= 1048576'
orig_proactive=$(cat /proc/sys/vm/compaction_proactiveness)
frag_pid=
churn_pids=()
# a page-event storm: 32 MiB faulted in and released, over and over
CHURN='import sys, time
end = time.monotonic() + float(sys.argv[1])
while time.monotonic() < end:
    x = b"\1" * (32 << 20)'

log() { echo "[$(date +%T.%N | cut -c1-12)] $*" | tee -a "$out/record.log" >&2; }

remove_instance() {
	[ -d "$inst" ] || return 0
	echo 0 > "$inst/tracing_on" || true
	[ -f "$trigger_file" ] && { echo "!$trigger" > "$trigger_file" 2>/dev/null || true; }
	echo 0 > "$inst/events/enable" || true
	rmdir "$inst" || echo "record-lossy: cannot remove $inst" >&2
}

stop_churn() {
	local p
	for p in "${churn_pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	churn_pids=()
}

stop_frag() {
	if [ -n "$frag_pid" ]; then kill -TERM "$frag_pid" 2>/dev/null || true; wait "$frag_pid" || true; fi
	frag_pid=
}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM HUP
	stop_churn
	stop_frag
	"$frag" -R 2>/dev/null || true
	remove_instance
	echo "$orig_proactive" > /proc/sys/vm/compaction_proactiveness
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

snapshot() {	# snapshot DIR: what the kernel counted, right now
	mkdir -p "$1"
	for f in vmstat buddyinfo pagetypeinfo zoneinfo; do cat "/proc/$f" > "$1/$f"; done
	uname -r > "$1/osrelease"
}

fragment() {	# 256 MiB with every other page released, held until stop_frag
	rm -f "$out/.ready"
	"$frag" -m 256 -r "$out/.ready" 2>>"$1/record.log" &
	frag_pid=$!
	while [ ! -e "$out/.ready" ]; do
		kill -0 "$frag_pid" 2>/dev/null || { log "ct-fragment failed"; exit 1; }
		sleep 0.2
	done
	rm -f "$out/.ready"
}

churn() {	# churn SECONDS: two page-churning processes in the background
	python3 -c "$CHURN" "$1" & churn_pids+=($!)
	python3 -c "$CHURN" "$1" & churn_pids+=($!)
}

arm_instance() {	# arm_instance BUFFER_KB EVENT...: events on, tracing off
	local kb=$1 e
	shift
	mkdir "$inst"
	echo 0 > "$inst/tracing_on"
	echo "$kb" > "$inst/buffer_size_kb"
	echo mono > "$inst/trace_clock"
	for e in "$@"; do echo 1 > "$inst/events/$e/enable"; done
}

pack() {	# xz files over 300 KB
	local f
	for f in "$@"; do
		if [ "$(stat -c %s "$f")" -gt 300000 ]; then xz -9 -f "$f"; fi
	done
}

echo >> "$out/record.log"
log "record-lossy on $(uname -r), $(date -u +%FT%TZ); perf $(perf --version | cut -d' ' -f3)," \
    "$(trace-cmd --version 2>/dev/null | grep -m1 version)"
echo 0 > /proc/sys/vm/compaction_proactiveness	# nothing but ours compacts meanwhile

# ---- lost-perf ---------------------------------------------------------
capture_lost-perf() {
	local d=$out/lost-perf
	mkdir -p "$d"
	: > "$d/record.log"
	fragment "$d"
	snapshot "$d/snapshot-start"
	log "lost-perf: perf record -m 1 during churn + compact_memory"
	perf record -a -k mono -m 1 -e 'compaction:*' -e kmem:mm_page_alloc -e kmem:mm_page_free \
		-e kmem:mm_page_alloc_extfrag -e migrate:mm_migrate_pages -o "$d/trace.perf.data" -- \
		sh -c "python3 -c '$CHURN' 0.6 & python3 -c '$CHURN' 0.6 & sleep 0.2;
		       echo 1 > /proc/sys/vm/compact_memory; wait" >>"$d/record.log" 2>&1
	snapshot "$d/snapshot-end"
	stop_frag
	perf script -i "$d/trace.perf.data" --show-lost-events > "$d/trace.perf-script.txt" 2>>"$d/record.log"
	perf report -i "$d/trace.perf.data" --stats >> "$d/record.log" 2>&1
	pack "$d/trace.perf.data" "$d/trace.perf-script.txt"
}

# ---- lost-ftrace -------------------------------------------------------
overrun_capture() {	# overrun_capture DIR: the small-buffer capture, every format
	local d=$1 c
	mkdir -p "$d"
	: > "$d/record.log"
	arm_instance 96 compaction kmem/mm_page_alloc kmem/mm_page_free kmem/mm_page_alloc_extfrag \
		migrate/mm_migrate_pages
	fragment "$d"
	snapshot "$d/snapshot-start"
	log "lost-ftrace: 96 KiB per CPU, churn + compact_memory"
	echo 1 > "$inst/tracing_on"
	churn 3
	sleep 0.3
	echo 1 > /proc/sys/vm/compact_memory
	echo 0 > "$inst/tracing_on"
	snapshot "$d/snapshot-end"
	stop_churn
	stop_frag
	for c in "$inst"/per_cpu/cpu*; do echo "${c##*/}: $(tr '\n' ' ' < "$c/stats")"; done >> "$d/record.log"
	cat "$inst/trace" > "$d/trace.ftrace.txt"
	echo 0 > "$inst/events/enable"
	trace-cmd extract -B "$inst_name" -o "$d/trace.dat" >> "$d/record.log" 2>&1
	remove_instance
	trace-cmd report "$d/trace.dat" > "$d/trace.trace-cmd.txt" 2>> "$d/record.log"
	trace-cmd report --stat "$d/trace.dat" >> "$d/record.log" 2>&1
}

capture_lost-ftrace() {
	overrun_capture "$out/lost-ftrace"
	pack "$out/lost-ftrace/trace.ftrace.txt" "$out/lost-ftrace/trace.trace-cmd.txt"
}

capture_lost-dat-unknown() {
	local d=$out/lost-dat-unknown try
	for try in 1 2 3 4 5 6 7 8 9 10; do
		rm -rf "$d"
		overrun_capture "$d"
		if grep -q 'CPU:[0-9]* \[EVENTS DROPPED\]' "$d/trace.trace-cmd.txt"; then
			log "lost-dat-unknown: a count-less drop on try $try"
			rm -f "$d/trace.ftrace.txt"
			pack "$d/trace.trace-cmd.txt"
			return 0
		fi
		log "lost-dat-unknown: try $try: every drop has its count; again"
	done
	log "lost-dat-unknown: no count-less drop in 10 tries"
	return 1
}

# ---- straddle ----------------------------------------------------------
capture_straddle() {
	local d=$out/straddle
	mkdir -p "$d"
	: > "$d/record.log"
	arm_instance 65536 compaction kmem/mm_page_alloc_extfrag migrate/mm_migrate_pages
	echo "$trigger" > "$trigger_file"
	fragment "$d"
	snapshot "$d/snapshot-start"
	log "straddle: trigger '$trigger', compact_memory"
	echo 1 > "$inst/tracing_on"
	echo 1 > /proc/sys/vm/compact_memory
	log "straddle: tracing_on is $(cat "$inst/tracing_on") after compact_memory (0: the trigger fired)"
	echo 0 > "$inst/tracing_on"
	snapshot "$d/snapshot-end"
	stop_frag
	cat "$inst/trace" > "$d/trace.ftrace.txt"
	remove_instance
	pack "$d/trace.ftrace.txt"
}

for c in "${captures[@]}"; do
	declare -F "capture_$c" >/dev/null || { echo "record-lossy: no capture '$c'" >&2; exit 2; }
	"capture_$c"
done

log "vmstat deltas (end - start) per capture:"
for c in "${captures[@]}"; do
	d=$out/$c
	echo "$c:" $(join <(sort "$d/snapshot-start/vmstat") <(sort "$d/snapshot-end/vmstat") |
		awk '$1 ~ /^compact_/ { printf "%s=%d ", $1, $3 - $2 }') | tee -a "$out/record.log" >&2
done
log "done: $out"
