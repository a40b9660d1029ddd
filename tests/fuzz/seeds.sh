#!/bin/bash
# Build small seed corpora for the fuzz harnesses from samples/ into OUT_DIR,
# one folder per harness: the first lines (and a slice from the middle) of
# each text trace, the small binary files of samples/binary/, synthetic
# trace.dat files, the snapshot files, and the sample events in
# fuzz_engine's encoding. Nothing here is committed; it is rebuilt at will.
# Usage: seeds.sh OUT_DIR [MAKE_SEEDS [STAMP]]  (MAKE_SEEDS: the helper
# program the fuzzing build makes; without it the synthetic seeds are left out)
set -eu
out=$1
make_seeds=${2:-}
stamp=${3:-}
src=$(cd "$(dirname "$0")/../.." && pwd)
traces=$src/samples/traces
lines=100	# lines per text seed: events of every kind, still small
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

rm -rf "$out"
for h in ftrace_text trace_cmd_text perf_script trace_dat perf_data snapshot engine hugepages; do
	mkdir -p "$out/$h"
done

# text: the trace, decompressed when it is .xz, cut into a head and a middle slice
text() {	# $1 sample file without .xz; prints its text
	if [ -f "$1" ]; then cat "$1"; else xz -dc "$1.xz"; fi
}
for s in manual direct kcompactd extfrag; do
	for f in ftrace.txt:ftrace_text trace-cmd.txt:trace_cmd_text perf-script.txt:perf_script; do
		name=${f%%:*} h=${f##*:}
		[ -f "$traces/$s/trace.$name" ] || [ -f "$traces/$s/trace.$name.xz" ] || continue
		text "$traces/$s/trace.$name" >"$tmp/$s.$name"
		head -n $lines "$tmp/$s.$name" >"$out/$h/$s-head.txt"
		total=$(wc -l <"$tmp/$s.$name")
		mid=$((total / 2))
		# keep the header lines (trace-cmd's "cpus=", ftrace's "# ...") with the slice
		{ grep -m 12 -E '^(#|cpus=)' "$tmp/$s.$name" || true; sed -n "$mid,$((mid + lines))p" "$tmp/$s.$name"; } \
			>"$out/$h/$s-middle.txt"
	done
done
# the parser tests' own small texts
for f in "$src"/tests/parsers/data/*; do
	case $(basename "$f") in
	ftrace_*|trace_pipe*) cp "$f" "$out/ftrace_text/" ;;
	trace_cmd_*) cp "$f" "$out/trace_cmd_text/" ;;
	perf_script*) cp "$f" "$out/perf_script/" ;;
	esac
done

# binary: the small captures (up to 200 KB) as they are
for f in "$src"/samples/binary/*.dat; do
	[ "$(stat -c %s "$f")" -le 204800 ] && cp "$f" "$out/trace_dat/"
done
for f in "$src"/samples/binary/*.perf.data; do
	[ "$(stat -c %s "$f")" -le 102400 ] && cp "$f" "$out/perf_data/"
done
# pipe-mode perf.data is a stream: its first records are a valid shorter file
python3 - "$src/samples/binary/compact-pipe.perf.data" "$out/perf_data/pipe-head.perf.data" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
pos, limit = 16, 48 * 1024		# after the pipe header
while pos + 8 <= len(data):
    typ, misc, size = struct.unpack_from("<IHH", data, pos)
    end = pos + size
    if typ == 66:			# HEADER_TRACING_DATA: its data follows the record
        end += (struct.unpack_from("<I", data, pos + 8)[0] + 7) & ~7
    if size < 8 or end > len(data) or (end > limit and pos > 16):
        break
    pos = end
open(sys.argv[2], "wb").write(data[:pos])
PY

# snapshots: every item of a start and an end directory, and a trace (fuzz_snapshot.c)
snapshot_seed() {	# $1 start dir, $2 end dir, $3 trace text; prints the seed
	for w in start end; do
		[ $w = start ] && d=$1 || d=$2
		for f in "$d"/*; do
			printf '=== %s/%s\n' "$w" "$(basename "$f")"
			cat "$f"
		done
	done
	printf '=== trace\n'
	head -n 60 "$3"
}
for s in manual direct kcompactd extfrag; do
	snapshot_seed "$traces/$s/snapshot-start" "$traces/$s/snapshot-end" "$out/ftrace_text/$s-head.txt" \
		>"$out/snapshot/$s.txt"
done

if [ -n "$make_seeds" ]; then
	"$make_seeds" dat "$src/tests/binary/formats" "$out/trace_dat" "$out/trace_cmd_text" || true
	mkdir -p "$tmp/items" "$tmp/start" "$tmp/end"
	"$make_seeds" items "$tmp/items"
	# a snapshot with record's kpageflags items, and a trace.dat and a perf.data carrying one
	cp "$traces/manual/snapshot-start"/* "$tmp/items"/* "$tmp/start/"
	cp "$traces/manual/snapshot-end"/* "$tmp/end/"
	echo 4096 >"$tmp/start/page-size"
	echo 500 >"$tmp/start/extfrag_threshold"
	echo 6.18.0 >"$tmp/start/osrelease"
	snapshot_seed "$tmp/start" "$tmp/end" "$out/ftrace_text/manual-head.txt" >"$out/snapshot/record-items.txt"
	[ -f "$out/trace_dat/synth-v6-6.18.dat" ] &&
		"$make_seeds" attach "$out/trace_dat/synth-v6-6.18.dat" "$out/trace_dat/synth-attach.dat" \
			"$tmp/start" "$tmp/end"
	"$make_seeds" attach "$src/samples/binary/compact-g.perf.data" "$out/perf_data/compact-g-attach.perf.data" \
		"$tmp/start" "$tmp/end"
	# the engine: each sample's first events, with and without snapshots (header byte)
	for s in manual direct kcompactd extfrag; do
		"$make_seeds" engine "$out/ftrace_text/$s-head.txt" "$out/engine/$s" 150 2
		"$make_seeds" engine "$out/ftrace_text/$s-middle.txt" "$out/engine/$s-middle-nosnap" 150 0
	done
	"$make_seeds" engine "$out/ftrace_text/manual-head.txt" "$out/engine/manual-exact" 150 3
fi
# hugepages: the hand-worked zone of tests/hugepages/test_hugepages_cli.py, as regressions/hugepages/ keeps it
cp "$(dirname "$0")"/regressions/hugepages/* "$out/hugepages/"
[ -n "$stamp" ] && date >"$stamp"
for h in "$out"/*; do
	printf '%-16s %3d seeds, %s\n' "$(basename "$h")" "$(ls "$h" | wc -l)" "$(du -sh "$h" | cut -f1)"
done
