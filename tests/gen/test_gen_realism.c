/*
 * test_gen_realism.c — intact traces look like Windows wrote them. Each point
 * is read from the bytes directly (docs/spec/format.md §3, §4 and Appendix A), not from the
 * generator's model: header buffer BufferType 4, flag 0x21, SequenceNumber 0;
 * the logfile record at 0x48 sized 0x110/0x118 plus both UTF-16 names;
 * BuffersWritten = buffer count; data buffers flag 0x20, State 3, SavedOffset
 * = Offset, 8-aligned; 0xFF filler; timestamps increasing per CPU (heap events
 * through the decoder); every buffer the same BufferSize. Both generated file
 * cases and the streamed big trace.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "etwhf/decode.h"
#include "etwhf/layout.h"
#include "gtest.h"
#include "decode_once.h"

/* Length of a NUL-terminated UTF-16LE name at p (bytes, NUL included), 0 when
 * it is not one: no control characters, every surrogate paired. */
static size_t wname(const uint8_t *p, size_t avail)
{
    for (size_t i = 0; i + 1 < avail; i += 2) {
        uint16_t c = rd16(p + i);
        if (c == 0)
            return i >= 2 ? i + 2 : 0;
        if (c < 0x20 || (c >= 0xDC00 && c < 0xE000))
            return 0;                    /* control character or lone low surrogate */
        if (c >= 0xD800 && c < 0xDC00) { /* an intact name pairs every high surrogate */
            i += 2;
            if (i + 1 >= avail || rd16(p + i) < 0xDC00 || rd16(p + i) >= 0xE000)
                return 0;
        }
    }
    return 0;
}

struct clocks {
    uint64_t last[64];
    int seen[64];
    int bad;
    uint64_t events;
};

static int on_event(void *user, const struct etwhf_event *e)
{
    struct clocks *c = user;
    unsigned cpu = e->cpu & 63u;
    if (c->seen[cpu] && e->timestamp <= c->last[cpu])
        c->bad = 1;
    c->seen[cpu] = 1;
    c->last[cpu] = e->timestamp;
    c->events++;
    return 0;
}

static int on_diag(void *user, const struct etwhf_diag *d)
{
    (void)d;
    ((struct clocks *)user)->bad = 1;
    return 0;
}

/* Checks every realism point of an uncompressed intact file; returns events decoded. */
static uint64_t check_trace(const uint8_t *f, size_t n, unsigned pointer_size)
{
    assert_true(n >= 0x48);
    uint32_t bs = rd32(f);
    assert_true(bs >= 0x400 && bs % 8 == 0);
    assert_int_equal(n % bs, 0);
    uint64_t buffers = n / bs;
    /* header buffer */
    assert_int_equal(rd16(f + ETWHF_BH_TYPE), ETWHF_BT_HEADER);
    assert_int_equal(rd16(f + ETWHF_BH_FLAGS), 0x21);
    assert_true(rd64(f + ETWHF_BH_SEQUENCE) == 0);
    assert_true(rd64(f + ETWHF_BH_TIMESTAMP) == 0);
    assert_int_equal(rd32(f + ETWHF_BH_STATE), 3);
    /* logfile record */
    const uint8_t *r = f + 0x48;
    unsigned layout = pointer_size == 4 ? 4 : 8;
    assert_int_equal(r[2], layout == 4 ? 1 : 2);
    assert_int_equal(r[3], 0xC0);
    assert_int_equal(rd16(r + 6), 0);
    size_t lsize = layout == 4 ? ETWHF_LOGFILE_SIZE32 : ETWHF_LOGFILE_SIZE64;
    const uint8_t *lf = r + 0x20;
    size_t n1 = wname(lf + lsize, 512), n2 = n1 ? wname(lf + lsize + n1, 1024) : 0;
    assert_true(n1 > 0 && n2 > 0);
    assert_int_equal(rd16(r + 4), 0x20 + lsize + n1 + n2);
    assert_int_equal(rd32(lf + ETWHF_LF_BUFFER_SIZE), bs);
    assert_int_equal(rd32(lf + ETWHF_LF_BUFFERS_WRITTEN), buffers);
    assert_int_equal(rd32(lf + ETWHF_LF_POINTER_SIZE), layout);
    assert_true(rd64(lf + ETWHF_LF_PERF_FREQ(layout)) == 10000000u);
    assert_int_equal(rd32(lf + ETWHF_LF_RESERVED_FLAGS(layout)), 1);
    assert_true(rd64(lf + ETWHF_LF_START_TIME(layout)) > rd64(lf + ETWHF_LF_BOOT_TIME(layout)));
    assert_true(rd64(lf + ETWHF_LF_END_TIME) > rd64(lf + ETWHF_LF_START_TIME(layout)));
    assert_int_equal(rd32(lf + ETWHF_LF_EVENTS_LOST), 0);
    assert_int_equal(rd32(lf + ETWHF_LF_BUFFERS_LOST(layout)), 0);
    for (uint64_t i = 0; i < buffers; i++) {
        const uint8_t *b = f + i * bs;
        uint32_t v = rd32(b + ETWHF_BH_SAVED_OFFSET);
        assert_int_equal(rd32(b), bs);
        if (i == 0 && v == 0) /* as a Windows 7 relogger wrote its header buffer (walk.md B6.0) */
            v = rd32(b + ETWHF_BH_OFFSET);
        assert_int_equal(v, rd32(b + ETWHF_BH_OFFSET));
        assert_int_equal(v % 8, 0);
        assert_true(v >= 0x48 && v <= bs);
        assert_int_equal(rd32(b + ETWHF_BH_STATE), ETWHF_BUFFER_STATE_FLUSH);
        for (uint32_t k = v; k < bs; k++)
            if (b[k] != 0xFF)
                fail_msg("buffer %llu: byte 0x%x of the filler is 0x%02x", (unsigned long long)i, k, b[k]);
        if (i == 0)
            continue;
        assert_int_equal(rd16(b + ETWHF_BH_FLAGS), 0x20);
        assert_int_equal(rd16(b + ETWHF_BH_TYPE), ETWHF_BT_GENERIC);
        assert_true(rd64(b + ETWHF_BH_SEQUENCE) >= 1 && rd64(b + ETWHF_BH_SEQUENCE) < buffers);
        assert_true(rd64(b + ETWHF_BH_TIMESTAMP) != 0);
    }
    /* per-CPU increasing heap-event timestamps, and no diagnostic at all */
    static struct clocks c;
    memset(&c, 0, sizeof c);
    struct etwhf_decode_options o;
    etwhf_decode_options_init(&o);
    o.on_event = on_event;
    o.on_diag = on_diag;
    o.user = &c;
    struct etwhf_summary sum;
    assert_int_equal(decode_once_memory(&o, f, n, &sum), ETWHF_OK);
    assert_false(c.bad);
    assert_true(sum.buffers == buffers);
    return sum.heap_free;
}

static void test_intact_cases(void **state)
{
    (void)state;
    struct etwhf_gen_options o;
    etwhf_gen_options_init(&o);
    o.layers = ETWHF_GEN_LAYER_BIT(ETWHF_GEN_FILE);
    o.fault_mode = ETWHF_GEN_FAULTS_NONE;
    o.compressed_rate = 0;
    o.n_sources = 5;       /* documented values only: no warning either */
    o.documented_only = 1; /* and no shape etwhf chose: every case a y_ case */
    for (uint32_t s = 0; s < 5; s++)
        o.sources[s] = s + 1;
    unsigned widths = 0;
    for (uint64_t id = 0; id < 300; id++) {
        struct etwhf_dstream ds;
        struct etwhf_gen_case c;
        etwhf_dstream_init_seed(&ds, 31, id);
        assert_int_equal(etwhf_gen_case(&o, &ds, &c), ETWHF_OK);
        assert_int_equal(c.expect.error, 0);
        assert_int_equal(c.expect.warnings, 0);
        assert_int_equal(c.expect.n_diags, 0);
        char name[64];
        etwhf_gen_case_name(&c, id, name, sizeof name);
        assert_memory_equal(name, "y_file_intact_", 14);
        assert_true(check_trace(c.bytes, c.len, c.pointer_size) == c.expect.n_events);
        widths |= c.pointer_size == 4 ? 1u : c.pointer_size == 8 ? 2u : 4u;
        etwhf_gen_case_free(&c);
    }
    assert_int_equal(widths, 7);
}

struct mem {
    uint8_t *p;
    size_t len, cap;
};

static int to_mem(void *user, const void *data, size_t len)
{
    struct mem *m = user;
    if (m->len + len > m->cap) {
        m->cap = (m->len + len) * 2;
        m->p = realloc(m->p, m->cap);
        assert_non_null(m->p);
    }
    memcpy(m->p + m->len, data, len);
    m->len += len;
    return 0;
}

static void test_streamed_trace(void **state)
{
    (void)state;
    static const unsigned widths[] = {4, 8, 0};
    for (int pure = 0; pure < 2; pure++)
        for (int w = 0; w < 3; w++) {
            struct mem m = {0};
            struct etwhf_gen_trace_options o;
            struct etwhf_gen_trace_stats st;
            etwhf_gen_trace_options_init(&o);
            o.seed = 12;
            o.events = 20000 + (uint64_t)w;
            o.pointer_size = widths[w];
            o.pure = pure;
            o.buffer_size = 0x2000;
            o.write = to_mem;
            o.user = &m;
            assert_int_equal(etwhf_gen_trace(&o, &st), ETWHF_OK);
            assert_true(st.bytes == m.len && st.heap_free == o.events);
            assert_true(st.buffers == etwhf_gen_trace_buffers(&o));
            assert_true(check_trace(m.p, m.len, widths[w]) == o.events);
            free(m.p);
        }
}

static int fail_write(void *user, const void *data, size_t len)
{
    (void)user;
    (void)data;
    (void)len;
    return -1;
}

static int stop_now(void *user)
{
    (void)user;
    return 1;
}

static void test_trace_errors(void **state)
{
    (void)state;
    struct etwhf_gen_trace_options o;
    etwhf_gen_trace_options_init(&o);
    assert_int_equal(etwhf_gen_trace(&o, NULL), ETWHF_EINVAL); /* no writer */
    o.write = fail_write;
    assert_int_equal(etwhf_gen_trace(&o, NULL), ETWHF_EIO);
    o.buffer_size = 0x1004;
    assert_int_equal(etwhf_gen_trace(&o, NULL), ETWHF_EINVAL);
    assert_true(etwhf_gen_trace_buffers(&o) == 0);
    struct mem m = {0};
    o.buffer_size = 0;
    o.write = to_mem;
    o.user = &m;
    o.events = 1000000;
    o.should_stop = stop_now;
    assert_int_equal(etwhf_gen_trace(&o, NULL), ETWHF_EABORTED);
    assert_int_equal(m.len, 0x10000); /* the header buffer only */
    free(m.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_intact_cases),
        cmocka_unit_test(test_streamed_trace),
        cmocka_unit_test(test_trace_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
