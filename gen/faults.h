/*
 * faults.h — the fault catalogue's internal side: how each fault changes a
 * case's model, in which phase, and which faults exclude each other.
 */
#ifndef ETWHF_GEN_FAULTS_H
#define ETWHF_GEN_FAULTS_H

#include "model.h"

/* Faults of one group exclude each other; G_ALONE faults are alone in a case. */
enum fault_group { G_NONE = 0, G_ALONE, G_CUT, G_LOGFILE, G_STRIDE };

/* An apply function returns 0 (applied), 1 (no place for it: dropped) or -1 (ENOMEM). */
typedef int (*fault_fn)(struct gctx *g, int raw);
typedef int (*fault_final_fn)(struct gctx *g, int raw, uint64_t positions);

struct fault_def {
    struct etwhf_fault_info info;
    int group;            /* enum fault_group */
    unsigned needs;       /* NEED_* the builder provides */
    unsigned kinds;       /* 1: raw possible, 2: fixed-up possible */
    fault_fn model;       /* before layout */
    fault_fn region;      /* after the records are placed (offsets, SavedOffset) */
    fault_fn layout;      /* after the file is placed (file offsets, strides) */
    fault_final_fn final; /* after a first walk (positions visited) */
};

extern const struct fault_def etwhf__fault_defs[ETWHF_FAULT_COUNT];

int etwhf__model_apply_faults(struct gctx *g, int phase, uint64_t positions);
enum { PH_MODEL = 0, PH_REGION, PH_LAYOUT, PH_FINAL };
/* Where each applied fault changed the case (after layout). */
void etwhf__model_fault_locations(const struct gctx *g, struct etwhf_gen_fault_at *out);

#endif
