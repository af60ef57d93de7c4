/*
 * test_hostile.c — inputs meant to break the decoder: random bytes, mutated
 * traces, every truncation of small traces, hostile sizes (BufferSize 0 and
 * 4 GiB, SavedOffset huge, record Size 0 and 0xFFFF, extended-item chains),
 * with the allocator hook recording the peak so it can be bounded; and every
 * allocation failing in turn (clean ETWHF_ENOMEM, no leak, context invalid,
 * no allocation asked for after the failed one).
 * Crashes and overruns are caught by the sanitizer builds and valgrind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dlog.h"
#include "tb.h"
#include "decode_once.h"

/* ---- an allocator that counts, records the peak and fails on demand ---- */

struct counting {
    size_t live, peak, calls, outstanding;
    size_t fail_at; /* the call (1-based) that fails; 0 = none */
    int failed;     /* that call was made */
};

static void *c_alloc(void *user, size_t size)
{
    struct counting *c = user;
    /* A failed allocation halts the walk: a later request means the decoder
     * went on after ETWHF_ENOMEM (or retries, and would spin on an
     * allocator that keeps failing). */
    if (c->failed)
        fail_msg("allocation %zu requested after allocation %zu failed", c->calls + 1, c->fail_at);
    if (++c->calls == c->fail_at) {
        c->failed = 1;
        return NULL;
    }
    size_t *p = malloc(size + sizeof(max_align_t));
    assert_non_null(p);
    p[0] = size;
    c->live += size;
    c->outstanding++;
    if (c->live > c->peak)
        c->peak = c->live;
    return (char *)p + sizeof(max_align_t);
}

static void c_free(void *user, void *ptr)
{
    struct counting *c = user;
    size_t *p = (size_t *)(void *)((char *)ptr - sizeof(max_align_t));
    c->live -= p[0];
    c->outstanding--;
    free(p);
}

/* Decodes in feeds of `chunk` (0: one feed); returns the first status that is
 * not ETWHF_OK, and checks the context stays invalid after a fatal one. */
static int run_counted(struct counting *c, struct etwhf_decode_options o, const uint8_t *data, size_t len, size_t chunk)
{
    struct etwhf_allocator a = {c_alloc, c_free, c};
    o.allocator = &a;
    struct etwhf_decoder *d = etwhf_decoder_new(&o, NULL);
    if (!d)
        return ETWHF_ENOMEM;
    int rc = ETWHF_OK;
    for (size_t at = 0; at < len && rc == ETWHF_OK;) {
        size_t n = chunk && chunk < len - at ? chunk : len - at;
        rc = etwhf_decode_feed(d, data + at, n);
        at += n;
    }
    if (rc == ETWHF_OK)
        rc = etwhf_decode_finish(d);
    if (rc != ETWHF_OK) {
        assert_int_equal(etwhf_decode_feed(d, data, len ? 1 : 0), ETWHF_EBADSTATE);
        assert_int_equal(etwhf_decode_finish(d), ETWHF_EBADSTATE);
    }
    etwhf_decoder_free(d);
    assert_int_equal(c->outstanding, 0);
    return rc;
}

/* Bound on the decoder's memory for inputs whose usable buffers are at most
 * `buf` bytes: the context, the F2 probe window, a stage and an expansion. */
static size_t bound(size_t buf)
{
    size_t b = buf < 4096 ? 4096 : buf;
    return 8192 + (0x48 + 0xFFFF) + 2 * b;
}

static uint64_t rng(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Every input kind and chunking survives it, within the memory the limit
 * allows (a hostile SavedOffset may claim an expansion up to the limit). */
static void survive(const uint8_t *data, size_t len, uint64_t limit)
{
    static const int inputs[] = {ETWHF_INPUT_FILE, ETWHF_INPUT_RECORD, ETWHF_INPUT_PAYLOAD};
    static const size_t chunks[] = {0, 1, 13};
    for (size_t i = 0; i < 3; i++)
        for (size_t k = 0; k < 3; k++) {
            struct etwhf_decode_options o = dl_options(inputs[i], ETWHF_MODE_RECOVER);
            o.buffer_limit = limit;
            struct counting c = {0};
            assert_int_equal(run_counted(&c, o, data, len, chunks[k]), ETWHF_OK);
            if (c.peak > bound((size_t)limit))
                print_error("peak %zu above %zu (input %d, chunk %zu)\n", c.peak, bound((size_t)limit), inputs[i],
                            chunks[k]);
            assert_true(c.peak <= bound((size_t)limit));
        }
}

static void small_trace(struct tb *f, int compressed)
{
    struct tb bodies[2];
    for (int i = 0; i < 2; i++) {
        tb_init(&bodies[i]);
        for (int k = 0; k < 4; k++)
            tb_free_record(&bodies[i], (i * 4 + k) % ETWHF_HDR_FORMS, 1, (uint64_t)k, (uint32_t)k);
    }
    tb_init(f);
    if (compressed)
        tb_ctrace(f, bodies, 2);
    else
        tb_trace(f, 0x400, NULL, bodies, 2);
    tb_free(&bodies[0]);
    tb_free(&bodies[1]);
}

static void random_bytes(void **state)
{
    (void)state;
    uint64_t s = 0x1234567;
    uint8_t buf[3000];
    for (int round = 0; round < 300; round++) {
        size_t len = (size_t)(rng(&s) % sizeof buf);
        for (size_t i = 0; i < len; i++)
            buf[i] = (uint8_t)rng(&s);
        survive(buf, len, 0x10000);
    }
}

/* Random bytes rarely pass F2; byte flips of real traces reach every layer. */
static void mutated_traces(void **state)
{
    (void)state;
    uint64_t s = 0xFEEDFACE;
    for (int compressed = 0; compressed < 2; compressed++) {
        struct tb f;
        small_trace(&f, compressed);
        uint8_t *m = malloc(f.len);
        assert_non_null(m);
        for (int round = 0; round < 400; round++) {
            memcpy(m, f.p, f.len);
            int flips = 1 + (int)(rng(&s) % 8);
            for (int k = 0; k < flips; k++)
                m[rng(&s) % f.len] = (uint8_t)rng(&s);
            survive(m, f.len, 0x8000);
            struct etwhf_decode_options o = dl_options(ETWHF_INPUT_FILE, ETWHF_MODE_RECOVER);
            struct dlog a = {0}, b = {0};
            dl_run(&a, &o, m, f.len, DL_ONE_FEED, 0);
            dl_run(&b, &o, m, f.len, DL_RANDOM, (unsigned)round);
            assert_string_equal(dl_full(&a), dl_full(&b));
            dl_free(&a);
            dl_free(&b);
        }
        free(m);
        tb_free(&f);
    }
}

/* Cut at every length: an error unless nothing is cut — a cut between
 * buffers too (walk.md F5.2: BuffersWritten still counts what is gone). */
static void every_truncation(void **state)
{
    (void)state;
    for (int compressed = 0; compressed < 2; compressed++) {
        struct tb f;
        small_trace(&f, compressed);
        const size_t b1 = compressed ? 0x400 : 0x400, b2 = compressed ? 0x400 + tb_get_u32(&f, 0x400) : 0x800;
        struct dlog l = {0};
        for (size_t n = 0; n <= f.len; n++) {
            struct etwhf_decode_options o = dl_options(ETWHF_INPUT_FILE, ETWHF_MODE_RECOVER);
            dl_run(&l, &o, f.p, n, n % 2 ? 1 : DL_ONE_FEED, 0);
            if (n == 0) {
                assert_int_equal(l.dg[0].code, ETWHF_DIAG_FILE_EMPTY);
            } else if (n < 0x48) {
                assert_int_equal(l.dg[0].code, ETWHF_DIAG_FILE_TOO_SHORT);
            } else if (n == f.len) {
                assert_int_equal(l.sum.errors, 0);
            } else if (n == b1 || n == b2) {
                assert_int_equal(l.sum.errors, 1);
                assert_int_equal(l.dg[l.ndg - 1].code, ETWHF_DIAG_TRUNCATED_TAIL);
                assert_int_equal(l.dg[l.ndg - 1].offset, n);
            } else {
                assert_true(l.sum.errors >= 1);
            }
            /* Decoding never delivers more than the whole trace holds. */
            assert_true(l.sum.heap_free <= 8);
        }
        dl_free(&l);
        tb_free(&f);
    }
}

static void hostile_sizes(void **state)
{
    (void)state;
    struct tb f;
    small_trace(&f, 0);
    static const uint32_t sizes[] = {0, 1, 0x47, 0x48, 0x49, 0x3FF, 0x401, 0x7FFFFFFF, 0xFFFFFFFF};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        struct tb g;
        tb_init(&g);
        tb_bytes(&g, f.p, f.len);
        tb_set_u32(&g, 0x400 + TB_BSIZE, sizes[i]); /* a data buffer */
        survive(g.p, g.len, 0x10000);
        tb_set_u32(&g, 0x400 + TB_SAVED, sizes[i]); /* and its SavedOffset */
        survive(g.p, g.len, 0x10000);
        tb_set_u32(&g, TB_BSIZE, sizes[i]);    /* buffer 0 */
        tb_set_u32(&g, 0x48 + 0x20, sizes[i]); /* the logfile's BufferSize */
        survive(g.p, g.len, 0x10000);
        tb_set_u32(&g, 0x48 + 0x20 + 0x24, sizes[i]); /* BuffersWritten */
        survive(g.p, g.len, 0x10000);
        tb_free(&g);
    }
    /* Record Size 0 and 0xFFFF in a data buffer and in the logfile record. */
    static const uint16_t rsizes[] = {0, 1, 7, 8, 0x1F, 0x20, 0xFFFF};
    for (size_t i = 0; i < sizeof rsizes / sizeof rsizes[0]; i++) {
        struct tb g;
        tb_init(&g);
        tb_bytes(&g, f.p, f.len);
        tb_set_u16(&g, 0x400 + 0x48 + 4, rsizes[i]);
        survive(g.p, g.len, 0x10000);
        tb_set_u16(&g, 0x48 + 4, rsizes[i]);
        survive(g.p, g.len, 0x10000);
        tb_free(&g);
    }
    tb_free(&f);

    /* Compressed: BufferSize 4 GiB - 1 and a SavedOffset that would expand
     * to 4 GiB must not allocate anything like it. */
    small_trace(&f, 1);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        struct tb g;
        tb_init(&g);
        tb_bytes(&g, f.p, f.len);
        tb_set_u32(&g, 0x400 + TB_SAVED, sizes[i]);
        survive(g.p, g.len, 0x10000);
        tb_set_u32(&g, 0x400 + TB_BSIZE, sizes[i]);
        survive(g.p, g.len, 0x10000);
        /* With the default 16 MiB limit too: only what the bytes hold. */
        struct counting c = {0};
        assert_int_equal(run_counted(&c, dl_options(ETWHF_INPUT_FILE, ETWHF_MODE_RECOVER), g.p, g.len, 1), ETWHF_OK);
        assert_true(c.peak <= bound(0x400));
        tb_fill(&g, 0, 0x3000); /* the bytes a BufferSize up to 0x3400 covers */
        survive(g.p, g.len, 0x10000);
        tb_free(&g);
    }
    /* A BufferSize just under the default limit on a short input: memory
     * follows the bytes that arrive, not the size claimed. */
    struct counting c = {0};
    tb_set_u32(&f, 0x400 + TB_BSIZE, 0x00FFFF00);
    assert_int_equal(run_counted(&c, dl_options(ETWHF_INPUT_FILE, ETWHF_MODE_RECOVER), f.p, f.len, 1), ETWHF_OK);
    assert_true(c.peak <= bound(0x400));
    tb_free(&f);
}

/* The limit bounds what one buffer may take, whatever the input claims. */
static void limit_bounds_memory(void **state)
{
    (void)state;
    struct tb body, f;
    tb_init(&body);
    for (int k = 0; k < 300; k++)
        tb_free_record(&body, ETWHF_HDR_SYSTEM64, 1, (uint64_t)k, 1);
    tb_init(&f);
    tb_ctrace(&f, &body, 1); /* one compressed buffer expanding to 0x41A0 bytes */
    struct etwhf_decode_options o = dl_options(ETWHF_INPUT_FILE, ETWHF_MODE_RECOVER);
    struct counting c = {0};
    assert_int_equal(run_counted(&c, o, f.p, f.len, 1), ETWHF_OK);
    assert_true(c.peak <= bound(0x4A1C));
    assert_true(c.peak >= 2 * 0x41A0); /* both the stream and its expansion were held */
    /* Below the expansion: SAVED_OFFSET, nothing that large allocated. */
    o.buffer_limit = 0x1000;
    struct dlog l = {0};
    dl_run(&l, &o, f.p, f.len, 1, 0);
    assert_int_equal(l.dg[0].code, ETWHF_DIAG_BUFFER_SIZE); /* the stream itself exceeds 0x1000 */
    dl_free(&l);
    memset(&c, 0, sizeof c);
    assert_int_equal(run_counted(&c, o, f.p, f.len, 1), ETWHF_OK);
    assert_true(c.peak <= bound(0x1000));
    tb_free(&f);
    tb_free(&body);
}

static void ext_item_chains(void **state)
{
    (void)state;
    /* A record of 8-byte items all linked to the next, up to Size 0xFFF8,
     * and items whose ItemSize points back to themselves (0) or nowhere. */
    static uint8_t items[0xFFF8 - 0x50];
    for (size_t i = 0; i + 8 <= sizeof items; i += 8)
        memcpy(items + i, (const uint8_t[8]){0x08, 0, 0x01, 0, 0x01, 0, 0, 0}, 8);
    struct tb b;
    tb_init(&b);
    struct tb_rec r = {.hdr = ETWHF_HDR_EVENT64,
                       .heap = 1,
                       .type = ETWHF_HEAP_FREE,
                       .version = 2,
                       .ext = items,
                       .ext_len = sizeof items};
    tb_record(&b, &r);
    struct etwhf_decode_options o = dl_options(ETWHF_INPUT_RECORD, ETWHF_MODE_RECOVER);
    struct dlog l = {0};
    dl_run(&l, &o, b.p, b.len, DL_ONE_FEED, 0);
    assert_string_equal(dl_brief(&l), "E24@-:0x0\nS b=0 k=0 t=1 f=0 a=0 r=0 e=1 w=0\n");
    tb_set_u8(&b, 0x50, 0); /* ItemSize 0 */
    dl_run(&l, &o, b.p, b.len, 3, 0);
    assert_string_equal(dl_brief(&l), "E24@-:0x0\nS b=0 k=0 t=1 f=0 a=0 r=0 e=1 w=0\n");
    survive(b.p, b.len, 0x10000);
    dl_free(&l);
    tb_free(&b);
}

/* Fails each allocation in turn: ETWHF_ENOMEM, no leak, context invalid. */
static void fail_each_allocation(const uint8_t *data, size_t len, struct etwhf_decode_options o, size_t chunk)
{
    struct counting c = {0};
    assert_int_equal(run_counted(&c, o, data, len, chunk), ETWHF_OK);
    const size_t calls = c.calls;
    assert_true(calls >= 2); /* the context and at least one stage */
    for (size_t k = 1; k <= calls; k++) {
        memset(&c, 0, sizeof c);
        c.fail_at = k;
        assert_int_equal(run_counted(&c, o, data, len, chunk), ETWHF_ENOMEM);
    }
}

static void allocation_failures(void **state)
{
    (void)state;
    struct etwhf_decode_options o = dl_options(ETWHF_INPUT_FILE, ETWHF_MODE_RECOVER);
    for (int compressed = 0; compressed < 2; compressed++) {
        struct tb f;
        small_trace(&f, compressed);
        fail_each_allocation(f.p, f.len, o, 7);
        fail_each_allocation(f.p, f.len, o, 0x3F0);
        tb_free(&f);
    }
    struct tb b;
    tb_init(&b);
    uint8_t big[6000] = {0};
    struct tb_rec r = {.hdr = ETWHF_HDR_SYSTEM32, .group = 5, .payload = big, .payload_len = sizeof big};
    tb_record(&b, &r);
    tb_free_record(&b, ETWHF_HDR_SYSTEM64, 1, 2, 3);
    o.input = ETWHF_INPUT_RECORD;
    fail_each_allocation(b.p, b.len, o, 5);
    tb_free(&b);

    /* The readers report it too. */
    struct counting c = {.fail_at = 1};
    struct etwhf_allocator a = {c_alloc, c_free, &c};
    o.input = ETWHF_INPUT_FILE;
    o.allocator = &a;
    assert_int_equal(decode_once_memory(&o, "x", 1, NULL), ETWHF_ENOMEM);
    memset(&c, 0, sizeof c);
    c.fail_at = 2; /* the fd reader's read buffer */
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    struct etwhf_summary s;
    assert_int_equal(decode_once_fd(&o, fileno(tmp), &s), ETWHF_ENOMEM);
    assert_int_equal(c.outstanding, 0);
    fclose(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_bytes),        cmocka_unit_test(mutated_traces),
        cmocka_unit_test(every_truncation),    cmocka_unit_test(hostile_sizes),
        cmocka_unit_test(limit_bounds_memory), cmocka_unit_test(ext_item_chains),
        cmocka_unit_test(allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
