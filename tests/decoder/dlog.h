/*
 * dlog.h — runs the decoder over bytes in a chosen chunking and records what
 * it said: every event and diagnostic, the summary, the API status, as a full
 * text log (for chunking comparisons) and a brief one (for hand-written
 * expectations).
 *
 * Brief lines: "E|W<code>@<buffer>:<offset>[+<inner>]" for an error or a
 * warning,
 * "F|A|R@<buffer>:<offset>[+<inner>] s=<source>" for an event, and last
 * "S b=<buffers> k=<skipped> t=<events_total> f=<free> a=<alloc> r=<realloc>
 * e=<errors> w=<warnings>". Buffers and offsets are hex; "-" is no buffer.
 */
#ifndef ETWHF_TESTS_DLOG_H
#define ETWHF_TESTS_DLOG_H

#include <stddef.h>
#include <stdint.h>

#include "etwhf/decode.h"

#define DL_ONE_FEED 0
#define DL_RANDOM ((size_t)-1)

struct dl_text {
    char *p;
    size_t len, cap;
};

struct dlog {
    struct etwhf_event *ev;
    size_t nev, ev_cap;
    struct etwhf_diag *dg;
    size_t ndg, dg_cap;
    struct etwhf_summary sum;
    int rc;         /* first status other than ETWHF_OK, else ETWHF_OK */
    int done_early; /* etwhf_decoder_done() said 1 before the last feed */
    struct dl_text full, brief;
    int counting; /* set by the caller: decode with no event callback (the decoder's counting
                     * walk); the log then holds the diagnostics and the summary alone */
};

/* Options with the given input kind and mode, everything else default. */
struct etwhf_decode_options dl_options(int input, int mode);
/* Decodes `data` in feeds of `chunk` bytes (DL_ONE_FEED: one feed;
 * DL_RANDOM: sizes drawn from `seed`). The log is reset first. */
int dl_run(struct dlog *l, const struct etwhf_decode_options *opts, const void *data, size_t len, size_t chunk,
           unsigned seed);
void dl_free(struct dlog *l);
const char *dl_brief(const struct dlog *l);
const char *dl_full(const struct dlog *l);

/* Hand-written expectation for `data` as a file in recover and in strict mode,
 * and the same full log for chunk sizes 1, 2, 3, 7, 64, 4096 and random
 * (cmocka asserts); then, for each of those feeds, the same log without its
 * event lines from a decode with no event callback (counting mode). `opts`
 * NULL: a file input with defaults. */
void dl_expect(const struct etwhf_decode_options *opts, const void *data, size_t len, const char *recover,
               const char *strict);

/* etwhf_decode_fd over a pipe that a child process fills with `data`. */
int dl_decode_pipe(const struct etwhf_decode_options *opts, const void *data, size_t len,
                   struct etwhf_summary *summary);

/* Reads a whole file (NULL and a visible skip message when it is missing,
 * a cmocka failure when CI=true). */
uint8_t *dl_read_sample(const char *name, size_t *len);

#endif
