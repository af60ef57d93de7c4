/*
 * gen_cli.h — `etwhf gen`'s two modes (internal): a corpus of cases with a
 * manifest (--out) and one large intact trace (--etl).
 */
#ifndef ETWHF_CLI_GEN_CLI_H
#define ETWHF_CLI_GEN_CLI_H

#include <stdint.h>

#include "etwhf/gen.h"

struct gen_cli {
    const char *out;        /* --out DIR */
    const char *etl;        /* --etl FILE|- */
    uint64_t seed;
    uint64_t count;
    int count_set;
    int exhaustive, force, pure;
    uint64_t events;        /* --etl */
    int events_set;
    uint64_t buffer_size;   /* --etl; 0 = default */
    struct etwhf_gen_options opts;
    int etl_width;          /* --etl: 4, 8 or 0 (mixed) */
};

/* Exit codes of docs/spec/output.md §6. */
int gen_corpus(const struct gen_cli *c);
int gen_trace(const struct gen_cli *c);

/* Writes all of buf; 0, or -1 with errno (EINTR when interrupted). */
int gen_write_all(int fd, const void *buf, size_t len);

#endif
