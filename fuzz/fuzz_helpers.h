/*
 * fuzz_helpers.h — what every fuzz target shares: always-on asserts, the
 * sink-reach counters, and the outcome of the last decode (for the standalone
 * driver's `.expect` sidecars).
 *
 * FUZZ_ASSERT is active in every build (no NDEBUG switch), like zstd's
 * FUZZ_ASSERT: a broken invariant must crash the fuzzer in release-mode AFL
 * builds too, where there is no sanitizer to notice.
 */
#ifndef ETWHF_FUZZ_HELPERS_H
#define ETWHF_FUZZ_HELPERS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "etwhf/format.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FUZZ_ASSERT_MSG(cond, msg)                                                                                     \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            fprintf(stderr, "%s:%d: fuzz invariant failed: %s (%s)\n", __FILE__, __LINE__, #cond, (msg));              \
            abort();                                                                                                   \
        }                                                                                                              \
    } while (0)
#define FUZZ_ASSERT(cond) FUZZ_ASSERT_MSG(cond, "")

/* ---- sink reach ------------------------------------------------------------
 * Each target calls fuzz_stats_exec once per execution, with 1 when at least
 * one event reached the event callback. With ETWHF_FUZZ_STATS set the fraction
 * is reported at exit: "1" or "stderr" prints to stderr; any other value is a
 * path prefix, and "<prefix>.<pid>" is rewritten every 2^16 executions and at
 * exit (afl-fuzz kills its persistent children, so exit alone would lose it). */
void fuzz_stats_exec(const char *target, int reached_sink);

/* ---- outcome of the last recover-mode decode --------------------------------
 * The target records it; the standalone driver compares it with a sidecar
 * `<input>.expect` when one exists (corpus/regressions/README.md). */
struct fuzz_outcome {
    int valid;           /* 0 until a target recorded one for this input */
    uint32_t error_mask; /* bit c set: diagnostic code c was seen as an error */
    uint32_t warning_mask;
    uint64_t events; /* heap events delivered */
};
void fuzz_outcome_clear(void);
void fuzz_outcome_set(const struct fuzz_outcome *o);
const struct fuzz_outcome *fuzz_outcome_get(void);

/* ---- decoder memory ----------------------------------------------------------
 * The allocator to hand the decoder (etwhf_decode_options.allocator), or NULL
 * for plain malloc/free. Under AddressSanitizer it keeps the blocks of one
 * decode for the next (ASan's malloc, quarantine and stack depot were a tenth
 * of fuzz_payload's time) and keeps ASan's checks on them: every byte past the
 * requested size and every free block is poisoned, new blocks are filled with
 * 0xbe as ASan's malloc fills them, a free of a block not held or already free
 * aborts, and fuzz_alloc_live() counts what is held so a target can assert the
 * decoder returned everything. */
const struct etwhf_allocator *fuzz_allocator(void);
size_t fuzz_alloc_live(void);

#ifdef __cplusplus
}
#endif
#endif
