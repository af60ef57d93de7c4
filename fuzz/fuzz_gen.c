/*
 * fuzz_gen — the fuzzer's bytes are the generator's decision stream: build a
 * case, decode it in recover and in strict mode, and require exactly the
 * case's expectation (computed by the generator from what it wrote, never by
 * the decoder): HeapFree events, verdict, error and warning codes, every
 * diagnostic's place, counts, and strict mode's first error.
 */
#include "etwhf/gen.h"
#include "fuzz_observe.h"

static void decode_options_for(const struct etwhf_gen_case *c, struct etwhf_decode_options *o)
{
    etwhf_decode_options_init(o);
    switch (c->layer) {
    case ETWHF_GEN_PAYLOAD:
        o->input = ETWHF_INPUT_PAYLOAD;
        o->pointer_size = c->pointer_size;
        o->payload_type = c->event;
        break;
    case ETWHF_GEN_RECORD: o->input = ETWHF_INPUT_RECORD; break;
    default: o->input = ETWHF_INPUT_FILE; break;
    }
}

static void check_events(const struct fuzz_run *r, const struct etwhf_gen_expect *x)
{
    size_t k = 0;
    uint64_t n_alloc = 0, n_realloc = 0;
    for (size_t i = 0; i < r->n_ev; i++) {
        const struct etwhf_event *ev = &r->ev[i];
        n_alloc += ev->type == ETWHF_HEAP_ALLOC;
        n_realloc += ev->type == ETWHF_HEAP_REALLOC;
        if (ev->type != ETWHF_HEAP_FREE)
            continue;
        FUZZ_ASSERT_MSG(k < x->n_events, "more HeapFree events than the case expects");
        const struct etwhf_gen_event *want = &x->events[k++];
        FUZZ_ASSERT_MSG(ev->heap_handle == want->heap_handle && ev->address == want->address &&
                            ev->source == want->source && ev->pointer_size == want->pointer_size,
                        "HeapFree event differs from the case's");
    }
    FUZZ_ASSERT_MSG(k == x->n_events, "fewer HeapFree events than the case expects");
    FUZZ_ASSERT_MSG(n_alloc == x->heap_alloc && n_realloc == x->heap_realloc, "Alloc/ReAlloc counts differ");
}

static void check_diags(const struct fuzz_run *r, const struct etwhf_gen_expect *x)
{
    FUZZ_ASSERT_MSG(r->n_dg == x->n_diags, "number of diagnostics differs from the case's");
    for (size_t i = 0; i < r->n_dg; i++) {
        const struct etwhf_diag *d = &r->dg[i];
        const struct etwhf_gen_diag *want = &x->diags[i];
        FUZZ_ASSERT_MSG(d->code == want->code, "diagnostic code differs from the case's");
        FUZZ_ASSERT_MSG(d->buffer == want->buffer && d->offset == want->offset, "diagnostic place differs");
        FUZZ_ASSERT_MSG(d->has_inner == want->has_inner && (!d->has_inner || d->inner_offset == want->inner_offset),
                        "diagnostic inner offset differs");
    }
}

static void check_against_case(const struct fuzz_run *rec, const struct fuzz_run *str,
                               const struct etwhf_gen_case *c)
{
    const struct etwhf_gen_expect *x = &c->expect;
    FUZZ_ASSERT_MSG((rec->n_err > 0) == (x->error != 0), "verdict differs from the case's");
    FUZZ_ASSERT_MSG(rec->error_mask == x->errors, "error codes differ from the case's");
    FUZZ_ASSERT_MSG(rec->warning_mask == x->warnings, "warning codes differ from the case's");
    check_events(rec, x);
    check_diags(rec, x);
    if (c->layer == ETWHF_GEN_FILE) {
        FUZZ_ASSERT_MSG(rec->sum.buffers == x->buffers && rec->sum.buffers_skipped == x->buffers_skipped &&
                            rec->sum.events_total == x->events_total,
                        "buffer or record counts differ from the case's");
    }
    if (x->first_error_code) {
        const struct etwhf_diag *last = &str->dg[str->n_dg - 1];
        FUZZ_ASSERT_MSG(str->n_err == 1 && last->code == x->first_error_code &&
                            last->offset == x->first_error_offset,
                        "strict mode's first error differs from the case's");
    } else {
        FUZZ_ASSERT_MSG(str->n_err == 0, "strict mode found an error in an ok case");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct fuzz_run rec, str;
    struct etwhf_gen_options go;
    etwhf_gen_options_init(&go);
    struct etwhf_dstream ds;
    etwhf_dstream_init_bytes(&ds, data, size);
    struct etwhf_gen_case c;
    int st = etwhf_gen_case(&go, &ds, &c);
    FUZZ_ASSERT_MSG(st == ETWHF_OK, etwhf_strerror(st));

    struct etwhf_decode_options o;
    decode_options_for(&c, &o);
    fuzz_decode_both_modes(&rec, &str, &o, c.bytes, c.len);
    check_against_case(&rec, &str, &c);
    fuzz_note_outcome(&rec);
    fuzz_stats_exec("fuzz_gen", rec.n_ev > 0);
    etwhf_gen_case_free(&c);
    return 0;
}
