/*
 * check_proc.h — what both check runners need around child processes:
 * the run's settings, a monotonic clock, signal names, spotting sanitizer
 * reports in a child's stderr, and the terminal progress line (internal).
 */
#ifndef ETWHF_CHECK_PROC_H
#define ETWHF_CHECK_PROC_H

#include <stddef.h>
#include <stdint.h>

#include "check_case.h"
#include "check_split.h"
#include "check_tally.h"

struct check_run {
    const struct check_corpus *corpus;
    struct check_tally *tally;
    const size_t *selected;  /* case indexes to run, ascending */
    size_t nselected;
    unsigned modes;          /* CHECK_MODE_BIT(recover) | CHECK_MODE_BIT(strict) */
    unsigned jobs;
    uint64_t timeout_ms;     /* per decode of one case in one mode */
    int strict_codes;        /* external: read `code` too */
    int all_heap_events;     /* external: read HeapAlloc / HeapReAlloc lines, compare heap_events */
    const struct check_cmd *cmd; /* external decoder, NULL in-process */
    int progress;            /* print a progress line on stderr */
    uint64_t last_progress_ms;
    char err[512];           /* why the run stopped (exit 3) */
};

/* Return values of the runners besides 0 (all selected cases ran). */
#define CHECK_RUN_IO (-1)          /* r->err says why */
#define CHECK_RUN_INTERRUPTED (-2) /* SIGINT: every child was killed */

uint64_t check_now_ms(void);
/* "SIGSEGV", or "signal 42". */
const char *check_signal_name(int sig, char *buf, size_t len);

/* Finds the first line of a sanitizer report in a stream of stderr bytes
 * fed in any chunking. */
struct check_errscan {
    char line[512];  /* the current line's start */
    size_t len;
    int found;
    char report[160]; /* the sanitizer line, when found */
    char first[160];  /* the first line of stderr, for failure messages */
};
void check_errscan_reset(struct check_errscan *s);
void check_errscan_feed(struct check_errscan *s, const char *buf, size_t n);
/* Ends the stream (a last line without newline is scanned). */
void check_errscan_end(struct check_errscan *s);

/* One non-blocking read from a child's pipe: the byte count, 0 when nothing
 * is there now, -1 at end of file (then *fd is closed and set to -1). */
long check_pipe_read(int *fd, void *buf, size_t cap);
/* Reads a child's stderr pipe as far as it goes, into the scanner. */
void check_errscan_drain(int *fd, struct check_errscan *s);

/* Redraws the progress line at most every 200 ms (or now when force). */
void check_progress(struct check_run *r, int force);
/* Erases the progress line. */
void check_progress_done(struct check_run *r);

#endif
