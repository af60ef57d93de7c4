/* Conformance levels of a run's cases; see levels.h. */
#include "levels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "manifest.h"

const char *etwhf_check_level_name(int level)
{
    static const char *const names[ETWHF_CHECK_LEVELS] = {"robust", "intact", "damaged", "etwhf", "full"};
    return level >= 0 && level < ETWHF_CHECK_LEVELS ? names[level] : NULL;
}

const char *etwhf__check_level_id(int level)
{
    static const char *const ids[ETWHF_CHECK_LEVELS] = {"L0", "L1", "L2", "L3", "L4"};
    return level >= 0 && level < ETWHF_CHECK_LEVELS ? ids[level] : "L?";
}

int etwhf_check_level_from_name(const char *name)
{
    if (!name || (name[0] != 'L' && name[0] != 'l') || name[1] < '0' || name[1] > '0' + ETWHF_CHECK_L4 || name[2])
        return -1;
    return name[1] - '0';
}

/* L4 not judged: what is not compared, and the options that compare it. */
static void l4_reason(struct etwhf_check_result *r, int recover, int both)
{
    char what[120] = "", add[80] = "";
    size_t nw = 0, na = 0;
    const struct {
        int missing;
        const char *what, *option;
    } need[] = {
        {!r->strict_codes, "code names", "--strict-codes"},
        {!r->all_heap_events, "HeapAlloc and HeapReAlloc events", "--all-heap-events"},
        {!both, recover ? "strict mode" : "recover mode", "--mode both"},
    };
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
        if (!need[i].missing)
            continue;
        nw += (size_t)snprintf(what + nw, sizeof what - nw, "%s%s", nw ? ", " : "", need[i].what);
        na += (size_t)snprintf(add + na, sizeof add - na, "%s%s", na ? " " : "", need[i].option);
    }
    snprintf(r->level_reason[ETWHF_CHECK_L4], sizeof r->level_reason[ETWHF_CHECK_L4], "%s not compared (add %s)", what,
             add);
}

/* Which judged levels' sets hold each case: L0, L3 and L4 every case; L1
 * intact and L2 faulted cases whose shapes are observed or documented. */
static int set_members(struct etwhf_check_result *r)
{
    const struct etwhf_corpus *c = r->corpus;
    free(r->level_member);
    if (!(r->level_member = malloc(c->ncases ? c->ncases : 1)))
        return ETWHF_ENOMEM;
    for (size_t i = 0; i < c->ncases; i++) {
        const struct check_case *k = &c->cases[i];
        unsigned in =
            CHECK_LEVEL_BIT(ETWHF_CHECK_L0) | CHECK_LEVEL_BIT(ETWHF_CHECK_L3) | CHECK_LEVEL_BIT(ETWHF_CHECK_L4);
        if (k->has_evidence && k->evidence != ETWHF_EVIDENCE_CHOSEN)
            in |= CHECK_LEVEL_BIT(k->fault_count ? ETWHF_CHECK_L2 : ETWHF_CHECK_L1);
        r->level_member[i] = (uint8_t)(in & r->levels_judged);
    }
    return ETWHF_OK;
}

/* Selected cases whose manifest line has no "evidence" (before generator 7). */
static size_t without_evidence(const struct etwhf_check_result *r)
{
    size_t n = 0;
    for (size_t s = 0; s < r->nselected; s++)
        n += !r->corpus->cases[r->selected[s]].has_evidence;
    return n;
}

int etwhf__check_levels_setup(struct etwhf_check_result *r)
{
    int recover = (r->modes & CHECK_MODE_BIT(ETWHF_MODE_RECOVER)) != 0;
    int both = r->modes == (CHECK_MODE_BIT(ETWHF_MODE_RECOVER) | CHECK_MODE_BIT(ETWHF_MODE_STRICT));
    size_t bare = without_evidence(r);
    memset(r->level_reason, 0, sizeof r->level_reason);
    r->levels_judged = CHECK_LEVEL_BIT(ETWHF_CHECK_L0);
    const char *no_recover = "no run in recover mode (add --mode recover or --mode both)";
    char evidence[200];
    const char *gv = r->corpus->generator_version;
    if (gv && !strcmp(gv, etwhf__referee_version))
        snprintf(evidence, sizeof evidence,
                 "a referee corpus: each case expects etwhf's decoder's reading of an input whose "
                 "evidence is unknown (docs/spec/conformance.md)");
    else if (bare == r->nselected)
        snprintf(evidence, sizeof evidence,
                 "the manifest (generator %s) grades no case by evidence: regenerate the corpus with "
                 "etwhf gen (generator 7 on)",
                 r->corpus->generator_version ? r->corpus->generator_version : "?");
    else
        snprintf(evidence, sizeof evidence,
                 "%zu selected case(s) have no \"evidence\" in the manifest: regenerate the corpus with "
                 "etwhf gen (generator 7 on)",
                 bare);
    for (int l = ETWHF_CHECK_L1; l <= ETWHF_CHECK_L2; l++) {
        if (recover && !bare)
            r->levels_judged |= CHECK_LEVEL_BIT(l);
        else
            snprintf(r->level_reason[l], sizeof r->level_reason[l], "%s%s%s", recover ? "" : no_recover,
                     !recover && bare ? "; " : "", bare ? evidence : "");
    }
    if (recover)
        r->levels_judged |= CHECK_LEVEL_BIT(ETWHF_CHECK_L3);
    else
        snprintf(r->level_reason[ETWHF_CHECK_L3], sizeof r->level_reason[ETWHF_CHECK_L3], "%s", no_recover);
    if (r->strict_codes && r->all_heap_events && both)
        r->levels_judged |= CHECK_LEVEL_BIT(ETWHF_CHECK_L4);
    else
        l4_reason(r, recover, both);
    return set_members(r);
}
/* The case's own showing at each level, before nesting. */
static unsigned raw_pass(const struct etwhf_check_result *r, size_t idx)
{
    int o = r->tally.outcome[idx];
    unsigned pass = CHECK_LEVELS_RECOVER & ~(unsigned)r->tally.level_fail[idx];
    /* A case file that cannot be read got no answer: it agrees at no level. */
    if (o != ETWHF_CHECK_FAILED && o != ETWHF_CHECK_TIMEOUT && o != ETWHF_CHECK_CRASH && o != ETWHF_CHECK_IO)
        pass |= CHECK_LEVEL_BIT(ETWHF_CHECK_L0);
    if (o == ETWHF_CHECK_AGREE)
        pass |= CHECK_LEVEL_BIT(ETWHF_CHECK_L4);
    return pass;
}

void etwhf__check_case_levels(const struct etwhf_check_result *r, size_t idx, unsigned *member, unsigned *agree)
{
    int o = r->tally.outcome[idx];
    *member = *agree = 0;
    if (o >= ETWHF_CHECK_OUTCOMES || o == ETWHF_CHECK_SKIPPED)
        return;
    unsigned in = r->level_member[idx];
    unsigned pass = raw_pass(r, idx), ok = 1;
    for (int l = ETWHF_CHECK_L0; l < ETWHF_CHECK_LEVELS; l++) {
        if (!(in >> l & 1u))
            continue;
        ok = ok && (pass >> l & 1u); /* levels nest: a lower level failed fails this one */
        if (ok)
            *agree |= CHECK_LEVEL_BIT(l);
    }
    *member = in;
}

unsigned etwhf__check_case_levels_failed(const struct etwhf_check_result *r, size_t idx)
{
    unsigned member, agree;
    etwhf__check_case_levels(r, idx, &member, &agree);
    return member & ~agree;
}

int etwhf_check_result_level(const struct etwhf_check_result *res, int level, uint64_t *agree, uint64_t *total,
                             const char **reason)
{
    if (!res || level < 0 || level >= ETWHF_CHECK_LEVELS)
        return -1;
    uint64_t a = 0, t = 0;
    int judged = (res->levels_judged >> level & 1u) != 0;
    for (size_t s = 0; judged && s < res->nselected; s++) {
        unsigned member, ag;
        etwhf__check_case_levels(res, res->selected[s], &member, &ag);
        t += member >> level & 1u;
        a += ag >> level & 1u;
    }
    if (agree)
        *agree = a;
    if (total)
        *total = t;
    if (reason)
        *reason = judged ? NULL : res->level_reason[level];
    return judged;
}

int etwhf_check_result_case_level(const struct etwhf_check_result *res, size_t i, int level)
{
    if (!res || i >= res->corpus->ncases || level < 0 || level >= ETWHF_CHECK_LEVELS)
        return -1;
    unsigned member, agree;
    etwhf__check_case_levels(res, i, &member, &agree); /* a case not selected never ran: no level */
    return !(member >> level & 1u) ? -1 : (int)(agree >> level & 1u);
}

int etwhf_check_result_passed(const struct etwhf_check_result *res)
{
    if (!res)
        return 0;
    size_t ran = 0, bad = 0;
    int level = res->require - 1;
    for (size_t s = 0; s < res->nselected; s++) {
        size_t idx = res->selected[s];
        int o = res->tally.outcome[idx];
        if (o >= ETWHF_CHECK_OUTCOMES || o == ETWHF_CHECK_SKIPPED)
            continue;
        ran++;
        if (!res->require) {
            bad += o != ETWHF_CHECK_AGREE;
            continue;
        }
        unsigned failed = etwhf__check_case_levels_failed(res, idx);
        bad += (failed & ((CHECK_LEVEL_BIT(level) << 1) - 1u)) != 0;
    }
    return ran && !bad;
}
