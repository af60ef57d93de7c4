/*
 * fuzz_gen — the fuzzer's bytes are the generator's decision stream: build a
 * case, decode it in recover and in strict mode, and require exactly the
 * case's expectation (computed by the generator from what it wrote, never by
 * the decoder): HeapFree events, verdict, error and warning codes, every
 * diagnostic's place, counts, and strict mode's first error.
 *
 * Byte 0 picks generator options the defaults rarely reach (0 = the defaults,
 * the options `etwhf gen` uses): bits 0–1 max faults (default 2, 1, 3, 4),
 * bits 2–3 compressed rate (default 150, 0, 500, 1000 ‰), bit 4 every case
 * faulty (rate 1000 ‰). The rest is the decision stream.
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

static const struct etwhf_gen_case *current; /* for the report on a mismatch */
static const struct fuzz_run *current_run;

/* What the case was and what came out, before the assert aborts. */
static void report_case(void)
{
    const struct etwhf_gen_case *c = current;
    const struct fuzz_run *r = current_run;
    fprintf(stderr, "case: layer %d, width %u, compressed %d, %zu bytes, faults:", c->layer, c->pointer_size,
            c->compressed, c->len);
    for (size_t i = 0; i < c->n_faults; i++) {
        const struct etwhf_fault_info *fi = etwhf_fault_info(c->faults[i]);
        fprintf(stderr, " %s(%s)", fi ? fi->name : "?", c->fault_raw[i] ? "raw" : "fixed-up");
    }
    fprintf(stderr, "\nexpected %zu diagnostics:\n", c->expect.n_diags);
    for (size_t i = 0; i < c->expect.n_diags; i++) {
        const struct etwhf_gen_diag *d = &c->expect.diags[i];
        const struct etwhf_diag_info *di = etwhf_diag_info(d->code);
        fprintf(stderr, "  %s buffer %lld offset %llu\n", di ? di->name : "?",
                d->buffer == ETWHF_GEN_NO_BUFFER ? -1LL : (long long)d->buffer, (unsigned long long)d->offset);
    }
    fprintf(stderr, "decoded %zu diagnostics:\n", r->n_dg);
    for (size_t i = 0; i < r->n_dg; i++)
        fprintf(stderr, "  %s buffer %lld offset %llu: %s\n", etwhf_diag_info(r->dg[i].code)->name,
                r->dg[i].buffer == ETWHF_NO_BUFFER ? -1LL : (long long)r->dg[i].buffer,
                (unsigned long long)r->dg[i].offset, r->dg[i].message);
}

#define EXPECT(cond, msg)                                                                                              \
    do {                                                                                                               \
        if (!(cond))                                                                                                   \
            report_case();                                                                                             \
        FUZZ_ASSERT_MSG(cond, msg);                                                                                    \
    } while (0)

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
        EXPECT(k < x->n_events, "more HeapFree events than the case expects");
        const struct etwhf_gen_event *want = &x->events[k++];
        EXPECT(ev->heap_handle == want->heap_handle && ev->address == want->address && ev->source == want->source &&
                   ev->pointer_size == want->pointer_size,
               "HeapFree event differs from the case's");
    }
    EXPECT(k == x->n_events, "fewer HeapFree events than the case expects");
    EXPECT(n_alloc == x->heap_alloc && n_realloc == x->heap_realloc, "Alloc/ReAlloc counts differ");
}

static void check_diags(const struct fuzz_run *r, const struct etwhf_gen_expect *x)
{
    EXPECT(r->n_dg == x->n_diags, "number of diagnostics differs from the case's");
    for (size_t i = 0; i < r->n_dg; i++) {
        const struct etwhf_diag *d = &r->dg[i];
        const struct etwhf_gen_diag *want = &x->diags[i];
        EXPECT(d->code == want->code, "diagnostic code differs from the case's");
        EXPECT(d->buffer == want->buffer && d->offset == want->offset, "diagnostic place differs");
        EXPECT(d->has_inner == want->has_inner && (!d->has_inner || d->inner_offset == want->inner_offset),
               "diagnostic inner offset differs");
    }
}

static void check_against_case(const struct fuzz_run *rec, const struct fuzz_run *str, const struct etwhf_gen_case *c)
{
    const struct etwhf_gen_expect *x = &c->expect;
    EXPECT((rec->n_err > 0) == (x->error != 0), "verdict differs from the case's");
    EXPECT(rec->error_mask == x->errors, "error codes differ from the case's");
    EXPECT(rec->warning_mask == x->warnings, "warning codes differ from the case's");
    check_events(rec, x);
    check_diags(rec, x);
    if (c->layer == ETWHF_GEN_FILE) {
        EXPECT(rec->sum.buffers == x->buffers && rec->sum.buffers_skipped == x->buffers_skipped &&
                   rec->sum.events_total == x->events_total,
               "buffer or record counts differ from the case's");
    }
    if (x->first_error_code) {
        const struct etwhf_diag *last = &str->dg[str->n_dg - 1];
        EXPECT(str->n_err == 1 && last->code == x->first_error_code && last->offset == x->first_error_offset,
               "strict mode's first error differs from the case's");
    } else {
        EXPECT(str->n_err == 0, "strict mode found an error in an ok case");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct fuzz_run rec, str;
    struct etwhf_gen_options go;
    etwhf_gen_options_init(&go);
    if (size > 0) {
        static const unsigned max_faults[4] = {0, 1, 3, 4}, compressed[4] = {0, 0, 500, 1000};
        if (data[0] & 3u)
            go.max_faults = max_faults[data[0] & 3u];
        if ((data[0] >> 2) & 3u)
            go.compressed_rate = compressed[(data[0] >> 2) & 3u];
        if (data[0] & 0x10)
            go.fault_rate = 1000;
        data++;
        size--;
    }
    struct etwhf_dstream ds;
    etwhf_dstream_init_bytes(&ds, data, size);
    struct etwhf_gen_case c;
    int st = etwhf_gen_case(&go, &ds, &c);
    FUZZ_ASSERT_MSG(st == ETWHF_OK, etwhf_strerror(st));

    struct etwhf_decode_options o;
    decode_options_for(&c, &o);
    fuzz_decode_both_modes(&rec, &str, &o, c.bytes, c.len);
    current = &c;
    current_run = &rec;
    check_against_case(&rec, &str, &c);
    fuzz_note_outcome(&rec);
    fuzz_stats_exec("fuzz_gen", rec.n_ev > 0);
    etwhf_gen_case_free(&c);
    return 0;
}
