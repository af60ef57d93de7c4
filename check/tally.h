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

/* What one run of a shown case left (external commands): its standard
 * output (the first CHECK_OUT_KEEP bytes) and the tail of its stderr. */
#define CHECK_OUT_KEEP ((size_t)1 << 20)
struct check_evidence {
    uint8_t present;
    uint8_t out_cut; /* the output was longer than what is kept */
    uint8_t err_cut; /* stderr had more before the tail */
    int status;      /* wait status */
    char *out;
    size_t out_len;
    char *err; /* NUL-terminated tail */
};

struct check_shown {
    size_t idx;
    struct check_diff diff;
    struct check_evidence ev[2]; /* per enum etwhf_mode */
};

struct check_tally {
    size_t ncases;
    uint8_t *outcome;          /* per case, CHECK_NOT_RUN until a run reports */
    uint32_t *kinds;           /* per case, bit k = a difference of kind k */
    size_t show;               /* how many cases keep their details */
    struct check_shown *shown; /* sorted by idx, at most `show` */
    size_t nshown;
    uint64_t runs_done;
    size_t bad_cases;    /* cases whose outcome is neither agree nor skipped */
    int8_t *at_header;   /* per case: check_diff.at_header of its first differing event (CHECK_AT_NONE) */
    uint8_t *at_mode;    /* … the mode that set it, 0xFF until one did */
    uint8_t *level_fail; /* per case: check_diff.level_fail of its runs (levels.c) */
    /* With --require: details are kept only of cases a run shows failing
     * one of the levels in show_levels (CHECK_LEVEL_BIT mask) that its
     * set holds (member[idx], levels.c); 0: of every case not agreeing. */
    unsigned show_levels;
    const uint8_t *member;
    int keep_agreeing; /* agreeing cases are kept among the shown too (--explain) */
};

/* ETWHF_OK or ETWHF_ENOMEM (then *t holds nothing to free). */
int etwhf__check_tally_init(struct check_tally *t, size_t ncases, size_t show);
void etwhf__check_tally_free(struct check_tally *t);
/* One run of case idx finished with `outcome`; d may be NULL when it agreed. */
void etwhf__check_tally_add(struct check_tally *t, size_t idx, int outcome, const struct check_diff *d);
/* Keeps what a run of case idx in `mode` printed, when the case is shown. */
void etwhf__check_tally_evidence(struct check_tally *t, size_t idx, int mode, int status, const char *out,
                                 size_t out_len, const char *err_tail, int err_cut);
/* The shown entry of case idx, or NULL. */
const struct check_shown *etwhf__check_tally_shown(const struct check_tally *t, size_t idx);
/* Counts per outcome over all cases that ran; CHECK_NOT_RUN cases are not counted. */
void etwhf__check_tally_totals(const struct check_tally *t, uint64_t totals[ETWHF_CHECK_OUTCOMES]);

#endif
