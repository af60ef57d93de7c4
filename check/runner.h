/*
 * runner.h — one check run as its runners see it: the settings, the selected
 * cases, the tally they report into, how they learn to stop (internal).
 *
 * A runner (runner_inproc.c: etwhf's decoder in forked workers;
 * runner_command.c: a command per case and mode; runner_batch.c:
 * long-running commands, a request per case and mode) decodes every
 * selected case in every selected mode, judges each decode (compare.h) and
 * adds the outcome to the tally. Each is a kind of worker of the one pool
 * (pool.h), which owns the processes. check.c builds the run from the
 * public options and picks the runner.
 */
#ifndef ETWHF_CHECK_RUNNER_H
#define ETWHF_CHECK_RUNNER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "compare.h"
#include "corpus.h"
#include "split.h"
#include "tally.h"

/* Decodes case k in `mode` from its bytes into o: ETWHF_OK, or the status
 * of the decoder API when it failed itself (why says how).
 * etwhf__check_decode_case (decode.h) is the one the library uses; tests
 * put stand-ins here. */
typedef int (*check_decode_fn)(const struct check_case *k, int mode, const void *data, size_t len,
                               struct check_observed *o, char *why, size_t whylen);

struct check_run {
    const struct etwhf_corpus *corpus;
    struct check_tally *tally;
    const size_t *selected; /* case indexes to run, ascending */
    size_t nselected;
    unsigned modes; /* CHECK_MODE_BIT(ETWHF_MODE_RECOVER) | CHECK_MODE_BIT(ETWHF_MODE_STRICT) */
    unsigned jobs;
    uint64_t timeout_ms;            /* per decode of one case in one mode */
    int strict_codes;               /* command: read `code` too */
    int all_heap_events;            /* command: read HeapAlloc / HeapReAlloc lines, compare heap_events */
    const struct check_cmd *cmd;    /* the decoder command, NULL in-process */
    int batch;                      /* cmd speaks the batch protocol (runner_batch.c) */
    check_decode_fn decode;         /* in-process: NULL = etwhf__check_decode_case */
    int (*should_stop)(void *user); /* polled by the pool's loop; NULL = never */
    void *user;
    FILE *progress; /* NULL, or where the progress line is redrawn */
    uint64_t last_progress_ms;
    char err[512]; /* why the run failed */
};

/* The runners (runner_inproc.h, runner_command.h, runner_batch.h) return
 * ETWHF_OK when every selected case ran, ETWHF_EABORTED when should_stop
 * said so (every worker was killed), else ETWHF_EIO or ETWHF_ENOMEM with
 * r->err saying why. */

struct check_pool_kind;
/* Runs `kind` in a pool of `slots` workers (at most CHECK_POOL_MAX; at
 * least 1) with the run's stop poll and error buffer; the progress line is
 * drawn a last time. As the runners return. */
int etwhf__check_run_pool(struct check_run *r, const struct check_pool_kind *kind, void *user, unsigned slots);

/* Where a runner is in its runs: each selected case in each selected mode,
 * in order. Zeroed: at the start. */
struct check_cursor {
    size_t pos; /* index into r->selected */
    int mode;   /* the next mode to try */
};
/* The next run into *pos and *mode: 1, or 0 when every run has been given. */
int etwhf__check_next(const struct check_run *r, struct check_cursor *c, size_t *pos, int *mode);

/* 1 when the run must stop now. */
int etwhf__check_stopping(const struct check_run *r);

/* Redraws the progress line at most every 200 ms (or now when force). */
void etwhf__check_progress(struct check_run *r, int force);
/* Erases the progress line. */
void etwhf__check_progress_done(struct check_run *r);

#endif
