/*
 * check_report.h — the report of `etwhf check`: totals, the cases that did
 * not agree grouped by fault, by header form and by field, and the first
 * few in detail; as text for people or as one JSON object (internal).
 */
#ifndef ETWHF_CHECK_REPORT_H
#define ETWHF_CHECK_REPORT_H

#include <stdio.h>

#include "check_proc.h"

struct check_report {
    const struct check_run *run;
    const char *decoder;  /* "in-process" or the --decoder text */
    double seconds;
    size_t sampled_from;  /* cases in the manifest (nselected may be fewer) */
};

/* 0, or -1 when writing failed. */
int check_report_text(FILE *f, const struct check_report *rep);
int check_report_json(FILE *f, const struct check_report *rep);

#endif
