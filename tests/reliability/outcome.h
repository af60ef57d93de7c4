/*
 * outcome.h — what one decode of a damaged trace delivered, in the terms the
 * recovery experiment compares: the HeapFree events (with the buffer and
 * record offset that carried them), the distinct error and warning codes,
 * the strict first error and the summary.
 */
#ifndef ETWHF_TESTS_RELIABILITY_OUTCOME_H
#define ETWHF_TESTS_RELIABILITY_OUTCOME_H

#include <stddef.h>
#include <stdint.h>

#include "etwhf/decode.h"
#include "etwhf/gen.h"

/* Zero-filled, padding included, so two events compare with memcmp. */
struct oc_event {
    uint64_t buffer, offset; /* buffer position index, record file offset */
    uint64_t heap_handle, address;
    uint32_t source;
    uint8_t pointer_size, header;
};

struct outcome {
    struct oc_event *ev;
    size_t n, cap;
    uint32_t errors, warnings; /* bit (1u << code) */
    int first_error;           /* code of the first error diagnostic, 0 when none */
    uint64_t first_error_offset;
    struct etwhf_summary sum;
    int rc; /* API status */
};

/* Decodes `data` as a file in `mode` (one feed: the decoder's chunking
 * tests show any chunking gives the same). The outcome is reset first; it
 * aborts the process when memory runs out (a test helper, not the code under
 * test). */
void oc_decode(struct outcome *o, const uint8_t *data, size_t len, int mode);
void oc_free(struct outcome *o);

/* The events of buffer position `buffer`, as [*first, *first + return). */
size_t oc_buffer_events(const struct outcome *o, uint64_t buffer, size_t *first);

/* NULL when a recover-mode outcome (and a strict-mode one, unless NULL) is
 * the case's expectation — what the manifest holds: HeapFree events, error
 * and warning codes, counts, strict mode's first error after a prefix of the
 * recover-mode events — else what differs. */
const char *oc_differs(const struct outcome *recover, const struct outcome *strict, const struct etwhf_gen_case *c);

#endif
