/* Decoding into an outcome; see outcome.h. */
#include "outcome.h"

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
    o->rc = etwhf_decode_memory(&opts, data, len, &o->sum);
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
