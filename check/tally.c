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
    t->at_header = malloc(ncases ? ncases : 1);
    t->at_mode = malloc(ncases ? ncases : 1);
    t->level_fail = calloc(ncases ? ncases : 1, 1);
    t->shown = show ? calloc(show, sizeof *t->shown) : NULL;
    if (!t->outcome || !t->kinds || !t->at_header || !t->at_mode || !t->level_fail || (show && !t->shown)) {
        etwhf__check_tally_free(t);
        return ETWHF_ENOMEM;
    }
    memset(t->outcome, CHECK_NOT_RUN, ncases);
    memset(t->at_header, CHECK_AT_NONE, ncases);
    memset(t->at_mode, 0xFF, ncases);
    return ETWHF_OK;
}

static void evidence_free(struct check_shown *s)
{
    for (int m = 0; m < 2; m++) {
        free(s->ev[m].out);
        free(s->ev[m].err);
        memset(&s->ev[m], 0, sizeof s->ev[m]);
    }
}

void etwhf__check_tally_free(struct check_tally *t)
{
    for (size_t i = 0; i < t->nshown; i++)
        evidence_free(&t->shown[i]);
    free(t->at_header);
    free(t->at_mode);
    free(t->level_fail);
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
        if (d)
            etwhf__check_diff_merge(&t->shown[pos].diff, d);
        return;
    }
    if (pos == t->show)
        return;
    if (t->nshown == t->show)
        evidence_free(&t->shown[--t->nshown]); /* the highest one leaves */
    memmove(&t->shown[pos + 1], &t->shown[pos], (t->nshown - pos) * sizeof *t->shown);
    memset(&t->shown[pos], 0, sizeof t->shown[pos]);
    t->shown[pos].idx = idx;
    etwhf__check_diff_reset(&t->shown[pos].diff);
    if (d)
        etwhf__check_diff_merge(&t->shown[pos].diff, d);
    t->nshown++;
}

/* Whether this run of case idx earns it a place among the shown ones. */
static int shows(const struct check_tally *t, size_t idx, int outcome, const struct check_diff *d)
{
    if (!t->show_levels)
        return 1;
    unsigned failed = d->level_fail;
    if (outcome == ETWHF_CHECK_FAILED || outcome == ETWHF_CHECK_TIMEOUT || outcome == ETWHF_CHECK_CRASH ||
        outcome == ETWHF_CHECK_IO)
        failed |= CHECK_LEVEL_BIT(ETWHF_CHECK_L0);
    if (outcome != ETWHF_CHECK_AGREE)
        failed |= CHECK_LEVEL_BIT(ETWHF_CHECK_L4);
    return (failed & t->show_levels & t->member[idx]) != 0;
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
    if (d)
        t->level_fail[idx] |= d->level_fail;
    if (d && outcome > ETWHF_CHECK_SKIPPED) {
        t->kinds[idx] |= d->kinds;
        if (d->at_set && d->at_mode < t->at_mode[idx]) { /* recover's first, whatever order runs end in */
            t->at_header[idx] = d->at_header;
            t->at_mode[idx] = d->at_mode;
        }
        if (t->show && (shows(t, idx, outcome, d) || etwhf__check_tally_shown(t, idx)))
            keep_details(t, idx, d);
    } else if (t->keep_agreeing && t->show && outcome == ETWHF_CHECK_AGREE) {
        keep_details(t, idx, NULL);
    }
}

const struct check_shown *etwhf__check_tally_shown(const struct check_tally *t, size_t idx)
{
    for (size_t i = 0; i < t->nshown; i++)
        if (t->shown[i].idx == idx)
            return &t->shown[i];
    return NULL;
}

void etwhf__check_tally_evidence(struct check_tally *t, size_t idx, int mode, int status, const char *out,
                                 size_t out_len, const char *err_tail, int err_cut)
{
    struct check_shown *s = (struct check_shown *)etwhf__check_tally_shown(t, idx);
    if (!s || mode < 0 || mode > 1)
        return;
    struct check_evidence *e = &s->ev[mode];
    free(e->out);
    free(e->err);
    memset(e, 0, sizeof *e);
    size_t keep = out_len < CHECK_OUT_KEEP ? out_len : CHECK_OUT_KEEP;
    e->out = malloc(keep + 1);
    e->err = strdup(err_tail ? err_tail : "");
    if (!e->out || !e->err) { /* evidence is for people: without memory there is none */
        free(e->out);
        free(e->err);
        memset(e, 0, sizeof *e);
        return;
    }
    if (keep)
        memcpy(e->out, out, keep);
    e->out[keep] = '\0';
    e->out_len = keep;
    e->out_cut = keep < out_len;
    e->err_cut = err_cut != 0;
    e->status = status;
    e->present = 1;
}

void etwhf__check_tally_totals(const struct check_tally *t, uint64_t totals[ETWHF_CHECK_OUTCOMES])
{
    memset(totals, 0, ETWHF_CHECK_OUTCOMES * sizeof totals[0]);
    for (size_t i = 0; i < t->ncases; i++)
        if (t->outcome[i] < ETWHF_CHECK_OUTCOMES)
            totals[t->outcome[i]]++;
}
