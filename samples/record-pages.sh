#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# record-pages.sh - `compactrace record --pages` during one compaction
# scenario on this host, then `compactrace report` on the trace.dat and on
# its `trace-cmd report` text: the shadow buddy model's exact mode, measured.
#
# usage: record-pages.sh [-B BUILDDIR] [-b BUFFER_KB] SCENARIO DIR
#   SCENARIO  manual: one write to /proc/sys/vm/compact_memory
#             direct: ct-direct (order-9 hugetlb and THP faults: direct compaction)
#   DIR       output directory (created; must not hold a previous recording)
#   -B        meson build dir holding compactrace and samples/workloads (default: build)
#   -b        record --buffer-kb (default: record's own)
# Knobs (environment): CT_FRAG_MIB (fragment exactly this much; default:
# MemAvailable - CT_KEEP_MIB), CT_KEEP_MIB (2048), CT_DIRECT_ARGS (direct:
# ct-direct options, default "-x 1500 -T 512 -d always -e madvise").
#
# Output in DIR: trace.dat (with its snapshots inside), record.log (what was
# run, record's summary), report.txt and report.json (`compactrace report
# trace.dat`), snapshots/snapshot-{start,end}/ (`report --extract-snapshots`),
# trace.trace-cmd.txt (`trace-cmd report`) and report-text.txt (`compactrace
# report --snapshot-start ... trace.trace-cmd.txt`), and model.txt: per zone
# the accuracy and the compaction_suitable agreement of both paths.
#
# Host safety: ct-fragment holds vm.compaction_proactiveness at 0 while it
# runs and ct-direct changes nr_hugepages and THP; both restore them, and an
# EXIT/INT/TERM/HUP trap stops them and runs their -R repair. compactrace
# record works in its own tracefs instance, removed when it exits.
set -euo pipefail
export LC_ALL=C
# shellcheck source=samples/record-common.sh
. "$(cd "$(dirname "$0")" && pwd)/record-common.sh"

builddir=build
buffer=()
while getopts "B:b:h" opt; do
	case $opt in
	B) builddir=$OPTARG ;;
	b) buffer=(--buffer-kb "$OPTARG") ;;
	*) sed -n '4,24p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -ne 2 ]; then
	sed -n '4,24p' "$0" >&2
	exit 2
fi
scenario=$1
out=$2
find_tools record-pages "$builddir"
case $scenario in manual|direct) ;; *) echo "record-pages: unknown scenario $scenario" >&2; exit 2 ;; esac
[ "$(id -u)" = 0 ] || { echo "record-pages: needs root" >&2; exit 1; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
[ ! -e "$out/trace.dat" ] || { echo "record-pages: $out already holds a recording" >&2; exit 1; }


frag_pid=
orig_proactive=$(cat /proc/sys/vm/compaction_proactiveness)
orig_hugepages=$(cat /proc/sys/vm/nr_hugepages)

cleanup() {
	local rc=$?
	trap - EXIT INT TERM HUP
	if [ -n "$frag_pid" ]; then
		kill -TERM "$frag_pid" 2>/dev/null || true
		wait "$frag_pid" 2>/dev/null || true
	fi
	"$wl/ct-direct" -R 2>/dev/null || true
	"$wl/ct-fragment" -R 2>/dev/null || true
	echo "$orig_proactive" > /proc/sys/vm/compaction_proactiveness
	[ "$(cat /proc/sys/vm/nr_hugepages)" = "$orig_hugepages" ] ||
		echo "$orig_hugepages" > /proc/sys/vm/nr_hugepages || true
	exit "$rc"
}
traps_run_cleanup

# fragment free memory, with vm.compaction_proactiveness 0 while it is held
ready=$out/.fragment-ready
rm -f "$ready"
if [ -n "${CT_FRAG_MIB:-}" ]; then frag=(-m "$CT_FRAG_MIB"); else frag=(-k "${CT_KEEP_MIB:-2048}"); fi
log "setup: ct-fragment ${frag[*]} -P 0"
"$wl/ct-fragment" "${frag[@]}" -P 0 -r "$ready" 2>>"$out/record.log" &
frag_pid=$!
while [ ! -e "$ready" ]; do
	kill -0 "$frag_pid" 2>/dev/null || { log "ERROR: ct-fragment exited early"; exit 1; }
	sleep 0.5
done
rm -f "$ready"
wait_quiet 3

case $scenario in
manual) work=(sh -c 'echo 1 > /proc/sys/vm/compact_memory') ;;
# shellcheck disable=SC2206
direct) work=("$wl/ct-direct" ${CT_DIRECT_ARGS:--x 1500 -T 512 -d always -e madvise}) ;;
esac
log "record: $ct record --pages ${buffer[*]} -o trace.dat -- ${work[*]}"
"$ct" record --pages "${buffer[@]}" -o "$out/trace.dat" -- "${work[@]}" 2>&1 | tee -a "$out/record.log" >&2
kill -TERM "$frag_pid" 2>/dev/null || true
wait "$frag_pid" 2>/dev/null || true
frag_pid=

cd "$out"
log "report: $ct report trace.dat"
/usr/bin/time -f "%e s, %M KB max RSS" -o report.time "$ct" report trace.dat > report.txt
"$ct" report -f json trace.dat > report.json
log "report took $(cat report.time)"
"$ct" report --extract-snapshots=snapshots trace.dat 2>>record.log
trace-cmd report trace.dat > trace.trace-cmd.txt 2>>record.log
/usr/bin/time -f "%e s, %M KB max RSS" -o report-text.time "$ct" report \
	--snapshot-start snapshots/snapshot-start --snapshot-end snapshots/snapshot-end \
	trace.trace-cmd.txt > report-text.txt
log "report of the trace-cmd text took $(cat report-text.time)"
python3 - report.json > model.txt <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
m = r.get("model") or {}
print("model mode", m.get("mode"))
for z in m.get("zones", []):
    su, g = z["suitable"], z["guesses"]
    print("zone %-7s %-9s seeded %-9s accuracy %s baseline %s suitable agreed %d of %d predicted "
          "(%d events) conflicts %d window %d" % (z["zone"], z["mode"], z["seeding"], z["accuracy"],
          z["baseline_accuracy"], su["agreed"], su["predicted"], su["events"],
          g["page_event_conflicts"], g["map_window_overlaps"]))
EOF
grep -E "^  node|accuracy|agree" report-text.txt >> model.txt || true
cat model.txt | tee -a record.log >&2
