/* tb.c — hand-built trace bytes; see tb.h. */
#include "tb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void grow(struct tb *b, size_t n)
{
    if (b->cap - b->len >= n)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < n)
        cap *= 2;
    uint8_t *p = realloc(b->p, cap);
    if (!p) {
        fputs("tb: out of memory\n", stderr);
        abort();
    }
    b->p = p;
    b->cap = cap;
}

void tb_init(struct tb *b)
{
    memset(b, 0, sizeof *b);
}

void tb_free(struct tb *b)
{
    free(b->p);
    tb_init(b);
}

void tb_reset(struct tb *b)
{
    b->len = 0;
}

size_t tb_bytes(struct tb *b, const void *src, size_t n)
{
    size_t at = b->len;
    grow(b, n);
    if (n)
        memcpy(b->p + at, src, n);
    b->len += n;
    return at;
}

size_t tb_fill(struct tb *b, uint8_t v, size_t n)
{
    size_t at = b->len;
    grow(b, n);
    memset(b->p + at, v, n);
    b->len += n;
    return at;
}

static size_t put_le(struct tb *b, uint64_t v, unsigned n)
{
    uint8_t x[8];
    for (unsigned i = 0; i < n; i++)
        x[i] = (uint8_t)(v >> (8 * i));
    return tb_bytes(b, x, n);
}

size_t tb_u8(struct tb *b, uint8_t v)
{
    return put_le(b, v, 1);
}
size_t tb_u16(struct tb *b, uint16_t v)
{
    return put_le(b, v, 2);
}
size_t tb_u32(struct tb *b, uint32_t v)
{
    return put_le(b, v, 4);
}
size_t tb_u64(struct tb *b, uint64_t v)
{
    return put_le(b, v, 8);
}
size_t tb_ptr(struct tb *b, unsigned width, uint64_t v)
{
    return put_le(b, v, width);
}

void tb_pad8(struct tb *b)
{
    tb_fill(b, 0, (8 - b->len % 8) % 8);
}

static void set_le(struct tb *b, size_t off, uint64_t v, unsigned n)
{
    if (off > b->len || n > b->len - off) {
        fputs("tb: patch outside the bytes\n", stderr);
        abort();
    }
    for (unsigned i = 0; i < n; i++)
        b->p[off + i] = (uint8_t)(v >> (8 * i));
}

void tb_set_u8(struct tb *b, size_t off, uint8_t v)
{
    set_le(b, off, v, 1);
}
void tb_set_u16(struct tb *b, size_t off, uint16_t v)
{
    set_le(b, off, v, 2);
}
void tb_set_u32(struct tb *b, size_t off, uint32_t v)
{
    set_le(b, off, v, 4);
}

uint32_t tb_get_u32(const struct tb *b, size_t off)
{
    return (uint32_t)b->p[off] | (uint32_t)b->p[off + 1] << 8 | (uint32_t)b->p[off + 2] << 16 |
           (uint32_t)b->p[off + 3] << 24;
}

void tb_free_payload(struct tb *b, unsigned width, uint64_t handle, uint64_t address, uint32_t source)
{
    tb_ptr(b, width, handle);
    tb_ptr(b, width, address);
    tb_u32(b, source);
}

void tb_alloc_payload(struct tb *b, unsigned width, uint64_t handle, uint64_t size, uint64_t address, uint32_t source)
{
    tb_ptr(b, width, handle);
    tb_ptr(b, width, size);
    tb_ptr(b, width, address);
    tb_u32(b, source);
}

void tb_realloc_payload(struct tb *b, unsigned width, uint64_t handle, uint64_t new_address, uint64_t old_address,
                        uint64_t new_size, uint64_t old_size, uint32_t source)
{
    tb_ptr(b, width, handle);
    tb_ptr(b, width, new_address);
    tb_ptr(b, width, old_address);
    tb_ptr(b, width, new_size);
    tb_ptr(b, width, old_size);
    tb_u32(b, source);
}

/* On-disk heap GUID {222962AB-6180-4B88-A825-346B75F2A24A}, typed out again
 * here rather than taken from format/. */
static const uint8_t heap_guid[16] = {0xAB, 0x62, 0x29, 0x22, 0x80, 0x61, 0x88, 0x4B,
                                      0xA8, 0x25, 0x34, 0x6B, 0x75, 0xF2, 0xA2, 0x4A};
static const uint8_t other_guid[16] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
                                       0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF, 0x00};

/* HeaderType byte, fixed header size, whether Size sits at +4 (docs/spec/format.md §5.2). */
static const struct {
    uint8_t type, fixed, size_at4;
} forms[] = {
    [ETWHF_HDR_SYSTEM32] = {0x01, 0x20, 1},   [ETWHF_HDR_SYSTEM64] = {0x02, 0x20, 1},
    [ETWHF_HDR_COMPACT32] = {0x03, 0x18, 1},  [ETWHF_HDR_COMPACT64] = {0x04, 0x18, 1},
    [ETWHF_HDR_PERFINFO32] = {0x10, 0x10, 1}, [ETWHF_HDR_PERFINFO64] = {0x11, 0x10, 1},
    [ETWHF_HDR_FULL32] = {0x0A, 0x30, 0},     [ETWHF_HDR_FULL64] = {0x14, 0x30, 0},
    [ETWHF_HDR_INSTANCE32] = {0x0B, 0x48, 0}, [ETWHF_HDR_INSTANCE64] = {0x15, 0x48, 0},
    [ETWHF_HDR_EVENT32] = {0x12, 0x50, 0},    [ETWHF_HDR_EVENT64] = {0x13, 0x50, 0},
};

size_t tb_record(struct tb *b, const struct tb_rec *r)
{
    const size_t at = b->len;
    if (r->hdr == ETWHF_HDR_MESSAGE) {
        size_t size = 8 + r->payload_len + (size_t)r->size_delta;
        tb_u16(b, (uint16_t)size);
        tb_u8(b, 0);
        tb_u8(b, 0x90);
        tb_u16(b, 1); /* MessageNumber */
        tb_u16(b, 0); /* OptionFlags */
        tb_bytes(b, r->payload, r->payload_len);
        tb_pad8(b);
        return at;
    }
    const uint8_t type_byte = forms[r->hdr].type;
    const size_t fixed = forms[r->hdr].fixed;
    const size_t ext = r->hdr == ETWHF_HDR_PERFINFO32 || r->hdr == ETWHF_HDR_PERFINFO64
                           ? 8u * r->pmc + (r->pebs ? 8u : 0u)
                           : r->ext_len;
    const uint16_t size = (uint16_t)(fixed + ext + r->payload_len + (size_t)r->size_delta);
    const uint16_t hook = (uint16_t)((r->heap ? ETWHF_HEAP_GROUP : r->group) << 8 | r->type);
    tb_fill(b, 0, fixed);
    uint8_t *h = b->p + at;
    h[2] = type_byte;
    h[3] = 0xC0;
    if (forms[r->hdr].size_at4) {
        h[0] = r->version;
        if (r->hdr == ETWHF_HDR_PERFINFO32 || r->hdr == ETWHF_HDR_PERFINFO64)
            h[1] = (uint8_t)((r->pmc & 7u) | (r->pebs ? 0x80u : 0u));
        h[4] = (uint8_t)size, h[5] = (uint8_t)(size >> 8);
        h[6] = (uint8_t)hook, h[7] = (uint8_t)(hook >> 8);
    } else {
        h[0] = (uint8_t)size, h[1] = (uint8_t)(size >> 8);
    }
    if (r->hdr == ETWHF_HDR_PERFINFO32 || r->hdr == ETWHF_HDR_PERFINFO64) {
        b->len = at + 8;
        tb_u64(b, TB_TIME);
    } else {
        b->len = at + 8;
        tb_u32(b, TB_TID);
        tb_u32(b, TB_PID);
        tb_u64(b, TB_TIME);
    }
    b->len = at + fixed;
    h = b->p + at;
    if (r->hdr == ETWHF_HDR_FULL32 || r->hdr == ETWHF_HDR_FULL64 || r->hdr == ETWHF_HDR_INSTANCE32 ||
        r->hdr == ETWHF_HDR_INSTANCE64) {
        h[4] = r->type;    /* Class.Type */
        h[6] = r->version; /* Class.Version */
        memcpy(h + 0x18, r->heap ? heap_guid : other_guid, 16);
    } else if (r->hdr == ETWHF_HDR_EVENT32 || r->hdr == ETWHF_HDR_EVENT64) {
        if (r->ext)
            h[4] = 0x01; /* EXTENDED_INFO */
        memcpy(h + 0x18, r->heap ? heap_guid : other_guid, 16);
        h[0x28] = r->type;    /* descriptor Id: any value */
        h[0x2A] = r->version; /* descriptor Version */
        h[0x2D] = r->type;    /* descriptor Opcode */
    }
    if (r->hdr == ETWHF_HDR_PERFINFO32 || r->hdr == ETWHF_HDR_PERFINFO64)
        tb_fill(b, 0, ext);
    else if (r->ext)
        tb_bytes(b, r->ext, r->ext_len);
    tb_bytes(b, r->payload, r->payload_len);
    tb_pad8(b);
    return at;
}

size_t tb_free_record(struct tb *b, int hdr, uint64_t handle, uint64_t address, uint32_t source)
{
    const unsigned width = (hdr % 2) ? 8 : 4; /* enum order: 32-bit form, then 64-bit */
    struct tb pay;
    tb_init(&pay);
    tb_free_payload(&pay, width, handle, address, source);
    struct tb_rec r = {
        .hdr = hdr, .heap = 1, .type = ETWHF_HEAP_FREE, .version = 2, .payload = pay.p, .payload_len = pay.len};
    size_t at = tb_record(b, &r);
    tb_free(&pay);
    return at;
}

void tb_logfile_default(struct tb_logfile *lf, uint32_t buffer_size, uint32_t buffers_written)
{
    memset(lf, 0, sizeof *lf);
    lf->width = 8;
    lf->buffer_size = buffer_size;
    lf->buffers_written = buffers_written;
    lf->pointer_size = 8;
    lf->logger_name = "L";
    lf->log_file_name = "F";
}

static void utf16(struct tb *b, const char *s)
{
    for (; s && *s; s++)
        tb_u16(b, (uint8_t)*s);
    tb_u16(b, 0);
}

size_t tb_logfile_record(struct tb *b, const struct tb_logfile *lf)
{
    const unsigned w = lf->width;
    struct tb pay;
    tb_init(&pay);
    tb_u32(&pay, lf->buffer_size);
    tb_u32(&pay, 0x0501000A);         /* Version 10.0 layout 1.5 */
    tb_u32(&pay, 19041);              /* ProviderVersion */
    tb_u32(&pay, 2);                  /* NumberOfProcessors */
    tb_u64(&pay, 0x01D659D6F5A07AEA); /* EndTime */
    tb_u32(&pay, 156250);             /* TimerResolution */
    tb_u32(&pay, 0);                  /* MaximumFileSize */
    tb_u32(&pay, lf->mode);
    tb_u32(&pay, lf->buffers_written);
    tb_u32(&pay, 0); /* StartBuffers */
    tb_u32(&pay, lf->pointer_size);
    tb_u32(&pay, lf->events_lost);
    tb_u32(&pay, 3000);               /* CpuSpeedInMHz */
    tb_ptr(&pay, w, 10);              /* LoggerName (an enum value) */
    tb_ptr(&pay, w, 7);               /* LogFileName */
    tb_fill(&pay, 0, 172 + 4);        /* TimeZone, gap */
    tb_u64(&pay, 0x01D659D6A1B2C3D4); /* BootTime */
    tb_u64(&pay, 10000000);           /* PerfFreq */
    tb_u64(&pay, 0x01D659D6F0000000); /* StartTime */
    tb_u32(&pay, 1);                  /* ReservedFlags: QPC */
    tb_u32(&pay, lf->buffers_lost);
    utf16(&pay, lf->logger_name);
    utf16(&pay, lf->log_file_name);
    if (lf->payload_cut)
        pay.len = lf->payload_cut;
    struct tb_rec r = {.hdr = w == 8 ? ETWHF_HDR_SYSTEM64 : ETWHF_HDR_SYSTEM32,
                       .group = 0,
                       .type = 0,
                       .version = 2,
                       .payload = pay.p,
                       .payload_len = pay.len};
    size_t at = tb_record(b, &r);
    tb_free(&pay);
    return at;
}

static size_t buffer_header(struct tb *b, uint32_t bsize, uint32_t saved, uint16_t flags, uint16_t type)
{
    const size_t at = b->len;
    tb_u32(b, bsize);
    tb_u32(b, saved);
    tb_u32(b, saved); /* CurrentOffset */
    tb_u32(b, 0);     /* ReferenceCount */
    tb_u64(b, TB_TIME + 1);
    tb_u64(b, 1);    /* SequenceNumber */
    tb_u64(b, 0);    /* ClockType / Frequency */
    tb_u16(b, 1);    /* ProcessorIndex */
    tb_u16(b, 0x14); /* LoggerId */
    tb_u32(b, ETWHF_BUFFER_STATE_FLUSH);
    tb_u32(b, saved); /* Offset */
    tb_u16(b, flags);
    tb_u16(b, type);
    tb_fill(b, 0, 16);
    return at;
}

size_t tb_buffer(struct tb *b, uint32_t span, uint16_t flags, uint16_t type, const struct tb *body)
{
    const size_t at = buffer_header(b, span, (uint32_t)(ETWHF_BUFFER_HEADER_SIZE + body->len), flags, type);
    tb_bytes(b, body->p, body->len);
    if (b->len - at < span)
        tb_fill(b, 0xFF, span - (b->len - at));
    return at;
}

void tb_xpress_literal(struct tb *out, const uint8_t *data, size_t len)
{
    for (size_t i = 0; i < len; i += 32) {
        tb_u32(out, 0);
        tb_bytes(out, data + i, len - i < 32 ? len - i : 32);
    }
}

size_t tb_cbuffer_raw(struct tb *b, const uint8_t *stream, size_t stream_len, size_t expanded)
{
    const size_t at = buffer_header(b, (uint32_t)(ETWHF_BUFFER_HEADER_SIZE + stream_len),
                                    (uint32_t)(ETWHF_BUFFER_HEADER_SIZE + expanded), 0x60, ETWHF_BT_GENERIC);
    tb_bytes(b, stream, stream_len);
    return at;
}

size_t tb_cbuffer(struct tb *b, const struct tb *body)
{
    struct tb stream;
    tb_init(&stream);
    tb_xpress_literal(&stream, body->p, body->len);
    const size_t at = tb_cbuffer_raw(b, stream.p, stream.len, body->len);
    tb_free(&stream);
    return at;
}

static void header_buffer(struct tb *out, uint32_t span, const struct tb_logfile *lf)
{
    struct tb body;
    tb_init(&body);
    tb_logfile_record(&body, lf);
    tb_buffer(out, span, 0x21, ETWHF_BT_HEADER, &body);
    tb_free(&body);
}

void tb_trace(struct tb *out, uint32_t stride, const struct tb_logfile *lf, const struct tb *bodies, size_t n)
{
    struct tb_logfile def;
    if (!lf) {
        tb_logfile_default(&def, stride, (uint32_t)n + 1);
        lf = &def;
    }
    header_buffer(out, stride, lf);
    for (size_t i = 0; i < n; i++)
        tb_buffer(out, stride, 0x20, ETWHF_BT_GENERIC, &bodies[i]);
}

void tb_ctrace(struct tb *out, const struct tb *bodies, size_t n)
{
    struct tb_logfile lf;
    tb_logfile_default(&lf, 0x400, (uint32_t)n + 1);
    lf.mode = ETWHF_LOGFILE_MODE_COMPRESSED;
    header_buffer(out, 0x400, &lf);
    for (size_t i = 0; i < n; i++)
        tb_cbuffer(out, &bodies[i]);
}
