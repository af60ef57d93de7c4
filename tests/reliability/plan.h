/*
 * plan.h — what the walk must deliver from a trace with our damage
 * (damage.h) on top: per buffer position, all it held, none, a prefix, or
 * "not computable", and which error codes the trace raises when every
 * damaged position's outcome is computable.
 */
#ifndef ETWHF_TESTS_RELIABILITY_PLAN_H
#define ETWHF_TESTS_RELIABILITY_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "damage.h"
#include "outcome.h"

struct plan {
    int expect[DMG_MAX_BUFS]; /* enum dmg_expect */
    uint64_t limit[DMG_MAX_BUFS];
    uint32_t errors;
    int errors_known;
    int eligible;       /* figure (b): uncompressed, logfile record (so the stride) intact */
    uint64_t untouched; /* positions neither touched nor cut */
};

/* exact_rules: the base was intact, so each damage's own rule applies. */
void plan_damage(struct plan *p, const struct layout *l, const struct damage *d, size_t nd, int exact_rules);

/* Compares buffer j of `got` with what the plan keeps of `base`; NULL when
 * equal, else what differs. *want_n: the events expected. */
const char *plan_compare_buffer(const struct plan *p, size_t j, const struct layout *l, const uint8_t *base_bytes,
                                const struct outcome *base, const struct outcome *got, uint64_t *want_n);

#endif
