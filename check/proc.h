/*
 * proc.h — what the check runners need around child processes: a
 * monotonic clock, signal names, spotting sanitizer reports in a child's
 * stderr, non-blocking pipe reads (internal).
 */
#ifndef ETWHF_CHECK_PROC_H
#define ETWHF_CHECK_PROC_H

#include <stddef.h>
#include <stdint.h>

uint64_t etwhf__check_now_ms(void);
/* "SIGSEGV", or "signal 42". */
const char *etwhf__check_signal_name(int sig, char *buf, size_t len);

/* Finds the first line of a sanitizer report in a stream of stderr bytes
 * fed in any chunking. */
struct check_errscan {
    char line[512];  /* the current line's start */
    size_t len;
    int found;
    char report[160]; /* the sanitizer line, when found */
    char first[160];  /* the first line of stderr, for failure messages */
    char tail[2048];  /* the last bytes of stderr, NUL-terminated: evidence for the report */
    size_t tail_len;
    int tail_cut;     /* bytes came before the tail */
};
/* The last non-empty line of the tail, into buf. */
void etwhf__check_errscan_last_line(const struct check_errscan *s, char *buf, size_t len);
void etwhf__check_errscan_reset(struct check_errscan *s);
void etwhf__check_errscan_feed(struct check_errscan *s, const char *buf, size_t n);
/* Ends the stream (a last line without newline is scanned). */
void etwhf__check_errscan_end(struct check_errscan *s);

/* One non-blocking read from a child's pipe: the byte count, 0 when nothing
 * is there now, -1 at end of file (then *fd is closed and set to -1). */
long etwhf__check_pipe_read(int *fd, void *buf, size_t cap);
/* Reads a child's stderr pipe as far as it goes, into the scanner. */
void etwhf__check_errscan_drain(int *fd, struct check_errscan *s);

#endif
