/*
 * decoder.c — the context: options, limits, the allocator hook, callbacks,
 * the summary, diagnostics with their messages, and the push API that hands
 * fed bytes to the file walk (file.c) or the bare-input walks (bare.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "hooks.h"

#define LIMIT_MAX (UINT64_C(1) << 30)

/* The first layout with a size field ends after should_stop: the smallest
 * struct a caller may pass. Fields added later go after it. */
#define OPTIONS_V1_SIZE (offsetof(struct etwhf_decode_options, should_stop) + sizeof(int (*)(void *)))

static void options_defaults(struct etwhf_decode_options *o)
{
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
    o->input = ETWHF_INPUT_FILE;
    o->mode = ETWHF_MODE_RECOVER;
    o->pointer_size = 8;
    o->payload_type = ETWHF_HEAP_FREE;
}

void etwhf_decode_options_init_sized(struct etwhf_decode_options *opts, size_t struct_size)
{
    if (!opts || struct_size < sizeof opts->struct_size)
        return;
    /* A caller built against an older header has a shorter struct: write
     * only its bytes. A newer one has a longer struct: its fields past ours
     * start zeroed, which is what every future field's default must be. */
    struct etwhf_decode_options d;
    options_defaults(&d);
    if (struct_size > sizeof d) {
        memset(opts, 0, struct_size);
        memcpy(opts, &d, sizeof d);
    } else {
        memcpy(opts, &d, struct_size);
    }
    opts->struct_size = struct_size;
}

/* The caller's options read into this library's struct: fields the caller's
 * struct lacks keep their defaults, fields this library lacks are ignored. */
static int options_read(const struct etwhf_decode_options *in, struct etwhf_decode_options *out)
{
    options_defaults(out);
    if (!in || in->struct_size < OPTIONS_V1_SIZE)
        return ETWHF_EINVAL;
    memcpy(out, in, in->struct_size < sizeof *out ? in->struct_size : sizeof *out);
    out->struct_size = sizeof *out;
    return ETWHF_OK;
}

void *etwhf__dec_alloc(struct etwhf_decoder *d, size_t size)
{
    void *p = d->alloc.alloc ? d->alloc.alloc(d->alloc.user, size) : malloc(size);
    if (!p)
        d->halt = HALT_NOMEM;
    return p;
}

void etwhf__dec_free(struct etwhf_decoder *d, void *p)
{
    if (!p)
        return;
    if (d->alloc.free)
        d->alloc.free(d->alloc.user, p);
    else
        free(p);
}

int etwhf__dec_reserve(struct etwhf_decoder *d, uint8_t **buf, size_t *cap, size_t need, size_t keep)
{
    if (need <= *cap)
        return 0;
    /* Grow-only, rounded up, so a run of growing buffers allocates rarely. */
    size_t want = need < 4096 ? 4096 : need;
    uint8_t *p = etwhf__dec_alloc(d, want);
    if (!p)
        return -1;
    if (keep && *buf)
        memcpy(p, *buf, keep);
    etwhf__dec_free(d, *buf);
    *buf = p;
    *cap = want;
    return 0;
}

void etwhf__dec_take(struct cur *in, size_t off, uint8_t *dst, size_t n)
{
    cur_copy(in, off, dst, n);
}

int etwhf__dec_diag(struct etwhf_decoder *d, int code, const struct loc *at, const char *fmt, ...)
{
    int sev = code > 0 && code <= ETWHF_DIAG_MAX ? d->severity[code] : ETWHF_SEV_ERROR;
    if (ETWHF_MUTANT_FLIPS(code))
        sev = sev == ETWHF_SEV_ERROR ? ETWHF_SEV_WARNING : ETWHF_SEV_ERROR;
    if (sev == ETWHF_SEV_ERROR)
        d->sum.errors++;
    else
        d->sum.warnings++;
    if (d->opts.on_diag) {
        struct etwhf_diag g;
        g.code = code;
        g.severity = sev;
        g.has_inner = (uint8_t)at->has_inner;
        g.buffer = at->buffer;
        g.offset = at->offset;
        g.inner_offset = at->has_inner ? at->inner_offset : 0;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(g.message, sizeof g.message, fmt, ap);
        va_end(ap);
        if (d->opts.on_diag(d->opts.user, &g)) {
            d->halt = HALT_ABORT;
            return 1;
        }
    }
    int stops = sev == ETWHF_SEV_ERROR && d->opts.mode == ETWHF_MODE_STRICT; /* M1 */
    if (ETWHF_MUTANT_ON(MU_M1_WARNING_STOPS))
        stops = d->opts.mode == ETWHF_MODE_STRICT;
    if (ETWHF_MUTANT_ON(MU_M1_NO_STOP))
        stops = 0;
    if (stops) {
        d->halt = HALT_STRICT;
        return 1;
    }
    return 0;
}

static int options_status(const struct etwhf_decode_options *o)
{
    if (o->input < ETWHF_INPUT_FILE || o->input > ETWHF_INPUT_PAYLOAD)
        return ETWHF_EINVAL;
    if (o->mode != ETWHF_MODE_RECOVER && o->mode != ETWHF_MODE_STRICT)
        return ETWHF_EINVAL;
    if (o->buffer_limit > LIMIT_MAX)
        return ETWHF_ELIMIT;
    if (o->input == ETWHF_INPUT_PAYLOAD) {
        if (o->pointer_size != 4 && o->pointer_size != 8)
            return ETWHF_EINVAL;
        if (o->payload_type != 0 && o->payload_type != ETWHF_HEAP_FREE && o->payload_type != ETWHF_HEAP_ALLOC &&
            o->payload_type != ETWHF_HEAP_REALLOC)
            return ETWHF_EINVAL;
    }
    return ETWHF_OK;
}

struct etwhf_decoder *etwhf_decoder_new(const struct etwhf_decode_options *opts, int *status)
{
    struct etwhf_decode_options o;
    int st = options_read(opts, &o);
    if (st == ETWHF_OK)
        st = options_status(&o);
    if (status)
        *status = st;
    if (st != ETWHF_OK)
        return NULL;
    struct etwhf_allocator a = {0};
    if (o.allocator && o.allocator->alloc && o.allocator->free)
        a = *o.allocator;
    struct etwhf_decoder *d = a.alloc ? a.alloc(a.user, sizeof *d) : malloc(sizeof *d);
    if (!d) {
        if (status)
            *status = ETWHF_ENOMEM;
        return NULL;
    }
    memset(d, 0, sizeof *d);
    d->opts = o;
    d->alloc = a;
    if (d->opts.payload_type == 0)
        d->opts.payload_type = ETWHF_HEAP_FREE;
    d->limit = o.buffer_limit ? o.buffer_limit : ETWHF_DEFAULT_BUFFER_LIMIT;
    size_t n;
    const struct etwhf_diag_info *t = etwhf_diag_table(&n);
    for (size_t i = 0; i < n; i++)
        if (t[i].code > 0 && t[i].code <= ETWHF_DIAG_MAX)
            d->severity[t[i].code] = (uint8_t)t[i].severity;
    return d;
}

void etwhf_decoder_free(struct etwhf_decoder *d)
{
    if (!d)
        return;
    etwhf__file_release(d);
    etwhf__bare_release(d);
    if (d->alloc.free)
        d->alloc.free(d->alloc.user, d);
    else
        free(d);
}

/* Maps the halt reason to the API status; fatal reasons invalidate. */
static int status_of(struct etwhf_decoder *d)
{
    switch (d->halt) {
    case HALT_ABORT: d->state = CTX_INVALID; return ETWHF_EABORTED;
    case HALT_NOMEM: d->state = CTX_INVALID; return ETWHF_ENOMEM;
    default: return ETWHF_OK;
    }
}

int etwhf_decode_feed(struct etwhf_decoder *d, const void *data, size_t len)
{
    if (!d || (!data && len))
        return ETWHF_EINVAL;
    if (d->state != CTX_OPEN)
        return ETWHF_EBADSTATE;
    d->sum.bytes += len;
    if (len == 0 || d->halt || d->ended)
        return ETWHF_OK;
    if (d->opts.input == ETWHF_INPUT_FILE)
        etwhf__file_feed(d, data, len);
    else
        etwhf__bare_feed(d, data, len);
    return status_of(d);
}

int etwhf_decode_finish(struct etwhf_decoder *d)
{
    if (!d)
        return ETWHF_EINVAL;
    if (d->state != CTX_OPEN)
        return ETWHF_EBADSTATE;
    d->state = CTX_FINISHED;
    if (!d->halt) {
        if (d->opts.input == ETWHF_INPUT_FILE)
            etwhf__file_finish(d);
        else
            etwhf__bare_finish(d);
    }
    d->ended = 1;
    return status_of(d);
}

int etwhf_decoder_done(const struct etwhf_decoder *d)
{
    return !d || d->halt || d->ended || d->state != CTX_OPEN;
}

const struct etwhf_summary *etwhf_decoder_summary(const struct etwhf_decoder *d)
{
    return d ? &d->sum : NULL;
}

const struct etwhf_logfile *etwhf_decoder_logfile(const struct etwhf_decoder *d)
{
    return d && d->have_logfile ? &d->logfile : NULL;
}
