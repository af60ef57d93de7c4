/*
 * tally.h — the recovery figures: counts kept while the experiments run and
 * printed as one JSON line each (docs/reliability.md quotes them).
 */
#ifndef ETWHF_TESTS_RELIABILITY_TALLY_H
#define ETWHF_TESTS_RELIABILITY_TALLY_H

#include <stdint.h>
#include <stdio.h>

#include "damage.h"
#include "etwhf/gen.h"
#include "outcome.h"

/* (a): catalogue traces against their expectation. */
struct tally_a {
    uint64_t traces, damaged, agreed, compressed;
    uint64_t by_faults[ETWHF_GEN_MAX_FAULTS + 1]; /* traces by number of faults */
    uint64_t fault_uses[ETWHF_FAULT_COUNT];
    uint64_t events; /* events delivered = expected */
};
void tally_catalogue(struct tally_a *a, const struct etwhf_gen_case *c, uint64_t delivered);
void tally_print_a(const struct tally_a *a, FILE *json);

/* Share of a trace's events recovered: mean and minimum. */
struct share {
    uint64_t traces;
    double sum, min;
};

/* (b), (c): our damage. */
struct tally_bc {
    uint64_t traces, unframed, compressed, damages, by_kind[DK_KINDS];
    uint64_t buffers_compared, exact_traces;
    uint64_t eligible, untouched_buffers, untouched_events, untouched_delivered;
    struct share all, uncompressed, comp, single[DK_KINDS];
};
void tally_own(struct tally_bc *t, const struct layout *l, const struct damage *d, size_t nd, int eligible,
               uint64_t untouched, uint64_t untouched_want, const struct outcome *base, const struct outcome *got,
               int exact);
void tally_print_bc(const struct tally_bc *t, const char *name, FILE *json);

#endif
