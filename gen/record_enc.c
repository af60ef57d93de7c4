/*
 * record_enc.c — payload and record encoders: the packed heap payloads of
 * docs/spec/format.md §6.3 and the record headers of §5 (all 12 forms + MESSAGE).
 */
#include "internal.h"

#include <stdlib.h>

void *etwhf__gen_alloc(const struct etwhf_allocator *a, size_t size)
{
    if (a && a->alloc)
        return a->alloc(a->user, size ? size : 1);
    return malloc(size ? size : 1);
}

void etwhf__gen_free(const struct etwhf_allocator *a, void *p)
{
    if (!p)
        return;
    if (a && a->free)
        a->free(a->user, p);
    else
        free(p);
}

int etwhf__gen_grow(const struct etwhf_allocator *a, void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 16;
    while (n < need) {
        if (n > SIZE_MAX / 2 / elem)
            return -1;
        n *= 2;
    }
    void *p = etwhf__gen_alloc(a, n * elem);
    if (!p)
        return -1;
    if (*arr)
        memcpy(p, *arr, *cap * elem);
    etwhf__gen_free(a, *arr);
    *arr = p;
    *cap = n;
    return 0;
}

size_t etwhf_gen_encode_payload(const struct etwhf_gen_heap_event *ev, unsigned pointer_size, uint8_t *out, size_t cap)
{
    size_t len = etwhf_heap_payload_min(ev ? ev->type : 0, pointer_size);
    if (len == 0 || !out || cap < len)
        return 0;
    unsigned w = pointer_size;
    uint8_t *p = out;
    putptr(p, ev->heap_handle, w);
    p += w;
    switch (ev->type) {
    case ETWHF_HEAP_FREE:
        putptr(p, ev->address, w);
        p += w;
        break;
    case ETWHF_HEAP_ALLOC:
        putptr(p, ev->size, w);
        putptr(p + w, ev->address, w);
        p += 2 * w;
        break;
    default: /* ETWHF_HEAP_REALLOC */
        putptr(p, ev->new_address, w);
        putptr(p + w, ev->old_address, w);
        putptr(p + 2 * w, ev->new_size, w);
        putptr(p + 3 * w, ev->old_size, w);
        p += 4 * w;
        break;
    }
    put32(p, ev->source);
    return len;
}

size_t etwhf__gen_rec_ext_at(const struct gen_rec *r, unsigned n)
{
    size_t q = ETWHF_EVT_EXT_START;
    for (unsigned i = 0; i < n && i < r->n_ext; i++)
        q += gen_rec_item_size(r, i);
    return q;
}

void etwhf__gen_msg_layout(uint16_t flags, struct gen_msg_layout *l)
{
    memset(l, 0, sizeof *l);
    uint8_t at = ETWHF_MSG_HEADER_SIZE;
    if (flags & ETWHF_MSG_SEQUENCE)
        l->sequence = at, at += 4;
    if (flags & ETWHF_MSG_COMPONENT_ID) /* a component id replaces the GUID */
        l->component = at, at += 4;
    else if (flags & ETWHF_MSG_GUID)
        l->guid = at, at += 16;
    if (flags & (ETWHF_MSG_TIMESTAMP | ETWHF_MSG_PERF_TIMESTAMP))
        l->timestamp = at, at += 8;
    if (flags & ETWHF_MSG_SYSTEM_INFO)
        l->tid = at, l->pid = (uint8_t)(at + 4), at += 8;
    l->args = at;
}

size_t etwhf__gen_rec_payload_at(const struct gen_rec *r)
{
    const struct etwhf_header_info *hi = etwhf_header_info(r->form);
    if (!hi)
        return 0;
    switch (hi->family) {
    case ETWHF_FAM_PERFINFO: return hi->fixed_size + 8u * (r->pmc & 7u) + (r->pebs ? 8u : 0u);
    case ETWHF_FAM_EVENT: return etwhf__gen_rec_ext_at(r, r->n_ext);
    case ETWHF_FAM_MESSAGE: {
        struct gen_msg_layout l;
        etwhf__gen_msg_layout(r->msg_flags, &l);
        return l.args;
    }
    default: return hi->fixed_size;
    }
}

size_t etwhf__gen_rec_size(const struct gen_rec *r)
{
    size_t at = etwhf__gen_rec_payload_at(r);
    if (at == 0 || r->n_ext > 4 || r->payload_len > 0xFFFF)
        return 0;
    size_t size = at + r->payload_len;
    return size > 0xFFFF ? 0 : size;
}

/* Deterministic filler for extension words: recognisable, never 0xFF runs. */
static void fill_pattern(uint8_t *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(0x11u * ((seed + i) % 15u));
}

static void write_system_like(const struct gen_rec *r, const struct etwhf_header_info *hi, uint8_t *out, size_t size)
{
    uint16_t v = r->version;
    if (hi->family == ETWHF_FAM_PERFINFO)
        v = (uint16_t)(r->version | (r->pmc & 7u) << 8 | (r->pebs ? 0x8000u : 0u));
    put16(out, v);
    out[2] = hi->type;
    out[3] = ETWHF_TRACE_HEADER_FLAG | ETWHF_TRACE_HEADER_EVENT;
    put16(out + 4, (uint16_t)size);
    put16(out + 6, r->hook);
    if (hi->family == ETWHF_FAM_PERFINFO) {
        put64(out + ETWHF_PERFINFO_TIME, r->timestamp);
        fill_pattern(out + 0x10, etwhf__gen_rec_payload_at(r) - 0x10, r->hook);
        return;
    }
    put32(out + ETWHF_SYS_TID, r->tid);
    put32(out + ETWHF_SYS_PID, r->pid);
    put64(out + ETWHF_SYS_TIME, r->timestamp);
    if (hi->family == ETWHF_FAM_SYSTEM) {
        put32(out + 0x18, r->kernel_time);
        put32(out + 0x1C, r->user_time);
    }
}

static void write_full_like(const struct gen_rec *r, const struct etwhf_header_info *hi, uint8_t *out, size_t size)
{
    put16(out, (uint16_t)size);
    out[2] = hi->type;
    out[3] = ETWHF_TRACE_HEADER_FLAG | ETWHF_TRACE_HEADER_EVENT;
    out[ETWHF_FULL_CLASS_TYPE] = r->opcode;
    out[5] = 4; /* Level: informational */
    put16(out + ETWHF_FULL_CLASS_VERSION, r->version);
    put32(out + 0x08, r->tid);
    put32(out + 0x0C, r->pid);
    put64(out + 0x10, r->timestamp);
    if (r->guid)
        memcpy(out + ETWHF_FULL_GUID, r->guid, 16);
    put32(out + 0x28, r->kernel_time);
    put32(out + 0x2C, r->user_time);
    if (hi->family == ETWHF_FAM_INSTANCE) {
        put32(out + 0x30, r->event_id);
        put32(out + 0x34, 0);
        if (r->guid)
            memcpy(out + 0x38, r->guid, 16);
    }
}

static void write_event(const struct gen_rec *r, const struct etwhf_header_info *hi, uint8_t *out, size_t size)
{
    put16(out, (uint16_t)size);
    out[2] = hi->type;
    out[3] = ETWHF_TRACE_HEADER_FLAG | ETWHF_TRACE_HEADER_EVENT;
    put16(out + ETWHF_EVT_FLAGS, r->n_ext ? ETWHF_EVT_FLAG_EXTENDED_INFO : 0);
    put16(out + 6, 0); /* EventProperty */
    put32(out + 0x08, r->tid);
    put32(out + 0x0C, r->pid);
    put64(out + 0x10, r->timestamp);
    if (r->guid)
        memcpy(out + ETWHF_EVT_PROVIDER, r->guid, 16);
    put16(out + ETWHF_EVT_DESC_ID, r->event_id);
    out[ETWHF_EVT_DESC_VERSION] = r->version;
    out[0x2B] = 0x10; /* Channel */
    out[0x2C] = 4;    /* Level */
    out[ETWHF_EVT_DESC_OPCODE] = r->opcode;
    put16(out + 0x2E, 0);                            /* Task */
    put64(out + 0x30, UINT64_C(0x8000000000000000)); /* Keyword */
    put32(out + 0x38, r->kernel_time);
    put32(out + 0x3C, r->user_time);
    fill_pattern(out + 0x40, 16, r->event_id); /* ActivityId */
    size_t q = ETWHF_EVT_EXT_START;
    for (unsigned i = 0; i < r->n_ext; i++) {
        uint16_t isz = gen_rec_item_size(r, i);
        put16(out + q, isz);
        put16(out + q + 2, r->ext_type[i]);
        put16(out + q + 4, i + 1 < r->n_ext ? 1 : 0);
        put16(out + q + 6, r->ext_data[i]);
        fill_pattern(out + q + 8, isz - 8u, r->ext_type[i] + i);
        q += isz;
    }
}

static void write_message(const struct gen_rec *r, uint8_t *out, size_t size)
{
    struct gen_msg_layout l;
    etwhf__gen_msg_layout(r->msg_flags, &l);
    put16(out, (uint16_t)size);
    out[2] = 0;
    out[3] = ETWHF_TRACE_HEADER_FLAG | ETWHF_TRACE_MESSAGE;
    put16(out + 4, r->event_id);
    put16(out + ETWHF_MSG_OPTION_FLAGS, r->msg_flags);
    if (l.sequence)
        put32(out + l.sequence, (uint32_t)r->timestamp);
    if (l.component)
        put32(out + l.component, r->event_id);
    if (l.guid) {
        if (r->guid)
            memcpy(out + l.guid, r->guid, 16);
        else
            memset(out + l.guid, 0, 16);
    }
    if (l.timestamp)
        put64(out + l.timestamp, r->timestamp);
    if (l.tid) {
        put32(out + l.tid, r->tid);
        put32(out + l.pid, r->pid);
    }
}

size_t etwhf__gen_rec_write(const struct gen_rec *r, uint8_t *out)
{
    size_t size = etwhf__gen_rec_size(r);
    const struct etwhf_header_info *hi = etwhf_header_info(r->form);
    if (size == 0 || !hi)
        return 0;
    switch (hi->family) {
    case ETWHF_FAM_SYSTEM:
    case ETWHF_FAM_COMPACT:
    case ETWHF_FAM_PERFINFO: write_system_like(r, hi, out, size); break;
    case ETWHF_FAM_FULL:
    case ETWHF_FAM_INSTANCE: write_full_like(r, hi, out, size); break;
    case ETWHF_FAM_EVENT: write_event(r, hi, out, size); break;
    default: write_message(r, out, size); break;
    }
    size_t at = etwhf__gen_rec_payload_at(r);
    if (r->payload)
        memcpy(out + at, r->payload, r->payload_len);
    else
        memset(out + at, 0, r->payload_len);
    return size;
}

void etwhf__gen_rec_heap(struct gen_rec *r, int header, const struct etwhf_gen_heap_event *ev, const uint8_t *payload,
                         size_t payload_len)
{
    memset(r, 0, sizeof *r);
    r->form = header;
    r->version = ev->version;
    r->hook = (uint16_t)(ETWHF_HEAP_GROUP << 8 | ev->type);
    r->guid = etwhf_heap_guid;
    r->opcode = ev->type;
    r->event_id = ev->type;
    r->pid = ev->pid;
    r->tid = ev->tid;
    r->timestamp = ev->timestamp;
    r->payload = payload;
    r->payload_len = payload_len;
}

/* Item types and sizes seen in real EVENT_HEADER records: related activity id,
 * terminal session id, 64-bit stack, process start key. */
static const uint16_t ext_types[4] = {0x0001, 0x0003, 0x0006, 0x000B};
static const uint16_t ext_sizes[4] = {16, 4, 24, 8};

static int shape_record(struct gen_rec *r, int header, const struct etwhf_gen_heap_event *ev,
                        const struct etwhf_gen_record_shape *shape, uint8_t *payload, size_t cap)
{
    const struct etwhf_header_info *hi = etwhf_header_info(header);
    if (!hi || header >= ETWHF_HDR_FORMS || !ev)
        return -1;
    size_t extra = shape ? shape->extra : 0;
    size_t len = etwhf_gen_encode_payload(ev, hi->pointer_size, payload, cap);
    if (len == 0 || extra > cap - len)
        return -1;
    memset(payload + len, 0, extra);
    etwhf__gen_rec_heap(r, header, ev, payload, len + extra);
    if (shape && hi->family == ETWHF_FAM_PERFINFO) {
        if (shape->pmc > 7)
            return -1;
        r->pmc = shape->pmc;
        r->pebs = shape->pebs != 0;
    }
    if (shape && hi->family == ETWHF_FAM_EVENT) {
        if (shape->ext_items > 4)
            return -1;
        r->n_ext = shape->ext_items;
        for (unsigned i = 0; i < r->n_ext; i++) {
            r->ext_type[i] = ext_types[i];
            r->ext_data[i] = ext_sizes[i];
        }
    }
    return 0;
}

/* The largest `extra` accepted: Size stays within 0xFFFF anyway. */
#define SHAPE_EXTRA_MAX 0xFFFFu

static size_t shaped(struct gen_rec *r, int header, const struct etwhf_gen_heap_event *ev,
                     const struct etwhf_gen_record_shape *shape, uint8_t *payload, size_t cap, size_t *base)
{
    struct etwhf_gen_record_shape s0 = {0};
    if (shape)
        s0 = *shape;
    size_t extra = s0.extra;
    s0.extra = 0;
    if (extra > SHAPE_EXTRA_MAX || shape_record(r, header, ev, &s0, payload, cap) != 0)
        return 0;
    *base = r->payload_len;
    r->payload_len += extra;
    return etwhf__gen_rec_size(r);
}

size_t etwhf_gen_record_size(int header, const struct etwhf_gen_heap_event *ev,
                             const struct etwhf_gen_record_shape *shape)
{
    struct gen_rec r;
    uint8_t payload[64];
    size_t base;
    return shaped(&r, header, ev, shape, payload, sizeof payload, &base);
}

size_t etwhf_gen_encode_record(int header, const struct etwhf_gen_heap_event *ev,
                               const struct etwhf_gen_record_shape *shape, uint8_t *out, size_t cap)
{
    struct gen_rec r;
    uint8_t payload[64];
    size_t base;
    size_t size = shaped(&r, header, ev, shape, payload, sizeof payload, &base);
    if (size == 0 || !out || cap < align8(size))
        return 0;
    /* Written with a zero payload of the full length, then the real bytes. */
    memset(out, 0, align8(size));
    r.payload = NULL;
    etwhf__gen_rec_write(&r, out);
    memcpy(out + etwhf__gen_rec_payload_at(&r), payload, base);
    return size;
}
