/*
 * batch_request.h — the requests `etwhf decode --batch` reads on standard
 * input, one JSON object a line (docs/spec/check-protocol.md §6.2) (internal).
 *
 * A request names a case and how to decode it: `file`, `layer`,
 * `pointer_size`, `event` (payload cases), `mode`. Those keys are read;
 * `args` (the same thing as `etwhf decode` flags) and any unknown key are
 * ignored, so requests may grow.
 */
#ifndef ETWHF_CLI_BATCH_REQUEST_H
#define ETWHF_CLI_BATCH_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "etwhf/decode.h"

struct etwhf_batch_request {
    int has_id; /* id was an integer */
    int64_t id;
    char *file; /* owned */
    int input;  /* enum etwhf_input */
    int mode;   /* enum etwhf_mode */
    unsigned pointer_size;
    uint8_t payload_type; /* ETWHF_HEAP_FREE, _ALLOC or _REALLOC */
};

struct etwhf_batch_reader {
    int fd;
    char *buf;
    size_t len, cap, start; /* buf[start, len) not read yet */
    int eof;
};

void etwhf_batch_reader_init(struct etwhf_batch_reader *rd, int fd);
void etwhf_batch_reader_free(struct etwhf_batch_reader *rd);

#define ETWHF_BATCH_END 0     /* end of input */
#define ETWHF_BATCH_REQUEST 1 /* *req holds a request */
#define ETWHF_BATCH_BAD (-1)  /* a line that is no request: why says why; req->id may be set */
#define ETWHF_BATCH_READ (-2) /* standard input failed (errno), or SIGINT */
/* The next request; empty lines are skipped. Free req->file after each
 * ETWHF_BATCH_REQUEST and ETWHF_BATCH_BAD. */
int etwhf_batch_next(struct etwhf_batch_reader *rd, struct etwhf_batch_request *req, char *why, size_t whylen);

#endif
