/*
 * fuzz_observe.h — one decode run seen from outside: every event and
 * diagnostic is kept and checked against the invariants that hold for any
 * input (docs/spec/walk.md, diagnostics.md; decode.h), and the summary against what was seen.
 *
 * A run's arrays are reused between executions (no allocation per input once
 * they have grown), so keep runs in static storage.
 */
#ifndef ETWHF_FUZZ_OBSERVE_H
#define ETWHF_FUZZ_OBSERVE_H

#include <stddef.h>
#include <stdint.h>

#include "etwhf/decode.h"
#include "fuzz_helpers.h"

struct fuzz_run {
    /* what was decoded */
    int input, mode;
    unsigned pointer_size; /* payload input */
    uint8_t payload_type;
    uint64_t buffer_limit;
    size_t input_len;
    /* what came out */
    struct etwhf_event *ev;
    size_t n_ev, cap_ev;
    size_t *ev_at; /* diagnostics delivered before each event */
    size_t cap_ev_at;
    struct etwhf_diag *dg;
    size_t n_dg, cap_dg;
    struct etwhf_summary sum;
    uint64_t n_err, n_warn;
    uint32_t error_mask, warning_mask;
    /* R9 order: after HEAP_PAYLOAD_LONG or SOURCE_* only their event may come */
    int pending, pending_has_inner;
    uint64_t pending_offset, pending_inner;
    size_t live_at_begin; /* fuzz_alloc_live() before the decoder was made */
    int counting;         /* set before fuzz_begin: no event callback (the decoder's counting walk);
                   * only diagnostics and the summary are seen */
};

/* Starts a run: a decoder whose callbacks feed `r`. `opts` gives input, mode,
 * width, limits; its callbacks and user pointer are replaced. */
struct etwhf_decoder *fuzz_begin(struct fuzz_run *r, const struct etwhf_decode_options *opts, size_t input_len);
/* Feeds one chunk; asserts the decoder accepted it. */
void fuzz_feed(struct etwhf_decoder *ctx, const uint8_t *data, size_t len);
/* Finishes, copies the summary, frees the decoder and checks the whole run. */
void fuzz_end(struct fuzz_run *r, struct etwhf_decoder *ctx);
/* begin + one feed of the whole input + end. */
void fuzz_decode(struct fuzz_run *r, const struct etwhf_decode_options *opts, const uint8_t *data, size_t len);

/* Decodes in recover mode into `rec`, then in strict mode into `str`, and
 * checks that the strict run is the recover run cut after its first error. */
void fuzz_decode_both_modes(struct fuzz_run *rec, struct fuzz_run *str, const struct etwhf_decode_options *opts,
                            const uint8_t *data, size_t len);

/* A whole target body: both modes over one input kind (file or record), then
 * recover mode again without an event callback (the counting walk, a copy
 * of the walk of its own) giving the same diagnostics and summary; the
 * outcome noted, the sink reach counted. */
void fuzz_target_both_modes(const char *target, int input, const uint8_t *data, size_t size);

/* Same events, diagnostics and summary, field by field. */
void fuzz_assert_same_run(const struct fuzz_run *a, const struct fuzz_run *b, const char *what);
/* A counting run (no event callback) gave the diagnostics and the summary
 * of the run with events. */
void fuzz_assert_same_counting(const struct fuzz_run *counting, const struct fuzz_run *full);
/* A strict run is the recover run cut right after its first error. */
void fuzz_assert_strict_prefix(const struct fuzz_run *strict, const struct fuzz_run *recover);
/* Records the run as this input's outcome (fuzz_helpers.h). */
void fuzz_note_outcome(const struct fuzz_run *r);

int fuzz_events_equal(const struct etwhf_event *a, const struct etwhf_event *b);
int fuzz_diags_equal(const struct etwhf_diag *a, const struct etwhf_diag *b);

#endif
