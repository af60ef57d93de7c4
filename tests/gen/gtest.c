/* Helpers of the generator tests; see gtest.h. */
#include "gtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etwhf/decode.h"
#include "decode_once.h"

uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
    const uint8_t *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

uint64_t fnv1a_u64(uint64_t h, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    return fnv1a(h, b, 8);
}

uint64_t case_hash(uint64_t h, const struct etwhf_gen_case *c)
{
    const struct etwhf_gen_expect *x = &c->expect;
    h = fnv1a(h, c->bytes, c->len);
    h = fnv1a_u64(h, c->len);
    h = fnv1a_u64(h, (uint64_t)c->layer << 32 | c->pointer_size << 8 | c->event);
    h = fnv1a_u64(h, c->headers);
    for (size_t i = 0; i < c->n_faults; i++) {
        const struct etwhf_gen_fault_at *at = &c->fault_at[i];
        h = fnv1a_u64(h, (uint64_t)c->faults[i] << 8 | c->fault_raw[i]);
        h = fnv1a_u64(h, at->buffer);
        h = fnv1a_u64(h, at->offset);
        h = fnv1a_u64(h, (uint64_t)at->has_inner << 63 | at->inner_offset);
    }
    h = fnv1a_u64(h, (uint64_t)(int64_t)c->name_fault);
    h = fnv1a_u64(h, c->heap_records);
    h = fnv1a_u64(h, (uint64_t)x->first_error_code << 32 | (uint64_t)x->error);
    h = fnv1a_u64(h, x->first_error_offset);
    h = fnv1a_u64(h, (uint64_t)x->errors << 32 | x->warnings);
    for (size_t i = 0; i < x->n_events; i++) {
        h = fnv1a_u64(h, x->events[i].heap_handle);
        h = fnv1a_u64(h, x->events[i].address);
        h = fnv1a_u64(h, (uint64_t)x->events[i].source << 8 | x->events[i].pointer_size);
    }
    for (size_t i = 0; i < x->n_diags; i++) {
        h = fnv1a_u64(h, (uint64_t)x->diags[i].code);
        h = fnv1a_u64(h, x->diags[i].buffer);
        h = fnv1a_u64(h, x->diags[i].offset);
        h = fnv1a_u64(h, x->diags[i].inner_offset);
    }
    for (size_t i = 0; i < x->n_heap_events; i++) {
        const struct etwhf_gen_heap_expect *v = &x->heap_events[i];
        h = fnv1a_u64(h,
                      (uint64_t)v->type << 40 | (uint64_t)(uint8_t)v->header << 32 | (uint64_t)v->pointer_size << 24);
        h = fnv1a_u64(h, v->source);
        h = fnv1a_u64(h, v->heap_handle);
        h = fnv1a_u64(h, v->address);
        h = fnv1a_u64(h, v->size);
        h = fnv1a_u64(h, v->new_address);
        h = fnv1a_u64(h, v->old_address);
        h = fnv1a_u64(h, v->new_size);
        h = fnv1a_u64(h, v->old_size);
    }
    h = fnv1a_u64(h, x->buffers);
    h = fnv1a_u64(h, x->buffers_skipped);
    h = fnv1a_u64(h, x->events_total);
    h = fnv1a_u64(h, c->shapes);
    h = fnv1a_u64(h, (uint64_t)c->evidence << 32 | (uint64_t)x->has_prefix);
    return fnv1a_u64(h, (uint64_t)x->prefix_events << 32 | x->prefix_heap_events);
}

/* ---- cross-check ------------------------------------------------------------ */

#define MAXV 4096

struct seen {
    struct etwhf_gen_event ev[MAXV];
    size_t n_ev;
    struct etwhf_diag dg[MAXV];
    size_t n_dg;
};

static int on_event(void *user, const struct etwhf_event *e)
{
    struct seen *s = user;
    if (e->type == ETWHF_HEAP_FREE && s->n_ev < MAXV) {
        struct etwhf_gen_event *v = &s->ev[s->n_ev++];
        v->heap_handle = e->heap_handle;
        v->address = e->address;
        v->source = e->source;
        v->pointer_size = e->pointer_size;
    }
    return 0;
}

static int on_diag(void *user, const struct etwhf_diag *d)
{
    struct seen *s = user;
    if (s->n_dg < MAXV)
        s->dg[s->n_dg++] = *d;
    return 0;
}

static int decode(const struct etwhf_gen_case *c, int mode, struct seen *s, struct etwhf_summary *sum)
{
    struct etwhf_decode_options o;
    etwhf_decode_options_init(&o);
    o.input = c->layer == ETWHF_GEN_PAYLOAD  ? ETWHF_INPUT_PAYLOAD
              : c->layer == ETWHF_GEN_RECORD ? ETWHF_INPUT_RECORD
                                             : ETWHF_INPUT_FILE;
    o.mode = mode;
    o.pointer_size = c->pointer_size ? c->pointer_size : 8;
    o.payload_type = c->event;
    o.on_event = on_event;
    o.on_diag = on_diag;
    o.user = s;
    memset(s, 0, sizeof *s);
    return decode_once_memory(&o, c->bytes, c->len, sum);
}

int crosscheck(const struct etwhf_gen_case *c, char *why, size_t cap)
{
    static struct seen s;
    struct etwhf_summary sum;
    const struct etwhf_gen_expect *x = &c->expect;
    if (decode(c, ETWHF_MODE_RECOVER, &s, &sum) != ETWHF_OK) {
        snprintf(why, cap, "decoder failed");
        return 1;
    }
    size_t n = s.n_dg < x->n_diags ? s.n_dg : x->n_diags;
    for (size_t i = 0; i < n; i++) {
        const struct etwhf_diag *d = &s.dg[i];
        const struct etwhf_gen_diag *e = &x->diags[i];
        if (d->code != e->code || d->buffer != e->buffer || d->offset != e->offset || d->has_inner != e->has_inner ||
            (e->has_inner && d->inner_offset != e->inner_offset)) {
            snprintf(why, cap, "diag %zu: decoder %d buffer %lld offset 0x%llx, oracle %d buffer %lld offset 0x%llx", i,
                     d->code, (long long)d->buffer, (unsigned long long)d->offset, e->code, (long long)e->buffer,
                     (unsigned long long)e->offset);
            return 1;
        }
    }
    if (s.n_dg != x->n_diags) {
        snprintf(why, cap, "decoder %zu diagnostics, oracle %zu (next: %d)", s.n_dg, x->n_diags,
                 s.n_dg > n ? s.dg[n].code : x->diags[n].code);
        return 1;
    }
    if (s.n_ev != x->n_events) {
        snprintf(why, cap, "decoder %zu HeapFree events, oracle %zu", s.n_ev, x->n_events);
        return 1;
    }
    for (size_t i = 0; i < s.n_ev; i++) {
        const struct etwhf_gen_event *a = &s.ev[i], *b = &x->events[i];
        if (a->heap_handle != b->heap_handle || a->address != b->address || a->source != b->source ||
            a->pointer_size != b->pointer_size) {
            snprintf(why, cap, "event %zu differs", i);
            return 1;
        }
    }
    if (sum.heap_alloc != x->heap_alloc || sum.heap_realloc != x->heap_realloc) {
        snprintf(why, cap, "alloc/realloc counts differ");
        return 1;
    }
    if (c->layer == ETWHF_GEN_FILE && (sum.buffers != x->buffers || sum.buffers_skipped != x->buffers_skipped ||
                                       sum.events_total != x->events_total)) {
        snprintf(why, cap, "summary: decoder %llu/%llu/%llu, oracle %llu/%llu/%llu", (unsigned long long)sum.buffers,
                 (unsigned long long)sum.buffers_skipped, (unsigned long long)sum.events_total,
                 (unsigned long long)x->buffers, (unsigned long long)x->buffers_skipped,
                 (unsigned long long)x->events_total);
        return 1;
    }
    if (decode(c, ETWHF_MODE_STRICT, &s, &sum) != ETWHF_OK) {
        snprintf(why, cap, "strict decoder failed");
        return 1;
    }
    size_t errors = 0, k = 0;
    for (size_t i = 0; i < s.n_dg; i++)
        if (s.dg[i].severity == ETWHF_SEV_ERROR) {
            errors++;
            k = i;
        }
    if (errors > 1 || (errors == 1) != (x->first_error_code != 0) ||
        (errors == 1 && (s.dg[k].code != x->first_error_code || s.dg[k].offset != x->first_error_offset))) {
        snprintf(why, cap, "strict mode: %zu errors, first %d; oracle first %d at 0x%llx", errors,
                 errors ? s.dg[k].code : 0, x->first_error_code, (unsigned long long)x->first_error_offset);
        return 1;
    }
    return 0;
}
