#!/bin/bash
# Build the fuzz harnesses with clang (libFuzzer, ASan, UBSan) in build-fuzz/
# and run each for SECONDS (default 60), one after another, from the seeds
# seeds.sh made and the corpus earlier runs grew, with a random seed: the
# long search (CI runs a fixed number of inputs from a fixed seed instead,
# README.md). Prints per harness the
# executions, exec/s, coverage and crashes; exits 1 if any harness crashed.
# Usage: tests/fuzz/run.sh [SECONDS_PER_HARNESS [HARNESS...]]
# Environment: CT_FUZZ_BUILD (default build-fuzz), CT_FUZZ_TIMEOUT (seconds
# per input before it counts as a hang, default 5), CT_FUZZ_RSS_MB (2048).
set -u
cd "$(dirname "$0")/../.."
export LC_ALL=C
seconds=${1:-60}
shift
build=${CT_FUZZ_BUILD:-build-fuzz}
harnesses=("$@")
[ ${#harnesses[@]} -eq 0 ] &&
	harnesses=(ftrace_text trace_cmd_text perf_script trace_dat perf_data snapshot engine)

if ! command -v clang >/dev/null; then
	echo "run.sh: clang is not installed (tests/install-deps.sh installs it)" >&2
	exit 2
fi
if [ ! -f "$build/build.ninja" ]; then
	CC=clang meson setup "$build" -Dfuzzing=true -Db_lundef=false >"$build.setup.log" 2>&1 ||
		{ cat "$build.setup.log"; exit 1; }
fi
ninja -C "$build" >"$build.ninja.log" 2>&1 || { tail -40 "$build.ninja.log"; exit 1; }

export CT_FUZZ_TIMEOUT=${CT_FUZZ_TIMEOUT:-5}
status=0
for h in "${harnesses[@]}"; do
	tests/fuzz/fuzz-one.sh "$build/tests/fuzz/fuzz_$h" "$h" "$seconds" tests/fuzz "$build/tests/fuzz" ||
		status=1
done
exit $status
