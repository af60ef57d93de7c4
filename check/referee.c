/* A referee case: any input, with etwhf's decoder's reading of it as the
 * expectation (etwhf/check.h; docs/spec/conformance.md §1.5). The generator
 * knows what it built; for bytes it did not build (a mutated input, a user's
 * file) the decoder that implements the spec exactly is the next best
 * oracle, so the check judges another decoder against it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "corpus.h"
#include "decode.h"
#include "manifest.h"

/* The generator version a referee corpus names: levels.c tells why L1 and L2
 * cannot judge it (no shapes, so no evidence). */
const char etwhf__referee_version[] = "referee";

static void *dup_array(const void *src, size_t n, size_t size)
{
    if (!n)
        return NULL;
    void *p = malloc(n * size);
    if (p)
        memcpy(p, src, n * size);
    return p;
}

/* Recover mode: the verdict, every diagnostic's code, every event and the
 * counts. The first error is strict mode's stop too: both walks are one
 * walk up to it (docs/spec/walk.md). */
static int read_input(const void *data, size_t len, struct check_observed *o)
{
    struct check_case k;
    char why[200];
    memset(&k, 0, sizeof k);
    k.info.layer = ETWHF_GEN_FILE;
    memset(o, 0, sizeof *o);
    int st = etwhf__check_decode_case(&k, ETWHF_MODE_RECOVER, data, len, o, why, sizeof why);
    if (st == ETWHF_OK && o->oom)
        st = ETWHF_ENOMEM;
    return st;
}

int etwhf_referee_case(const void *data, size_t len, struct etwhf_gen_case *out)
{
    if (!out || (!data && len))
        return ETWHF_EINVAL;
    memset(out, 0, sizeof *out);
    struct check_observed o;
    int st = read_input(data, len, &o);
    if (st != ETWHF_OK) {
        etwhf__check_observed_free(&o);
        return st;
    }
    struct etwhf_gen_expect *x = &out->expect;
    out->layer = ETWHF_GEN_FILE;
    out->name_fault = -1;
    out->target_header = -1;
    out->evidence = -1; /* unknown: the manifest line leaves "evidence" out */
    unsigned width = 0;
    for (size_t i = 0; i < o.nheap; i++) {
        if (o.heap[i].header >= 0)
            out->headers |= 1u << o.heap[i].header;
        width = i == 0 || width == o.heap[i].pointer_size ? o.heap[i].pointer_size : 0;
    }
    out->pointer_size = width;
    out->heap_records = o.nheap;
    x->error = o.error_diags > 0;
    x->first_error_code = o.has_first ? o.first_code : 0;
    x->first_error_offset = o.has_first ? o.first_offset : 0;
    x->errors = o.errors;
    x->warnings = o.warnings;
    x->heap_alloc = o.heap_alloc;
    x->heap_realloc = o.heap_realloc;
    x->buffers = o.buffers;
    x->buffers_skipped = o.buffers_skipped;
    x->events_total = o.events_total;
    x->n_events = o.nevents;
    x->n_heap_events = o.nheap;
    x->events = dup_array(o.events, o.nevents, sizeof *o.events);
    x->heap_events = dup_array(o.heap, o.nheap, sizeof *o.heap);
    etwhf__check_observed_free(&o);
    if ((x->n_events && !x->events) || (x->n_heap_events && !x->heap_events)) {
        etwhf_referee_case_free(out);
        return ETWHF_ENOMEM;
    }
    return ETWHF_OK;
}

void etwhf_referee_case_free(struct etwhf_gen_case *k)
{
    if (!k)
        return;
    free(k->expect.events);
    free(k->expect.heap_events);
    memset(k, 0, sizeof *k);
}

/* The whole file; ETWHF_OK with *data (malloc'd, maybe NULL when empty). */
static int slurp(const char *path, unsigned char **data, size_t *len, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    *data = NULL;
    *len = 0;
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return ETWHF_EIO;
    }
    size_t cap = (size_t)st.st_size + 1;
    unsigned char *p = malloc(cap);
    if (!p) {
        close(fd);
        snprintf(err, errlen, "out of memory");
        return ETWHF_ENOMEM;
    }
    for (;;) {
        if (*len == cap) {
            unsigned char *q = realloc(p, cap *= 2);
            if (!q) {
                free(p);
                close(fd);
                snprintf(err, errlen, "out of memory");
                return ETWHF_ENOMEM;
            }
            p = q;
        }
        ssize_t n = read(fd, p + *len, cap - *len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            free(p);
            close(fd);
            return ETWHF_EIO;
        }
        if (n == 0)
            break;
        *len += (size_t)n;
    }
    close(fd);
    *data = p;
    return ETWHF_OK;
}

/* The corpus takes the case's arrays: one case, so its slices are whole. */
static int fill(struct etwhf_corpus *c, const char *path, struct etwhf_gen_case *g)
{
    const char *slash = strrchr(path, '/');
    c->dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    c->generator_version = strdup(etwhf__referee_version);
    c->cases = calloc(1, sizeof *c->cases);
    char *file = strdup(slash ? slash + 1 : path);
    if (!c->dir || !c->generator_version || !c->cases || !file) {
        free(file);
        return ETWHF_ENOMEM;
    }
    struct check_case *k = &c->cases[0];
    c->ncases = 1;
    k->info.file = file;
    k->info.layer = ETWHF_GEN_FILE;
    k->info.pointer_size = g->pointer_size;
    k->info.event = ETWHF_HEAP_FREE;
    k->info.headers = g->headers;
    k->info.line = 1;
    k->expect = g->expect;
    k->has_counts = 1;
    k->has_other_counts = 1;
    k->has_heap_events = 1;
    c->events = g->expect.events;
    c->nevents = g->expect.n_events;
    c->heap_events = g->expect.heap_events;
    c->nheap_events = g->expect.n_heap_events;
    memset(&g->expect, 0, sizeof g->expect);
    return ETWHF_OK;
}

struct etwhf_corpus *etwhf_corpus_from_file(const char *path, int *status, char *err, size_t errlen)
{
    unsigned char *data;
    size_t len;
    struct etwhf_gen_case g;
    struct etwhf_corpus *c = NULL;
    int st = path ? slurp(path, &data, &len, err, errlen) : ETWHF_EINVAL;
    if (st == ETWHF_OK) {
        st = etwhf_referee_case(data, len, &g);
        free(data);
        if (st != ETWHF_OK)
            snprintf(err, errlen, "%s: etwhf's decoder could not read it: %s", path, etwhf_strerror(st));
    }
    if (st == ETWHF_OK && !(c = calloc(1, sizeof *c)))
        st = ETWHF_ENOMEM;
    if (st == ETWHF_OK && (st = fill(c, path, &g)) != ETWHF_OK)
        snprintf(err, errlen, "out of memory");
    if (st == ETWHF_OK)
        etwhf_referee_case_free(&g);
    else if (c) {
        etwhf_referee_case_free(&g);
        etwhf_corpus_free(c);
        c = NULL;
    }
    if (!path)
        snprintf(err, errlen, "no file");
    if (status)
        *status = st;
    return c;
}
