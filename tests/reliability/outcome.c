/* Decoding into an outcome; see outcome.h. */
#include "outcome.h"
#include "decode_once.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int on_event(void *user, const struct etwhf_event *e)
{
    struct outcome *o = user;
    if (e->type != ETWHF_HEAP_FREE)
        return 0;
    if (o->n == o->cap) {
        o->cap = o->cap ? 2 * o->cap : 64;
        o->ev = realloc(o->ev, o->cap * sizeof *o->ev);
        if (!o->ev) {
            fputs("outcome: out of memory\n", stderr);
            abort();
        }
    }
    struct oc_event *v = &o->ev[o->n++];
    memset(v, 0, sizeof *v); /* padding too: events are compared with memcmp */
    v->buffer = e->buffer;
    v->offset = e->offset;
    v->heap_handle = e->heap_handle;
    v->address = e->address;
    v->source = e->source;
    v->pointer_size = e->pointer_size;
    v->header = e->header;
    return 0;
}

static int on_diag(void *user, const struct etwhf_diag *d)
{
    struct outcome *o = user;
    if (d->severity == ETWHF_SEV_ERROR) {
        o->errors |= 1u << d->code;
        if (!o->first_error) {
            o->first_error = d->code;
            o->first_error_offset = d->offset;
        }
    } else {
        o->warnings |= 1u << d->code;
    }
    return 0;
}

void oc_decode(struct outcome *o, const uint8_t *data, size_t len, int mode)
{
    struct oc_event *keep = o->ev;
    size_t cap = o->cap;
    memset(o, 0, sizeof *o);
    o->ev = keep;
    o->cap = cap;
    struct etwhf_decode_options opts;
    etwhf_decode_options_init(&opts);
    opts.mode = mode;
    opts.on_event = on_event;
    opts.on_diag = on_diag;
    opts.user = o;
    o->rc = decode_once_memory(&opts, data, len, &o->sum);
}

void oc_free(struct outcome *o)
{
    free(o->ev);
    memset(o, 0, sizeof *o);
}

size_t oc_buffer_events(const struct outcome *o, uint64_t buffer, size_t *first)
{
    size_t i = 0;
    while (i < o->n && o->ev[i].buffer < buffer)
        i++;
    *first = i;
    while (i < o->n && o->ev[i].buffer == buffer)
        i++;
    return i - *first;
}

static int same_event(const struct oc_event *a, const struct etwhf_gen_event *e)
{
    return a->heap_handle == e->heap_handle && a->address == e->address && a->source == e->source &&
           a->pointer_size == e->pointer_size;
}

const char *oc_differs(const struct outcome *o, const struct outcome *strict, const struct etwhf_gen_case *c)
{
    const struct etwhf_gen_expect *x = &c->expect;
    if (o->rc != ETWHF_OK || (strict && strict->rc != ETWHF_OK))
        return "decoder status";
    if (o->n != x->n_events)
        return "number of events";
    for (size_t i = 0; i < o->n; i++)
        if (!same_event(&o->ev[i], &x->events[i]))
            return "an event";
    if (o->errors != x->errors)
        return "error codes";
    if (o->warnings != x->warnings)
        return "warning codes";
    if (c->layer == ETWHF_GEN_FILE && (o->sum.buffers != x->buffers || o->sum.buffers_skipped != x->buffers_skipped ||
                                       o->sum.events_total != x->events_total))
        return "buffer or record counts";
    if (o->sum.heap_alloc != x->heap_alloc || o->sum.heap_realloc != x->heap_realloc)
        return "Alloc/ReAlloc counts";
    if (!strict)
        return NULL;
    if (strict->first_error != x->first_error_code ||
        (strict->first_error && strict->first_error_offset != x->first_error_offset))
        return "strict first error";
    if (strict->n > o->n || (strict->n && memcmp(strict->ev, o->ev, strict->n * sizeof *o->ev) != 0))
        return "strict events are not a prefix of recover events";
    return NULL;
}
