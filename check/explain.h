/*
 * explain.h — a case's evidence for people (internal): what the decoder
 * reported, laid beside the manifest's expectation, for the text report and
 * `etwhf check --explain` (explain.c).
 *
 * What the decoder reported is known again after the run: a command's kept
 * output (tally.h, check_evidence) is parsed as the run parsed it; etwhf's
 * own decoder, deterministic, decodes the case again.
 */
#ifndef ETWHF_CHECK_EXPLAIN_H
#define ETWHF_CHECK_EXPLAIN_H

#include <stdio.h>

#include "compare.h"
#include "etwhf/check.h"

/* What the decoder reported for case idx in mode: ETWHF_OK; ETWHF_EINVAL
 * when a command's output for it was not kept, ETWHF_EIO when the case file
 * cannot be read, or the decoder's status when etwhf's own failed. */
int etwhf__check_reobserve(const struct etwhf_check_result *r, size_t idx, int mode, struct check_observed *o);

/* Expected and got, row beside row: the events around the first that
 * differs, then verdict, codes and counts. */
void etwhf__check_side_by_side(FILE *f, const struct etwhf_check_result *r, size_t idx, int mode);

/* The kept stderr of a run, its last lines, indented; nothing when empty. */
void etwhf__check_put_stderr(FILE *f, const char *indent, const char *err, int cut, size_t max_lines);

/* Line n (1-based) of a kept output, or NULL; *len its length. */
const char *etwhf__check_output_line(const char *out, size_t out_len, size_t n, size_t *len);

#endif
