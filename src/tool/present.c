// SPDX-License-Identifier: GPL-2.0-or-later
/* Presentation shared by the subcommands. */
#include "compactrace/error.h"
#include "present.h"

int ct_print_vmstat_lines(FILE *out, const struct ct_vmstat_check *check, const char *file)
{
	for (int i = 0; i < CT_VMSTAT_COUNTERS; i++) {
		const struct ct_vmstat_counter *c = &check->counters[i];

		fprintf(out, "  %-8s %-32s trace %-10llu vmstat %+-10lld %s%s%s\n",
			i ? "" : "vmstat", c->name, (unsigned long long)c->trace,
			(long long)c->vmstat_delta, ct_verdict_name(c->verdict),
			c->reason[0] && c->verdict != CT_VERDICT_EQUAL ? ": " : "",
			c->verdict != CT_VERDICT_EQUAL ? c->reason : "");
	}
	if (check->unexplained)
		fprintf(out, "  %d counter(s) differ for no known reason: see 'compactrace report %s'\n",
			check->unexplained, file);
	return ferror(out) ? -CT_E_WRITE : 0;
}
