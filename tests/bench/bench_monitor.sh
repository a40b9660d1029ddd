#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Benchmark (not a test) of what `compactrace monitor` costs the host:
#
#   tests/bench/bench_monitor.sh [COMPACTRACE] [IDLE_SECS] [LOAD_ROUNDS] [SOAK_SECS]
#
# 1. idle: the monitor's CPU (utime + stime of /proc/PID/stat) over IDLE_SECS
#    (default 120) after a 10 s warm-up (start-up reads /proc/kpageflags once),
#    scraped every 15 s as Prometheus would; goal <= 0.1% of one core;
# 2. load: memory fragmented (ct-fragment -H), then LOAD_ROUNDS (default 5)
#    rounds of heavy direct compaction (ct-direct -x 300 -T 256), with
#    `perf record -a` of the same events running beside it: the monitor's and
#    perf's CPU over the same window, events seen, their ratio; goal <= 2%;
# 3. soak: SOAK_SECS (default 600; README's figures: 3600) with a manual
#    compaction and a burst of fallbacks (ct-extfrag) every 30 s and a scrape
#    every 15 s; the monitor's RSS sampled every 30 s: first, max, last.
#
# Needs root and a built tree (ninja -C build). Takes the live lock
# (/tmp/compactrace-live.lock) and restores the host on exit (workloads
# stopped, their settings restored by themselves, no instance left).
set -u
cd "$(dirname "$0")/../.."
CT=$(realpath "${1:-build/compactrace}")
IDLE=${2:-120}
ROUNDS=${3:-5}
SOAK=${4:-600}
WL=$(dirname "$CT")/samples/workloads
export LC_ALL=C

[ "$(id -u)" = 0 ] || { echo "bench_monitor: needs root" >&2; exit 77; }
[ -x "$CT" ] || { echo "bench_monitor: no compactrace at $CT (build first)" >&2; exit 1; }
for p in ct-fragment ct-direct ct-extfrag; do
	[ -x "$WL/$p" ] || { echo "bench_monitor: $WL/$p not built" >&2; exit 1; }
done
command -v curl >/dev/null || { echo "bench_monitor: curl not installed" >&2; exit 77; }

exec 9>/tmp/compactrace-live.lock
flock 9

tmp=$(mktemp -d /var/tmp/ct-bench-monitor.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	"$WL/ct-direct" -R 2>/dev/null
	"$WL/ct-fragment" -R 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

hz=$(getconf CLK_TCK)
port=$((20000 + RANDOM % 20000))
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
now() { date +%s.%N; }
scrape() { curl -s "http://127.0.0.1:$port/metrics" > "$tmp/last.txt"; }
metric_sum() { awk -v n="$1" '$1 ~ "^"n"({|$)" { s += $2 } END { printf "%d\n", s }' "$tmp/last.txt"; }

"$CT" monitor --listen "127.0.0.1:$port" --by-cgroup 2> "$tmp/monitor.err" &
mon=$!
pids+=("$mon")
sleep 10
grep -q serving "$tmp/monitor.err" || { cat "$tmp/monitor.err"; exit 1; }
echo "monitor pid $mon on 127.0.0.1:$port, $(nproc) CPUs, $(uname -r)"

# ---- 1. idle
c0=$(cpu_ticks "$mon"); t0=$(now); r0=$(rss_kib "$mon")
end=$(( $(date +%s) + IDLE ))
while [ "$(date +%s)" -lt "$end" ]; do scrape; sleep 15; done
c1=$(cpu_ticks "$mon"); t1=$(now)
echo "idle: $(awk -v c=$((c1 - c0)) -v hz="$hz" -v t0="$t0" -v t1="$t1" \
	'BEGIN { printf "%.3f s CPU in %.1f s = %.4f%% of one core", c / hz, t1 - t0, 100 * c / hz / (t1 - t0) }')" \
	"(RSS $r0 KiB)"

# ---- 2. load
"$WL/ct-fragment" -H 3072 -k 256 -m 2048 -P 0 -r "$tmp/frag.ready" 2> "$tmp/frag.err" &
pids+=("$!")
while [ ! -e "$tmp/frag.ready" ]; do sleep 0.5; done
sleep 5
scrape; e0=$(metric_sum compactrace_events_total); s0=$(metric_sum compactrace_direct_stalls_total)
perf_pid=
if command -v perf >/dev/null; then
	perf record -a -q -e 'compaction:*' -e kmem:mm_page_alloc_extfrag -o "$tmp/perf.data" 2> "$tmp/perf.err" &
	perf_pid=$!
	pids+=("$perf_pid")
	sleep 2
	p0=$(cpu_ticks "$perf_pid")
fi
c0=$(cpu_ticks "$mon"); t0=$(now)
for _ in $(seq "$ROUNDS"); do
	"$WL/ct-direct" -x 50 -T 256 -k 128 -d always -e madvise 2>> "$tmp/direct.err"
done
sleep 2
c1=$(cpu_ticks "$mon"); t1=$(now)
[ -n "$perf_pid" ] && p1=$(cpu_ticks "$perf_pid") && kill -INT "$perf_pid" && wait "$perf_pid" 2>/dev/null
scrape; e1=$(metric_sum compactrace_events_total); s1=$(metric_sum compactrace_direct_stalls_total)
echo "load: $ROUNDS rounds of ct-direct, $((s1 - s0)) direct stalls, $((e1 - e0)) events in" \
	"$(awk -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.1f s", t1 - t0 }')"
echo "load: monitor $(awk -v c=$((c1 - c0)) -v hz="$hz" -v t0="$t0" -v t1="$t1" \
	'BEGIN { printf "%.3f s CPU = %.3f%% of one core", c / hz, 100 * c / hz / (t1 - t0) }')"
if [ -n "$perf_pid" ]; then
	echo "load: perf record $(awk -v c=$((p1 - p0)) -v hz="$hz" -v t0="$t0" -v t1="$t1" \
		'BEGIN { printf "%.3f s CPU = %.3f%% of one core", c / hz, 100 * c / hz / (t1 - t0) }')" \
		"(same events; monitor/perf CPU ratio $(awk -v a=$((c1 - c0)) -v b=$((p1 - p0)) \
		'BEGIN { printf "%.2f", b ? a / b : 0 }'))"
fi
kill "${pids[1]}" 2>/dev/null; wait "${pids[1]}" 2>/dev/null

# ---- 3. soak
echo "soak: $SOAK s, RSS every 30 s"
r_first=$(rss_kib "$mon"); r_max=$r_first
start=$(date +%s); next_rss=$start
while [ $(( $(date +%s) - start )) -lt "$SOAK" ]; do
	echo 1 > /proc/sys/vm/compact_memory
	"$WL/ct-extfrag" -t 2 -d "$tmp" 2>/dev/null
	for _ in 1 2; do scrape; sleep 14; done
	r=$(rss_kib "$mon")
	[ "$r" -gt "$r_max" ] && r_max=$r
	echo "  t=$(( $(date +%s) - start ))s RSS $r KiB events $(metric_sum compactrace_events_total)"
done
r_last=$(rss_kib "$mon")
echo "soak: RSS first $r_first KiB, max $r_max KiB, last $r_last KiB"
kill -TERM "$mon"; wait "$mon"
tail -1 "$tmp/monitor.err"
