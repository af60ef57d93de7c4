/*
 * result.h — what a check run leaves for its reports: the settings it ran
 * with, the cases it selected and the tally of their outcomes (internal;
 * opaque in etwhf/check.h).
 */
#ifndef ETWHF_CHECK_RESULT_H
#define ETWHF_CHECK_RESULT_H

#include <stddef.h>
#include <stdint.h>

#include "corpus.h"
#include "etwhf/check.h"
#include "tally.h"

struct etwhf_check_result {
    const struct etwhf_corpus *corpus;
    char *decoder;  /* "in-process" or the command as given */
    int external;   /* a command ran, not etwhf's decoder */
    int batch;      /* ... started once per job, speaking the batch protocol */
    unsigned modes; /* CHECK_MODE_BIT of each mode run */
    unsigned jobs;  /* as asked for */
    uint64_t timeout_ms;
    int strict_codes; /* code names compared (always in-process) */
    size_t *selected; /* case indexes, ascending */
    size_t nselected;
    struct check_tally tally;
    int all_heap_events;                        /* HeapAlloc / HeapReAlloc lines read (always in-process) */
    char *etwhf_command;                        /* how reproduce lines name etwhf */
    char *cwd;                                  /* where the commands ran (NULL when unknown) */
    double seconds;                             /* wall time: reading the manifest and the decodes */
    double run_seconds;                         /* the decodes alone */
    int require;                                /* options.require: 0 or ETWHF_CHECK_REQUIRE(level) */
    unsigned levels_judged;                     /* CHECK_LEVEL_BIT of each level the run can judge (levels.c) */
    char level_reason[ETWHF_CHECK_LEVELS][320]; /* why a level is not judged, and what adds it */
    uint8_t *level_member;                      /* per manifest case: the judged levels whose set holds it */
};

#endif
