#!/bin/bash
# Build compactrace and run every test twice: a normal build and an
# AddressSanitizer + UndefinedBehaviorSanitizer build (any sanitizer report
# fails the test); with clang, also a short pass of every fuzz harness.
# Prints "N passed, N failed, N skipped" last; exits non-zero if anything
# failed.
set -u
cd "$(dirname "$0")/.."
export LC_ALL=C

run_suite() {	# $1 build dir, remaining: meson setup options
	local dir=$1
	shift
	# our own builds treat warnings as errors (users' builds do not); a build
	# dir kept from an earlier run gets today's options too
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" -Dwerror=true "$@" >"$dir.setup.log" 2>&1 || { cat "$dir.setup.log"; return 1; }
	else
		meson configure "$dir" -Dwerror=true "$@" >"$dir.setup.log" 2>&1 || { cat "$dir.setup.log"; return 1; }
	fi
	rm -f "$dir/meson-logs/testlog.json"	# never count a previous run
	ninja -C "$dir" >"$dir.ninja.log" 2>&1 || { tail -50 "$dir.ninja.log"; return 1; }
	meson test -C "$dir" --print-errorlogs --num-processes 2 "${MESON_TEST_ARGS[@]}" || true
}

MESON_TEST_ARGS=()
[ -n "${CT_TEST_SUITES:-}" ] && for s in $CT_TEST_SUITES; do MESON_TEST_ARGS+=(--suite "$s"); done

status=0
run_suite build || status=1
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	run_suite build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug || status=1

# With clang: a third build, every harness of tests/fuzz/ replaying its
# regressions, then running a fixed number of inputs (CT_FUZZ_RUNS each,
# default 1000) from a fixed libFuzzer seed (CT_FUZZ_SEED, default 1): the
# same commit gets the same verdict; a crash fails that harness's test.
logs=(build/meson-logs/testlog.json build-asan/meson-logs/testlog.json)
if command -v clang >/dev/null && { [ -z "${CT_TEST_SUITES:-}" ] || [[ " $CT_TEST_SUITES " == *" fuzz "* ]]; }; then
	saved=("${MESON_TEST_ARGS[@]}")
	MESON_TEST_ARGS=(--suite fuzz)
	CC=clang run_suite build-fuzz -Dfuzzing=true -Db_lundef=false \
		-Dfuzz_runs="${CT_FUZZ_RUNS:-1000}" -Dfuzz_seed="${CT_FUZZ_SEED:-1}" || status=1
	MESON_TEST_ARGS=("${saved[@]}")
	logs+=(build-fuzz/meson-logs/testlog.json)
fi

# Count every test of all builds from meson's own logs.
python3 - "${logs[@]}" <<'PY'
import json, sys
passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        lines = open(path).read().splitlines()
    except OSError:
        failed += 1
        print(f"missing test log {path}: that build failed", file=sys.stderr)
        continue
    for line in lines:
        r = json.loads(line)["result"]
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
PY
py=$?
[ $status -ne 0 ] && exit 1
exit $py
