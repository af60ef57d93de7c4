/*
 * fileio.h — opening inputs and reading them in chunks, with the messages
 * and exit codes of docs/spec/output.md §6 (internal).
 *
 * Inputs are streamed (read() in chunks) so standard input, pipes and traces
 * larger than memory all work the same way. SIGINT, SIGTERM or SIGHUP
 * interrupts a blocking open or read: ETWHF_OPEN_INTERRUPTED or
 * ETWHF_READ_INTERRUPTED, and the caller exits 128 + the signal.
 */
#ifndef ETWHF_CLI_FILEIO_H
#define ETWHF_CLI_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

struct etwhf_input_file {
    int fd;
    int owned;         /* 1: close it (not standard input) */
    const char *path;  /* as given; "-" is standard input */
    const char *label; /* for messages: the path, or "standard input" */
};

/* Opens path ("-" = standard input). On failure prints
 * "etwhf CMD: cannot read 'PATH': REASON" (a directory included; the name
 * escaped, untrusted.h) and returns -1; the caller's exit code is then
 * EXIT_IO. ETWHF_OPEN_INTERRUPTED, with no message, when a signal of
 * interrupt.h came while open() waited (a FIFO without a writer). */
#define ETWHF_OPEN_INTERRUPTED (-2)
int etwhf_input_open(struct etwhf_input_file *f, const char *cmd, const char *path);
void etwhf_input_close(struct etwhf_input_file *f);

#define ETWHF_READ_ERROR (-1)
#define ETWHF_READ_INTERRUPTED (-2)
/* Reads up to cap bytes: the count (0 at end of input), ETWHF_READ_ERROR after
 * printing a message naming the file, or ETWHF_READ_INTERRUPTED. */
ssize_t etwhf_input_read(struct etwhf_input_file *f, const char *cmd, void *buf, size_t cap);

/* Chunk size for streaming reads: large enough that read() calls cost
 * nothing next to decoding. */
#define ETWHF_READ_CHUNK (1u << 18)

#endif
