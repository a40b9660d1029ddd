#!/bin/bash
# Record the small binary captures the tests in tests/binary/ read.
# Needs root, tracefs, trace-cmd and perf. Events are enabled only in this
# script's own tracefs instances, which are removed again; no sysctl,
# nr_hugepages or top-level tracefs setting is changed.
# Usage: samples/binary/make-samples.sh [OUTDIR]   (default: this directory)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
T=/sys/kernel/tracing
[ -d $T/instances ] || mount -t tracefs nodev $T
work=$(mktemp -d)
inst=()
cleanup() {
	for i in "${inst[@]}"; do
		[ -d "$T/instances/$i" ] && { echo 0 > "$T/instances/$i/events/enable"; rmdir "$T/instances/$i"; }
	done
	rm -rf "$work"
}
trap cleanup EXIT
cc -O2 -o "$work/churn" "$here/../../tests/bench/ct_churn.c"

compact() { echo 1 > /proc/sys/vm/compact_memory; }

# trace-cmd extract without /proc/kallsyms (5 MB we never read): a private mount namespace
extract() {	# extract OUT -B name...
	local o=$1
	shift
	unshare -m sh -c "mount --bind /dev/null /proc/kallsyms && trace-cmd extract $* -o $o" >/dev/null 2>&1
}

newinst() {	# newinst NAME: a fresh instance, recorded for cleanup
	mkdir "$T/instances/$1"
	inst+=("$1")
}

# 1. one instance, manual compaction: v7 zstd (trace-cmd 3.x's default). The tests
#    derive uncompressed v7 and v6 copies with trace-cmd convert (all of the
#    kernel's event formats are in a trace.dat: uncompressed it is over 1 MB).
a=ctbin-$$-a
newinst $a
echo 1 > $T/instances/$a/events/compaction/enable
echo 1 > $T/instances/$a/events/kmem/mm_page_alloc_extfrag/enable
compact
sleep 0.2
echo 0 > $T/instances/$a/events/enable
extract "$out/compact-v7-zstd.dat" -B $a

# 2. two instances; the second with a tiny ring buffer overflows (lost events) under page churn
b=ctbin-$$-b
c=ctbin-$$-c
newinst $b
newinst $c
echo 1 > $T/instances/$b/events/compaction/enable
echo 1 > $T/instances/$b/events/kmem/mm_page_alloc_extfrag/enable
echo 16 > $T/instances/$c/buffer_size_kb
echo 1 > $T/instances/$c/events/kmem/mm_page_alloc/enable
echo 1 > $T/instances/$c/events/compaction/mm_compaction_begin/enable
echo 1 > $T/instances/$c/events/compaction/mm_compaction_end/enable
"$work/churn" 0.3 8 >/dev/null &
compact
wait
echo 0 > $T/instances/$b/events/enable
echo 0 > $T/instances/$c/events/enable
extract "$out/multi-lost.dat" -B $b -B $c

# 3. perf.data: -a; without -a; -a -g; pipe mode; -z; page events on both CPUs; no tracepoints
# (no --max-size: on reaching it perf terminates the workload's whole process group)
E="-e compaction:* -e kmem:mm_page_alloc_extfrag"
P="perf record -q"
rm -f "$out"/*.perf.data
$P $E -a -o "$out/compact-a.perf.data" -- sh -c 'echo 1 > /proc/sys/vm/compact_memory'
$P $E -o "$out/compact-noa.perf.data" -- sh -c 'echo 1 > /proc/sys/vm/compact_memory'
# callchains double a sample: fewer event types, several attrs all the same
$P -g -e compaction:mm_compaction_begin -e compaction:mm_compaction_end \
	-e compaction:mm_compaction_migratepages -e compaction:mm_compaction_kcompactd_wake \
	-a -o "$out/compact-g.perf.data" -- sh -c 'echo 1 > /proc/sys/vm/compact_memory'
$P $E -a -o - -- sh -c 'echo 1 > /proc/sys/vm/compact_memory' > "$out/compact-pipe.perf.data"
$P -z $E -a -o "$out/compact-z.perf.data" -- sh -c 'echo 1 > /proc/sys/vm/compact_memory'
$P -e kmem:mm_page_alloc -e compaction:mm_compaction_begin -e compaction:mm_compaction_end -a \
	-o "$out/churn-2cpu.perf.data" -- \
	sh -c "taskset -c 0 $work/churn 0.05 1 & taskset -c 1 $work/churn 0.05 1 & wait; echo 1 > /proc/sys/vm/compact_memory" >/dev/null
$P -e cpu-clock -a -o "$out/no-tracepoints.perf.data" -- sleep 0.1
rm -f "$out"/*.perf.data.old
ls -l "$out"
