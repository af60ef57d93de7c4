/*
 * gen_cli.h — `etwhf gen`'s two modes (internal): a corpus of cases with a
 * manifest (--out) and one large intact trace (--etl).
 */
#ifndef ETWHF_CLI_GEN_CLI_H
#define ETWHF_CLI_GEN_CLI_H

#include <stdint.h>

#include "etwhf/gen.h"

/* Options as given, so a mode can refuse what it does not use and a
 * single-value option given twice is a usage error (docs/spec/output.md §1). */
enum gen_given {
    GIVEN_OUT = 1u << 0,
    GIVEN_ETL = 1u << 1,
    GIVEN_SEED = 1u << 2,
    GIVEN_COUNT = 1u << 3,
    GIVEN_EVENTS = 1u << 4,
    GIVEN_BUFFER_SIZE = 1u << 5,
    GIVEN_FAULTS = 1u << 6,
    GIVEN_FAULT_RATE = 1u << 7,
    GIVEN_COMPRESSED_RATE = 1u << 8,
    GIVEN_EVIDENCE = 1u << 9,
    GIVEN_MAX_FAULTS = 1u << 10,
    GIVEN_FROM = 1u << 11,
    /* lists (a union when repeated) and flags: */
    GIVEN_LAYER = 1u << 16,
    GIVEN_SOURCE = 1u << 17,
    GIVEN_HEADER = 1u << 18,
    GIVEN_POINTER_SIZE = 1u << 19,
    GIVEN_EXHAUSTIVE = 1u << 20,
    GIVEN_PURE = 1u << 21,
};

struct gen_cli {
    unsigned given;   /* enum gen_given */
    const char *out;  /* --out DIR */
    const char *etl;  /* --etl FILE|- */
    const char *from; /* --from DIR: a referee corpus (gen_from.c) */
    uint64_t seed;
    uint64_t count;
    int count_set;
    int exhaustive, force, pure;
    uint64_t events; /* --etl */
    int events_set;
    uint64_t buffer_size; /* --etl; 0 = default */
    struct etwhf_gen_options opts;
    int etl_width;      /* --etl: 4, 8 or 0 (mixed) */
    int width_repeated; /* --pointer-size given more than once */
};

/* Exit codes of docs/spec/output.md §6. */
int gen_corpus(const struct gen_cli *c);
int gen_trace(const struct gen_cli *c);
int gen_from(const char *from, const char *out, int force);

/* Writes all of buf; 0, or -1 with errno (EINTR when interrupted). */
int gen_write_all(int fd, const void *buf, size_t len);

#endif
