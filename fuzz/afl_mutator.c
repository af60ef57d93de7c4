/*
 * afl_mutator.c — AFL++ custom-mutator entry layer of the structure-aware
 * mutator (load with AFL_CUSTOM_MUTATOR_LIBRARY=…/libetwhf_afl_mutator.so).
 *
 * Built with plain clang -fPIC, without AFL or sanitizer instrumentation: it
 * runs inside afl-fuzz. Debian's AFL++ 4.04c ships no headers, so the state
 * pointer is opaque and the mutator owns its output buffer. No trimming hooks
 * (AFL++ wants all three or none). ETWHF_MUTATOR_LAYOUT = file (default),
 * record or stream names the target's input shape.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mutator.h"

struct afl_mut {
    int layout;
    uint32_t seed;
    uint8_t *out;
    size_t cap;
};

void *afl_custom_init(void *afl, unsigned int seed);
size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf, uint8_t *add_buf,
                       size_t add_buf_size, size_t max_size);
void afl_custom_deinit(void *data);

void *afl_custom_init(void *afl, unsigned int seed)
{
    (void)afl;
    struct afl_mut *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    const char *name = getenv("ETWHF_MUTATOR_LAYOUT");
    m->layout = name ? fuzz_layout_from_name(name) : FUZZ_LAYOUT_FILE;
    if (m->layout < 0) {
        fprintf(stderr, "etwhf mutator: ETWHF_MUTATOR_LAYOUT must be file, record or stream\n");
        free(m);
        return NULL;
    }
    m->seed = seed ? seed : 1;
    return m;
}

size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size, uint8_t **out_buf, uint8_t *add_buf,
                       size_t add_buf_size, size_t max_size)
{
    struct afl_mut *m = data;
    if (max_size == 0)
        max_size = 1; /* never return 0: afl-fuzz treats it as a failed mutation */
    if (m->cap < max_size) {
        uint8_t *p = realloc(m->out, max_size);
        if (!p) {
            *out_buf = buf;
            return buf_size ? buf_size : 1;
        }
        m->out = p;
        m->cap = max_size;
    }
    m->seed = m->seed * 1664525u + 1013904223u;
    size_t n;
    if (add_buf && add_buf_size && (m->seed >> 28) < 4) {
        n = fuzz_crossover(m->layout, buf, buf_size, add_buf, add_buf_size, m->out, max_size, m->seed);
    } else {
        n = buf_size < max_size ? buf_size : max_size;
        memcpy(m->out, buf, n);
        n = fuzz_mutate(m->layout, m->out, n, max_size, m->seed, fuzz_havoc);
    }
    if (n == 0) {
        m->out[0] = (uint8_t)m->seed;
        n = 1;
    }
    *out_buf = m->out;
    return n;
}

void afl_custom_deinit(void *data)
{
    struct afl_mut *m = data;
    if (!m)
        return;
    free(m->out);
    free(m);
}
