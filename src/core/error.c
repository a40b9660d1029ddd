// SPDX-License-Identifier: GPL-2.0-or-later
#include "compactrace/error.h"

#define _CT(code, str) str,
static const char *const ct_error_strings[] = { CT_ERRORS };
#undef _CT

const char *ct_strerror(int err)
{
	if (err > 0)
		err = -err;
	if (-err >= CT_E_COUNT)
		return "unknown error";
	return ct_error_strings[-err];
}
