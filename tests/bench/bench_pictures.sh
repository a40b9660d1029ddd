#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What the pictures cost: `report -f html` and `-f perfetto` against
# `report -f json` (CPU time, median of 3 runs, one CPU) on every sample
# trace.dat and on a large trace made from a real one; the page's size; and
# how long headless Chromium takes to load and render the large page.
#
# Usage: tests/bench/bench_pictures.sh [-b BUILD_DIR] [-n COPIES]
#   The large trace is samples/traces/direct's ftrace text repeated COPIES
#   times (default 40: about 3.06M events), each copy moved later in time
#   past the previous one, so it is one long capture of real direct
#   compaction (every event a compaction event: the worst case for the
#   series sinks).
# Prints a table and the HTML/JSON ratios; the issue's goal is <= 2.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$root/build
copies=40
while getopts b:n: o; do
	case $o in
	b) build=$(cd "$OPTARG" && pwd) ;;
	n) copies=$OPTARG ;;
	*) sed -n '3,14p' "$0"; exit 2 ;;
	esac
done
export LC_ALL=C
ct=$build/compactrace
[ -x "$ct" ] || { echo "bench_pictures: build compactrace first ($ct)" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/ctbench-pictures.XXXXXX")
trap 'rm -rf "$work"' EXIT

# CPU seconds (user + sys) of one run on CPU 0
cpu() {
	taskset -c 0 /usr/bin/time -f '%U %S' -o "$work/t" "$@" >/dev/null 2>"$work/err" || { cat "$work/err"; exit 1; }
	awk '{ printf "%.3f", $1 + $2 }' "$work/t"
}
median3() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
measure() {	# LABEL ARGS...: sets json, html, perfetto (s), sizes
	local label=$1 j=() h=() p=()
	shift
	for _ in 1 2 3; do
		j+=("$(cpu "$ct" report -f json -o "$work/r.json" "$@")")
		h+=("$(cpu "$ct" report -f html -o "$work/r.html" "$@")")
		p+=("$(cpu "$ct" report -f perfetto -o "$work/r.perfetto.json" "$@")")
	done
	json=$(median3 "${j[@]}")
	html=$(median3 "${h[@]}")
	perfetto=$(median3 "${p[@]}")
	printf "%-28s %10s %8s %8s %8s %7s %7s %10s %12s\n" "$label" "$(python3 -c "import json;print(json.load(open('$work/r.json'))['events'])")" \
		"$json" "$html" "$perfetto" "$(awk "BEGIN{printf \"%.2f\", $html/$json}")" \
		"$(awk "BEGIN{printf \"%.2f\", $perfetto/$json}")" "$(stat -c %s "$work/r.html")" \
		"$(stat -c %s "$work/r.perfetto.json")"
}

printf "%-28s %10s %8s %8s %8s %7s %7s %10s %12s\n" input events json_s html_s perf_s html/j perf/j html_bytes perfetto_bytes
for s in manual direct kcompactd extfrag; do
	d=$root/samples/traces/$s
	measure "$s/trace.dat" --snapshot-start "$d/snapshot-start" --snapshot-end "$d/snapshot-end" "$d/trace.dat"
done

# the large trace: direct's ftrace text, COPIES times, each copy later than the last
xz -dc "$root/samples/traces/direct/trace.ftrace.txt.xz" > "$work/one.txt"
python3 - "$work/one.txt" "$copies" > "$work/big.txt" <<'PY'
import re, sys
lines = [l for l in open(sys.argv[1]) if not l.startswith("#")]
ts = re.compile(r" (\d+)\.(\d{6}): ")
first = last = None
for l in lines:
    m = ts.search(l)
    if m:
        t = int(m.group(1)) * 1000000 + int(m.group(2))
        first = t if first is None else first
        last = t
period = last - first + 1000
out = sys.stdout
for k in range(int(sys.argv[2])):
    shift = k * period
    for l in lines:
        m = ts.search(l)
        t = int(m.group(1)) * 1000000 + int(m.group(2)) + shift
        out.write(l[:m.start()] + " %d.%06d: " % (t // 1000000, t % 1000000) + l[m.end():])
PY
measure "direct x$copies (ftrace text)" "$work/big.txt"
cp "$work/r.html" "$work/big.html"

# Chromium (one browser, through its DevTools protocol): load the page
# (navigate to the load event) and render all of it (a screenshot of the
# whole page), for an empty page and for the large trace's; medians of 3
if command -v chromium >/dev/null; then
	echo '<!DOCTYPE html><title>empty</title>' > "$work/empty.html"
	echo
	/usr/bin/python3 - "$work" "$root/tests/pictures" <<'PY'
import statistics, sys, tempfile, time
work, lib = sys.argv[1], sys.argv[2]
sys.path.insert(0, lib)
import check_html as c
with tempfile.TemporaryDirectory() as tmp:
    proc, ws = c.start_chromium(tmp)
    try:
        page = c.Page(ws)
        page.call("Page.enable")
        page.call("Emulation.setDeviceMetricsOverride", width=1200, height=1000, deviceScaleFactor=1, mobile=False)
        for name in ("empty.html", "big.html"):
            load, shot = [], []
            for _ in range(3):
                t0 = time.monotonic()
                page.call("Page.navigate", url=f"file://{work}/{name}")
                page.wait_event("Page.loadEventFired")
                t1 = time.monotonic()
                h = page.js("document.documentElement.scrollHeight")
                page.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                          clip={"x": 0, "y": 0, "width": 1200, "height": h, "scale": 1})
                t2 = time.monotonic()
                load.append(t1 - t0)
                shot.append(t2 - t1)
            print(f"chromium {name:10s}: load {statistics.median(load):.2f} s, render all of it "
                  f"({h} px) {statistics.median(shot):.2f} s (wall, medians of 3)")
        page.close()
    finally:
        proc.terminate()
        proc.wait()
PY
	echo "(big.html: the large trace's page, $(stat -c %s "$work/big.html") bytes)"
fi
