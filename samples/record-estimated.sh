#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# record-estimated.sh - `compactrace record` (no --pages: the estimated
# model's input, with its start and end snapshots inside) while one
# direct-compaction workload runs on fragmented memory; the recording stops
# while the workload still holds what it allocated, as a capture of a
# running application does.
#
# usage: record-estimated.sh [-B BUILDDIR] SCENARIO DIR
#   SCENARIO  thp:     ct-direct faults MADV_HUGEPAGE memory under THP
#                      defrag=always (order-9 direct compaction, no hugetlb)
#             hugetlb: ct-direct grows vm.nr_hugepages (no THP)
#   DIR       output directory (created; must not hold a previous recording)
#   -B        meson build dir holding compactrace and samples/workloads (default: build)
# Knobs (environment): CT_KEEP_MIB (ct-fragment leaves this much available;
# default 2048), CT_THP_MIB (thp: MiB faulted, default 160), CT_HUGETLB_PAGES
# (hugetlb: pages the pool grows by, default 120).
#
# Before the window, ct-fragment fragments free memory and a first
# ct-direct (-x 0 -T 0) holds every free order>=9 block in the hugetlb
# pool, so that the workload's every order-9 allocation needs compaction.
#
# Output in DIR: trace.dat (snapshots inside), record.log (with the tasks
# that started compaction runs: anything but the workload, kcompactd and
# khugepaged is foreign activity, and the recording should be made again),
# and snapshot-start/ and snapshot-end/ as `compactrace report
# --extract-snapshots` writes them.
#
# Host safety: takes /tmp/compactrace-live.lock for the whole run (do not
# wrap it in flock). ct-fragment holds vm.compaction_proactiveness at 0
# while it runs, ct-direct changes nr_hugepages and THP; both restore them
# on exit, and an EXIT/INT/TERM/HUP trap stops them and runs their -R
# repair, then sets proactiveness, nr_hugepages and THP back as found.
# compactrace record works in its own tracefs instance, removed when it exits.
set -euo pipefail
export LC_ALL=C
# shellcheck source=samples/record-common.sh
. "$(cd "$(dirname "$0")" && pwd)/record-common.sh"

builddir=build
while getopts "B:h" opt; do
	case $opt in
	B) builddir=$OPTARG ;;
	*) sed -n '4,30p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -ne 2 ]; then
	sed -n '4,30p' "$0" >&2
	exit 2
fi
scenario=$1
out=$2
find_tools record-estimated "$builddir"
case $scenario in
thp) work=("$wl/ct-direct" -n 0 -T "${CT_THP_MIB:-160}" -d always -e madvise) ;;
hugetlb) work=("$wl/ct-direct" -n "${CT_HUGETLB_PAGES:-120}" -T 0) ;;
*) echo "record-estimated: unknown scenario $scenario" >&2; exit 2 ;;
esac
[ "$(id -u)" = 0 ] || { echo "record-estimated: needs root" >&2; exit 1; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
[ ! -e "$out/trace.dat" ] || { echo "record-estimated: $out already holds a recording" >&2; exit 1; }

exec 9>/tmp/compactrace-live.lock
flock 9


frag_pid=
hold_pid=
work_pid=
thp=/sys/kernel/mm/transparent_hugepage
orig_proactive=$(cat /proc/sys/vm/compaction_proactiveness)
orig_hugepages=$(cat /proc/sys/vm/nr_hugepages)
orig_enabled=$(sed 's/.*\[\(.*\)\].*/\1/' $thp/enabled)
orig_defrag=$(sed 's/.*\[\(.*\)\].*/\1/' $thp/defrag)

stop() {	# stop PID: SIGTERM, then wait for it
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null || true
	while kill -0 "$1" 2>/dev/null; do sleep 0.2; done
}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM HUP
	stop "$work_pid"
	stop "$hold_pid"
	stop "$frag_pid"
	"$wl/ct-direct" -R 2>/dev/null || true
	"$wl/ct-fragment" -R 2>/dev/null || true
	echo "$orig_proactive" > /proc/sys/vm/compaction_proactiveness
	[ "$(cat /proc/sys/vm/nr_hugepages)" = "$orig_hugepages" ] ||
		echo "$orig_hugepages" > /proc/sys/vm/nr_hugepages || true
	echo "$orig_enabled" > $thp/enabled || true
	echo "$orig_defrag" > $thp/defrag || true
	rm -f "$out/.fragment-ready" "$out/.hold-ready" "$out/.work-ready" "$out/.work-ready.pid"
	log "restored: proactiveness $(cat /proc/sys/vm/compaction_proactiveness), nr_hugepages" \
		"$(cat /proc/sys/vm/nr_hugepages), THP $(cat $thp/enabled) / $(cat $thp/defrag)"
	exit "$rc"
}
traps_run_cleanup

# fragment free memory, with vm.compaction_proactiveness 0 while it is held
log "setup: ct-fragment -k ${CT_KEEP_MIB:-2048} -P 0"
start_ready "$out/.fragment-ready" "$wl/ct-fragment" -k "${CT_KEEP_MIB:-2048}" -P 0 -r "$out/.fragment-ready" || exit 1
frag_pid=$started
wait_quiet 3

# the free order>=9 blocks into the hugetlb pool, held until the end
log "setup: ct-direct -x 0 -T 0 (holds $(awk '{ n += $14 + 2 * $15 } END { print n }' /proc/buddyinfo) free order>=9 blocks' worth)"
start_ready "$out/.hold-ready" "$wl/ct-direct" -x 0 -T 0 -t 3600 -r "$out/.hold-ready" || exit 1
hold_pid=$started
wait_quiet 3

# The recorded command is a shell that starts the workload, waits until it
# has allocated everything (-r), and exits: record stops then, with the
# workload's memory still held, and the script stops the workload after.
wready=$out/.work-ready
rm -f "$wready"
log "record: $ct record -o trace.dat -- (${work[*]} -t 600 -r READY; stop once READY)"
# (the workload writes to the log itself: a pipe it held would keep tee waiting)
# shellcheck disable=SC2016
"$ct" record -o "$out/trace.dat" -- sh -c '
	log=$1; shift
	"$@" -t 600 -r "$0" >>"$log" 2>&1 & echo $! > "$0.pid"
	while [ ! -e "$0" ]; do kill -0 $(cat "$0.pid") 2>/dev/null || exit 1; sleep 0.1; done
	sleep 1' "$wready" "$out/record.log" "${work[@]}" 2>&1 | tee -a "$out/record.log" >&2
work_pid=$(cat "$wready.pid" 2>/dev/null || true)
rm -f "$wready.pid"
stop "$work_pid"
work_pid=
stop "$hold_pid"
hold_pid=
stop "$frag_pid"
frag_pid=

cd "$out"
"$ct" report --extract-snapshots=. trace.dat 2>>record.log
log "tasks that began compaction runs (anything but ct-direct, kcompactd*, khugepaged is foreign):"
trace-cmd report trace.dat 2>/dev/null | awk '/mm_compaction_begin:/ { sub(/-[0-9]+$/, "", $1); n[$1]++ }
	END { for (c in n) printf "  %s: %d runs\n", c, n[c] }' | sort | tee -a record.log >&2
