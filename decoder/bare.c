/*
 * bare.c — the bare inputs of docs/spec/walk.md: `--input record` (Q: R1–R9
 * over the whole input as one region from 0) and `--input payload` (P: R9's
 * payload steps alone).
 *
 * A record input streams like the file walk: records that lie in the feed
 * are walked in place; one cut by the end of a feed is copied (at most
 * 0xFFFF bytes) until it is whole or the input ends. A payload input keeps
 * only its minimum layout and counts the rest.
 */
#include <string.h>

#include "context.h"
#include "payload.h"

static const struct loc loc_none = {ETWHF_NO_BUFFER, 0, 0, 0};
/* A bare payload's place: no buffer, offset 0 (P3), as loc_none. */
static const struct region region_none = {.buffer = ETWHF_NO_BUFFER};

static void set_region(struct region *rg, uint64_t file_off, int final, size_t len)
{
    memset(rg, 0, sizeof *rg);
    rg->buffer = ETWHF_NO_BUFFER;
    rg->file_off = file_off;
    rg->final = final;
    rg->saved_end = len;
}

/* Q2: ending or abandoning the region ends the input; 1 when the walk is over. */
static int step_over(struct etwhf_decoder *d, int r)
{
    if (r == REC_END || r == REC_ABANDON || r == REC_HALT) {
        d->ended = 1;
        return 1;
    }
    return 0;
}

/* Q2: the staged record, once it holds what it asked for (or the input
 * ended): its step, or a request for its whole Size. */
static void run_staged(struct etwhf_decoder *d, int final)
{
    struct bare *b = &d->bare;
    struct region rg;
    set_region(&rg, b->pos, final, b->staged);
    struct cur c = cur_make(b->stage, b->staged);
    size_t arg = 0;
    int r = etwhf__record_step(d, &rg, &c, 0, &arg);
    if (step_over(d, r))
        return;
    if (r == REC_NEED) { /* had its 8-byte header, now wants its Size */
        if (etwhf__dec_reserve(d, &b->stage, &b->cap, arg, b->staged))
            return;
        b->need = arg;
        return;
    }
    b->pos += arg;
    b->skip = arg - b->staged;
    b->staged = 0;
}

/* Q2: the alignment pad after a record that an earlier feed cut: counted,
 * never read. Returns the bytes consumed. */
static size_t pad_bytes(struct bare *b, size_t avail)
{
    const size_t take = b->skip < avail ? (size_t)b->skip : avail;
    b->skip -= take;
    return take;
}

/* The bytes of a record that an earlier feed cut, staged until it holds what
 * it asked for; then its step runs. Returns the bytes consumed. */
static size_t staged_bytes(struct etwhf_decoder *d, struct cur *in, size_t i)
{
    struct bare *b = &d->bare;
    size_t take = b->need - b->staged;
    take = take < in->len - i ? take : in->len - i;
    etwhf__dec_take(in, i, b->stage + b->staged, take);
    b->staged += take;
    if (b->staged == b->need)
        run_staged(d, 0);
    return take;
}

/* Q2: R1–R9 in place over the rest of this feed, from i. The record cut by
 * the feed's end is staged: `pos` moves to it and the part of its alignment
 * pad not yet fed is skipped. Returns the bytes consumed (all of them unless
 * the walk ended or halted). */
static size_t records_in_place(struct etwhf_decoder *d, struct cur *in, size_t i)
{
    struct bare *b = &d->bare;
    const size_t avail = in->len - i;
    struct region rg;
    set_region(&rg, b->pos, 0, avail);
    struct cur c = cur_make(in->base + i, avail);
    size_t p = 0, arg = 0;
    int r;
    while ((r = etwhf__record_step(d, &rg, &c, p, &arg)) == REC_NEXT)
        p = arg;
    if (step_over(d, r))
        return 0;
    /* REC_NEED: the record at p is cut by the end of this feed. */
    b->pos += p;
    if (p > avail) {
        b->skip = p - avail;
        p = avail;
    }
    if (p < avail) {
        if (etwhf__dec_reserve(d, &b->stage, &b->cap, arg, 0))
            return 0;
        b->need = arg;
        b->staged = avail - p;
        etwhf__dec_take(in, i + p, b->stage, b->staged);
    }
    return avail;
}

/* Q2 over one feed: the pad, the staged record or records in place. */
static void records_feed(struct etwhf_decoder *d, const uint8_t *data, size_t len)
{
    struct bare *b = &d->bare;
    struct cur in = cur_make(data, len);
    size_t i = 0;
    /* A failed stage allocation halts without ending: the loop must stop on
     * it too, or a staged record would ask again and again. */
    while (!d->ended && !d->halt && i < len) {
        if (b->skip)
            i += pad_bytes(b, len - i);
        else if (b->staged)
            i += staged_bytes(d, &in, i);
        else
            i += records_in_place(d, &in, i);
    }
    CUR_DONE(&in); /* every copy was of bytes in the feed */
}

/* Q over a feed, or for P the feed's share of the payload's minimum layout
 * (the bytes past it only count). */
int etwhf__bare_feed(struct etwhf_decoder *d, const uint8_t *data, size_t len)
{
    struct bare *b = &d->bare;
    if (d->opts.input == ETWHF_INPUT_RECORD) {
        records_feed(d, data, len);
        return d->halt != 0;
    }
    /* Payload: bytes past the minimum layout only count. */
    const uint64_t had = d->sum.bytes - len;
    if (had < sizeof b->payload) {
        size_t take = sizeof b->payload - (size_t)had;
        take = take < len ? take : len;
        struct cur in = cur_make(data, len);
        etwhf__dec_take(&in, 0, b->payload + had, take);
        CUR_DONE(&in);
    }
    return 0;
}

/* P2, P3: the whole payload input is one event without a header. */
static void payload_finish(struct etwhf_decoder *d, uint64_t n)
{
    struct bare *b = &d->bare;
    struct etwhf_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = d->opts.payload_type;
    ev.header = ETWHF_EVENT_NO_HEADER;
    ev.pointer_size = (uint8_t)d->opts.pointer_size;
    ev.buffer = ETWHF_NO_BUFFER;
    struct cur pay = cur_make(b->payload, n < sizeof b->payload ? (size_t)n : sizeof b->payload);
    payload_decode(d, &pay, n, &ev, ev.type, ev.pointer_size, payload_min(ev.type, ev.pointer_size), &region_none, 0,
                   1);
}

/* P1.1, Q1.1: an empty input; then P2–P3, or Q2 for a record the input cut. */
int etwhf__bare_finish(struct etwhf_decoder *d)
{
    struct bare *b = &d->bare;
    const uint64_t n = d->sum.bytes;
    if (ETWHF_MUTANT_ON(MU_P1_1_SILENT) && n == 0 && d->opts.input != ETWHF_INPUT_RECORD)
        return d->halt != 0;
    if (ETWHF_MUTANT_ON(MU_Q1_1_SILENT) && n == 0 && d->opts.input == ETWHF_INPUT_RECORD)
        return d->halt != 0;
    if (n == 0)
        etwhf__dec_diag(d, ETWHF_DIAG_FILE_EMPTY, &loc_none, "the input is empty");
    else if (d->opts.input != ETWHF_INPUT_RECORD)
        payload_finish(d, n);
    else if (!d->ended && b->staged && !b->skip)
        run_staged(d, 1);
    return d->halt != 0;
}

void etwhf__bare_release(struct etwhf_decoder *d)
{
    etwhf__dec_free(d, d->bare.stage);
    d->bare.stage = NULL;
}
