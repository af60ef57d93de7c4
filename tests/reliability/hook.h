/*
 * hook.h — an allocator hook (struct etwhf_allocator) that counts the calls
 * and the blocks still held, and fails the call numbered fail_at: the tool of
 * the allocation-failure tests of the generator and the decoder.
 */
#ifndef ETWHF_TESTS_RELIABILITY_HOOK_H
#define ETWHF_TESTS_RELIABILITY_HOOK_H

#include <stdint.h>

#include "etwhf/format.h"

struct hook {
    uint64_t calls, held, fail_at; /* fail_at 0: none fails */
    struct etwhf_allocator a;      /* set by hook_init, points back here */
};

/* Resets the counts; the call numbered fail_at (1-based) will fail. */
void hook_init(struct hook *h, uint64_t fail_at);

#endif
