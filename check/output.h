/*
 * output.h — what an external decoder printed, read as the JSON lines of
 * docs/spec/output.md (internal).
 *
 * Only `type`, `heap_handle`, `address`, `source`, `pointer_size`,
 * `severity` are read, and `code` with --strict-codes
 * (docs/spec/check-protocol.md). HeapFree lines
 * are the events; HeapAlloc and HeapReAlloc lines are only counted, and the
 * counts are not compared — unless all_heap (`--all-heap-events`, a project
 * extension): then those lines are read too, with the keys of their type
 * (docs/spec/output.md), and every heap event goes into obs->heap for the manifest's
 * heap_events. Other lines (summary, other types) are ignored. A line that
 * is not a JSON object with a `type`, or an event or diag missing what is
 * read, is itself a disagreement (kind "output").
 */
#ifndef ETWHF_CHECK_OUTPUT_H
#define ETWHF_CHECK_OUTPUT_H

#include <stddef.h>

#include "compare.h"

void etwhf__check_output_parse(const char *out, size_t len, int mode, int strict_codes, int all_heap,
                               struct check_observed *obs, struct check_diff *d);

/* 1 when the output holds nothing but white space. */
int etwhf__check_output_blank(const char *out, size_t len);
struct check_errscan;
/* The difference of a run that exited 1 and printed nothing: failed, with
 * the last line of its stderr (a traceback's says what broke). */
void etwhf__check_exit1_blank(struct check_diff *d, int mode, const struct check_errscan *scan);

#endif
