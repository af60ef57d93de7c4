/*
 * planted_target.c — a fuzz target with two planted bugs, for the triage test
 * of ci/fuzz (tests/campaign/triage_test.sh). It wraps the real decoder and
 * leaves decoder/ untouched: the bugs live in this file's event callback.
 *
 * Input: one bare 64-bit HeapFree payload (heap handle, address, Source).
 *   Source == 7                      → bug A: a write through NULL (SIGSEGV)
 *   (address & 0xFF) == 0xB0         → bug B: abort()  (checked after A)
 * Both conditions are one byte away from the clean seed, so both engines also
 * find them by mutation and write many crash files per bug.
 */
#include <stdint.h>
#include <stdlib.h>

#include "etwhf/decode.h"

/* volatile: the compiler must not see the NULL and turn the write into a trap */
static volatile int *volatile planted_nowhere;

__attribute__((noinline)) static void planted_bug_a(uint32_t source)
{
    (void)source;
    *planted_nowhere = 1;
}

__attribute__((noinline)) static void planted_bug_b(uint64_t address)
{
    if ((address & 0xFFu) == 0xB0u)
        abort();
}

static int planted_on_event(void *user, const struct etwhf_event *ev)
{
    (void)user;
    if (ev->source == 7u)
        planted_bug_a(ev->source);
    if ((ev->address & 0xFFu) == 0xB0u)
        planted_bug_b(ev->address);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct etwhf_decode_options o;
    etwhf_decode_options_init(&o);
    o.input = ETWHF_INPUT_PAYLOAD;
    o.pointer_size = 8;
    o.payload_type = ETWHF_HEAP_FREE;
    o.on_event = planted_on_event;
    struct etwhf_decoder *d = etwhf_decoder_new(&o, NULL);
    if (d)
        etwhf_decode_memory(d, data, size);
    etwhf_decoder_free(d);
    return 0;
}
