// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What model.c and the zone backends (model_est.c, model_exact.c) share:
 * the model's notes and the growth of a run's page lists. Nothing here
 * handles an event.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model_internal.h"

void ct_model_note(struct ct_model *m, const char *fmt, ...)
{
	char buf[CT_MODEL_NOTE_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (uint32_t i = 0; i < m->nnotes; i++)
		if (strcmp(m->notes[i], buf) == 0)
			return;
	if (m->nnotes < CT_MODEL_NOTES)
		memcpy(m->notes[m->nnotes++], buf, sizeof(buf));
}

int run_grow(struct ct_model *m, struct pcp_entry **arr, uint32_t *cap)
{
	uint32_t ncap = *cap ? *cap * 2 : 64;
	struct pcp_entry *a = realloc(*arr, ncap * sizeof(*a));

	if (!a) {
		m->nomem = 1;
		return -CT_E_NOMEM;
	}
	*arr = a;
	*cap = ncap;
	return 0;
}
