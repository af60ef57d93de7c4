/*
 * tally.h — the outcome of every case of a check run, merged over its
 * runs (a case may be decoded in two modes), and the details of the first
 * few cases that did not agree (internal).
 *
 * Runs finish in any order (parallel workers); the tally keeps the details
 * of the lowest-numbered cases so a report is the same for any number of jobs.
 */
#ifndef ETWHF_CHECK_TALLY_H
#define ETWHF_CHECK_TALLY_H

#include <stddef.h>
#include <stdint.h>

#include "compare.h"
#include "etwhf/check.h"

/* A case no run has reported yet; the outcomes proper are enum
 * etwhf_check_outcome (etwhf/check.h), ordered by gravity. */
#define CHECK_NOT_RUN 0xFF

struct check_shown {
    size_t idx;
    struct check_diff diff;
};

struct check_tally {
    size_t ncases;
    uint8_t *outcome;   /* per case, CHECK_NOT_RUN until a run reports */
    uint32_t *kinds;    /* per case, bit k = a difference of kind k */
    size_t show;        /* how many cases keep their details */
    struct check_shown *shown; /* sorted by idx, at most `show` */
    size_t nshown;
    uint64_t runs_done;
    size_t bad_cases;   /* cases whose outcome is neither agree nor skipped */
};

int etwhf__check_tally_init(struct check_tally *t, size_t ncases, size_t show);
void etwhf__check_tally_free(struct check_tally *t);
/* One run of case idx finished with `outcome`; d may be NULL when it agreed. */
void etwhf__check_tally_add(struct check_tally *t, size_t idx, int outcome, const struct check_diff *d);
/* Counts per outcome over all cases that ran; CHECK_NOT_RUN cases are not counted. */
void etwhf__check_tally_totals(const struct check_tally *t, uint64_t totals[ETWHF_CHECK_OUTCOMES]);

#endif
