/*
 * levels.h — the conformance levels of a run's cases (internal;
 * docs/spec/conformance.md).
 *
 * What a run shows of each level comes from the compare step
 * (compare.h: check_diff.level_fail, the recover-mode judgement of L1–L3)
 * and from each case's outcome (L0: no crash, timeout or failure; L4: agree
 * in a run that compares everything). Which cases a level holds comes from
 * the manifest (faults, evidence); which levels a run can judge, from its
 * options and its manifest. Here the three meet, and levels nest.
 */
#ifndef ETWHF_CHECK_LEVELS_H
#define ETWHF_CHECK_LEVELS_H

#include <stddef.h>

#include "result.h"

/* "L0" … "L4". */
const char *etwhf__check_level_id(int level);

/* Sets r->levels_judged, r->level_reason and r->level_member from the
 * run's settings, its manifest and its selected cases (before the run:
 * --require and the tally need them). ETWHF_OK or ETWHF_ENOMEM. */
int etwhf__check_levels_setup(struct etwhf_check_result *r);

/* Case idx: *member, the levels (judged ones only) whose set holds it; *agree,
 * those at which it agrees (a subset). Both 0 for a case skipped or not run. */
void etwhf__check_case_levels(const struct etwhf_check_result *r, size_t idx, unsigned *member, unsigned *agree);

/* Levels of *member that case idx fails (member and not agree). */
unsigned etwhf__check_case_levels_failed(const struct etwhf_check_result *r, size_t idx);

#endif
