#!/bin/bash
# Run one libFuzzer harness: replay its regressions, then fuzz. Prints one
# summary line; exits 1 on a crash, a leak, a timeout or running out of
# memory (the input is saved under BUILD_DIR/artifacts/HARNESS/).
# Usage: fuzz-one.sh EXE HARNESS BUDGET SRC_DIR BUILD_DIR [LIBFUZZER_ARGS...]
#   BUDGET SECONDS     random seed, for SECONDS, from the seeds
#                      (BUILD_DIR/seeds/HARNESS, made by seeds.sh) into a
#                      corpus that grows across runs (BUILD_DIR/corpus/HARNESS):
#                      tests/fuzz/run.sh, the long search
#          RUNS@SEED   exactly RUNS inputs from libFuzzer seed SEED, from the
#                      seeds alone into a scratch corpus removed afterwards,
#                      no compared values as mutations, address-space
#                      randomization off: the same commit runs the same
#                      inputs and gets the same verdict (the meson test, so CI)
# Environment: CT_FUZZ_TIMEOUT seconds per input (default 10), CT_FUZZ_RSS_MB (2048).
set -u
exe=$1 h=$2 budget=$3 srcdir=$4 builddir=$5
shift 5
corpus=$builddir/corpus/$h
seeds=$builddir/seeds/$h
artifacts=$builddir/artifacts/$h
log=$builddir/fuzz-$h.log
mkdir -p "$corpus" "$seeds" "$artifacts"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$srcdir/../binary/lsan.supp}

# every crasher found so far must still pass
regressions=()
for f in "$srcdir/regressions/$h"/*; do
	[ -f "$f" ] && regressions+=("$f")
done
if [ ${#regressions[@]} -gt 0 ]; then
	if ! "$exe" -rss_limit_mb="${CT_FUZZ_RSS_MB:-2048}" -timeout="${CT_FUZZ_TIMEOUT:-10}" \
		"${regressions[@]}" >"$log" 2>&1; then
		tail -40 "$log"
		echo "fuzz_$h: a regression input fails again (log: $log)"
		exit 1
	fi
fi

run=()
if [[ $budget == *@* ]]; then
	# Deterministic: libFuzzer's choices depend only on its seed, the inputs
	# and the coverage they reach. Not on compared values (-use_cmp=0): some
	# are heap addresses, which differ from run to run even with address-
	# space randomization off, and they made two runs of the same commit
	# try different inputs after a few hundred. Not on time (-timeout=0):
	# how slow an input is depends on the machine's load, and the timer's
	# SIGALRM interrupts system calls (an EINTR retry is new coverage). A
	# hang still fails: the meson test has a timeout.
	scratch=$(mktemp -d "$builddir/scratch-$h.XXXXXX")
	trap 'rm -rf "$scratch"' EXIT
	fuzz_args=(-runs="${budget%@*}" -seed="${budget#*@}" -use_cmp=0 -timeout=0)
	dirs=("$scratch" "$seeds")
	setarch "$(uname -m)" -R true 2>/dev/null && run=(setarch "$(uname -m)" -R)
	what="${budget%@*} runs from seed ${budget#*@}"
else
	fuzz_args=(-max_total_time="$budget")
	dirs=("$corpus" "$seeds")
	what="$budget s"
fi

before=$(ls "$artifacts" | wc -l)
began=$SECONDS
"${run[@]}" "$exe" -timeout="${CT_FUZZ_TIMEOUT:-10}" "${fuzz_args[@]}" \
	-rss_limit_mb="${CT_FUZZ_RSS_MB:-2048}" -dict="$srcdir/compactrace.dict" \
	-artifact_prefix="$artifacts/" -print_final_stats=1 "$@" "${dirs[@]}" >"$log" 2>&1
status=$?
took=$((SECONDS - began))
after=$(ls "$artifacts" | wc -l)
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1)
summary=$(printf 'fuzz_%s (%s): %s executions in %s s (%s exec/s), %s, corpus %s files, peak rss %s MB, crashes %d' \
	"$h" "$what" "${execs:-?}" "$took" "${rate:-?}" "${cov:-cov: ?}" "$(ls "${dirs[0]}" | wc -l)" "${rss:-?}" \
	$((after - before)))
echo "$summary"
echo "$(date -u +%FT%TZ) $summary" >>"$builddir/fuzz-history.log"	# README.md's figures
if [ $status -ne 0 ] || [ "$after" -ne "$before" ]; then
	grep -m1 -A30 -E 'ERROR: |runtime error|fuzz check failed|out-of-memory|timeout' "$log" || tail -20 "$log"
	echo "fuzz_$h: crashed (exit $status); inputs in $artifacts, log $log"
	exit 1
fi
exit 0
