/*
 * file.c — the F-steps (docs/spec/walk.md) and the state machine that turns
 * fed bytes, in any chunking, into whole buffer positions.
 *
 * F2 waits for the probe window (at most 0x48 + 0xFFFF bytes) before anything
 * is said; then the walk sees the file from offset 0. A position whose bytes
 * all lie in the current feed is handed to buffer.c in place; one that
 * straddles feeds is copied into `stage`, but only the bytes its plan reads:
 * the rest is passed over while counting. Decisions that need the input
 * length are taken when enough bytes arrived or at finish.
 *
 * Each function is one step, its rule ids in its comment: F1–F3 in
 * probe_steps' callees, then the walk's phases for a straddling position
 * (header_bytes, kept_bytes, passed_over_bytes) beside position_in_place.
 */
#include <inttypes.h>

#include "context.h"
#include "hooks.h"

static const struct loc loc_logfile = {0, HDR_BYTES, 0, 0};
static const struct loc loc_buffer0 = {0, 0, 0, 0};

enum { PROBE_NEED, PROBE_DONE };

/* F1.1, F1.2: fewer bytes than one buffer header end the file; 1 when they do. */
static int file_too_short(struct etwhf_decoder *d, size_t have)
{
    static const struct loc none = {ETWHF_NO_BUFFER, 0, 0, 0};
    if (have >= HDR_BYTES)
        return 0;
    if (ETWHF_MUTANT_ON(MU_F1_2_THRESHOLD_64) && have >= HDR_BYTES - 8)
        return 0;
    if (ETWHF_MUTANT_ON(MU_F1_1_EMPTY_SILENT) && have == 0)
        return 1;
    if (have == 0)
        etwhf__dec_diag(d, ETWHF_DIAG_FILE_EMPTY, &none, "the input is empty");
    else
        etwhf__dec_diag(d, ETWHF_DIAG_FILE_TOO_SHORT, &none,
                        "the input has %zu bytes, fewer than one 72-byte buffer header", have);
    return 1;
}

/* What F2.1–F2.5 found at 0x48: the record's header fields and, unless the
 * logfile record is there, which rule says it is missing. */
enum lf_why { LF_FOUND, LF_CUT_HEADER, LF_NOT_FLAGS, LF_NOT_TYPE, LF_NOT_HOOK, LF_CUT_SIZE };
struct lf_head {
    int why; /* enum lf_why */
    unsigned b3, type, hook;
    size_t size;
};

/* F2.1–F2.5: the probe of the record at 0x48. PROBE_NEED with *need when
 * more bytes could change the answer. */
static int logfile_probe(struct cur *c, int final, struct lf_head *lh, size_t *need)
{
    const size_t have = c->len;
    lh->b3 = lh->type = lh->hook = 0;
    lh->size = 0;
    lh->why = LF_FOUND;
    if (have < HDR_BYTES + 8) {
        lh->why = LF_CUT_HEADER; /* F2.1 */
        return PROBE_DONE;
    }
    lh->b3 = cur_u8(c, HDR_BYTES + 3);
    lh->type = cur_u8(c, HDR_BYTES + 2);
    lh->hook = cur_u16(c, HDR_BYTES + ETWHF_SYS_HOOK_ID);
    lh->size = cur_u16(c, HDR_BYTES + 4);
    int flags_ok = (lh->b3 & 0xC0u) == 0xC0u;     /* F2.2 */
    int type_ok = lh->type == 1 || lh->type == 2; /* F2.3 */
    int hook_ok = lh->hook == ETWHF_HOOK_LOGFILE; /* F2.4 */
    int size_ok = lh->size <= have - HDR_BYTES;   /* F2.5 */
    if (ETWHF_MUTANT_ON(MU_F2_2_FLAGS_IGNORED))
        flags_ok = 1;
    if (ETWHF_MUTANT_ON(MU_F2_3_TYPE_ANY))
        type_ok = 1;
    if (ETWHF_MUTANT_ON(MU_F2_4_HOOK_IGNORED))
        hook_ok = 1;
    if (ETWHF_MUTANT_ON(MU_F2_5_SIZE_TRUSTED) && final)
        size_ok = 1;
    if (!flags_ok)
        lh->why = LF_NOT_FLAGS;
    else if (!type_ok)
        lh->why = LF_NOT_TYPE;
    else if (!hook_ok)
        lh->why = LF_NOT_HOOK;
    else if (!size_ok) {
        if (!final) {
            *need = HDR_BYTES + lh->size;
            return PROBE_NEED;
        }
        lh->why = LF_CUT_SIZE; /* F2.5 */
    }
    return PROBE_DONE;
}

/* F2.1–F2.5: the LOGFILE_MISSING diagnostic; returns etwhf__dec_diag's answer.
 * It names only what the decision rests on, so it reads the same in any
 * chunking. */
static int logfile_missing_reason(struct etwhf_decoder *d, const struct lf_head *lh, size_t have)
{
    if (lh->why == LF_CUT_HEADER)
        return etwhf__dec_diag(d, ETWHF_DIAG_LOGFILE_MISSING, &loc_logfile,
                               "no logfile record at 0x48: the input ends after %zu bytes, before its 8-byte header",
                               have);
    if (lh->why == LF_CUT_SIZE)
        return etwhf__dec_diag(d, ETWHF_DIAG_LOGFILE_MISSING, &loc_logfile,
                               "no logfile record at 0x48: its Size %zu runs past the end of the input (%zu bytes)",
                               lh->size, have);
    return etwhf__dec_diag(d, ETWHF_DIAG_LOGFILE_MISSING, &loc_logfile,
                           "no logfile record at 0x48: %s (byte 3 0x%02x, HeaderType 0x%02x, HookId 0x%04x)",
                           lh->why == LF_NOT_FLAGS  ? "byte 3 lacks 0xC0"
                           : lh->why == LF_NOT_TYPE ? "HeaderType is not 1 or 2"
                                                    : "HookId is not 0x0000",
                           lh->b3, lh->type, lh->hook);
}

/* How F2 ended: the walk stops, or goes on with or without a read logfile. */
enum { LF_STOP, LF_UNREAD, LF_READ };

/* F2.6–F2.9 for the record F2.1–F2.5 found: LOGFILE_SHORT, or the read
 * logfile (F2.7) and its PointerSize and lost-events checks. */
static int logfile_checks(struct etwhf_decoder *d, struct cur *c, const struct lf_head *lh)
{
    const unsigned width = lh->type == 2 ? 8 : 4;
    size_t layout = width == 8 ? ETWHF_LOGFILE_SIZE64 : ETWHF_LOGFILE_SIZE32;
    if (ETWHF_MUTANT_ON(MU_F2_6_LAYOUT32))
        layout = ETWHF_LOGFILE_SIZE32;
    const size_t payload = lh->size > 0x20 ? lh->size - 0x20 : 0;
    if (payload < layout) /* F2.6 */
        return etwhf__dec_diag(d, ETWHF_DIAG_LOGFILE_SHORT, &loc_logfile,
                               "logfile payload of %zu bytes (Size %zu) is shorter than the %zu-byte %u-bit layout",
                               payload, lh->size, layout, width * 8)
                   ? LF_STOP
                   : LF_UNREAD;
    etwhf__logfile_read(d, c, width, lh->size); /* F2.7 */
    const struct etwhf_logfile *lf = &d->logfile;
    int odd_width = lf->pointer_size != 4 && lf->pointer_size != 8; /* F2.8 */
    if (ETWHF_MUTANT_ON(MU_F2_8_PTRSIZE_SILENT))
        odd_width = 0;
    if (odd_width && etwhf__dec_diag(d, ETWHF_DIAG_LOGFILE_POINTER_SIZE, &loc_logfile,
                                     "logfile PointerSize %" PRIu32 " is neither 4 nor 8", lf->pointer_size))
        return LF_STOP;
    if ((lf->events_lost || lf->buffers_lost) && /* F2.9 */
        etwhf__dec_diag(d, ETWHF_DIAG_EVENTS_LOST, &loc_logfile,
                        "logfile counts %" PRIu32 " lost events and %" PRIu32 " lost buffers", lf->events_lost,
                        lf->buffers_lost))
        return LF_STOP;
    if (ETWHF_MUTANT_ON(MU_F2_9_LOST_STOPS) && (lf->events_lost || lf->buffers_lost))
        return LF_STOP;
    return LF_READ;
}

/* F3.1–F3.3: a read logfile makes the file compressed or gives the stride;
 * 1 when it did either, or when its LOGFILE_BUFFER_SIZE stops the walk. */
static int stride_from_logfile(struct etwhf_decoder *d, uint32_t b0)
{
    struct walk *w = &d->walk;
    int compressed = (d->logfile.log_file_mode & ETWHF_LOGFILE_MODE_COMPRESSED) != 0; /* F3.1 */
    if (ETWHF_MUTANT_ON(MU_F3_1_MODE_IGNORED))
        compressed = 0;
    if (compressed) {
        d->logfile.compressed = 1;
        w->compressed = 1;
        return 1;
    }
    const uint32_t lb = d->logfile.buffer_size;
    if (ETWHF_MUTANT_ON(MU_F3_2_STRIDE_B0))
        return 0;
    int usable = lb >= HDR_BYTES && lb <= d->limit && lb % 8 == 0; /* F3.2 */
    if (ETWHF_MUTANT_ON(MU_F3_2_LIMIT))
        usable = lb >= HDR_BYTES && lb % 8 == 0;
    if (ETWHF_MUTANT_ON(MU_F3_2_ALIGN8))
        usable = lb >= HDR_BYTES && lb <= d->limit;
    if (usable) {
        w->stride = lb;
        return 1;
    }
    if (ETWHF_MUTANT_ON(MU_F3_3_FATAL))
        d->walk.phase = WALK_ENDED;
    return etwhf__dec_diag(d, ETWHF_DIAG_LOGFILE_BUFFER_SIZE, &loc_logfile, /* F3.3 */
                           "logfile BufferSize %" PRIu32
                           " is not a multiple of 8 between 72 and the buffer limit %" PRIu64
                           "; using buffer 0's BufferSize %" PRIu32,
                           lb, d->limit, b0);
}

/* F3.4, F3.5: buffer 0's BufferSize as the stride, or no position at all. */
static void stride_from_buffer0(struct etwhf_decoder *d, uint32_t b0)
{
    struct walk *w = &d->walk;
    int usable = b0 >= HDR_BYTES && b0 <= d->limit; /* F3.4 */
    if (ETWHF_MUTANT_ON(MU_F3_4_ALIGN8) && b0 % 8 != 0)
        usable = 0;
    if (usable) {
        w->stride = b0;
        return;
    }
    w->phase = WALK_ENDED; /* F3.5 */
    if (ETWHF_MUTANT_ON(MU_F3_5_SILENT))
        return;
    etwhf__dec_diag(d, ETWHF_DIAG_BUFFER_SIZE, &loc_buffer0,
                    "no usable stride: buffer 0's BufferSize %" PRIu32
                    " is not between 72 and the buffer limit %" PRIu64,
                    b0, d->limit);
}

/* F1–F3 over the file's first bytes, all of `c`; `final` when they are all
 * of it. PROBE_NEED with *need: the bytes a decision waits for. */
static int probe_steps(struct etwhf_decoder *d, struct cur *c, int final, size_t *need)
{
    if (c->len < HDR_BYTES + 8 && !final) {
        *need = HDR_BYTES + 8;
        return PROBE_NEED;
    }
    if (file_too_short(d, c->len))
        return PROBE_DONE;
    struct lf_head lh;
    if (logfile_probe(c, final, &lh, need) == PROBE_NEED)
        return PROBE_NEED;
    int lf;
    if (lh.why != LF_FOUND)
        lf = logfile_missing_reason(d, &lh, c->len) ? LF_STOP : LF_UNREAD;
    else
        lf = logfile_checks(d, c, &lh);
    if (lf == LF_STOP)
        return PROBE_DONE;
    d->probe.logfile_read = lf == LF_READ;
    d->probe.buffers_written = lf == LF_READ ? d->logfile.buffers_written : 0;

    const uint32_t b0 = cur_u32(c, ETWHF_BH_BUFFER_SIZE);
    d->walk.format = cur_u16(c, ETWHF_BH_STATE);
    d->walk.phase = WALK_HEADER;
    if (lf == LF_READ && stride_from_logfile(d, b0))
        return PROBE_DONE;
    stride_from_buffer0(d, b0);
    return PROBE_DONE;
}

/* F1–F3 over `have` bytes; every read of the probe is proven by a length
 * test before it, so no fault is ever tested. */
static int probe_decide(struct etwhf_decoder *d, const uint8_t *bytes, size_t have, int final, size_t *need)
{
    struct cur c = cur_make(bytes, have);
    const int r = probe_steps(d, &c, final, need);
    CUR_DONE(&c);
    return r;
}

/* ---- the walk over buffer positions (F4) ------------------------------- */

/* B7.4, C6: on to the next position, unless the step ended the file. */
static void next_position(struct etwhf_decoder *d, int file_ends)
{
    struct walk *w = &d->walk;
    if (file_ends) {
        w->phase = WALK_ENDED;
        d->ended = 1;
        return;
    }
    w->off += w->plan.total;
    w->index++;
    w->seen = 0;
    w->phase = WALK_HEADER;
}

/* B1/C1 onwards for a position whose header starts at `bytes`, with `avail`
 * bytes of the feed from there: planned from the header in place, and run in
 * place when the whole position is present (no copy). Returns the bytes
 * consumed: the position's (at least 0x48), or 0 when it continues past
 * this feed. */
static size_t position_in_place(struct etwhf_decoder *d, const uint8_t *bytes, size_t avail)
{
    struct walk *w = &d->walk;
    etwhf__buffer_plan(d, bytes, &w->plan);
    if (avail < w->plan.total) {
        w->phase = WALK_BODY;
        return 0;
    }
    w->seen = w->plan.total;
    next_position(d, etwhf__buffer_run(d, bytes, w->plan.keep, 0));
    return (size_t)w->plan.total;
}

/* The header bytes of a position that straddles feeds, staged until all
 * 0x48 are there to plan from (B2, C2). Returns the bytes consumed; 0 when
 * the stage could not grow (the walk halts). */
static size_t header_bytes(struct etwhf_decoder *d, struct cur *in, size_t i)
{
    struct walk *w = &d->walk;
    if (etwhf__dec_reserve(d, &w->stage, &w->stage_cap, HDR_BYTES, (size_t)w->seen))
        return 0;
    size_t take = HDR_BYTES - (size_t)w->seen;
    take = take < in->len - i ? take : in->len - i;
    etwhf__dec_take(in, i, w->stage + w->seen, take);
    w->seen += take;
    if (w->seen == HDR_BYTES) {
        etwhf__buffer_plan(d, w->stage, &w->plan);
        w->phase = WALK_BODY;
    }
    return take;
}

/* The bytes of a straddling position that its plan reads (`keep`), staged.
 * The stage grows with the bytes that arrive, not with what the header
 * claims: a short hostile input stays cheap. Returns the bytes consumed; 0
 * when the stage could not grow (the walk halts). */
static size_t kept_bytes(struct etwhf_decoder *d, struct cur *in, size_t i)
{
    struct walk *w = &d->walk;
    size_t take = w->plan.keep - (size_t)w->seen;
    take = take < in->len - i ? take : in->len - i;
    if (w->seen + take > w->stage_cap) {
        size_t want = w->stage_cap * 2 > w->seen + take ? w->stage_cap * 2 : (size_t)w->seen + take;
        if (etwhf__dec_reserve(d, &w->stage, &w->stage_cap, want < w->plan.keep ? want : w->plan.keep, (size_t)w->seen))
            return 0;
    }
    etwhf__dec_take(in, i, w->stage + w->seen, take);
    w->seen += take;
    return take;
}

/* The bytes of a position past what its plan reads: counted, never stored. */
static size_t passed_over_bytes(struct walk *w, size_t avail)
{
    const uint64_t rest = w->plan.total - w->seen;
    const size_t take = rest < avail ? (size_t)rest : avail;
    w->seen += take;
    return take;
}

/* F4: the bytes of `in` from i, by the phase of the current position. */
static size_t walk_take(struct etwhf_decoder *d, struct cur *in, size_t i)
{
    struct walk *w = &d->walk;
    const size_t avail = in->len - i;
    if (w->phase == WALK_HEADER && w->seen == 0 && avail >= HDR_BYTES) {
        const size_t whole = position_in_place(d, in->base + i, avail);
        if (whole)
            return whole;
    }
    if (w->phase == WALK_HEADER)
        return header_bytes(d, in, i);
    if (w->seen < w->plan.keep)
        return kept_bytes(d, in, i);
    return passed_over_bytes(w, avail);
}

/* F4: positions over fed bytes, until they run out or the walk ends. */
static void walk_push(struct etwhf_decoder *d, const uint8_t *data, size_t len)
{
    struct walk *w = &d->walk;
    struct cur in = cur_make(data, len);
    size_t i = 0;
    while (!d->halt && w->phase != WALK_ENDED) {
        if (w->phase == WALK_BODY && w->seen == w->plan.total) { /* a staged position is complete */
            next_position(d, etwhf__buffer_run(d, w->stage, w->plan.keep, 0));
            continue;
        }
        if (i == len)
            break;
        i += walk_take(d, &in, i);
    }
    CUR_DONE(&in); /* every copy was of bytes in the feed */
}

/* B1.1, C1.1: the input ended inside a header; B4.1, C3.1: inside a
 * position, which runs over the bytes present. */
static void walk_finish(struct etwhf_decoder *d)
{
    struct walk *w = &d->walk;
    w->at_boundary = w->phase == WALK_HEADER && w->seen == 0; /* F5.2 */
    int cut_header = w->phase == WALK_HEADER && w->seen > 0;  /* B1.1, C1.1 */
    if (ETWHF_MUTANT_ON(MU_B1_1_SILENT))
        cut_header = 0;
    if (cut_header) {
        const struct loc at = {w->index, w->off, 0, 0};
        w->visited++;
        etwhf__dec_diag(d, ETWHF_DIAG_TRUNCATED_TAIL, &at,
                        "input ends %" PRIu64 " bytes into the buffer header at offset %" PRIu64 " (72 needed)",
                        w->seen, w->off);
    } else if (w->phase == WALK_BODY) {
        size_t kept = w->seen < w->plan.keep ? (size_t)w->seen : w->plan.keep;
        etwhf__buffer_run(d, w->stage, kept, 1);
    }
    w->phase = WALK_ENDED;
}

/* ---- F-steps over fed bytes -------------------------------------------- */

/* F1–F3 decided: the file ends unless F3 gave the walk a first position. */
static void probe_done(struct etwhf_decoder *d)
{
    d->probe.decided = 1;
    if (d->walk.phase != WALK_HEADER)
        d->ended = 1;
}

/* F1–F3 over the first fed bytes: decided from this feed alone, or once the
 * probe window gathered what a decision waits for; the walk then sees the
 * probed bytes. Returns the bytes of this feed consumed (all of them while
 * F2 still waits, or when no memory halts the walk). */
static size_t probe_feed(struct etwhf_decoder *d, const uint8_t *data, size_t len)
{
    struct probe *pr = &d->probe;
    if (pr->have == 0 && probe_decide(d, data, len, 0, &pr->need) == PROBE_DONE) {
        probe_done(d); /* decided from this feed: the walk reads it in place */
        return 0;
    }
    /* Every NEED asks for more than is held, and at most PROBE_MAX. */
    if (!pr->buf && !(pr->buf = etwhf__dec_alloc(d, PROBE_MAX)))
        return len;
    struct cur in = cur_make(data, len);
    size_t i = 0;
    while (!pr->decided && i < len) {
        size_t take = pr->need - pr->have;
        take = take < len - i ? take : len - i;
        etwhf__dec_take(&in, i, pr->buf + pr->have, take);
        pr->have += take;
        i += take;
        if (pr->have == pr->need && probe_decide(d, pr->buf, pr->have, 0, &pr->need) == PROBE_DONE)
            probe_done(d);
    }
    CUR_DONE(&in);
    if (!pr->decided)
        return i;
    /* The walk sees the probed bytes first, then the rest of this feed. */
    if (!d->halt && !d->ended)
        walk_push(d, pr->buf, pr->have);
    etwhf__dec_free(d, pr->buf);
    pr->buf = NULL;
    return i;
}

int etwhf__file_feed(struct etwhf_decoder *d, const uint8_t *data, size_t len)
{
    if (!d->probe.decided) {
        const size_t used = probe_feed(d, data, len);
        data += used;
        len -= used;
    }
    if (!d->halt && !d->ended && len)
        walk_push(d, data, len);
    return d->halt != 0;
}

/* F5.2: a non-circular log announces buffers past the point where the walk
 * ran out of input, at a position boundary: the file was cut there. */
static int cut_at_boundary(const struct etwhf_decoder *d)
{
    const struct probe *pr = &d->probe;
    int at_end = d->walk.at_boundary, circular = (d->logfile.log_file_mode & ETWHF_LOGFILE_MODE_CIRCULAR) != 0;
    if (ETWHF_MUTANT_ON(MU_F5_2_ANY_END))
        at_end = 1;
    if (ETWHF_MUTANT_ON(MU_F5_2_CIRCULAR))
        circular = 0;
    if (ETWHF_MUTANT_ON(MU_F5_2_NEVER))
        at_end = 0;
    return pr->logfile_read && at_end && !circular && pr->buffers_written > d->walk.visited;
}

/* F5: a read logfile's BuffersWritten against the positions visited. */
static void buffers_written_check(struct etwhf_decoder *d)
{
    const struct probe *pr = &d->probe;
    if (!d->halt && cut_at_boundary(d)) {
        const struct loc at = {d->walk.visited, d->walk.off, 0, 0};
        etwhf__dec_diag(d, ETWHF_DIAG_TRUNCATED_TAIL, &at,
                        "input ends at offset %" PRIu64 ", where buffer position %" PRIu64
                        " would begin; the "
                        "logfile announces %" PRIu32 " buffers",
                        d->walk.off, d->walk.visited, pr->buffers_written);
        return;
    }
    uint64_t positions = d->walk.visited;
    if (d->halt)
        return;
    if (pr->logfile_read && ETWHF_PLANT(PB_WRITTEN_VS_ACCEPTED,
                                        (pr->buffers_written == positions) != (pr->buffers_written == d->sum.buffers)))
        positions = d->sum.buffers;
    int compared = pr->logfile_read; /* F5.1: only against a read logfile */
    if (ETWHF_MUTANT_ON(MU_F5_1_UNREAD))
        compared = 1;
    if (ETWHF_MUTANT_ON(MU_F5_1_NEVER))
        compared = 0;
    if (compared && pr->buffers_written != positions)
        etwhf__dec_diag(d, ETWHF_DIAG_BUFFERS_WRITTEN, &loc_logfile,
                        "logfile BuffersWritten %" PRIu32 " differs from the %" PRIu64 " buffer positions in the file",
                        pr->buffers_written, d->walk.visited);
}

int etwhf__file_finish(struct etwhf_decoder *d)
{
    struct probe *pr = &d->probe;
    if (!pr->decided) {
        size_t need;
        probe_decide(d, pr->buf, pr->have, 1, &need);
        probe_done(d);
        if (!d->halt && d->walk.phase == WALK_HEADER)
            walk_push(d, pr->buf, pr->have);
        etwhf__dec_free(d, pr->buf);
        pr->buf = NULL;
    }
    if (!d->halt && d->walk.phase != WALK_ENDED)
        walk_finish(d);
    buffers_written_check(d);
    return d->halt != 0;
}

void etwhf__file_release(struct etwhf_decoder *d)
{
    etwhf__dec_free(d, d->probe.buf);
    etwhf__dec_free(d, d->walk.stage);
    etwhf__dec_free(d, d->walk.exp);
    d->probe.buf = NULL;
    d->walk.stage = d->walk.exp = NULL;
}
