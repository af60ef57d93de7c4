/*
 * mutants.h — rule mutants of the decoder: each breaks exactly one branch of
 * a rule of docs/spec/walk.md the way a third-party decoder plausibly would
 * (mutant_list.h holds the table). They measure the corpus: a mutant that
 * `etwhf check` does not catch is a branch no case exercises
 * (ci/rule-coverage, docs/rule-coverage.md).
 *
 * Built only with -DETWHF_PLANTED_BUGS=ON, beside the planted bugs, and
 * reached through decoder/hooks.h (ETWHF_MUTANT_ON, ETWHF_MUTANT_FLIPS), which
 * are the constant 0 in normal builds. One mutant at a time is switched on: ETWHF_MUTANT=<id> (e.g.
 * ETWHF_MUTANT=R2.filler_error), read once at the first hook, or
 * etwhf__mutant_select(). No mutant is on by default, so a planted build
 * decodes like a normal one unless told otherwise.
 */
#ifndef ETWHF_MUTANTS_H
#define ETWHF_MUTANTS_H

enum etwhf_mutant_id {
    MU_NONE = 0,
#define MUTANT(e, id, rule, flip, breaks, how, codes) e,
#include "mutant_list.h"
#undef MUTANT
    MU_COUNT
};

struct etwhf_mutant {
    const char *id;     /* "R2.filler_error" */
    const char *rule;   /* "R2.1" */
    int flip;           /* a code whose severity is inverted, or 0 */
    int codes;          /* 1: changes only codes or offsets; 2: equivalent under the corpus's limits (mutant_list.h) */
    const char *breaks; /* what the rule says */
    const char *how;    /* what the mutant does instead */
};

/* 1 when mutant `id` is the one switched on. */
int etwhf__mutant_on(int id);
/* 1 when the mutant switched on inverts the severity of diagnostic `code`
 * (its `flip`). */
int etwhf__mutant_flips(int code);

/* The table: ids 1..count. */
int etwhf__mutant_count(void);
const struct etwhf_mutant *etwhf__mutant(int id);
/* Switches on the mutant named `name` ("" or NULL: none); 0 on success, -1
 * when no mutant has that name (none is then on). */
int etwhf__mutant_select(const char *name);

#endif
