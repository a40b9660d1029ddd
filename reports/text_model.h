/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CT_REPORTS_TEXT_MODEL_H
#define CT_REPORTS_TEXT_MODEL_H

#include <stdio.h>

#include "compactrace/report.h"

/** ct_text_model() - the shadow buddy model's section of the text report; returns 0 */
int ct_text_model(FILE *out, const struct ct_report_input *in);

#endif
