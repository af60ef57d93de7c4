/*
 * decode_output.h — the lines `etwhf decode` prints (docs/spec/output.md §2): events,
 * diagnostics and summaries as JSON Lines, CSV or aligned text (internal).
 *
 * Where each kind goes: jsonl puts everything on standard output in walk
 * order; csv and text put events on standard output and diagnostics and
 * summaries on standard error (csv as JSON lines, text as sentences).
 * The event path is hand-written (memcpy of constant pieces, digit tables)
 * because it has to keep up with ≥10 M events/s.
 */
#ifndef ETWHF_CLI_DECODE_OUTPUT_H
#define ETWHF_CLI_DECODE_OUTPUT_H

#include <stddef.h>

#include "etwhf/decode.h"
#include "outbuf.h"
#include "wallclock.h"

enum etwhf_line_format { ETWHF_LINES_JSONL = 0, ETWHF_LINES_CSV = 1, ETWHF_LINES_TEXT = 2 };

struct etwhf_decode_output {
    int format;                          /* enum etwhf_line_format */
    struct etwhf_out *out;               /* events (and jsonl diagnostics, summaries) */
    struct etwhf_out *err;               /* csv/text diagnostics and summaries */
    const char *label;                   /* the file for people ("standard input" for -), printed as it is:
                              * the caller escapes it (untrusted.h) */
    const struct etwhf_wallclock *clock; /* NULL: raw clock values */
    /* Set by etwhf_decode_output_file(): */
    int several;       /* more than one FILE: every line names its file */
    char *json_prefix; /* `{` or `{"file":"NAME",` */
    size_t json_prefix_len;
    char *csv_file; /* the CSV file cell, empty with one FILE */
    size_t csv_file_len;
};

void etwhf_decode_output_init(struct etwhf_decode_output *o, int format, struct etwhf_out *out, struct etwhf_out *err);
void etwhf_decode_output_free(struct etwhf_decode_output *o);
/* Starts a file: `name` is the FILE operand as given, named in every line
 * when `several`; label names it for people. 0, or -1 when out of memory. */
int etwhf_decode_output_file(struct etwhf_decode_output *o, const char *name, const char *label, int several);

/* The CSV header row (once per run; nothing for other formats). */
void etwhf_decode_output_header(struct etwhf_decode_output *o);
void etwhf_decode_output_event(struct etwhf_decode_output *o, const struct etwhf_event *ev);
void etwhf_decode_output_diag(struct etwhf_decode_output *o, const struct etwhf_diag *d);
void etwhf_decode_output_summary(struct etwhf_decode_output *o, const struct etwhf_summary *s);

#endif
