#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# ground_truth.sh - independent tallies of a compaction trace, with awk.
#
# usage: ground_truth.sh FILE   (ftrace text, trace-cmd report text or perf
#                                script text; FILE.xz is decompressed)
#
# Prints "key value" lines, sorted keys, LC_ALL=C:
#   event.<name>                     events per tracepoint (system: prefix
#                                    removed, so all three formats compare)
#   lost_events                      ftrace: written - in-buffer from the
#                                    header; trace-cmd: Σ "[N EVENTS DROPPED]";
#                                    perf script text carries no count: "n/a"
#   sum_migrate_scanned              Σ nr_scanned, isolate_migratepages
#                                      (vmstat compact_migrate_scanned >= this)
#   sum_free_scanned                 Σ nr_scanned, isolate_freepages +
#                                      fast_isolate_freepages (= compact_free_scanned)
#   sum_isolated                     Σ nr_taken of those three (= compact_isolated)
#   count_try_to_compact_pages       (compact_stall >= this)
#   count_kcompactd_wake             (= compact_daemon_wake)
#   sum_kcompactd_migrate_scanned    the same sums over kcompactd* tasks only
#   sum_kcompactd_free_scanned         (compact_daemon_migrate/free_scanned)
#
# The event name is the token after the timestamp ("123.456789:"), which is
# where ftrace, trace-cmd report and perf script all print it.
set -euo pipefail
export LC_ALL=C

if [ $# -ne 1 ]; then
	echo "usage: $0 TRACE-TEXT[.xz]" >&2
	exit 2
fi
f=$1
case $f in
*.xz) cat_cmd=(xz -dc -- "$f") ;;
*) cat_cmd=(cat -- "$f") ;;
esac

"${cat_cmd[@]}" | awk '
function field(name,    i) {
	for (i = ev_i + 1; i <= NF; i++)
		if (index($i, name "=") == 1)
			return substr($i, length(name) + 2) + 0
	return 0
}
BEGIN { lost = "n/a" }
/^# entries-in-buffer\/entries-written:/ {
	split($3, ab, "/"); lost = ab[2] - ab[1]; next
}
/EVENTS DROPPED\]/ {
	if (lost == "n/a") lost = 0
	for (i = 1; i <= NF; i++) if ($i ~ /^\[[0-9]+$/) lost += substr($i, 2)
	next
}
/^#/ { next }
{
	ev_i = 0
	for (i = 1; i < NF; i++)
		if ($i ~ /^[0-9]+\.[0-9]+:$/) { ev_i = i + 1; break }
	if (!ev_i) next
	ev = $ev_i
	sub(/:$/, "", ev)
	sub(/^[a-z_]+:/, "", ev)		# perf: compaction:mm_...
	count[ev]++
	kc = 0				# task comm, after any "instance:" prefix
	for (i = 1; i < ev_i - 1; i++)
		if ($i ~ /^kcompactd/) { kc = 1; break }
	if (ev == "mm_compaction_isolate_migratepages") {
		s = field("nr_scanned"); mig += s; if (kc) kmig += s
		taken += field("nr_taken")
	} else if (ev == "mm_compaction_isolate_freepages" ||
		   ev == "mm_compaction_fast_isolate_freepages") {
		s = field("nr_scanned"); fre += s; if (kc) kfre += s
		taken += field("nr_taken")
	}
}
END {
	for (e in count) printf "event.%s %d\n", e, count[e]
	printf "lost_events %s\n", lost
	printf "sum_migrate_scanned %.0f\n", mig
	printf "sum_free_scanned %.0f\n", fre
	printf "sum_isolated %.0f\n", taken
	printf "count_try_to_compact_pages %d\n", count["mm_compaction_try_to_compact_pages"]
	printf "count_kcompactd_wake %d\n", count["mm_compaction_kcompactd_wake"]
	printf "sum_kcompactd_migrate_scanned %.0f\n", kmig
	printf "sum_kcompactd_free_scanned %.0f\n", kfre
}' | sort
