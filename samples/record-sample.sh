#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# record-sample.sh - record one compaction scenario on this host, in every
# trace format, with /proc snapshots around the capture window.
#
# usage: record-sample.sh [-B BUILDDIR] [-b BUFFER_KB] SCENARIO DIR
#   SCENARIO  manual | direct | kcompactd | extfrag  (see scenario_* below)
#   DIR       output directory (created; must not hold a previous recording)
#   -B        meson build dir holding samples/workloads (default: build)
#   -b        per-CPU ring buffer of the private instance (default 262144)
# Knobs (environment): CT_FRAG_MIB (fragment exactly this much; default:
# MemAvailable - CT_KEEP_MIB), CT_KEEP_MIB (2048), CT_FILL_MIB (memory taken
# solidly, unfragmented, before fragmenting; default 0), CT_DIRECT_ARGS
# (direct: ct-direct options), CT_THP_MIB (MiB of THP faults: direct 512,
# kcompactd 1024), CT_PROACTIVE (kcompactd: proactiveness in the window, 30),
# CT_PROACTIVE_SECS (kcompactd: how long proactiveness stays raised, 5),
# CT_EXTFRAG_SECS (10), CT_EXTFRAG_LOOKUPS (missing names per round, 100000).
#
# Output in DIR: snapshot-start/ and snapshot-end/ (vmstat, buddyinfo,
# pagetypeinfo, zoneinfo), trace.ftrace.txt (the instance's `trace` file),
# trace.dat (trace-cmd extract), trace.trace-cmd.txt (trace-cmd report),
# trace.perf.data and trace.perf-script.txt (perf record/script, the same
# events in a separate buffer), record.log (what was run, settings, checks).
#
# Capture window: the private tracefs instance is armed with tracing_on=0 and
# perf starts with its events disabled (-D -1, --control fifo).  The script
# waits until /proc/vmstat's compact_* counters are quiet, takes
# snapshot-start, enables perf, sets the instance's tracing_on=1, runs the
# workload, waits for quiet again, sets tracing_on=0, disables perf and takes
# snapshot-end.  Both buffers therefore see the same events.
#
# Host safety: every setting touched (compaction_proactiveness here;
# nr_hugepages and THP inside ct-direct) is restored by an EXIT/INT/TERM/HUP
# trap, which also stops perf and the workloads and removes the instance.
# The top-level tracefs instance is never touched.
set -euo pipefail
export LC_ALL=C

TRACEFS=/sys/kernel/tracing
PROACTIVE_FILE=/proc/sys/vm/compaction_proactiveness
EVENTS=(compaction/enable kmem/mm_page_alloc_extfrag/enable
	migrate/mm_migrate_pages/enable)
PERF_EVENTS=(-e 'compaction:*' -e kmem:mm_page_alloc_extfrag
	     -e migrate:mm_migrate_pages)

builddir=build
buffer_kb=262144
while getopts "B:b:h" opt; do
	case $opt in
	B) builddir=$OPTARG ;;
	b) buffer_kb=$OPTARG ;;
	*) sed -n '4,18p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -ne 2 ]; then
	sed -n '4,18p' "$0" >&2
	exit 2
fi
scenario=$1
out=$2
srcdir=$(cd "$(dirname "$0")" && pwd)
wl=$(cd "$builddir" 2>/dev/null && pwd)/samples/workloads
[ -x "$wl/ct-fragment" ] || wl=$(cd "$builddir" 2>/dev/null && pwd)/workloads
for p in ct-fragment ct-direct ct-extfrag; do
	if [ ! -x "$wl/$p" ]; then
		echo "record-sample: $p not built (looked in $wl); use -B" >&2
		exit 1
	fi
done
[ "$(id -u)" = 0 ] || { echo "record-sample: needs root" >&2; exit 1; }
[ -d "$TRACEFS/instances" ] || mount -t tracefs nodev "$TRACEFS"
mkdir -p "$out"
out=$(cd "$out" && pwd)
if [ -e "$out/trace.ftrace.txt" ] || [ -e "$out/trace.perf.data" ]; then
	echo "record-sample: $out already holds a recording" >&2
	exit 1
fi

log() { echo "[$(date +%T.%N | cut -c1-12)] $*" | tee -a "$out/record.log" >&2; }

inst_name=ctsample-$$
inst=$TRACEFS/instances/$inst_name
ctl_fifo=$out/.perf-ctl
ack_fifo=$out/.perf-ack
perf_pid=
setup_pids=()
work_pid=
ctl_fd=
ack_fd=
orig_proactive=$(cat "$PROACTIVE_FILE")
orig_hugepages=$(cat /proc/sys/vm/nr_hugepages)
orig_thp_enabled=$(cat /sys/kernel/mm/transparent_hugepage/enabled)
orig_thp_defrag=$(cat /sys/kernel/mm/transparent_hugepage/defrag)

stop_pid() {	# stop_pid PID SIGNAL: signal one process we started, wait
	local pid=$1
	[ -n "$pid" ] || return 0
	kill -"$2" "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM HUP
	[ -n "$work_pid" ] && stop_pid "$work_pid" TERM
	stop_setup
	if [ -n "$perf_pid" ]; then
		stop_pid "$perf_pid" INT
		perf_pid=
	fi
	if [ -n "$ctl_fd" ]; then exec {ctl_fd}>&- {ack_fd}<&-; fi
	rm -f "$ctl_fifo" "$ack_fifo"
	if [ -d "$inst" ]; then
		echo 0 > "$inst/tracing_on" || true
		echo 0 > "$inst/events/enable" || true
		rmdir "$inst" || echo "record-sample: cannot remove $inst" >&2
	fi
	# Programs killed without a chance to clean up leave a state file.
	"$wl/ct-direct" -R 2>/dev/null || true
	"$wl/ct-fragment" -R 2>/dev/null || true
	echo "$orig_proactive" > "$PROACTIVE_FILE"
	if [ "$(cat /proc/sys/vm/nr_hugepages)" != "$orig_hugepages" ]; then
		echo "$orig_hugepages" > /proc/sys/vm/nr_hugepages || true
	fi
	local e d
	e=$(cat /sys/kernel/mm/transparent_hugepage/enabled)
	d=$(cat /sys/kernel/mm/transparent_hugepage/defrag)
	[ "$e" = "$orig_thp_enabled" ] || echo "record-sample: WARNING THP enabled is '$e', was '$orig_thp_enabled'" >&2
	[ "$d" = "$orig_thp_defrag" ] || echo "record-sample: WARNING THP defrag is '$d', was '$orig_thp_defrag'" >&2
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

compact_counters() { grep '^compact_' /proc/vmstat; }

# Wait until the compact_* counters have not moved for $1 seconds (max 120 s).
# They are added at the end of each compact_zone(), so this also waits for
# any run in progress to finish.
wait_quiet() {
	local need=$1 still=0 prev cur waited=0
	prev=$(compact_counters)
	while [ "$still" -lt "$need" ]; do
		sleep 1
		waited=$((waited + 1))
		cur=$(compact_counters)
		if [ "$cur" = "$prev" ]; then
			still=$((still + 1))
		else
			still=0
			prev=$cur
		fi
		if [ "$waited" -ge 120 ]; then
			log "WARNING: compaction counters still moving after 120 s"
			return 0
		fi
	done
	log "quiet for ${need} s (waited ${waited} s)"
}

snapshot() {
	mkdir -p "$out/$1"
	for f in vmstat buddyinfo pagetypeinfo zoneinfo; do
		cat "/proc/$f" > "$out/$1/$f"
	done
}

perf_ctl() {	# send a command to perf record, wait for its ack
	echo "$1" >&"$ctl_fd"
	if ! read -r -t 10 _ <&"$ack_fd"; then
		log "ERROR: perf did not ack '$1'"
		return 1
	fi
}

# Start a background setup program (ct-fragment or ct-direct) with -r READY
# and wait until it has created READY.
start_ready() {
	local ready=$out/.setup-ready prog=$1 pid
	shift
	rm -f "$ready"
	log "setup: $prog $* -r READY"
	"$wl/$prog" "$@" -r "$ready" 2>>"$out/record.log" &
	pid=$!
	setup_pids+=("$pid")
	while [ ! -e "$ready" ]; do
		if ! kill -0 "$pid" 2>/dev/null; then
			log "ERROR: $prog exited before it was ready"
			return 1
		fi
		sleep 0.5
	done
	rm -f "$ready"
}

# Fragment free memory.  With CT_FILL_MIB, a first ct-fragment takes that
# much memory solidly (-s 1) before the fragmenting one.
fragment() {
	if [ "${CT_FILL_MIB:-0}" != 0 ]; then
		start_ready ct-fragment -m "$CT_FILL_MIB" -s 1
	fi
	if [ -n "${CT_FRAG_MIB:-}" ]; then
		start_ready ct-fragment -m "$CT_FRAG_MIB"
	else
		start_ready ct-fragment -k "${CT_KEEP_MIB:-2048}"
	fi
}

stop_setup() {
	local pid
	for pid in "${setup_pids[@]}"; do
		stop_pid "$pid" TERM
	done
	setup_pids=()
}

run() {	# run a workload command in the background and wait (signals work)
	log "workload: $*"
	"$@" 2>>"$out/record.log" &
	work_pid=$!
	log "workload pid $work_pid"
	wait "$work_pid"
	work_pid=
}

set_proactive() {
	log "vm.compaction_proactiveness = $1"
	echo "$1" > "$PROACTIVE_FILE"
}

# --- scenarios: setup (outside the window) and workload (inside) ----------
# manual: a small fragmented area, then one write to compact_memory.
scenario_manual_setup() { CT_FRAG_MIB=${CT_FRAG_MIB:-128} fragment; }
scenario_manual_run() { run sh -c 'echo 1 > /proc/sys/vm/compact_memory'; }

# direct: nearly all free memory fragmented; grow the hugetlb pool and fault
# MADV_HUGEPAGE memory under defrag=always: order-9 direct compaction stalls.
scenario_direct_setup() { fragment; }
scenario_direct_run() {
	# shellcheck disable=SC2086
	run "$wl/ct-direct" ${CT_DIRECT_ARGS:--x 1500 -T ${CT_THP_MIB:-512} -d always -e madvise}
}

# kcompactd: with proactiveness 0, take the free order-9 blocks with hugetlb
# and fault THP memory, one 2 MiB fault every 10 ms, under defrag=defer (no
# stall: kswapd wakes kcompactd for order 9).  While ct-direct then holds its
# memory, raise proactiveness (the sysctl write itself wakes kcompactd for a
# proactive run; its 500 ms timer starts more, order -1 and no wake event),
# and set it back to 0 before ct-direct exits.
scenario_kcompactd_setup() { fragment; }
scenario_kcompactd_run() {
	local ready=$out/.work-ready
	rm -f "$ready"
	log "workload: ct-direct -x 0 -T ${CT_THP_MIB:-1024} -i 10 -d defer -e madvise -t 8 -r READY"
	"$wl/ct-direct" -x 0 -T "${CT_THP_MIB:-1024}" -i 10 -d defer -e madvise \
		-t 8 -r "$ready" 2>>"$out/record.log" &
	work_pid=$!
	log "workload pid $work_pid"
	while [ ! -e "$ready" ] && kill -0 "$work_pid" 2>/dev/null; do
		sleep 0.2
	done
	rm -f "$ready"
	set_proactive "${CT_PROACTIVE:-30}"
	sleep "${CT_PROACTIVE_SECS:-5}"
	set_proactive 0
	wait "$work_pid"
	work_pid=
}

# extfrag: fragment, then take every free block of order >= 9 into the
# hugetlb pool (held by ct-direct until the end), so that unmovable and
# reclaimable allocations must fall back into fragmented movable pageblocks;
# in the window, file, dentry and pipe churn.
scenario_extfrag_setup() {
	fragment
	start_ready ct-direct -x 0 -T 0 -t 100000
}
scenario_extfrag_run() {
	run "$wl/ct-extfrag" -t "${CT_EXTFRAG_SECS:-10}" -g "${CT_EXTFRAG_LOOKUPS:-100000}"
}

case $scenario in
manual | direct | kcompactd | extfrag) ;;
*) echo "record-sample: unknown scenario '$scenario'" >&2; exit 2 ;;
esac

: > "$out/record.log"
log "scenario $scenario on $(uname -r), $(date -u +%FT%TZ), instance $inst_name"
log "settings found: proactiveness=$orig_proactive nr_hugepages=$orig_hugepages" \
    "thp_enabled='$orig_thp_enabled' thp_defrag='$orig_thp_defrag'"

# 1. Proactive compaction would undo the fragmentation: off for the window.
set_proactive 0

# 2. Arm the private instance (events on, recording off) before the setup
#    fragments memory, so its ring buffer is allocated first.
mkdir "$inst"
echo 0 > "$inst/tracing_on"
echo "$buffer_kb" > "$inst/buffer_size_kb"
# Both buffers stamp events with CLOCK_MONOTONIC (ktime_get_mono_fast_ns), so
# the same event carries nearly the same timestamp in every format.
echo mono > "$inst/trace_clock"
for e in "${EVENTS[@]}"; do
	echo 1 > "$inst/events/$e"
done
log "instance $inst_name: buffer_size_kb=$(cat "$inst/buffer_size_kb"), clock=$(cat "$inst/trace_clock")"

# 3. perf record with its events disabled until we say so.
mkfifo "$ctl_fifo" "$ack_fifo"
exec {ctl_fd}<>"$ctl_fifo" {ack_fd}<>"$ack_fifo"
perf record -D -1 --control "fifo:$ctl_fifo,$ack_fifo" -a -k mono -m 64M -B \
	"${PERF_EVENTS[@]}" -o "$out/trace.perf.data" \
	> "$out/.perf-record.log" 2>&1 &
perf_pid=$!
sleep 1
perf_ctl ping
log "perf record (pid $perf_pid) ready, events disabled"

# 4. Scenario setup outside the window, then wait for compaction to settle.
"scenario_${scenario}_setup"
wait_quiet 3

# 5. The window.
snapshot snapshot-start
perf_ctl enable
echo 1 > "$inst/tracing_on"
log "window open"
"scenario_${scenario}_run"
wait_quiet 3
echo 0 > "$inst/tracing_on"
perf_ctl disable
snapshot snapshot-end
log "window closed"

# 6. Release the memory, stop perf, disarm the instance.
stop_setup
stop_pid "$perf_pid" INT
perf_pid=
cat "$out/.perf-record.log" >> "$out/record.log"
rm -f "$out/.perf-record.log"
for e in "${EVENTS[@]}"; do
	echo 0 > "$inst/events/$e"
done
set_proactive "$orig_proactive"

# 7. Every format.  `trace` does not consume the buffer; extract does.
cat "$inst/trace" > "$out/trace.ftrace.txt"
trace-cmd extract -B "$inst_name" -o "$out/trace.dat" >> "$out/record.log" 2>&1
# trace-cmd extract removes the instance it read; remove it if it did not.
if [ -d "$inst" ]; then rmdir "$inst"; fi
log "instance removed"
trace-cmd report "$out/trace.dat" > "$out/trace.trace-cmd.txt" 2>> "$out/record.log"
perf script -i "$out/trace.perf.data" > "$out/trace.perf-script.txt" 2> "$out/.perf-script.err"
cat "$out/.perf-script.err" >> "$out/record.log"
rm -f "$out/.perf-script.err"

# 8. Checks: lost events and per-event counts in every text format.
gt=$srcdir/traces/ground_truth.sh
for t in trace.ftrace.txt trace.trace-cmd.txt trace.perf-script.txt; do
	"$gt" "$out/$t" > "$out/.gt-$t"
done
log "per-event counts (ftrace / trace-cmd / perf):"
join "$out/.gt-trace.ftrace.txt" "$out/.gt-trace.trace-cmd.txt" |
	join - "$out/.gt-trace.perf-script.txt" | tee -a "$out/record.log" >&2
rm -f "$out"/.gt-*
log "who compacted (task-pid, event, count) - anything not started here is foreign:"
awk '/^#/ { next }
/ mm_compaction_(begin|try_to_compact_pages|kcompactd_wake):/ {
	t = $0; sub(/ +\[[0-9]+\] .*/, "", t); sub(/^ +/, "", t)
	e = $0; sub(/^.* mm_compaction_/, "", e); sub(/:.*/, "", e)
	n[t " " e]++
}
END { for (k in n) print k, n[k] }' "$out/trace.ftrace.txt" | sort | tee -a "$out/record.log" >&2
log "perf LOST records: $(perf report -i "$out/trace.perf.data" --stats 2>/dev/null | grep -E 'LOST' || echo none)"
log "vmstat deltas (end - start):"
join <(sort "$out/snapshot-start/vmstat") <(sort "$out/snapshot-end/vmstat") |
	awk '$1 ~ /^(compact_|thp_fault|pgmigrate)/ { print $1, $3 - $2 }' |
	tee -a "$out/record.log" >&2
log "done: $out"
