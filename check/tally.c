/* Outcomes of a check run; see tally.h. */
#include "tally.h"

#include <stdlib.h>
#include <string.h>

const char *etwhf_check_outcome_name(int outcome)
{
    static const char *const names[ETWHF_CHECK_OUTCOMES] = {"agree",   "skipped", "disagree", "failed",
                                                      "timeout", "crash",   "io"};
    return outcome >= 0 && outcome < ETWHF_CHECK_OUTCOMES ? names[outcome] : "not run";
}

int etwhf__check_tally_init(struct check_tally *t, size_t ncases, size_t show)
{
    memset(t, 0, sizeof *t);
    t->ncases = ncases;
    t->show = show;
    t->outcome = malloc(ncases ? ncases : 1);
    t->kinds = calloc(ncases ? ncases : 1, sizeof *t->kinds);
    t->shown = show ? calloc(show, sizeof *t->shown) : NULL;
    if (!t->outcome || !t->kinds || (show && !t->shown)) {
        etwhf__check_tally_free(t);
        return -1;
    }
    memset(t->outcome, CHECK_NOT_RUN, ncases);
    return 0;
}

void etwhf__check_tally_free(struct check_tally *t)
{
    free(t->outcome);
    free(t->kinds);
    free(t->shown);
    memset(t, 0, sizeof *t);
}

/* Keeps d for case idx when idx is among the `show` lowest bad cases so far. */
static void keep_details(struct check_tally *t, size_t idx, const struct check_diff *d)
{
    size_t pos = 0;
    while (pos < t->nshown && t->shown[pos].idx < idx)
        pos++;
    if (pos < t->nshown && t->shown[pos].idx == idx) {
        etwhf__check_diff_merge(&t->shown[pos].diff, d);
        return;
    }
    if (pos == t->show)
        return;
    if (t->nshown == t->show)
        t->nshown--; /* the highest one leaves */
    memmove(&t->shown[pos + 1], &t->shown[pos], (t->nshown - pos) * sizeof *t->shown);
    t->shown[pos].idx = idx;
    etwhf__check_diff_reset(&t->shown[pos].diff);
    etwhf__check_diff_merge(&t->shown[pos].diff, d);
    t->nshown++;
}

void etwhf__check_tally_add(struct check_tally *t, size_t idx, int outcome, const struct check_diff *d)
{
    if (idx >= t->ncases)
        return;
    if (outcome != ETWHF_CHECK_SKIPPED)
        t->runs_done++;
    uint8_t *o = &t->outcome[idx];
    int was_bad = *o != CHECK_NOT_RUN && *o > ETWHF_CHECK_SKIPPED;
    if (*o == CHECK_NOT_RUN || outcome > *o)
        *o = (uint8_t)outcome;
    if (!was_bad && *o > ETWHF_CHECK_SKIPPED)
        t->bad_cases++;
    if (d && outcome > ETWHF_CHECK_SKIPPED) {
        t->kinds[idx] |= d->kinds;
        if (t->show)
            keep_details(t, idx, d);
    }
}

void etwhf__check_tally_totals(const struct check_tally *t, uint64_t totals[ETWHF_CHECK_OUTCOMES])
{
    memset(totals, 0, ETWHF_CHECK_OUTCOMES * sizeof totals[0]);
    for (size_t i = 0; i < t->ncases; i++)
        if (t->outcome[i] < ETWHF_CHECK_OUTCOMES)
            totals[t->outcome[i]]++;
}
