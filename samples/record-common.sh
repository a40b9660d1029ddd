# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# record-common.sh - sourced by record-pages.sh and record-estimated.sh:
# their log, their traps and the wait for compaction to go quiet. The
# sourcing script sets $out (the output directory) and defines cleanup().

# find_tools NAME BUILDDIR: $ct and $wl (the workloads) of that build, or exit naming NAME
find_tools() {
	local build p
	build=$(cd "$2" && pwd)
	ct=$build/compactrace
	wl=$build/samples/workloads
	for p in "$ct" "$wl/ct-fragment" "$wl/ct-direct"; do
		[ -x "$p" ] || { echo "$1: $p not built; use -B" >&2; exit 1; }
	done
}

# shellcheck disable=SC2154
log() { echo "[$(date +%T.%N | cut -c1-12)] $*" | tee -a "$out/record.log" >&2; }

# cleanup() on every exit; a signal becomes an exit (so it runs) with the shell's status for it
traps_run_cleanup() {
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
}

# Wait until /proc/vmstat's compact_* counters have not moved for $1 s (max 120 s).
wait_quiet() {
	local still=0 waited=0 prev cur
	prev=$(grep '^compact_' /proc/vmstat)
	while [ "$still" -lt "$1" ] && [ "$waited" -lt 120 ]; do
		sleep 1
		waited=$((waited + 1))
		cur=$(grep '^compact_' /proc/vmstat)
		if [ "$cur" = "$prev" ]; then still=$((still + 1)); else still=0; prev=$cur; fi
	done
	log "compaction quiet for $still s (waited $waited s)"
}

# start_ready FILE COMMAND...: run COMMAND (output to the log) in the background, its pid in
# $started, and wait until it creates FILE (its -r); 1 if it exits first
start_ready() {
	local ready=$1
	shift
	rm -f "$ready"
	"$@" >>"$out/record.log" 2>&1 &
	started=$!
	while [ ! -e "$ready" ]; do
		kill -0 "$started" 2>/dev/null || { log "ERROR: $1 exited early"; return 1; }
		sleep 0.5
	done
}
