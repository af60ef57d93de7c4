/*
 * proc.h — what the check runners need around child processes: a
 * monotonic clock, signal names, spotting sanitizer reports in a child's
 * stderr, non-blocking pipe reads, starting commands, waking on SIGCHLD
 * (internal).
 */
#ifndef ETWHF_CHECK_PROC_H
#define ETWHF_CHECK_PROC_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

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

/* The checker's environment without the ETWHF_* variables the per-process
 * protocol sets per run (docs/spec/check-protocol.md §3.2): a NULL-ended
 * array of environ's own strings (free the array only), its length in *n;
 * NULL when memory runs out. */
char **etwhf__check_base_env(size_t *n);

/* Starts argv in a process group of its own, with standard input from in_r
 * (-1: /dev/null) and standard output and error into out_w and err_w, the
 * signals a shell would reset at their defaults. 0 or an errno value. */
int etwhf__check_spawn(char **argv, char **envp, int in_r, int out_w, int err_w, pid_t *pid);

/* While installed, SIGCHLD writes a byte to a pipe that etwhf__check_chld_fd()
 * reads, so poll() wakes the moment a child exits. install saves the
 * caller's handler in *old (restored by remove, whatever install did);
 * clear empties the pipe. */
int etwhf__check_chld_install(struct sigaction *old);
void etwhf__check_chld_remove(const struct sigaction *old);
int etwhf__check_chld_fd(void);
void etwhf__check_chld_clear(void);

#endif
