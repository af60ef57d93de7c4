/* Decoding one case with etwhf's decoder into a check_observed; see decode.h. */
#include "decode.h"

#include <stdio.h>

#include "etwhf/decode.h"
#include "etwhf/format.h"

struct sink {
    const struct check_case *k;
    struct check_observed *o;
};

static int on_event(void *user, const struct etwhf_event *ev)
{
    struct sink *s = user;
    struct etwhf_gen_heap_expect h = {
        .type = ev->type,
        .pointer_size = ev->pointer_size,
        .header = ev->header == ETWHF_EVENT_NO_HEADER ? -1 : (int8_t)ev->header,
        .source = ev->source,
        .heap_handle = ev->heap_handle,
    };
    if (ev->type == ETWHF_HEAP_REALLOC) {
        h.new_address = ev->new_address;
        h.old_address = ev->old_address;
        h.new_size = ev->new_size;
        h.old_size = ev->old_size;
    } else {
        h.address = ev->address;
        h.size = ev->type == ETWHF_HEAP_ALLOC ? ev->size : 0;
    }
    struct check_where w = {.buffer = ev->buffer,
                            .offset = ev->offset,
                            .inner_offset = ev->inner_offset,
                            .has_buffer = ev->buffer != ETWHF_NO_BUFFER,
                            .has_inner = ev->has_inner};
    if (etwhf__check_observed_add_heap(s->o, &h) == ETWHF_OK)
        etwhf__check_observed_add_where(s->o, &w);
    if (ev->type != ETWHF_HEAP_FREE) {
        s->o->heap_alloc += ev->type == ETWHF_HEAP_ALLOC;
        s->o->heap_realloc += ev->type == ETWHF_HEAP_REALLOC;
        return 0;
    }
    struct etwhf_gen_event e = {
        .heap_handle = ev->heap_handle,
        .address = ev->address,
        .source = ev->source,
        .pointer_size = ev->pointer_size,
    };
    etwhf__check_observed_add_event(s->o, &e);
    return 0;
}

static int on_diag(void *user, const struct etwhf_diag *d)
{
    struct sink *s = user;
    etwhf__check_observed_add_diag(s->o, d->severity == ETWHF_SEV_ERROR, d->code, NULL, 1, d->offset);
    return 0;
}

int etwhf__check_decode_case(const struct check_case *k, int mode, const void *data, size_t len,
                             struct check_observed *o, char *why, size_t whylen)
{
    static const int inputs[] = {ETWHF_INPUT_PAYLOAD, ETWHF_INPUT_RECORD, ETWHF_INPUT_FILE};
    struct sink s = {k, o};
    struct etwhf_decode_options opts;
    etwhf_decode_options_init(&opts);
    opts.input = inputs[k->info.layer];
    opts.mode = mode == ETWHF_MODE_STRICT ? ETWHF_MODE_STRICT : ETWHF_MODE_RECOVER;
    if (k->info.layer == ETWHF_GEN_PAYLOAD) {
        opts.pointer_size = k->info.pointer_size;
        opts.payload_type = k->info.event;
    }
    opts.on_event = on_event;
    opts.on_diag = on_diag;
    opts.user = &s;
    etwhf__check_observed_reset(o);
    o->codes_known = 1;
    o->other_known = 1;
    o->header_known = 1;
    int st;
    struct etwhf_decoder *ctx = etwhf_decoder_new(&opts, &st);
    if (ctx)
        st = etwhf_decode_memory(ctx, data, len);
    if (st != ETWHF_OK) {
        snprintf(why, whylen, "%s: %s", ctx ? "etwhf_decode_memory" : "etwhf_decoder_new", etwhf_strerror(st));
        etwhf_decoder_free(ctx);
        return st;
    }
    if (k->info.layer == ETWHF_GEN_FILE) {
        const struct etwhf_summary *sum = etwhf_decoder_summary(ctx);
        o->has_counts = 1;
        o->buffers = sum->buffers;
        o->buffers_skipped = sum->buffers_skipped;
        o->events_total = sum->events_total;
    }
    etwhf_decoder_free(ctx);
    return ETWHF_OK;
}
