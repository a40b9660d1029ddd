// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ct-direct - ask for order-9 pages so that tasks stall in direct
 * compaction (try_to_compact_pages).
 *
 * Run it while ct-fragment holds fragmented memory.  Two sources of order-9
 * allocations, both with __GFP_DIRECT_RECLAIM:
 *   1. growing vm.nr_hugepages (hugetlb pool, __GFP_RETRY_MAYFAIL), in steps;
 *   2. faulting MADV_HUGEPAGE anonymous memory under THP defrag=always.
 * With -d defer (and -n 0) the THP faults do not stall but wake kswapd and
 * kcompactd instead, which is how the kcompactd sample is made.
 *
 * Every setting it changes (nr_hugepages, THP enabled/defrag, optionally
 * compaction_proactiveness) is saved first and restored on every exit path;
 * a SIGKILLed run can be repaired with `ct-direct -R`.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "ct-common.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PROG "ct-direct"
#define HPAGE (2UL << 20)
#define STEP 16
#define NR_HUGEPAGES "/proc/sys/vm/nr_hugepages"
#define THP_ENABLED "/sys/kernel/mm/transparent_hugepage/enabled"
#define THP_DEFRAG "/sys/kernel/mm/transparent_hugepage/defrag"
#define PROACTIVE "/proc/sys/vm/compaction_proactiveness"

static const char *const counters[] = {
	"compact_stall", "compact_fail", "compact_success",
	"compact_daemon_wake", "thp_fault_alloc", "thp_fault_fallback",
};
#define NR_COUNTERS (sizeof(counters) / sizeof(counters[0]))

static void usage(FILE *out)
{
	fprintf(out,
"usage: " PROG " [-n N | -x N] [-T MIB] [-i MSEC] [-d MODE] [-e MODE] [-t SEC]\n"
"                 [-r FILE] [-k MIB] [-P N] | -R\n"
"  -n N     grow vm.nr_hugepages by N, %d at a time (default 400; 0: skip)\n"
"  -x N     grow it by N more than the free order>=9 blocks in buddyinfo,\n"
"           so that about N pages must come from compaction\n"
"  -T MIB   fault MIB of MADV_HUGEPAGE anonymous memory (default 1024; 0: skip)\n"
"  -i MSEC  pause between two THP faults (default 0), so that kswapd and\n"
"           kcompactd go back to sleep and are woken again\n"
"  -d MODE  THP defrag mode during the run (default always; untouched with -T 0)\n"
"  -e MODE  THP enabled mode during the run (default madvise; ditto)\n"
"  -t SEC   hold the memory SEC seconds before releasing it (default 0)\n"
"  -r FILE  create FILE once the memory is allocated (for scripts)\n"
"  -k MIB   never go below MIB of MemAvailable (default 1536)\n"
"  -P N     set vm.compaction_proactiveness to N during the run\n"
"  -R       restore settings a killed run left changed, then exit\n"
"All settings are restored on exit, SIGINT, SIGTERM and SIGHUP.\n", STEP);
}

static long long avail_mib(void)
{
	return ct_meminfo_kb("MemAvailable") / 1024;
}

/* Grow the hugetlb pool by @n pages; returns how many were obtained. */
static long long grow_hugetlb(long long n, long long keep_mib)
{
	long long base = ct_read_ll(NR_HUGEPAGES), want = base, got = base;
	double t0 = ct_now(), worst = 0;

	if (base < 0) {
		fprintf(stderr, PROG ": cannot read " NR_HUGEPAGES "\n");
		return -1;
	}
	while (want < base + n && !ct_stop) {
		char val[32];
		double t;

		if (avail_mib() - 2 * STEP < keep_mib) {
			fprintf(stderr, PROG ": stopping hugetlb growth: "
				"MemAvailable %lld MiB\n", avail_mib());
			break;
		}
		want = want + STEP < base + n ? want + STEP : base + n;
		snprintf(val, sizeof(val), "%lld", want);
		t = ct_now();
		if (ct_setting_set(PROG, NR_HUGEPAGES, val) < 0 && !ct_stop)
			break;
		t = ct_now() - t;
		worst = t > worst ? t : worst;
		got = ct_read_ll(NR_HUGEPAGES);
		if (got < want) {
			fprintf(stderr, PROG ": pool stuck at %lld of %lld\n",
				got, want);
			break;
		}
	}
	fprintf(stderr, PROG ": nr_hugepages %lld -> %lld (asked +%lld) in "
		"%.2f s, slowest step of %d %.3f s\n", base, got, n,
		ct_now() - t0, STEP, worst);
	return got - base;
}

/* Fault @mib of THP-eligible memory; returns the mapping (or NULL). */
static char *fault_thp(size_t mib, size_t *maplen, long long keep_mib,
		       long long interval_ms)
{
	size_t len = mib << 20, i, faulted = 0;
	double t0 = ct_now(), worst = 0;
	char *map, *p;

	*maplen = len + HPAGE;
	map = mmap(NULL, *maplen, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (map == MAP_FAILED) {
		perror(PROG ": mmap");
		return NULL;
	}
	p = (char *)(((uintptr_t)map + HPAGE - 1) & ~(uintptr_t)(HPAGE - 1));
	if (madvise(p, len, MADV_HUGEPAGE) < 0)
		perror(PROG ": madvise(MADV_HUGEPAGE)");
	for (i = 0; i < len && !ct_stop; i += HPAGE) {
		double t;

		if ((i & ((64UL << 20) - 1)) == 0 && avail_mib() < keep_mib) {
			fprintf(stderr, PROG ": stopping THP faults: "
				"MemAvailable %lld MiB\n", avail_mib());
			break;
		}
		t = ct_now();
		p[i] = 1;	/* one fault per 2 MiB: order 9 or fallback */
		t = ct_now() - t;
		worst = t > worst ? t : worst;
		faulted++;
		if (interval_ms > 0)
			usleep((useconds_t)(interval_ms * 1000));
	}
	fprintf(stderr, PROG ": faulted %zu x 2 MiB THP-eligible in %.2f s, "
		"slowest fault %.3f s, AnonHugePages now %lld MiB\n", faulted,
		ct_now() - t0, worst, ct_meminfo_kb("AnonHugePages") / 1024);
	return map;
}

int main(int argc, char **argv)
{
	long long n = 400, thp_mib = 1024, hold = 0, keep_mib = 1536;
	long long proactive = -1, interval_ms = 0, before[NR_COUNTERS];
	const char *defrag = "always", *enabled = "madvise", *ready = NULL;
	size_t maplen = 0, i;
	char *map = NULL;
	int opt;

	while ((opt = getopt(argc, argv, "n:x:T:i:d:e:t:r:k:P:Rh")) != -1) {
		long long v = optarg ? ct_parse_ull(optarg) : 0;

		if (optarg && strchr("nxTitkP", opt) && v < 0) {
			fprintf(stderr, PROG ": bad number for -%c: %s\n", opt,
				optarg);
			return 2;
		}
		switch (opt) {
		case 'n': n = v; break;
		case 'x': n = ct_free_pages_at_least(9) / 512 + v; break;
		case 'T': thp_mib = v; break;
		case 'i': interval_ms = v; break;
		case 'd': defrag = optarg; break;
		case 'e': enabled = optarg; break;
		case 't': hold = v; break;
		case 'r': ready = optarg; break;
		case 'k': keep_mib = v; break;
		case 'P': proactive = v; break;
		case 'R': return ct_restore_from_state(PROG) < 0 ? 1 : 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (avail_mib() - (n * 2 + thp_mib) < keep_mib) {
		fprintf(stderr, PROG ": %lld MiB hugetlb + %lld MiB THP would leave "
			"less than %lld of %lld MiB available\n", n * 2, thp_mib,
			keep_mib, avail_mib());
		return 1;
	}
	ct_install_signals();
	for (i = 0; i < NR_COUNTERS; i++)
		before[i] = ct_vmstat(counters[i]);

	if (thp_mib > 0 && (ct_setting_set(PROG, THP_ENABLED, enabled) < 0 ||
			    ct_setting_set(PROG, THP_DEFRAG, defrag) < 0))
		return 1;	/* atexit restores what was changed */
	if (proactive >= 0) {
		char val[32];

		snprintf(val, sizeof(val), "%lld", proactive);
		if (ct_setting_set(PROG, PROACTIVE, val) < 0)
			return 1;
	}

	if (n > 0)
		grow_hugetlb(n, keep_mib);
	if (thp_mib > 0 && !ct_stop)
		map = fault_thp((size_t)thp_mib, &maplen, keep_mib, interval_ms);
	if (ready && !ct_stop) {
		int fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		if (fd >= 0)
			close(fd);
		else
			perror(ready);
	}
	if (!ct_stop && hold > 0)
		ct_hold(hold);
	if (ct_stop)
		fprintf(stderr, PROG ": signal %d, cleaning up\n", (int)ct_stop);

	if (map)
		munmap(map, maplen);
	ct_settings_restore();	/* shrinks the pool back first */
	for (i = 0; i < NR_COUNTERS; i++)
		fprintf(stderr, PROG ": %s +%lld\n", counters[i],
			ct_vmstat(counters[i]) - before[i]);
	return 0;
}
