/* fuzz_observe.c — keeps and checks what one decode run delivers. */
#include "fuzz_observe.h"
#include "etwhf/layout.h"

#include <string.h>

#define FAIL_IF_NOT(cond, what) FUZZ_ASSERT_MSG(cond, what)

static void *grow(void *arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return arr;
    size_t n = *cap ? *cap : 64;
    while (n < need)
        n *= 2;
    void *p = realloc(arr, n * elem);
    FUZZ_ASSERT_MSG(p != NULL, "out of memory in the harness");
    *cap = n;
    return p;
}

static int is_bare(const struct fuzz_run *r)
{
    return r->input != ETWHF_INPUT_FILE;
}

static void check_pointer(const struct etwhf_event *ev, uint64_t v)
{
    FAIL_IF_NOT(ev->pointer_size == 8 || v <= UINT32_MAX, "pointer-sized value wider than 32 bits");
}

static void check_event_fields(const struct fuzz_run *r, const struct etwhf_event *ev)
{
    FAIL_IF_NOT(ev->type == ETWHF_HEAP_FREE || ev->type == ETWHF_HEAP_ALLOC || ev->type == ETWHF_HEAP_REALLOC,
                "event type is not Free, Alloc or ReAlloc");
    if (r->input == ETWHF_INPUT_PAYLOAD) {
        uint8_t want = r->payload_type ? r->payload_type : ETWHF_HEAP_FREE;
        FAIL_IF_NOT(ev->type == want, "payload event of another type than asked for");
        FAIL_IF_NOT(ev->pointer_size == r->pointer_size, "payload event width differs from the option");
        FAIL_IF_NOT(!ev->has_pid_tid, "a bare payload has no pid/tid");
    } else {
        const struct etwhf_header_info *hi = etwhf_header_info(ev->header);
        FAIL_IF_NOT(hi != NULL && ev->header < ETWHF_HDR_FORMS, "event header is not one of the 12 forms");
        FAIL_IF_NOT(hi->pointer_size == ev->pointer_size, "event width differs from its header form");
        FAIL_IF_NOT(ev->has_pid_tid == (hi->family != ETWHF_FAM_PERFINFO),
                    "has_pid_tid disagrees with the header family");
    }
    FAIL_IF_NOT(ev->pointer_size == 4 || ev->pointer_size == 8, "pointer_size is not 4 or 8");
    check_pointer(ev, ev->heap_handle);
    check_pointer(ev, ev->address);
    check_pointer(ev, ev->size);
    check_pointer(ev, ev->new_address);
    check_pointer(ev, ev->old_address);
    check_pointer(ev, ev->new_size);
    check_pointer(ev, ev->old_size);
    /* decode.h: fields that do not apply to the type are 0 */
    if (ev->type != ETWHF_HEAP_REALLOC)
        FAIL_IF_NOT(!ev->new_address && !ev->old_address && !ev->new_size && !ev->old_size,
                    "ReAlloc fields set on another type");
    else
        FAIL_IF_NOT(!ev->address && !ev->size, "Free/Alloc fields set on a ReAlloc");
    if (ev->type == ETWHF_HEAP_FREE)
        FAIL_IF_NOT(!ev->size, "size set on a Free");
}

static void check_event_place(const struct fuzz_run *r, const struct etwhf_event *ev)
{
    FAIL_IF_NOT(ev->offset < r->input_len, "event offset outside the input");
    if (is_bare(r)) {
        FAIL_IF_NOT(ev->buffer == ETWHF_NO_BUFFER, "bare-input event names a buffer");
        FAIL_IF_NOT(!ev->has_inner && ev->cpu == 0, "bare-input event with inner offset or cpu");
    } else {
        FAIL_IF_NOT(ev->buffer != ETWHF_NO_BUFFER, "file event without a buffer");
        FAIL_IF_NOT(ev->buffer <= ev->offset / ETWHF_BUFFER_HEADER_SIZE, "buffer index too large for its offset");
        if (ev->has_inner)
            FAIL_IF_NOT(ev->inner_offset >= ETWHF_BUFFER_HEADER_SIZE &&
                            ev->inner_offset - ETWHF_BUFFER_HEADER_SIZE < r->buffer_limit,
                        "inner offset outside the expanded buffer");
    }
    if (r->n_ev > 0) {
        const struct etwhf_event *prev = &r->ev[r->n_ev - 1];
        int later = ev->offset > prev->offset || (ev->offset == prev->offset && ev->has_inner && prev->has_inner &&
                                                  ev->inner_offset > prev->inner_offset);
        FAIL_IF_NOT(later, "events not delivered in file order");
    }
}

/* R9: a record's HEAP_PAYLOAD_LONG / SOURCE_* come right before its event. */
static int is_r9_warning(int code)
{
    return code == ETWHF_DIAG_HEAP_PAYLOAD_LONG || code == ETWHF_DIAG_SOURCE_RESERVED ||
           code == ETWHF_DIAG_SOURCE_UNKNOWN;
}

static int on_event(void *user, const struct etwhf_event *ev)
{
    struct fuzz_run *r = user;
    check_event_fields(r, ev);
    check_event_place(r, ev);
    int want_source = etwhf_source_diag(ev->source);
    if (want_source) {
        FAIL_IF_NOT(r->pending && r->n_dg > 0 && r->dg[r->n_dg - 1].code == want_source,
                    "Source value without its diagnostic right before the event");
    }
    if (r->pending) {
        FAIL_IF_NOT(ev->offset == r->pending_offset && ev->has_inner == r->pending_has_inner &&
                        (!ev->has_inner || ev->inner_offset == r->pending_inner),
                    "R9 warning and its event at different offsets");
        r->pending = 0;
    }
    FAIL_IF_NOT(r->mode != ETWHF_MODE_STRICT || r->n_err == 0, "strict mode went on after an error");
    r->ev = grow(r->ev, &r->cap_ev, r->n_ev + 1, sizeof *r->ev);
    r->ev_at = grow(r->ev_at, &r->cap_ev_at, r->n_ev + 1, sizeof *r->ev_at);
    r->ev_at[r->n_ev] = r->n_dg;
    r->ev[r->n_ev++] = *ev;
    return 0;
}

/* etwhf_diag_info by code without its linear search (a third of on_diag's
 * time): the table is constant, so indexing it once gives the same answers. */
static const struct etwhf_diag_info *diag_info(int code)
{
    static const struct etwhf_diag_info *by_code[ETWHF_DIAG_MAX + 1];
    static int ready;
    if (!ready) {
        size_t n;
        const struct etwhf_diag_info *t = etwhf_diag_table(&n);
        for (size_t i = 0; i < n; i++)
            if (t[i].code > 0 && t[i].code <= ETWHF_DIAG_MAX && !by_code[t[i].code])
                by_code[t[i].code] = &t[i];
        ready = 1;
    }
    return code > 0 && code <= ETWHF_DIAG_MAX ? by_code[code] : NULL;
}

static int on_diag(void *user, const struct etwhf_diag *d)
{
    struct fuzz_run *r = user;
    const struct etwhf_diag_info *info = diag_info(d->code);
    FAIL_IF_NOT(info != NULL, "diagnostic with an unknown code");
    FAIL_IF_NOT(d->severity == info->severity, "diagnostic severity differs from the table");
    FAIL_IF_NOT(memchr(d->message, '\0', sizeof d->message) != NULL, "message not NUL-terminated");
    FAIL_IF_NOT(r->mode != ETWHF_MODE_STRICT || r->n_err == 0, "strict mode went on after an error");
    if (is_bare(r) || d->code <= ETWHF_DIAG_FILE_TOO_SHORT)
        FAIL_IF_NOT(d->buffer == ETWHF_NO_BUFFER, "diagnostic names a buffer where none exists");
    else
        FAIL_IF_NOT(d->buffer != ETWHF_NO_BUFFER, "file diagnostic without a buffer");
    if (d->has_inner)
        FAIL_IF_NOT(!is_bare(r) && d->offset < r->input_len, "inner diagnostic outside the input");
    else
        FAIL_IF_NOT(d->offset <= r->input_len, "diagnostic offset past the input");
    if (r->input == ETWHF_INPUT_PAYLOAD)
        FAIL_IF_NOT(d->offset == 0, "bare payload diagnostic with a nonzero offset");
    if (d->code == ETWHF_DIAG_FILE_EMPTY)
        FAIL_IF_NOT(r->input_len == 0, "FILE_EMPTY on a non-empty input");
    if (d->code == ETWHF_DIAG_FILE_TOO_SHORT)
        FAIL_IF_NOT(r->input_len > 0 && r->input_len < ETWHF_BUFFER_HEADER_SIZE, "FILE_TOO_SHORT misplaced");

    if (r->pending) { /* never in a counting run: without events R9's order cannot be seen */
        FAIL_IF_NOT(d->code != ETWHF_DIAG_HEAP_PAYLOAD_LONG && is_r9_warning(d->code) &&
                        d->offset == r->pending_offset && d->has_inner == r->pending_has_inner &&
                        (!d->has_inner || d->inner_offset == r->pending_inner),
                    "another diagnostic between an R9 warning and its event");
    }
    if (is_r9_warning(d->code) && !r->counting) {
        r->pending = 1;
        r->pending_offset = d->offset;
        r->pending_has_inner = d->has_inner;
        r->pending_inner = d->inner_offset;
    }

    if (d->severity == ETWHF_SEV_ERROR) {
        r->n_err++;
        r->error_mask |= 1u << d->code;
    } else {
        r->n_warn++;
        r->warning_mask |= 1u << d->code;
    }
    r->dg = grow(r->dg, &r->cap_dg, r->n_dg + 1, sizeof *r->dg);
    r->dg[r->n_dg++] = *d;
    return 0;
}

struct etwhf_decoder *fuzz_begin(struct fuzz_run *r, const struct etwhf_decode_options *opts, size_t input_len)
{
    r->input = opts->input;
    r->mode = opts->mode;
    r->pointer_size = opts->pointer_size;
    r->payload_type = opts->payload_type;
    r->buffer_limit = opts->buffer_limit ? opts->buffer_limit : ETWHF_DEFAULT_BUFFER_LIMIT;
    r->input_len = input_len;
    /* sized once up front: growing on some inputs only would show AFL++
     * different edges for the same input (lower "stability") */
    r->ev = grow(r->ev, &r->cap_ev, 1024, sizeof *r->ev);
    r->ev_at = grow(r->ev_at, &r->cap_ev_at, 1024, sizeof *r->ev_at);
    r->dg = grow(r->dg, &r->cap_dg, 1024, sizeof *r->dg);
    r->n_ev = r->n_dg = 0;
    r->n_err = r->n_warn = 0;
    r->error_mask = r->warning_mask = 0;
    r->pending = 0;
    memset(&r->sum, 0, sizeof r->sum);

    struct etwhf_decode_options o = *opts;
    o.on_event = r->counting ? NULL : on_event;
    o.on_diag = on_diag;
    o.user = r;
    if (!o.allocator)
        o.allocator = fuzz_allocator();
    r->live_at_begin = fuzz_alloc_live();
    int st;
    struct etwhf_decoder *ctx = etwhf_decoder_new(&o, &st);
    FUZZ_ASSERT_MSG(ctx != NULL, etwhf_strerror(st));
    return ctx;
}

void fuzz_feed(struct etwhf_decoder *ctx, const uint8_t *data, size_t len)
{
    int st = etwhf_decode_feed(ctx, data, len);
    FUZZ_ASSERT_MSG(st == ETWHF_OK, etwhf_strerror(st));
}

static void check_summary(const struct fuzz_run *r)
{
    const struct etwhf_summary *s = &r->sum;
    uint64_t n_free = 0, n_alloc = 0, n_realloc = 0;
    for (size_t i = 0; i < r->n_ev; i++) {
        n_free += r->ev[i].type == ETWHF_HEAP_FREE;
        n_alloc += r->ev[i].type == ETWHF_HEAP_ALLOC;
        n_realloc += r->ev[i].type == ETWHF_HEAP_REALLOC;
    }
    FAIL_IF_NOT(s->errors == r->n_err && s->warnings == r->n_warn,
                "summary errors/warnings differ from diagnostics seen");
    FAIL_IF_NOT(s->errors + s->warnings == r->n_dg, "errors + warnings != diagnostics seen");
    FAIL_IF_NOT(r->counting || (s->heap_free == n_free && s->heap_alloc == n_alloc && s->heap_realloc == n_realloc),
                "summary heap counts differ from events seen");
    FAIL_IF_NOT(s->bytes == r->input_len, "summary bytes differ from the input length");
    FAIL_IF_NOT(!r->pending, "an R9 warning with no event after it");
    if (r->mode == ETWHF_MODE_STRICT)
        FAIL_IF_NOT(s->errors <= 1 && (s->errors == 0 || r->dg[r->n_dg - 1].severity == ETWHF_SEV_ERROR),
                    "strict mode: more than one error, or output after it");
    if (r->input_len == 0)
        FAIL_IF_NOT(r->n_dg == 1 && r->dg[0].code == ETWHF_DIAG_FILE_EMPTY && r->n_ev == 0,
                    "empty input must give exactly FILE_EMPTY");
    if (r->input == ETWHF_INPUT_PAYLOAD) {
        FAIL_IF_NOT(r->n_ev <= 1, "a bare payload gives at most one event");
        return;
    }
    FAIL_IF_NOT(s->heap_free + s->heap_alloc + s->heap_realloc <= s->events_total, "more heap events than records");
    if (r->input == ETWHF_INPUT_RECORD) {
        FAIL_IF_NOT(s->buffers == 0 && s->buffers_skipped == 0, "bare records counted buffers");
        FAIL_IF_NOT(s->events_total <= r->input_len / 8, "more records than 8-byte slots");
        return;
    }
    uint64_t positions = (r->input_len + ETWHF_BUFFER_HEADER_SIZE - 1) / ETWHF_BUFFER_HEADER_SIZE;
    FAIL_IF_NOT(s->buffers + s->buffers_skipped <= positions, "more buffers than positions in the input");
    for (size_t i = 0; i < r->n_ev; i++)
        FAIL_IF_NOT(r->ev[i].buffer < s->buffers + s->buffers_skipped, "event in a buffer never visited");
    for (size_t i = 0; i < r->n_dg; i++)
        FAIL_IF_NOT(r->dg[i].buffer == ETWHF_NO_BUFFER || r->dg[i].buffer <= s->buffers + s->buffers_skipped,
                    "diagnostic in a buffer never visited");
}

void fuzz_end(struct fuzz_run *r, struct etwhf_decoder *ctx)
{
    int st = etwhf_decode_finish(ctx);
    FUZZ_ASSERT_MSG(st == ETWHF_OK, etwhf_strerror(st));
    const struct etwhf_summary *s = etwhf_decoder_summary(ctx);
    FUZZ_ASSERT(s != NULL);
    r->sum = *s;
    etwhf_decoder_free(ctx);
    FUZZ_ASSERT_MSG(fuzz_alloc_live() == r->live_at_begin, "decoder kept memory after etwhf_decoder_free");
    check_summary(r);
}

void fuzz_decode(struct fuzz_run *r, const struct etwhf_decode_options *opts, const uint8_t *data, size_t len)
{
    struct etwhf_decoder *ctx = fuzz_begin(r, opts, len);
    fuzz_feed(ctx, data, len);
    fuzz_end(r, ctx);
}

void fuzz_decode_both_modes(struct fuzz_run *rec, struct fuzz_run *str, const struct etwhf_decode_options *opts,
                            const uint8_t *data, size_t len)
{
    struct etwhf_decode_options o = *opts;
    o.mode = ETWHF_MODE_RECOVER;
    fuzz_decode(rec, &o, data, len);
    o.mode = ETWHF_MODE_STRICT;
    fuzz_decode(str, &o, data, len);
    fuzz_assert_strict_prefix(str, rec);
}

void fuzz_target_both_modes(const char *target, int input, const uint8_t *data, size_t size)
{
    static struct fuzz_run rec, str;
    struct etwhf_decode_options o;
    etwhf_decode_options_init(&o);
    o.input = input;
    fuzz_decode_both_modes(&rec, &str, &o, data, size);
    static struct fuzz_run counted = {.counting = 1};
    o.mode = ETWHF_MODE_RECOVER;
    fuzz_decode(&counted, &o, data, size);
    fuzz_assert_same_counting(&counted, &rec);
    fuzz_note_outcome(&rec);
    fuzz_stats_exec(target, rec.n_ev > 0);
}

int fuzz_events_equal(const struct etwhf_event *a, const struct etwhf_event *b)
{
    return a->type == b->type && a->header == b->header && a->version == b->version &&
           a->pointer_size == b->pointer_size && a->has_pid_tid == b->has_pid_tid && a->has_inner == b->has_inner &&
           a->cpu == b->cpu && a->pid == b->pid && a->tid == b->tid && a->buffer == b->buffer &&
           a->offset == b->offset && a->inner_offset == b->inner_offset && a->timestamp == b->timestamp &&
           a->heap_handle == b->heap_handle && a->address == b->address && a->size == b->size &&
           a->new_address == b->new_address && a->old_address == b->old_address && a->new_size == b->new_size &&
           a->old_size == b->old_size && a->source == b->source;
}

int fuzz_diags_equal(const struct etwhf_diag *a, const struct etwhf_diag *b)
{
    return a->code == b->code && a->severity == b->severity && a->has_inner == b->has_inner && a->buffer == b->buffer &&
           a->offset == b->offset && a->inner_offset == b->inner_offset && strcmp(a->message, b->message) == 0;
}

static int summaries_equal(const struct etwhf_summary *a, const struct etwhf_summary *b)
{
    return a->buffers == b->buffers && a->buffers_skipped == b->buffers_skipped && a->events_total == b->events_total &&
           a->heap_free == b->heap_free && a->heap_alloc == b->heap_alloc && a->heap_realloc == b->heap_realloc &&
           a->errors == b->errors && a->warnings == b->warnings && a->bytes == b->bytes;
}

static void print_diag(const char *side, size_t i, const struct etwhf_diag *d)
{
    fprintf(stderr, "  %s diag[%zu]: code %d buffer %lld offset %llu inner %d/%llu: %s\n", side, i, d->code,
            d->buffer == ETWHF_NO_BUFFER ? -1LL : (long long)d->buffer, (unsigned long long)d->offset, d->has_inner,
            (unsigned long long)d->inner_offset, d->message);
}

static void print_runs(const struct fuzz_run *a, const struct fuzz_run *b)
{
    fprintf(stderr, "  events %zu vs %zu, diagnostics %zu vs %zu\n", a->n_ev, b->n_ev, a->n_dg, b->n_dg);
    size_t n = a->n_dg > b->n_dg ? a->n_dg : b->n_dg;
    for (size_t i = 0; i < n; i++) {
        if (i < a->n_dg && i < b->n_dg && fuzz_diags_equal(&a->dg[i], &b->dg[i]))
            continue;
        if (i < a->n_dg)
            print_diag("first ", i, &a->dg[i]);
        if (i < b->n_dg)
            print_diag("second", i, &b->dg[i]);
    }
}

void fuzz_assert_same_run(const struct fuzz_run *a, const struct fuzz_run *b, const char *what)
{
    int same = a->n_ev == b->n_ev && a->n_dg == b->n_dg && summaries_equal(&a->sum, &b->sum);
    for (size_t i = 0; same && i < a->n_ev; i++)
        same = fuzz_events_equal(&a->ev[i], &b->ev[i]);
    for (size_t i = 0; same && i < a->n_dg; i++)
        same = fuzz_diags_equal(&a->dg[i], &b->dg[i]);
    if (!same)
        print_runs(a, b);
    FUZZ_ASSERT_MSG(same, what);
}

void fuzz_assert_same_counting(const struct fuzz_run *counting, const struct fuzz_run *full)
{
    int same = counting->n_ev == 0 && counting->n_dg == full->n_dg && summaries_equal(&counting->sum, &full->sum);
    for (size_t i = 0; same && i < full->n_dg; i++)
        same = fuzz_diags_equal(&counting->dg[i], &full->dg[i]);
    if (!same)
        print_runs(counting, full);
    FUZZ_ASSERT_MSG(same, "counting decode (no event callback) differs from the decode with events");
}

void fuzz_assert_strict_prefix(const struct fuzz_run *strict, const struct fuzz_run *recover)
{
    FUZZ_ASSERT_MSG(strict->n_ev <= recover->n_ev && strict->n_dg <= recover->n_dg,
                    "strict run longer than the recover run");
    for (size_t i = 0; i < strict->n_ev; i++)
        FUZZ_ASSERT_MSG(fuzz_events_equal(&strict->ev[i], &recover->ev[i]), "strict event differs from recover");
    for (size_t i = 0; i < strict->n_dg; i++)
        FUZZ_ASSERT_MSG(fuzz_diags_equal(&strict->dg[i], &recover->dg[i]), "strict diagnostic differs from recover");
    if (recover->n_err == 0) {
        FUZZ_ASSERT_MSG(strict->n_ev == recover->n_ev && strict->n_dg == recover->n_dg,
                        "strict run stopped on an input without errors");
    } else {
        FUZZ_ASSERT_MSG(strict->n_err == 1, "strict run missed the first error");
        /* everything recover delivered before its first error, strict delivered too */
        size_t first_err = 0;
        while (recover->dg[first_err].severity != ETWHF_SEV_ERROR)
            first_err++;
        FUZZ_ASSERT_MSG(strict->n_dg == first_err + 1, "strict run did not stop right after the first error");
        size_t before = 0;
        while (before < recover->n_ev && recover->ev_at[before] <= first_err)
            before++;
        FUZZ_ASSERT_MSG(strict->n_ev == before, "strict run lost or added events before the first error");
    }
}

void fuzz_note_outcome(const struct fuzz_run *r)
{
    struct fuzz_outcome o = {0};
    o.error_mask = r->error_mask;
    o.warning_mask = r->warning_mask;
    o.events = r->n_ev;
    fuzz_outcome_set(&o);
}
