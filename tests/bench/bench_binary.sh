#!/bin/bash
# Throughput of compactrace's binary readers against trace-cmd report and
# perf script on the same large capture, measured in one run, one CPU each.
#
# Usage: tests/bench/bench_binary.sh [-b BUILD_DIR] [-s SECONDS] [-k] [-d] [TRACE_DAT PERF_DATA]
#   Without files it records them (root, tracefs, trace-cmd and perf needed):
#   compaction:* and kmem:mm_page_alloc_extfrag plus kmem:mm_page_alloc and
#   kmem:mm_page_free for volume, in its own tracefs instance and with perf at
#   the same time, while two page-churn loops run for SECONDS (default 15) and
#   memory is compacted once. Files go to $TMPDIR/ctbench.XXXX, removed at the
#   end unless -k. The trace.dat (trace-cmd 3.x writes zstd-compressed v7) is
#   also converted to an uncompressed v7 copy. With -d the perf.data is the one
#   issue 18 states its goal on: `perf record -a -e 'compaction:*' -e
#   kmem:mm_page_alloc -e kmem:mm_page_free` with perf's own default ring
#   buffers (smaller rounds; it may lose events: they are counted), not -m 16M.
# Prints events/s of ct_bench_source (ct_source_next over the whole file),
# trace-cmd report > /dev/null and perf script > /dev/null, and peak RSS
# (from /usr/bin/time -v).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$root/build
secs=15
keep=0
perf_default=0
while getopts b:s:kd o; do
	case $o in
	b) build=$(cd "$OPTARG" && pwd) ;;
	s) secs=$OPTARG ;;
	k) keep=1 ;;
	d) perf_default=1 ;;
	*) sed -n '2,20p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
export LC_ALL=C
for t in trace-cmd perf /usr/bin/time taskset; do
	command -v $t >/dev/null || { echo "bench_binary: $t is needed" >&2; exit 2; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/ctbench.XXXXXX")
T=/sys/kernel/tracing
inst=ctbench-$$
mounted=0
cleanup() {
	if [ -d "$T/instances/$inst" ]; then
		echo 0 > "$T/instances/$inst/events/enable" || true
		rmdir "$T/instances/$inst" || true
	fi
	[ $keep = 1 ] && echo "kept $work" || rm -rf "$work"
	# tracefs as found: unmounted again if this script mounted it
	[ "$mounted" = 1 ] && umount "$T" || true
}
trap cleanup EXIT

bench=$build/tests/bench/ct_bench_source
churn=$build/tests/bench/ct_churn
if [ ! -x "$bench" ]; then
	# tests/bench is not in this build: link the program against its libraries
	bench=$work/ct_bench_source
	cc -O2 -std=gnu11 -I"$root/include" -o "$bench" "$here/ct_bench_source.c" \
		"$build/parsers/libct_parsers.a" "$build/src/libct_core.a" \
		$(pkg-config --libs libtraceevent libzstd zlib 2>/dev/null || echo -ltraceevent)
fi
[ -x "$churn" ] || { churn=$work/ct_churn; cc -O2 -o "$churn" "$here/ct_churn.c"; }

if [ $# -eq 2 ]; then
	dat=$1
	pdata=$2
else
	[ "$(id -u)" = 0 ] || { echo "bench_binary: recording needs root" >&2; exit 2; }
	[ -d $T/instances ] || { mount -t tracefs nodev $T && mounted=1; }
	echo "recording ${secs}s of page churn + one manual compaction ..."
	mkdir "$T/instances/$inst"
	echo 262144 > "$T/instances/$inst/buffer_size_kb"	# per CPU: nothing is overwritten
	for e in compaction kmem/mm_page_alloc_extfrag kmem/mm_page_alloc kmem/mm_page_free; do
		echo 1 > "$T/instances/$inst/events/$e/enable"
	done
	perf_args=(-m 16M -e 'compaction:*' -e kmem:mm_page_alloc_extfrag -e kmem:mm_page_alloc -e kmem:mm_page_free)
	[ $perf_default = 1 ] && perf_args=(-e 'compaction:*' -e kmem:mm_page_alloc -e kmem:mm_page_free)
	perf record -q -a -o "$work/perf.data" "${perf_args[@]}" \
		-- sh -c "$churn $secs 32 & $churn $secs 32 & sleep 1; echo 1 > /proc/sys/vm/compact_memory; wait" \
		>/dev/null 2>"$work/perf-record.log" || { cat "$work/perf-record.log"; exit 1; }
	echo 0 > "$T/instances/$inst/events/enable"
	# without /proc/kallsyms in the file (we never read it): a private mount namespace
	unshare -m sh -c "mount --bind /dev/null /proc/kallsyms && trace-cmd extract -B $inst -o $work/trace.dat" \
		>"$work/extract.log" 2>&1 || { cat "$work/extract.log"; exit 1; }
	[ -d "$T/instances/$inst" ] && rmdir "$T/instances/$inst"
	dat=$work/trace.dat
	pdata=$work/perf.data
fi
trace-cmd convert -i "$dat" --file-version 7 --compression none -o "$work/trace-none.dat" >/dev/null 2>&1
# let writeback of the new files finish before timing anything
sync
sleep 1
ls -l "$dat" "$work/trace-none.dat" "$pdata" | awk '{printf "  %-40s %6.1f MB\n", $NF, $5 / 1048576}'

calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }

# run CMD on CPU 0 under /usr/bin/time -v; sets $wall (s) and $rss (KB), leaves stdout in $out
measure() {
	local t0 t1
	t0=$(date +%s%N)
	taskset -c 0 /usr/bin/time -v "$@" >"$work/out" 2>"$work/time" || { cat "$work/time"; exit 1; }
	t1=$(date +%s%N)
	# time's own "Elapsed" has 10 ms steps: too coarse for our runs
	wall=$(calc "($t1 - $t0) / 1e9")
	rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time")
	out=$(cat "$work/out")
}

ours() {	# ours LABEL FILE: best of three runs (ours take well under a second)
	local events read_s bw=999 br=999 brss=0 i
	for i in 1 2 3; do
		measure "$bench" "$2"
		read_s=$(echo "$out" | sed -n 's/.*read_s=\([0-9.]*\).*/\1/p')
		if [ "$(calc "$wall < $bw")" != 0.000000 ]; then bw=$wall; br=$read_s; brss=$rss; fi
	done
	wall=$bw
	read_s=$br
	rss=$brss
	events=$(echo "$out" | sed -n 's/.*events=\([0-9]*\).*/\1/p')
	printf "%-34s %10s %8.3f %12.0f %12.0f %9s\n" "$1" "$events" "$wall" \
		"$(calc "$events / $wall")" "$(calc "$events / $read_s")" "$rss"
	eval "n_$3=$events; t_$3=$wall"
}

tool() {	# tool LABEL EVENTS CMD...
	local label=$1 events=$2
	shift 2
	measure sh -c "$* > /dev/null"
	printf "%-34s %10s %8.3f %12.0f %12s %9s\n" "$label" "$events" "$wall" \
		"$(calc "$events / $wall")" "-" "$rss"
	tool_t=$wall
}

echo
printf "%-34s %10s %8s %12s %12s %9s\n" "reader (1 CPU)" events wall_s events/s read-only/s maxRSS_KB
ours "ct_source_next trace.dat v7 none" "$work/trace-none.dat" none
ours "ct_source_next trace.dat v7 zstd" "$dat" zstd
ours "ct_source_next perf.data" "$pdata" perf
tool "trace-cmd report (v7 none)" "$n_none" trace-cmd report "$work/trace-none.dat"
tr_t=$tool_t
tool "trace-cmd report (v7 zstd)" "$n_zstd" trace-cmd report "$dat"
trz_t=$tool_t
tool "perf script" "$n_perf" perf script -i "$pdata"
ps_t=$tool_t
echo
printf "speed-up vs trace-cmd report: %.1fx (uncompressed), %.1fx (zstd); vs perf script: %.1fx\n" \
	"$(calc "$tr_t / $t_none")" "$(calc "$trz_t / $t_zstd")" "$(calc "$ps_t / $t_perf")"
echo "(events/s counts the whole run, open included; read-only/s is ct_source_next alone)"
