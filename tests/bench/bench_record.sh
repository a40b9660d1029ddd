#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Benchmark (not a test) of `compactrace record` beside `perf record -a` under
# a page-allocator churn on every CPU (tests/bench/ct_page_churn.c: several
# million kmem events per second), recording the same event set as
# `record --pages`.
#
#   tests/bench/bench_record.sh [COMPACTRACE] [SECONDS] [together|alone|all]
#
# together (the default): both recorders capture the same workload at once,
#   so both see exactly the same events;
# alone: one after the other, each with the machine to itself;
# all: both.
#
# For each recorder: the events it captured and lost, its own CPU time (user
# + system from /usr/bin/time, the whole process; for compactrace also the
# part spent while recording, which its summary prints), wall time, and the
# file size. compactrace uses its default ring buffer; perf its default mmap
# size. Needs root. Files go to a temporary directory under /var/tmp,
# removed at the end.
set -u
cd "$(dirname "$0")/../.."
CT=$(realpath "${1:-build/compactrace}")
SECS=${2:-10}
MODE=${3:-together}
export LC_ALL=C

[ "$(id -u)" = 0 ] || { echo "bench_record: needs root" >&2; exit 77; }
[ -x "$CT" ] || { echo "bench_record: no compactrace at $CT (build first)" >&2; exit 1; }
command -v perf >/dev/null || { echo "bench_record: perf not installed" >&2; exit 77; }
[ -x /usr/bin/time ] || { echo "bench_record: /usr/bin/time not installed" >&2; exit 77; }

tmp=$(mktemp -d /var/tmp/ct-bench.XXXXXX)
load_pids=()
cleanup() {
	for p in "${load_pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

cc -O2 -o "$tmp/churn" tests/bench/ct_page_churn.c || exit 1
NCPU=$(nproc)
EVENTS=(-e 'compaction:*' -e kmem:mm_page_alloc_extfrag -e kmem:mm_page_alloc -e kmem:mm_page_free
	-e kmem:mm_page_free_batched -e kmem:mm_page_alloc_zone_locked -e kmem:mm_page_pcpu_drain
	-e migrate:mm_migrate_pages)

start_load() {	# one churn per CPU for $1 seconds
	load_pids=()
	for ((c = 0; c < NCPU; c++)); do
		taskset -c "$c" "$tmp/churn" "$1" >"$tmp/churn.$c" &
		load_pids+=($!)
	done
}

wait_load() {
	wait "${load_pids[@]}" 2>/dev/null
	load_pids=()
	awk '{ s += $1 } END { printf "%.0f", s }' "$tmp"/churn.*
}

run_ct() {	# $1: tag
	rm -f "$tmp/ct.dat"
	/usr/bin/time -f "%U %S %e" -o "$tmp/ct.$1.time" \
		"$CT" record --pages -d "$SECS" -o "$tmp/ct.dat" 2>"$tmp/ct.$1.log"
	echo "$?" >"$tmp/ct.$1.rc"
	stat -c %s "$tmp/ct.dat" >"$tmp/ct.$1.size" 2>/dev/null || echo 0 >"$tmp/ct.$1.size"
	rm -f "$tmp/ct.dat"
}

run_perf() {	# $1: tag
	rm -f "$tmp/perf.data"
	/usr/bin/time -f "%U %S %e" -o "$tmp/perf.$1.time" \
		perf record -a "${EVENTS[@]}" -o "$tmp/perf.data" -- sleep "$SECS" \
		>"$tmp/perf.$1.log" 2>&1
	stat -c %s "$tmp/perf.data" >"$tmp/perf.$1.size" 2>/dev/null || echo 0 >"$tmp/perf.$1.size"
	# samples and lost samples, summed over the events (perf report --stats)
	perf report -i "$tmp/perf.data" --stats 2>/dev/null | awk '
		/^Aggregated stats:/ { agg = 1; next }
		agg && / stats:$/ { agg = 0 }
		!agg && /^ *SAMPLE events:/ { s += $3 }
		!agg && /^ *LOST_SAMPLES events:/ { l += $3 }
		END { printf "%d %d\n", s, l }' >"$tmp/perf.$1.counts"
	rm -f "$tmp/perf.data"
}

mib() { awk -v b="$1" 'BEGIN { printf "%.0f MiB", b / 1048576 }'; }

report_ct() {	# $1: tag
	local log=$tmp/ct.$1.log events lost rec_cpu
	read -r u s e <"$tmp/ct.$1.time"
	events=$(sed -n 's/^  events   \([0-9]*\).*/\1/p' "$log")
	lost=$(sed -n 's/^  lost     \([0-9]*\).*/\1/p' "$log")
	rec_cpu=$(sed -n 's/^  cpu      \(.*\) while recording \(.*\)/\1 \2/p' "$log")
	printf "  compactrace record: exit %s, %s events (%.2f M/s), lost %s, file %s\n" \
		"$(cat "$tmp/ct.$1.rc")" "${events:-?}" "$(awk -v n="${events:-0}" -v s="$SECS" 'BEGIN { print n / s / 1e6 }')" \
		"${lost:-?}" "$(mib "$(cat "$tmp/ct.$1.size")")"
	printf "      CPU while recording: %s\n" "${rec_cpu:-?}"
	printf "      whole process: %.2f s user + %.2f s system, %.1f s wall (includes the start/end\n" "$u" "$s" "$e"
	printf "      snapshots, copying the data into the file and reading it back for the summary)\n"
	grep -q "^  lost     0 " "$log" || grep "^  lost" "$log" | sed 's/^/      /'
}

report_perf() {	# $1: tag
	local samples lost
	read -r u s e <"$tmp/perf.$1.time"
	read -r samples lost <"$tmp/perf.$1.counts"
	printf "  perf record -a:     %s samples (%.2f M/s), lost %s (%.1f%%), file %s\n" "$samples" \
		"$(awk -v n="$samples" -v s="$SECS" 'BEGIN { print n / s / 1e6 }')" "$lost" \
		"$(awk -v a="$samples" -v l="$lost" 'BEGIN { print (a + l) ? 100 * l / (a + l) : 0 }')" \
		"$(mib "$(cat "$tmp/perf.$1.size")")"
	printf "      whole process: %.2f s user + %.2f s system, %.1f s wall (perf also reads the\n" "$u" "$s" "$e"
	printf "      file back at the end for build-ids)\n"
}

echo "bench_record: $NCPU CPUs, $(uname -r), $SECS s per run, churn on every CPU"
echo "events: ${EVENTS[*]//-e /}"

if [ "$MODE" = together ] || [ "$MODE" = all ]; then
	echo
	echo "== together: both recorders on the same workload at the same time =="
	start_load $((SECS + 3))
	sleep 1
	run_ct together &
	ct_pid=$!
	run_perf together &
	perf_pid=$!
	wait "$ct_pid" "$perf_pid"
	pages=$(wait_load)
	echo "  workload: $pages pages/s mapped and unmapped (averaged over the churn's whole run)"
	report_ct together
	report_perf together
fi

if [ "$MODE" = alone ] || [ "$MODE" = all ]; then
	for who in ct perf; do
		echo
		echo "== alone: $who =="
		start_load $((SECS + 3))
		sleep 1
		if [ "$who" = ct ]; then run_ct alone; else run_perf alone; fi
		pages=$(wait_load)
		echo "  workload: $pages pages/s mapped and unmapped"
		if [ "$who" = ct ]; then report_ct alone; else report_perf alone; fi
	done
fi
