/*
 * decode_once.h — the one-shot decode most tests want: a context from
 * `opts`, one reader over the input, a copy of the summary, the context
 * freed. The library's readers work on a context the caller owns (so its
 * summary and logfile stay readable afterwards); tests that only need the
 * counts use these. The status is etwhf_decoder_new's when it refuses the
 * options, else the reader's.
 */
#ifndef ETWHF_TESTS_DECODE_ONCE_H
#define ETWHF_TESTS_DECODE_ONCE_H

#include <stddef.h>
#include <string.h>

#include "etwhf/decode.h"

/* A refused context leaves a zeroed summary: every path writes it. */
static inline int decode_once_refused(int st, struct etwhf_summary *summary)
{
    if (summary)
        memset(summary, 0, sizeof *summary);
    return st;
}

static inline int decode_once_finish(struct etwhf_decoder *d, int rc, struct etwhf_summary *summary)
{
    if (summary)
        *summary = *etwhf_decoder_summary(d);
    etwhf_decoder_free(d);
    return rc;
}

static inline int decode_once_memory(const struct etwhf_decode_options *opts, const void *data, size_t len,
                                     struct etwhf_summary *summary)
{
    int st;
    struct etwhf_decoder *d = etwhf_decoder_new(opts, &st);
    if (!d)
        return decode_once_refused(st, summary);
    return decode_once_finish(d, etwhf_decode_memory(d, data, len), summary);
}

static inline int decode_once_fd(const struct etwhf_decode_options *opts, int fd, struct etwhf_summary *summary)
{
    int st;
    struct etwhf_decoder *d = etwhf_decoder_new(opts, &st);
    if (!d)
        return decode_once_refused(st, summary);
    return decode_once_finish(d, etwhf_decode_fd(d, fd), summary);
}

#endif
