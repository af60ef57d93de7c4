/*
 * errscan.h — a worker's standard error as the check reads it (internal):
 * the first line (for failure messages), the last bytes (evidence for the
 * report) and the first line of a sanitizer report, found in a stream of
 * bytes fed in any chunking. The pool (pool.h) feeds one per worker.
 */
#ifndef ETWHF_CHECK_ERRSCAN_H
#define ETWHF_CHECK_ERRSCAN_H

#include <stddef.h>

struct check_errscan {
    char line[512]; /* the current line's start */
    size_t len;
    int found;
    char report[160]; /* the sanitizer line, when found */
    char first[160];  /* the first line of stderr, for failure messages */
    char tail[2048];  /* the last bytes of stderr, NUL-terminated: evidence for the report */
    size_t tail_len;
    int tail_cut; /* bytes came before the tail */
};
/* The last non-empty line of the tail, into buf. */
void etwhf__check_errscan_last_line(const struct check_errscan *s, char *buf, size_t len);
void etwhf__check_errscan_reset(struct check_errscan *s);
void etwhf__check_errscan_feed(struct check_errscan *s, const char *buf, size_t n);
/* Ends the stream (a last line without newline is scanned). */
void etwhf__check_errscan_end(struct check_errscan *s);

#endif
